// The next steps offered with each kind of failure: the message says what happened, a button does the rest.
import type { ErrorAction, ErrorKind } from '../protocol';

const BY_KIND: Record<ErrorKind, ErrorAction[]> = {
  missingKey: ['setApiKey', 'retry'],
  auth: ['setApiKey', 'testConnection', 'showLog'],
  permission: ['setApiKey', 'selectModel', 'showLog'],
  notFound: ['selectModel', 'openSettings', 'showLog'],
  rateLimited: ['retry', 'showLog'],
  quota: ['openUsage', 'showLog'],
  contextLength: ['trimAndRetry', 'showLog'],
  contentFilter: ['retry'],
  badRequest: ['openSettings', 'retry', 'showLog'],
  server: ['retry', 'showLog'],
  connection: ['retry', 'testConnection', 'openSettings', 'showLog'],
  timeout: ['retry', 'openSettings', 'showLog'],
  malformedStream: ['retry', 'showLog'],
  cutOff: ['continue', 'showLog'],
  cancelled: [],
  unknown: ['retry', 'showLog'],
  imagesUnsupported: ['removeImagesAndRetry', 'selectModel', 'showLog'],
};

/** With part of an answer already shown, Continue comes first: it keeps what arrived. */
export function actionsFor(kind: ErrorKind, partial = false): ErrorAction[] {
  const base = BY_KIND[kind];
  return partial && kind !== 'cancelled' && kind !== 'contextLength' ? ['continue', ...base.filter(a => a !== 'continue')] : [...base];
}
