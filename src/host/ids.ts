// Command ids, the view id, setting keys and context keys, defined once.
export const Commands = {
  explainSelection: 'tandem.explainSelection',
  fixSelection: 'tandem.fixSelection',
  openChat: 'tandem.openChat',
  newConversation: 'tandem.newConversation',
  stopGenerating: 'tandem.stopGenerating',
  setApiKey: 'tandem.setApiKey',
  clearApiKey: 'tandem.clearApiKey',
  showLog: 'tandem.showLog',
  selectProvider: 'tandem.selectProvider',
  selectModel: 'tandem.selectModel',
  testConnection: 'tandem.testConnection',
  exportConversation: 'tandem.exportConversation',
  acceptEdit: 'tandem.acceptEdit',
  rejectEdit: 'tandem.rejectEdit',
  improveSelection: 'tandem.improveSelection',
  writeTests: 'tandem.writeTests',
  addDocs: 'tandem.addDocs',
  askAboutSelection: 'tandem.askAboutSelection',
  fixDiagnostic: 'tandem.fixDiagnostic',
  explainRange: 'tandem.explainRange',
  improveRange: 'tandem.improveRange',
  reviewChatEdit: 'tandem.reviewChatEdit',
} as const;

export const CHAT_VIEW_ID = 'tandem.chatView';
/** The vendor of Tandem's models in VS Code's language-model API (`languageModelChatProviders`). */
export const LM_VENDOR = 'tandem';
/** The @tandem participant in VS Code's Chat (package.json `chatParticipants`). */
export const PARTICIPANT_ID = 'tandem.participant';
export const STREAMING_CONTEXT_KEY = 'tandem.streaming';

export const SETTINGS_SECTION = 'tandem';

/**
 * Settings an untrusted workspace may not set: everything that changes what is sent, where, how much
 * or what it appears to cost. package.json's `restrictedConfigurations` lists the same keys (a unit test
 * compares them), and readSettings() reads these from the user's settings only while untrusted, so the
 * guarantee does not rest on VS Code alone.
 */
export const RESTRICTED_SETTINGS = [
  'provider',
  'baseUrl',
  'model',
  'azure.deployment',
  'azure.apiVersion',
  'maxTokens',
  'choices',
  'contextWindow',
  'prices',
  'requestsPerMinute',
  'tokensPerMinute',
  'firstTokenTimeoutSeconds',
  'idleTimeoutSeconds',
  'maxAnswerCharacters',
  'maxAnswerSeconds',
  'redactCredentials',
  'systemPrompt',
  'taskPrompts',
  'projectInstructions',
] as const;

export type RestrictedSetting = (typeof RESTRICTED_SETTINGS)[number];
