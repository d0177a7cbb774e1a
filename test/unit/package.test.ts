// The VSIX that `npm run package` made (npm test builds it first): size budgets and what ships.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');

const { zipEntries } = require('../harness/zipEntries.js') as { zipEntries(file: string): { name: string; size: number }[] };

suite('the packaged VSIX', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const vsix = path.join(ROOT, `tandem-${pkg.version}.vsix`);

  test('is under 600 KB and 40 files, and ships only the allowlist', () => {
    assert.ok(fs.existsSync(vsix), `${vsix} exists (npm test builds it; alone: npm run package)`);
    const size = fs.statSync(vsix).size;
    assert.ok(size < 600 * 1024, `VSIX is ${(size / 1024).toFixed(0)} KB`);
    const names = zipEntries(vsix).map(e => e.name);
    assert.ok(names.length < 40, `VSIX has ${names.length} files`);
    const unexpected = names.filter(
      n => !/^(extension\.vsixmanifest|\[Content_Types\]\.xml|extension\/(package\.json|readme\.md|changelog\.md|LICENSE\.txt|dist\/(extension|host|llm|webview)\.js|dist\/codicon\.(css|ttf)|media\/(icon\.png|tandem\.svg|chat\.css|walkthrough\/[a-z]+\.svg)))$/.test(n),
    );
    assert.deepStrictEqual(unexpected, []);
    for (const required of ['extension/dist/extension.js', 'extension/dist/host.js', 'extension/dist/llm.js', 'extension/dist/webview.js', 'extension/dist/codicon.css', 'extension/dist/codicon.ttf', 'extension/media/chat.css']) {
      assert.ok(names.includes(required), `${required} ships`);
    }
  });

  test('every walkthrough step shows a vector image that ships (a raster icon scaled up is blurry)', () => {
    const m = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      contributes: { walkthroughs: { steps: { id: string; media: { svg?: string; image?: unknown; altText?: string } }[] }[] };
    };
    const names = zipEntries(vsix).map(e => e.name);
    const steps = m.contributes.walkthroughs.flatMap(w => w.steps);
    assert.ok(steps.length > 0);
    for (const step of steps) {
      const svg = step.media.svg;
      assert.ok(svg && svg.endsWith('.svg') && step.media.image === undefined, `${step.id}: media.svg, not a raster image`);
      assert.ok(step.media.altText, `${step.id}: alt text`);
      assert.ok(names.includes(`extension/${svg}`), `${step.id}: ${svg} ships in the VSIX`);
      const text = fs.readFileSync(path.join(ROOT, svg), 'utf8');
      assert.match(text, /^<svg [^>]*viewBox="0 0 \d+ \d+"/, `${step.id}: scalable`);
      // Theme colours only, so the picture reads in light, dark and high-contrast themes alike.
      assert.ok(!/fill="#|stroke="#/.test(text), `${step.id}: colours come from theme variables`);
    }
  });

  test('the manifest keeps the identity, the engine floor and a pinned @types/vscode', () => {
    const m = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      publisher: string; name: string; engines: { vscode: string }; devDependencies: Record<string, string>; activationEvents: string[];
    };
    assert.strictEqual(`${m.publisher}.${m.name}`, 'tandem.tandem');
    assert.strictEqual(m.engines.vscode, '^1.104.0');
    assert.strictEqual(m.devDependencies['@types/vscode'], '1.104.0');
    assert.ok(!m.activationEvents.includes('*'));
  });
});
