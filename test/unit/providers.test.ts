import * as assert from 'assert';
import {
  AZURE_DEFAULT_API_VERSION,
  PROVIDERS,
  azureApiVersionFromUrl,
  azureApiRoot,
  azureDeploymentFromUrl,
  normalizeProviderBaseUrl,
  providerById,
  type ProviderId,
} from '../../src/core/providers';

function ok(provider: ProviderId, raw: string): { url: string; changes: string[] } {
  const r = normalizeProviderBaseUrl(provider, raw);
  if ('error' in r) throw new assert.AssertionError({ message: `${provider} ${JSON.stringify(raw)}: ${r.error}` });
  return r;
}

function err(provider: ProviderId, raw: string): string {
  const r = normalizeProviderBaseUrl(provider, raw);
  if (!('error' in r)) throw new assert.AssertionError({ message: `${provider} ${JSON.stringify(raw)} gave ${r.url}` });
  return r.error;
}

suite('core/providers', () => {
  test('every provider has one preset with consistent fields', () => {
    const ids = PROVIDERS.map((p) => p.id);
    assert.deepStrictEqual([...ids].sort(), ['azure', 'custom', 'groq', 'llamacpp', 'lmstudio', 'ollama', 'openai', 'openrouter', 'vllm']);
    assert.strictEqual(PROVIDERS[0].id, 'openai', 'openai is the default, listed first');
    for (const p of PROVIDERS) {
      assert.ok(p.label && p.description && p.exampleModel, p.id);
      if (p.local) assert.strictEqual(p.needsKey, false, `${p.id}: local servers need no key`);
      if (p.needsKey) assert.ok(p.keyUrl?.startsWith('https://'), `${p.id}: says where to get a key`);
      if (p.defaultBaseUrl !== undefined) {
        // A default must survive its own normalization unchanged.
        assert.deepStrictEqual(normalizeProviderBaseUrl(p.id, p.defaultBaseUrl), { url: p.defaultBaseUrl, changes: [] }, p.id);
      }
    }
    assert.strictEqual(providerById('azure').defaultBaseUrl, undefined);
    assert.strictEqual(providerById('custom').defaultBaseUrl, undefined);
    assert.strictEqual(providerById('azure').modelsListed, false);
  });

  test('the documented defaults', () => {
    const expected: [ProviderId, string | undefined, boolean][] = [
      ['openai', 'https://api.openai.com/v1', true],
      ['ollama', 'http://127.0.0.1:11434/v1', false],
      ['lmstudio', 'http://127.0.0.1:1234/v1', false],
      ['vllm', 'http://127.0.0.1:8000/v1', false],
      ['llamacpp', 'http://127.0.0.1:8080/v1', false],
      ['openrouter', 'https://openrouter.ai/api/v1', true],
      ['groq', 'https://api.groq.com/openai/v1', true],
      ['azure', undefined, true],
    ];
    for (const [id, url, needsKey] of expected) {
      assert.strictEqual(providerById(id).defaultBaseUrl, url, id);
      assert.strictEqual(providerById(id).needsKey, needsKey, id);
    }
  });

  test('unknown ids are custom servers', () => {
    assert.strictEqual(providerById('anthropic').id, 'custom');
    assert.strictEqual(providerById('').id, 'custom');
    assert.strictEqual(providerById(' Ollama ').id, 'ollama');
  });

  test('cosmetic fixes are made silently', () => {
    assert.deepStrictEqual(ok('openai', '  https://api.openai.com/v1///  '), { url: 'https://api.openai.com/v1', changes: [] });
    assert.deepStrictEqual(ok('custom', 'https://llm.example.com/proxy/v1/'), { url: 'https://llm.example.com/proxy/v1', changes: [] });
  });

  test('a pasted endpoint URL becomes the API root', () => {
    const r = ok('openai', 'https://api.openai.com/v1/chat/completions');
    assert.strictEqual(r.url, 'https://api.openai.com/v1');
    assert.deepStrictEqual(r.changes, ['removed /chat/completions (Tandem adds it)']);
    assert.strictEqual(ok('lmstudio', 'http://localhost:1234/v1/models').url, 'http://localhost:1234/v1');
    assert.strictEqual(ok('custom', 'https://x.example/v1/chat/completions?foo=1#bar').url, 'https://x.example/v1');
  });

  test('a missing API root is added for presets that have one', () => {
    const r = ok('ollama', 'http://localhost:11434');
    assert.strictEqual(r.url, 'http://localhost:11434/v1');
    assert.deepStrictEqual(r.changes, ['added /v1']);
    assert.strictEqual(ok('vllm', 'http://gpu-box.lan:8000/').url, 'http://gpu-box.lan:8000/v1');
    assert.strictEqual(ok('llamacpp', 'http://127.0.0.1:8080/chat/completions').url, 'http://127.0.0.1:8080/v1');
    assert.deepStrictEqual(ok('openrouter', 'https://openrouter.ai'), { url: 'https://openrouter.ai/api/v1', changes: ['added /api/v1'] });
    assert.deepStrictEqual(ok('openrouter', 'https://openrouter.ai/api'), { url: 'https://openrouter.ai/api/v1', changes: ['added /v1'] });
    assert.deepStrictEqual(ok('groq', 'https://api.groq.com'), { url: 'https://api.groq.com/openai/v1', changes: ['added /openai/v1'] });
    // A custom server's root is unknown: its path is left as given.
    assert.deepStrictEqual(ok('custom', 'http://localhost:5000'), { url: 'http://localhost:5000', changes: [] });
    // A path that is not a prefix of the root is the user's choice.
    assert.strictEqual(ok('openai', 'https://proxy.example.com/openai').url, 'https://proxy.example.com/openai');
  });

  test('a missing scheme is http for local hosts and https otherwise', () => {
    const local = ok('ollama', 'localhost:11434');
    assert.strictEqual(local.url, 'http://localhost:11434/v1');
    assert.strictEqual(local.changes.length, 2);
    assert.ok(local.changes[0].startsWith('added http://'));
    assert.strictEqual(local.changes[1], 'added /v1');
    assert.strictEqual(ok('vllm', '192.168.1.20:8000/v1').url, 'http://192.168.1.20:8000/v1');
    assert.strictEqual(ok('llamacpp', '[::1]:8080').url, 'http://[::1]:8080/v1');
    assert.strictEqual(ok('custom', 'ollama:11434/v1').url, 'http://ollama:11434/v1', 'a docker compose service name');
    assert.deepStrictEqual(ok('openai', 'api.openai.com/v1'), { url: 'https://api.openai.com/v1', changes: ['added https://'] });
  });

  test("Ollama's native /api path becomes /v1", () => {
    for (const raw of ['http://localhost:11434/api', 'http://localhost:11434/api/chat', 'http://localhost:11434/api/generate/']) {
      const r = ok('ollama', raw);
      assert.strictEqual(r.url, 'http://localhost:11434/v1', raw);
      assert.ok(r.changes.some((c) => c.includes('/api')), raw);
    }
  });

  test('Azure keeps only the resource endpoint', () => {
    const pasted = 'https://my-res.openai.azure.com/openai/deployments/gpt4o-prod/chat/completions?api-version=2024-08-01-preview';
    const r = ok('azure', pasted);
    assert.strictEqual(r.url, 'https://my-res.openai.azure.com');
    assert.strictEqual(r.changes.length, 1);
    assert.deepStrictEqual(ok('azure', 'https://my-res.openai.azure.com/'), { url: 'https://my-res.openai.azure.com', changes: [] });
    assert.strictEqual(ok('azure', 'my-res.openai.azure.com').url, 'https://my-res.openai.azure.com');
    assert.strictEqual(azureDeploymentFromUrl(pasted), 'gpt4o-prod');
    assert.strictEqual(azureApiVersionFromUrl(pasted), '2024-08-01-preview');
  });

  test('errors say what a valid value looks like', () => {
    assert.match(err('openai', ''), /https:\/\/api\.openai\.com\/v1/);
    assert.match(err('ollama', 'ftp://localhost:11434'), /http or https.*http:\/\/127\.0\.0\.1:11434\/v1/);
    assert.match(err('azure', 'file:///etc/passwd'), /my-resource\.openai\.azure\.com/);
    assert.match(err('custom', 'not a url'), /spaces/);
    assert.match(err('custom', 'mailto:me@example.com'), /not a URL/);
    assert.match(err('openai', 'http://'), /valid URL|no host/);
    assert.match(err('openai', '::::'), /not a URL/);
  });

  test('the Azure API root', () => {
    assert.strictEqual(azureApiRoot('https://my-res.openai.azure.com/', 'gpt-4o mini'), 'https://my-res.openai.azure.com/openai/deployments/gpt-4o%20mini');
    assert.strictEqual(azureApiRoot(' https://my-res.openai.azure.com ', 'dep'), 'https://my-res.openai.azure.com/openai/deployments/dep');
    assert.strictEqual(AZURE_DEFAULT_API_VERSION, '2024-10-21');
  });

  test('the deployment in a pasted Azure URL', () => {
    assert.strictEqual(azureDeploymentFromUrl('https://x.openai.azure.com/openai/deployments/my%20dep/chat/completions'), 'my dep');
    assert.strictEqual(azureDeploymentFromUrl('https://x.openai.azure.com/openai/deployments/d1?api-version=1'), 'd1');
    assert.strictEqual(azureDeploymentFromUrl('https://x.openai.azure.com/openai/deployments/%E0%A4%A/x'), '%E0%A4%A');
    assert.strictEqual(azureDeploymentFromUrl('https://x.openai.azure.com'), undefined);
    assert.strictEqual(azureApiVersionFromUrl('https://x.openai.azure.com'), undefined);
  });
});

suite('providers: the manifest and the presets agree', () => {
  test('tandem.provider lists every preset, in order, with the preset\'s label', () => {
    const fs = require('fs') as typeof import('fs');
    const path = require('path') as typeof import('path');
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
      contributes: { configuration: { properties: Record<string, { enum?: string[]; enumItemLabels?: string[]; enumDescriptions?: string[] }> } };
    };
    const setting = pkg.contributes.configuration.properties['tandem.provider'];
    assert.deepStrictEqual(setting.enum, PROVIDERS.map(p => p.id));
    assert.deepStrictEqual(setting.enumItemLabels, PROVIDERS.map(p => p.label));
    assert.strictEqual(setting.enumDescriptions?.length, PROVIDERS.length);
  });
});
