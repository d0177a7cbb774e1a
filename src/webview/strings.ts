// Every string the chat view shows, in one table so wording and a later translation live in one place.
// The host translates its own strings with vscode.l10n; this bundle cannot reach that API.

import type { CodeAction, ErrorAction, MentionKind, RetryCause, SetupStep } from '../protocol';

// One formatter: toLocaleString builds a new one on every call, which showed when a conversation opens.
const counter = new Intl.NumberFormat('en-US');
const count = (n: number): string => counter.format(n);

/** What a retry's countdown says it waits for. */
const RETRY_CAUSES: Record<RetryCause, string> = {
  rateLimited: 'Rate limited by the server',
  server: 'The server failed',
  connection: 'Could not reach the server',
};

export const strings = {
  roleUser: 'You',
  roleAssistant: 'Tandem',
  conversationLabel: 'Conversation',

  emptyTitle: 'Ask Tandem about your code',
  emptySelect: 'Select code in the editor and run “Tandem: Explain Selection” from the Command Palette or the editor’s context menu,',
  emptyType: 'or type a question below and press Enter.',

  promptLabel: 'Ask a question',
  promptPlaceholder: 'Ask a question (# to attach context, Enter to send, Shift+Enter for a new line)',
  send: 'Send',
  sendTitle: 'Send (Enter)',
  stop: 'Stop',
  stopTitle: 'Stop generating',
  modelLabel: (model: string): string => `Model: ${model}`,
  noModel: 'Select a model',
  selectModelTitle: (model: string): string => (model ? `Model: ${model}. Click to switch.` : 'Select a model'),

  copy: 'Copy',
  copied: 'Copied',
  codeActions: {
    copy: ['Copy', 'Copy this code to the clipboard'],
    insert: ['Insert at Cursor', 'Insert this code at the cursor in the active editor'],
    replaceSelection: ['Replace Selection', 'Replace the selection in the active editor with this code'],
    apply: ['Apply to File…', 'Apply this code to a file, after a diff preview'],
    newFile: ['New File', 'Open this code in a new untitled file'],
  } satisfies Record<CodeAction, readonly [string, string]>,
  moreCodeActions: 'More actions for this code',
  codeBlockLabel: (language: string): string => (language ? `${language} code` : 'Code'),

  messageCopy: 'Copy',
  messageCopyTitle: 'Copy this answer as Markdown',
  regenerate: 'Regenerate',
  regenerateTitle: 'Ask for this answer again',
  openInEditor: 'Open in Editor',
  openInEditorTitle: 'Open this answer in a Markdown editor',
  edit: 'Edit',
  editTitle: 'Edit this question and send it again',
  editLabel: 'Edited question',
  editSend: 'Send',
  editSendTitle: 'Send the edited question (Enter); the answers after it are replaced',
  editCancel: 'Cancel',
  editCancelTitle: 'Discard the changes (Escape)',
  messageActionsLabel: 'Message actions',
  showMore: 'Show more',
  showLess: 'Show less',

  untitled: 'New conversation',
  titleLabel: 'Conversation title',
  rename: 'Rename',
  renameTitle: 'Rename this conversation',
  renameInputLabel: 'New title (Enter to save, Escape to cancel)',
  conversations: 'Conversations',
  conversationsTitle: 'Show all conversations',
  newConversation: 'New',
  newConversationTitle: 'Start a new conversation',
  exportConversation: 'Export',
  exportConversationTitle: 'Export this conversation as Markdown',
  conversationList: 'Conversations (Escape to close)',
  noConversations: 'No saved conversations yet.',
  deleteConversation: (title: string): string => `Delete “${title}”`,
  messageCount: (n: number): string => `${count(n)} ${n === 1 ? 'message' : 'messages'}`,
  /** "12 KB", "3.4 MB". */
  size: (bytes: number): string => (bytes < 1024 * 1024 ? `${Math.max(1, Math.round(bytes / 1024))} KB` : `${(bytes / 1048576).toFixed(1)} MB`),
  damaged: (reason: string): string => `Damaged: ${reason}`,
  openConversationFile: (title: string): string => `Open the file of “${title}”`,
  clearAll: 'Clear All',
  clearAllTitle: 'Delete every conversation',
  confirmClearAll: 'Confirm Clear All',
  confirmClearAllTitle: 'Delete every conversation; this cannot be undone',
  /** "2 h ago"; older than a week: the date. */
  ago: (ms: number, now: number): string => {
    const minutes = Math.floor(Math.max(0, now - ms) / 60_000);
    if (minutes < 1) return 'just now';
    if (minutes < 60) return `${minutes} min ago`;
    const hours = Math.floor(minutes / 60);
    if (hours < 24) return `${hours} h ago`;
    const days = Math.floor(hours / 24);
    return days < 7 ? `${days} d ago` : new Date(ms).toLocaleDateString();
  },

  chipsLabel: 'Context sent with the next question',
  chipTitle: (detail: string, tokens: number): string => `${detail}\n≈${count(tokens)} tokens`,
  removeChip: (label: string): string => `Remove ${label} from the context`,
  addFile: 'File',
  addFileTitle: 'Add a file to the context',
  tokenEstimate: (n: number): string => `≈${count(n)} tokens`,
  tooLong: (n: number, max: number): string => `Too long to send: ${count(n)} characters, at most ${count(max)}`,
  tokenEstimateTitle: 'Estimated size of the question and its context',
  chipTokens: (tokens: number): string => `≈${count(tokens)}`,
  chipName: (label: string, tokens: number, note: string | undefined): string =>
    `${label}, about ${count(tokens)} tokens${note ? `. ${note}` : ''}`,
  instructionsName: (on: boolean, tokens: number, note: string | undefined): string =>
    `Project instructions, ${on ? `on, about ${count(tokens)} tokens` : 'off'}${note ? `. ${note}` : ''}`,
  instructionsToggle: (on: boolean): string => (on ? 'Turn off project instructions for this conversation' : 'Turn on project instructions for this conversation'),
  instructionsOff: 'off',

  mentionListLabel: 'Context to mention',
  attachmentsLabel: 'Attached to this question',
  mentionKinds: {
    file: 'Attach a workspace file',
    symbol: 'Attach a symbol\'s definition',
    problems: 'Attach the problems VS Code reports',
    changes: 'Attach the working tree\'s changes (Git)',
    terminal: 'Attach the last command and output of the terminal',
    selection: 'Attach the editor\'s selection',
  } satisfies Record<MentionKind, string>,
  mentionSearching: 'Searching…',
  mentionNoMatch: 'No match',
  mentionTypeSymbol: 'Type a symbol name',
  mentionResults: (n: number): string => (n === 0 ? 'No results' : `${count(n)} ${n === 1 ? 'result' : 'results'}, Up and Down to choose, Enter to attach, Escape to close`),
  mentionAttached: 'Attached',
  mentionUnavailable: (reason: string): string => `Not available: ${reason}`,

  setupTitle: {
    missingKey: 'Set up Tandem',
    badEndpoint: 'Check the endpoint',
  } satisfies Record<'missingKey' | 'badEndpoint', string>,
  setupSteps: {
    setApiKey: 'Set API Key',
    selectProvider: 'Select Provider',
    selectModel: 'Select Model',
    testConnection: 'Test Connection',
  } satisfies Record<SetupStep, string>,

  contextLines: (start: number, end: number): string => (start === end ? `line ${start}` : `lines ${start}–${end}`),
  contextSeparator: ' · ',

  stopped: 'Stopped',
  typing: 'Tandem is writing…',
  answerFinished: 'Answer finished',
  answerStopped: 'Answer stopped',
  answerFailed: (message: string): string => `Answer failed: ${message}`,

  imagesLabel: 'Images sent with the next question',
  imagePreparing: 'Preparing the image…',
  imageTooLargeFile: (bytes: number, max: number): string => `The file is ${strings.size(bytes)}; images up to ${strings.size(max)} can be attached.`,
  imageUnreadable: 'It could not be read as an image.',
  imageCannotShrink: (max: number): string => `It could not be made smaller than ${strings.size(max)} while keeping at least 512 pixels on its longest side.`,
  imageGifFirstFrame: 'GIF: its first frame is sent, as a PNG',
  imageScaled: (from: string, to: string): string => `Scaled down from ${from} to ${to}`,
  imageRecompressed: (mime: string): string => `Recompressed as ${mime.replace('image/', '').toUpperCase()} to fit`,
  imageRefused: (name: string, reason: string): string => `${name} was not attached: ${reason}`,
  imageTooMany: (max: number): string => `at most ${max} images go with one question.`,
  imageChipLabel: (name: string, size: string, width: number, height: number): string => `Image ${name}, ${size}, ${width}×${height}`,
  imageTokens: (n: number): string => `≈${count(n)} tokens`,
  removeImage: (described: string): string => `Remove ${described}`,
  imageNeedsQuestion: 'Type a question to send with the image.',
  imageWait: 'The image is still being prepared; send again in a moment.',
  questionImage: (name: string, width: number, height: number): string => `Image ${name}, ${width}×${height}`,

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
    removeImagesAndRetry: 'Remove Image and Retry',
  } satisfies Record<ErrorAction, string>,

  usage: (prompt: number, completion: number, estimated: boolean): string =>
    `${estimated ? '≈' : ''}${count(prompt)} in · ${count(completion)} out tokens`,
  cost: (usd: number): string => (usd < 0.0001 ? '<$0.0001' : usd < 1 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`),
  totals: (answers: number, prompt: number, completion: number, usd: number): string =>
    `Session: ${answers} ${answers === 1 ? 'answer' : 'answers'}, ${count(prompt + completion)} tokens${usd > 0 ? `, ${usd < 0.0001 ? '<$0.0001' : `$${usd.toFixed(4)}`}` : ''}`,
  waitPacing: (seconds: number, position: number | undefined): string =>
    `Waiting for the rate limit: sending in ${seconds} s${position ? ` (${position} ahead)` : ''}`,
  waitRetry: (seconds: number, attempt: number | undefined, cause: RetryCause | undefined): string =>
    `${cause ? `${RETRY_CAUSES[cause]}: retrying` : 'Retrying'}${attempt ? ` (attempt ${attempt + 1})` : ''} in ${seconds} s`,
  retryNow: 'Retry Now',
  sendNow: 'Send Now',
  cancel: 'Cancel',
} as const;
