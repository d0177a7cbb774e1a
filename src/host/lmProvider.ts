// Tandem's models in VS Code's own Chat and for any extension (`vscode.lm.selectChatModels({ vendor:
// 'tandem' })`): the configured server's models, answered through the one pipeline. Endpoint and key
// come from the EndpointResolver, every request is planned, redacted, paced, retried, capped and
// counted by the AnswerRunner, exactly as the chat's. This file only translates between VS Code's
// language-model types and Tandem's turns. dist/extension.js registers a proxy at activation and
// loads the host (this file) on VS Code's first question.
import vscode = require('vscode');
import type { ChatTurn, ToolCall, ToolSpec } from '../llm/types';
import { answerReserve } from '../core/fitContext';
import type { EndpointResolver } from './endpoint';
import type { AnswerRunner } from './answerRunner';
import type { Log } from './log';
import { loadLlm } from './llmLoader';
import { Commands, SETTINGS_SECTION } from './ids';

/** What VS Code hands back to us: the model information we gave it. */
export type TandemModelInfo = vscode.LanguageModelChatInformation;

/** A part of a message, recognised by shape as well as by class (the parts cross a process boundary). */
function textOf(part: unknown): string | undefined {
  if (part instanceof vscode.LanguageModelTextPart) return part.value;
  const p = part as { value?: unknown; callId?: unknown } | null;
  return p && typeof p === 'object' && typeof p.value === 'string' && p.callId === undefined ? p.value : undefined;
}

function toolCallOf(part: unknown): ToolCall | undefined {
  const p = part as { callId?: unknown; name?: unknown; input?: unknown } | null;
  if (!p || typeof p !== 'object' || typeof p.callId !== 'string' || typeof p.name !== 'string' || p.input === undefined) return undefined;
  return { id: p.callId, name: p.name, arguments: JSON.stringify(p.input) };
}

function toolResultOf(part: unknown): { callId: string; text: string } | undefined {
  const p = part as { callId?: unknown; content?: unknown } | null;
  if (!p || typeof p !== 'object' || typeof p.callId !== 'string' || !Array.isArray(p.content)) return undefined;
  return { callId: p.callId, text: p.content.map(c => textOf(c) ?? '').join('') };
}

/**
 * VS Code's messages as Tandem's turns: text parts become the message's text, an assistant's tool-call
 * parts its `toolCalls`, and a user message's tool results become `tool` turns placed before its text
 * (the API wants each result right after the call). Parts Tandem cannot send (images, data) are left out.
 */
export function toTurns(messages: readonly vscode.LanguageModelChatRequestMessage[]): ChatTurn[] {
  const turns: ChatTurn[] = [];
  for (const m of messages) {
    // 3 is the System role of newer VS Code releases (not in the 1.104 API Tandem is typed against).
    const role = m.role === vscode.LanguageModelChatMessageRole.Assistant ? 'assistant' : (m.role as number) === 3 ? 'system' : 'user';
    let text = '';
    const calls: ToolCall[] = [];
    for (const part of m.content) {
      const t = textOf(part);
      if (t !== undefined) {
        text += t;
        continue;
      }
      const call = role === 'assistant' ? toolCallOf(part) : undefined;
      if (call) {
        calls.push(call);
        continue;
      }
      const result = toolResultOf(part);
      if (result) turns.push({ role: 'tool', toolCallId: result.callId, content: result.text });
    }
    if (role === 'assistant') {
      if (text !== '' || calls.length > 0) turns.push(calls.length ? { role, content: text, toolCalls: calls } : { role, content: text });
    } else if (text !== '') {
      turns.push({ role, content: text });
    }
  }
  return turns;
}

export class ChatModelProvider implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly endpoints: EndpointResolver,
    private readonly answers: AnswerRunner,
    private readonly log: Log,
    /** Fired when the list may have changed: VS Code then asks again. */
    modelsChanged: vscode.EventEmitter<void>,
    secrets: vscode.SecretStorage,
  ) {
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration(e => {
        if (e.affectsConfiguration(SETTINGS_SECTION)) modelsChanged.fire();
      }),
      secrets.onDidChange(() => modelsChanged.fire()),
    );
  }

  async provideLanguageModelChatInformation(options: vscode.PrepareLanguageModelChatModelOptions, token: vscode.CancellationToken): Promise<TandemModelInfo[]> {
    let resolved = await this.endpoints.resolve();
    if (!resolved.ok && resolved.problem.kind === 'missingKey' && !options.silent) {
      // VS Code asks out loud (the model picker's "Manage"): let the user set the key, then list.
      await vscode.commands.executeCommand(Commands.setApiKey);
      resolved = await this.endpoints.resolve();
    }
    if (!resolved.ok) {
      this.log.info('lm', `no models for VS Code: ${resolved.problem.message}`);
      return [];
    }
    const e = resolved.endpoint;
    const s = e.settings;
    const signal = abortOn(token);
    let ids: string[];
    if (s.preset.deployments) {
      ids = s.azure.deployment ? [s.azure.deployment] : [];
    } else {
      try {
        ids = await loadLlm().listModels(e.server, { onLog: (level, line) => this.log[level]('lm', line) }, signal);
      } catch (err) {
        const f = loadLlm().describeError(err, { baseUrl: e.server.baseUrl, model: s.model });
        this.log.warn('lm', `listing models failed: ${f.kind}: ${f.message}`);
        ids = [];
      }
      // A server that lists nothing (or cannot) still answers for the model the user set.
      if (ids.length === 0 && s.model) ids = [s.model];
    }
    const infos = await Promise.all(ids.map(async id => {
      // Local servers run few models and say how large a context each gets; a router lists hundreds,
      // so there only the configured model is asked about and the others come from the table.
      const probe = s.preset.local || id === s.model;
      const window = await this.answers.contextWindow(e, id, signal, probe);
      const output = Math.min(answerReserve(window.tokens, s.maxTokens), Math.max(1, window.tokens - 1));
      const info: TandemModelInfo = {
        id,
        name: id,
        family: id,
        version: '',
        detail: s.preset.label,
        tooltip: vscode.l10n.t('{0} at {1}: context window {2} tokens', s.preset.label, e.origin, window.tokens.toLocaleString('en-US')) + (window.note ? `. ${window.note}` : ''),
        maxInputTokens: window.tokens - output,
        maxOutputTokens: output,
        capabilities: { toolCalling: s.preset.toolCalling === true },
      };
      return info;
    }));
    this.log.info('lm', `${infos.length} model(s) offered to VS Code from ${e.origin}`);
    return infos;
  }

  async provideLanguageModelChatResponse(model: TandemModelInfo, messages: readonly vscode.LanguageModelChatRequestMessage[],
    options: vscode.ProvideLanguageModelChatResponseOptions, progress: vscode.Progress<vscode.LanguageModelResponsePart>, token: vscode.CancellationToken): Promise<void> {
    const resolved = await this.endpoints.resolve();
    if (!resolved.ok) throw new vscode.LanguageModelError(resolved.problem.message);
    // A server that may reject `tools` (the model says toolCalling: false) answers in text instead.
    const tools: ToolSpec[] | undefined = resolved.endpoint.settings.preset.toolCalling && options.tools?.length
      ? options.tools.map(t => ({ name: t.name, description: t.description, parameters: t.inputSchema }))
      : undefined;
    let badCall: string | undefined;
    const result = await this.answers.run(
      {
        endpoint: resolved.endpoint,
        model: model.id,
        turns: toTurns(messages),
        tools,
        toolChoice: tools && options.toolMode === vscode.LanguageModelChatToolMode.Required ? 'required' : undefined,
        component: 'lm',
      },
      {
        onDelta: text => progress.report(new vscode.LanguageModelTextPart(text)),
        onToolCall: call => {
          const input = parseArguments(call.arguments);
          if (input) progress.report(new vscode.LanguageModelToolCallPart(call.id, call.name, input));
          else badCall ??= vscode.l10n.t('The model called the tool "{0}" with arguments that are not a JSON object: {1}', call.name, call.arguments.slice(0, 200));
        },
      },
      abortOn(token),
    );
    if (result.stopped || token.isCancellationRequested) return;
    if (result.error) throw new vscode.LanguageModelError(result.error.message);
    if (badCall) throw new vscode.LanguageModelError(badCall);
  }

  provideTokenCount(model: TandemModelInfo, text: string | vscode.LanguageModelChatRequestMessage): Promise<number> {
    if (typeof text === 'string') return Promise.resolve(this.answers.countTokens(text, model.id));
    const turns = toTurns([text]);
    // The chat format's framing per message, as the planner counts it.
    const n = turns.reduce((sum, t) => sum + 4 + this.answers.countTokens(t.content, model.id)
      + (t.toolCalls ?? []).reduce((k, c) => k + this.answers.countTokens(c.name + c.arguments, model.id), 0), 0);
    return Promise.resolve(n);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

function parseArguments(json: string): object | undefined {
  try {
    const v = JSON.parse(json === '' ? '{}' : json) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** An AbortSignal that fires when VS Code cancels: the connection is closed at once. */
function abortOn(token: vscode.CancellationToken): AbortSignal {
  const controller = new AbortController();
  if (token.isCancellationRequested) controller.abort();
  else token.onCancellationRequested(() => controller.abort());
  return controller.signal;
}
