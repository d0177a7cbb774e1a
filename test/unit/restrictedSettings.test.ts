// Workspace Trust: the settings the code reads only from the user while untrusted (RESTRICTED_SETTINGS)
// are exactly those package.json declares restricted, and every one of them exists.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { RESTRICTED_SETTINGS, SETTINGS_SECTION } from '../../src/host/ids';

const ROOT = path.resolve(__dirname, '..', '..');

suite('restricted settings', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    capabilities: { untrustedWorkspaces: { restrictedConfigurations: string[] } };
    contributes: { configuration: { properties: Record<string, { scope?: string }> } };
  };
  const declared = pkg.capabilities.untrustedWorkspaces.restrictedConfigurations;
  const properties = pkg.contributes.configuration.properties;

  test('package.json restricts exactly the settings the code treats as restricted', () => {
    assert.deepStrictEqual([...declared].sort(), RESTRICTED_SETTINGS.map(k => `${SETTINGS_SECTION}.${k}`).sort());
  });

  test('every restricted setting is a contributed setting', () => {
    for (const key of declared) assert.ok(properties[key], `${key} is contributed`);
  });

  test('every setting that changes what is sent, where, how much or what it costs is restricted', () => {
    // Settings a workspace may still set, each with the reason it is harmless.
    const free: Record<string, string> = {
      'tandem.temperature': 'sampling only; not billed',
      'tandem.codeActions.enabled': 'whether the lightbulb offers Tandem; sends nothing by itself',
    };
    for (const key of Object.keys(properties)) {
      if (properties[key].scope === 'application' || properties[key].scope === 'machine') continue; // never read from a workspace
      assert.ok(declared.includes(key) || key in free, `${key} is restricted, application-scoped, or listed here as harmless`);
    }
  });
});
