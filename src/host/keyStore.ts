// API keys live only in SecretStorage, one entry per provider and endpoint origin, so a workspace that
// points the base URL elsewhere never receives a key stored for another origin.
import vscode = require('vscode');
import { endpointOrigin, isLoopback, secretKeyName } from '../core/endpoint';

export type KeyLookup =
  | { kind: 'key'; key: string; origin: string }
  | { kind: 'none'; origin: string } // the server needs no key
  | { kind: 'missing'; origin: string };

const NO_KEY_ORIGINS = 'tandem.noKeyOrigins';

export class KeyStore {
  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly state: vscode.Memento,
  ) {}

  private noKeyOrigins(): string[] {
    return this.state.get<string[]>(NO_KEY_ORIGINS, []);
  }

  async lookup(provider: string, baseUrl: string): Promise<KeyLookup> {
    const origin = endpointOrigin(baseUrl) ?? baseUrl;
    const key = await this.secrets.get(secretKeyName(provider, origin));
    if (key) return { kind: 'key', key, origin };
    if (isLoopback(baseUrl) || this.noKeyOrigins().includes(`${provider} ${origin}`)) return { kind: 'none', origin };
    return { kind: 'missing', origin };
  }

  async store(provider: string, origin: string, key: string): Promise<void> {
    await this.secrets.store(secretKeyName(provider, origin), key);
    await this.state.update(NO_KEY_ORIGINS, this.noKeyOrigins().filter(o => o !== `${provider} ${origin}`));
  }

  async markNoKey(provider: string, origin: string): Promise<void> {
    await this.secrets.delete(secretKeyName(provider, origin));
    const list = this.noKeyOrigins().filter(o => o !== `${provider} ${origin}`);
    await this.state.update(NO_KEY_ORIGINS, [...list, `${provider} ${origin}`]);
  }

  async clear(provider: string, origin: string): Promise<boolean> {
    const had = (await this.secrets.get(secretKeyName(provider, origin))) !== undefined || this.noKeyOrigins().includes(`${provider} ${origin}`);
    await this.secrets.delete(secretKeyName(provider, origin));
    await this.state.update(NO_KEY_ORIGINS, this.noKeyOrigins().filter(o => o !== `${provider} ${origin}`));
    return had;
  }
}
