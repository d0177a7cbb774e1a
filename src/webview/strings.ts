// Every string the chat view shows, in one table so wording and a later translation live in one place.
// The host translates its own strings with vscode.l10n; this bundle cannot reach that API.

import type { ErrorAction } from '../protocol';

export const strings = {
  roleUser: 'You',
  roleAssistant: 'Tandem',
  conversationLabel: 'Conversation',

  emptyTitle: 'Ask Tandem about your code',
  emptySelect: 'Select code in the editor and run “Tandem: Explain Selection” from the Command Palette or the editor’s context menu,',
  emptyType: 'or type a question below and press Enter.',

  promptLabel: 'Ask a question',
  promptPlaceholder: 'Ask a question (Enter to send, Shift+Enter for a new line)',
  send: 'Send',
  sendTitle: 'Send (Enter)',
  stop: 'Stop',
  stopTitle: 'Stop generating',
  modelLabel: (model: string): string => `Model: ${model}`,

  copy: 'Copy',
  copyTitle: 'Copy this code to the clipboard',
  copied: 'Copied',
  insert: 'Insert at Cursor',
  insertTitle: 'Insert this code at the cursor in the active editor',
  codeBlockLabel: (language: string): string => (language ? `${language} code` : 'Code'),

  contextLines: (start: number, end: number): string => (start === end ? `line ${start}` : `lines ${start}–${end}`),
  contextSeparator: ' · ',

  stopped: 'Stopped',
  typing: 'Tandem is writing…',
  answerFinished: 'Answer finished',
  answerStopped: 'Answer stopped',
  answerFailed: (message: string): string => `Answer failed: ${message}`,

  /** Shown in place of an image from an answer, which the view never loads. */
  image: 'image',

  errorActions: {
    setApiKey: 'Set API Key',
    openSettings: 'Open Settings',
    retry: 'Retry',
    continue: 'Continue',
    selectModel: 'Select Model',
    trimAndRetry: 'Trim and Retry',
    openUsage: 'Open Usage Page',
    testConnection: 'Test Connection',
    showLog: 'Show Log',
  } satisfies Record<ErrorAction, string>,

  usage: (prompt: number, completion: number, estimated: boolean): string =>
    `${estimated ? '≈' : ''}${prompt.toLocaleString('en-US')} in · ${completion.toLocaleString('en-US')} out tokens`,
  cost: (usd: number): string => (usd < 0.0001 ? '<$0.0001' : usd < 1 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`),
  totals: (answers: number, prompt: number, completion: number, usd: number): string =>
    `Session: ${answers} ${answers === 1 ? 'answer' : 'answers'}, ${(prompt + completion).toLocaleString('en-US')} tokens${usd > 0 ? `, ${usd < 0.0001 ? '<$0.0001' : `$${usd.toFixed(4)}`}` : ''}`,
  waitPacing: (seconds: number, position: number | undefined): string =>
    `Waiting for the rate limit: sending in ${seconds} s${position ? ` (${position} ahead)` : ''}`,
  waitRetry: (seconds: number, attempt: number | undefined): string =>
    `Retrying${attempt ? ` (attempt ${attempt + 1})` : ''} in ${seconds} s`,
  retryNow: 'Retry Now',
  cancel: 'Cancel',
} as const;
