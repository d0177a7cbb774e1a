// Reads Tandem's settings. Endpoint settings are restricted in untrusted workspaces (package.json),
// so VS Code itself ignores a workspace's baseUrl there.
import * as vscode from 'vscode';
import { SETTINGS_SECTION, Settings } from './ids';
import { normalizeBaseUrl } from '../core/endpoint';

export interface TandemSettings {
  provider: string;
  /** Normalised; undefined when the setting is not an http(s) URL. */
  baseUrl: string | undefined;
  rawBaseUrl: string;
  model: string;
  temperature: number | undefined;
  maxTokens: number | undefined;
  systemPrompt: string;
}

function optionalNumber(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function readSettings(): TandemSettings {
  const c = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  const rawBaseUrl = c.get<string>(Settings.baseUrl, 'https://api.openai.com/v1') ?? '';
  return {
    provider: c.get<string>(Settings.provider, 'openai') || 'openai',
    baseUrl: normalizeBaseUrl(rawBaseUrl),
    rawBaseUrl,
    model: (c.get<string>(Settings.model, 'gpt-5-mini') ?? '').trim(),
    temperature: optionalNumber(c.get(Settings.temperature)),
    maxTokens: optionalNumber(c.get(Settings.maxTokens)),
    systemPrompt: c.get<string>(Settings.systemPrompt, '') ?? '',
  };
}
