// The next steps offered with each kind of failure: the message says what happened, a button does the rest.
import type { ErrorAction, ErrorKind } from '../protocol';

export function actionsFor(kind: ErrorKind): ErrorAction[] {
  switch (kind) {
    case 'missingKey':
      return ['setApiKey', 'retry'];
    case 'auth':
    case 'permission':
      return ['setApiKey', 'retry', 'showLog'];
    case 'notFound':
    case 'badRequest':
      return ['openSettings', 'retry', 'showLog'];
    case 'connection':
      return ['retry', 'openSettings', 'showLog'];
    case 'cancelled':
      return [];
    default:
      return ['retry', 'showLog'];
  }
}
