import * as assert from 'assert';
import { redactOutgoing, type SecretFinding } from '../../src/core/secretScan';

// Key-shaped test values are assembled at run time so that this file itself does not trip secret
// scanners (GitHub push protection and the like).
const OPENAI_KEY = ['sk', 'proj', 'Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z'].join('-');
const ANTHROPIC_KEY = ['sk', 'ant', 'api03', 'Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe'].join('-');
const GROQ_KEY = 'gsk' + '_' + 'Q1w2E3r4T5y6U7i8O9p0AsDfGhJkL';
const GITHUB_TOKEN = 'ghp' + '_' + '1a2B3c4D5e6F7g8H9i0J1k2L3m4N5o6P7q8R';
const GITHUB_PAT = 'github' + '_pat_' + '11ABCDEFG0abcdefghijkl_mnopqrstuvwxyz0123456789ABCDEF';
const SLACK_TOKEN = 'xoxb' + '-' + '123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx';
const AWS_KEY_ID = 'AKIA' + 'Q3EGRIT7ZXKM2BPL';
const AWS_SECRET = 'q8Jd/3mKx9' + 'Lp2Vn7Rt4Wy6Zb1Cf5Hg8Jk0Ms3N';
const GOOGLE_KEY = 'AIza' + 'SyD4f8Gh2Jk6Lm0Np3Qr7St1Uv5Wx9Yz2Ab';
const STRIPE_KEY = 'sk' + '_live_' + '51HaBcDeFgHiJkLmNoPqRsTuVwXyZ0123';
const JWT = ['eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9', 'eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ', 'SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c'].join('.');

function only(text: string): { text: string; kinds: SecretFinding['kind'][] } {
  const r = redactOutgoing(text);
  return { text: r.text, kinds: r.findings.map((f) => f.kind) };
}

function assertUntouched(text: string): void {
  const r = redactOutgoing(text);
  assert.strictEqual(r.text, text, `changed: ${text}`);
  assert.deepStrictEqual(r.findings, [], `flagged: ${text}`);
}

suite('core/secretScan', () => {
  test('vendor key shapes are replaced wherever they appear', () => {
    const cases: [string, SecretFinding['kind']][] = [
      [OPENAI_KEY, 'api-key'],
      [ANTHROPIC_KEY, 'api-key'],
      [GROQ_KEY, 'api-key'],
      [GITHUB_TOKEN, 'token'],
      [GITHUB_PAT, 'token'],
      [SLACK_TOKEN, 'token'],
      [AWS_KEY_ID, 'api-key'],
      [GOOGLE_KEY, 'api-key'],
      [STRIPE_KEY, 'api-key'],
      [JWT, 'token'],
    ];
    for (const [secret, kind] of cases) {
      const r = redactOutgoing(`call(${secret}) // see ${secret.slice(0, 4)}`);
      assert.strictEqual(r.text, `call([REDACTED]) // see ${secret.slice(0, 4)}`, secret.slice(0, 8));
      assert.deepStrictEqual(r.findings, [{ kind, line: 1 }], secret.slice(0, 8));
    }
  });

  test('a key in an assignment is reported once, with the vendor kind', () => {
    const r = redactOutgoing(`const token = "${OPENAI_KEY}";`);
    assert.strictEqual(r.text, 'const token = "[REDACTED]";');
    assert.deepStrictEqual(r.findings, [{ kind: 'api-key', line: 1 }]);
  });

  test('password and key assignments keep the name and lose the value', () => {
    const cases: [string, string, SecretFinding['kind']][] = [
      ['password = "hunter2hunter2"', 'password = "[REDACTED]"', 'password'],
      ["db_password: 'Tr0ub4dor&3'", "db_password: '[REDACTED]'", 'password'],
      ['{"apiKey": "a1b2c3d4e5f6", "name": "demo"}', '{"apiKey": "[REDACTED]", "name": "demo"}', 'api-key'],
      ["'password' => 'verysecret1',", "'password' => '[REDACTED]',", 'password'],
      ['DB_PASSWORD=s3cr3t-value', 'DB_PASSWORD=[REDACTED]', 'password'],
      ['export API_TOKEN="tok123456789"', 'export API_TOKEN="[REDACTED]"', 'token'],
      ['Server=db;User Id=sa;Password=MyPass123;', 'Server=db;User Id=sa;Password=[REDACTED];', 'password'],
      [`aws_secret_access_key = ${AWS_SECRET}`, 'aws_secret_access_key = [REDACTED]', 'api-key'],
      ['client_secret: "abc123def456ghi"', 'client_secret: "[REDACTED]"', 'api-key'],
      ['GET /v1/items?api_key=abc123xyz789&page=2', 'GET /v1/items?api_key=[REDACTED]&page=2', 'api-key'],
      ['//registry.npmjs.org/:_authToken=a1b2c3d4e5f6g7h8', '//registry.npmjs.org/:_authToken=[REDACTED]', 'token'],
      ['Authorization: Bearer abcdefghijklmnop1234', 'Authorization: Bearer [REDACTED]', 'token'],
    ];
    for (const [input, output, kind] of cases) {
      const r = only(input);
      assert.strictEqual(r.text, output, input);
      assert.deepStrictEqual(r.kinds, [kind], input);
    }
  });

  test('YAML and .env values are found without quotes, and with their line numbers', () => {
    const yaml = ['database:', '  host: db.internal', '  user: app', '  password: supersecret', '  token: accessToken', ''].join('\n');
    const r = redactOutgoing(yaml);
    assert.strictEqual(r.text, yaml.replace('supersecret', '[REDACTED]'));
    assert.deepStrictEqual(r.findings, [{ kind: 'password', line: 4 }]);

    const env = ['# local settings', 'PORT=8080', 'DB_PASSWORD=correcthorse', 'OPENAI_API_KEY=' + OPENAI_KEY].join('\n');
    const e = redactOutgoing(env);
    assert.strictEqual(e.text, ['# local settings', 'PORT=8080', 'DB_PASSWORD=[REDACTED]', 'OPENAI_API_KEY=[REDACTED]'].join('\n'));
    assert.deepStrictEqual(e.findings, [
      { kind: 'password', line: 3 },
      { kind: 'api-key', line: 4 },
    ]);
  });

  test('URLs keep the user and lose the password', () => {
    const cases: [string, string][] = [
      ['postgres://user:pass@host/db', 'postgres://user:[REDACTED]@host/db'],
      ['url = "mongodb+srv://admin:S3cr3t!@cluster0.example.net/app"', 'url = "mongodb+srv://admin:[REDACTED]@cluster0.example.net/app"'],
      ['redis://:p4ssw0rd@localhost:6379/0', 'redis://:[REDACTED]@localhost:6379/0'],
    ];
    for (const [input, output] of cases) {
      const r = only(input);
      assert.strictEqual(r.text, output);
      assert.deepStrictEqual(r.kinds, ['connection-string']);
    }
    assertUntouched('https://${USER}:${PASS}@host/path');
    assertUntouched('http://localhost:8080/api@v2');
    assertUntouched('git@github.com:org/repo.git');
  });

  test('a PEM private key loses its body but keeps its markers and line count', () => {
    const body = ['MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj', 'MZR4e2N0xZ4y1BlbAKYlV9G0QPHtPHIqF+n2xGxqZ4T8yl9z0cXn3aM6tGu5rQ2m', 'Zx8='];
    const pem = ['-----BEGIN PRIVATE KEY-----', ...body, '-----END PRIVATE KEY-----'].join('\n');
    const text = ['const a = 1;', pem, 'const b = 2;'].join('\n');
    const r = redactOutgoing(text);
    assert.strictEqual(r.text, ['const a = 1;', '-----BEGIN PRIVATE KEY-----', '[REDACTED]', '', '', '-----END PRIVATE KEY-----', 'const b = 2;'].join('\n'));
    assert.strictEqual(r.text.split('\n').length, text.split('\n').length);
    assert.deepStrictEqual(r.findings, [{ kind: 'private-key', line: 2 }]);
    for (const line of body) assert.ok(!r.text.includes(line));

    const rsa = ['-----BEGIN RSA PRIVATE KEY-----', 'Proc-Type: 4,ENCRYPTED', ...body, '-----END RSA PRIVATE KEY-----'].join('\r\n');
    const rr = redactOutgoing(rsa);
    assert.strictEqual(rr.text, ['-----BEGIN RSA PRIVATE KEY-----', '[REDACTED]', '', '', '', '-----END RSA PRIVATE KEY-----'].join('\r\n'));
  });

  test('a private key cut off by the selection is still removed', () => {
    const text = ['x = 1', '-----BEGIN OPENSSH PRIVATE KEY-----', 'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAAB', 'AAAAMwAAAAtzc2gtZWQyNTUxOQAAACDr', '', 'y = 2'].join('\n');
    const r = redactOutgoing(text);
    assert.strictEqual(r.text, ['x = 1', '-----BEGIN OPENSSH PRIVATE KEY-----', '[REDACTED]', '', '', 'y = 2'].join('\n'));
    assert.deepStrictEqual(r.findings, [{ kind: 'private-key', line: 2 }]);
  });

  test('a key in a string literal with escaped newlines is removed', () => {
    const text = `KEY = "-----BEGIN EC PRIVATE KEY-----\\nMHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5Oa8gwmWnwDUfoAoGCCqGSM49\\n-----END EC PRIVATE KEY-----"`;
    const r = redactOutgoing(text);
    assert.strictEqual(r.text, 'KEY = "-----BEGIN EC PRIVATE KEY-----[REDACTED]-----END EC PRIVATE KEY-----"');
    assert.deepStrictEqual(r.findings, [{ kind: 'private-key', line: 1 }]);
  });

  test('ordinary code is left alone', () => {
    const code = [
      'password = getPassword()',
      'token = tokens[i]',
      'const apiKey = process.env.OPENAI_API_KEY;',
      'api_key = os.environ["OPENAI_API_KEY"]',
      'password = ""',
      'password = "pw1"',
      "api_key = 'k3y9'",
      "password = '<your password>'",
      'apiKey: "${API_KEY}"',
      'password = "changeme"',
      'secret = "********"',
      'if (password === confirmPassword) {}',
      'const opts = { token: userToken, password: pwd };',
      'token: string;',
      'password?: string;',
      'tokens.forEach(token => token.trim());',
      'tokenizer = "whitespace-tokenizer"',
      'const maxTokens = 4096;',
      'const ACCESS_TOKEN = "access_token";',
      'export const AcquireToken = "acquireToken";',
      "{ token: 'comment', regex: /#.*/ }",
      'throw new Error("secret must be a string or buffer");',
      "fetch(url, { credentials: 'include' })",
      'const SIGNIN_TOKEN = "/oauth2/v2.0/token";',
      'readonly STENCIL_PASS_DEPTH_PASS: 0x0B96;',
      'submitPassword: SIGN_IN_V2_SUBMIT_PASSWORD,',
      'self.password = password',
      'const secretName = "prod-database";',
      'PWD: "/Users/me/project"',
      'const keyboardShortcut = "ctrl+shift+k";',
      'headers.Authorization = "Bearer " + apiKey;',
      'The sk- prefix, a task-list-item-identifier and Bearer authentication are words.',
      'e.delimiters.push({ token: e.tokens.length-1, end: -1 });',
      'Use -----BEGIN PRIVATE KEY----- ... -----END PRIVATE KEY----- in the PEM file.',
      '[REDACTED]',
      'password = "[REDACTED]"',
    ];
    for (const line of code) assertUntouched(line);
    assertUntouched(code.join('\n'));
  });

  test('connection strings, vendor key names, Basic auth, webhooks, command lines, SendGrid and cookies', () => {
    const AZ_STORAGE = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq' + '/K1SZFPTOtr/KBHBeksoGMGw==';
    const HEX32 = '0123456789abcdef' + 'fedcba9876543210';
    const SENDGRID = ['SG', 'aB3dE6gH9jK2mN5pQ8sT1v', 'wX4zA7cF0iL3oR6uY9bE2hK5nQ8tW1zC4fI7lO0rU3x'].join('.');
    const cases: { text: string; want: string; kind: SecretFinding['kind'] }[] = [
      { text: `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${AZ_STORAGE};EndpointSuffix=core.windows.net`,
        want: 'DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=[REDACTED];EndpointSuffix=core.windows.net', kind: 'api-key' },
      { text: `AZURE_OPENAI_KEY=${HEX32}`, want: 'AZURE_OPENAI_KEY=[REDACTED]', kind: 'api-key' },
      { text: `OPENAI_KEY = "${HEX32}"`, want: 'OPENAI_KEY = "[REDACTED]"', kind: 'api-key' },
      { text: `  DD_APP_KEY: ${HEX32}`, want: '  DD_APP_KEY: [REDACTED]', kind: 'api-key' },
      { text: 'curl -H "Authorization: Basic dXNlcjpwYXNzd29yZA==" https://x.test', want: 'curl -H "Authorization: Basic [REDACTED]" https://x.test', kind: 'password' },
      { text: "headers: { Authorization: 'Basic YWxhZGRpbjpvcGVuc2VzYW1l' }", want: "headers: { Authorization: 'Basic [REDACTED]' }", kind: 'password' },
      { text: 'url = "https://hooks.slack.com/services/' + 'T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"',
        want: 'url = "https://hooks.slack.com/services/[REDACTED]"', kind: 'webhook-url' },
      { text: 'post("https://discord.com/api/webhooks/' + '123456789012345678/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789")',
        want: 'post("https://discord.com/api/webhooks/[REDACTED]")', kind: 'webhook-url' },
      { text: 'mysql -u root -pS3cretPass shop < dump.sql', want: 'mysql -u root -p[REDACTED] shop < dump.sql', kind: 'password' },
      { text: 'deploy --token abc123def456ghi --env prod', want: 'deploy --token [REDACTED] --env prod', kind: 'token' },
      { text: 'login --password=Hunter2x9', want: 'login --password=[REDACTED]', kind: 'password' },
      { text: `sg.setApiKey('${SENDGRID}')`, want: "sg.setApiKey('[REDACTED]')", kind: 'api-key' },
      { text: 'Cookie: sessionid=8f14e45fceea167a5a36dedd4bea2543; theme=dark', want: 'Cookie: sessionid=[REDACTED]; theme=dark', kind: 'session-cookie' },
      { text: "res.setHeader('Set-Cookie', 'connect.sid=s%3AbX9kQ2rT7vW1yZ4; Path=/; HttpOnly')", want: "res.setHeader('Set-Cookie', 'connect.sid=[REDACTED]; Path=/; HttpOnly')", kind: 'session-cookie' },
    ];
    for (const c of cases) {
      const r = only(c.text);
      assert.strictEqual(r.text, c.want, c.text);
      assert.deepStrictEqual(r.kinds, [c.kind], c.text);
    }
  });

  test('values come back in order, for mapping placeholders back', () => {
    const r = redactOutgoing(`a = "${GROQ_KEY}"\npassword = "Hunter2x9"\nb = "${GITHUB_TOKEN}"`);
    assert.deepStrictEqual(r.values, [GROQ_KEY, 'Hunter2x9', GITHUB_TOKEN]);
  });

  test('ordinary data is left alone: lockfile hashes, UUIDs, base64 images, flags, plain cookies', () => {
    const lines = [
      '"integrity": "sha512-2b5f0c4a3f8e1d7c6b9a0e3f2d1c4b7a8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5==",',
      '"resolved": "https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz",',
      'const id = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";',
      'img.src = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";',
      'mysql -u root -p shop',
      'psql --password --host db',
      'tool --password "$DB_PASS" --token ${TOKEN}',
      'run --tokens 5 --token-limit 100',
      'Cookie: theme=dark; lang=en-US',
      'document.cookie = "seen=1; path=/";',
      'const password = "test";',
      'Authorization: Basic <base64 of user:password>',
      'See the Basic authentication section.',
      'SG.name = "x"',
      'const cacheKey = `${user}:${page}`;',
      'MONKEY = 12',
    ];
    for (const line of lines) assertUntouched(line);
  });

  test('redacting twice changes nothing more', () => {
    const text = [`api_key = "${OPENAI_KEY}"`, 'DB_PASSWORD=s3cr3t-value', 'postgres://u:pw@h/db', JWT].join('\n');
    const once = redactOutgoing(text);
    assert.strictEqual(once.findings.length, 4);
    const twice = redactOutgoing(once.text);
    assert.strictEqual(twice.text, once.text);
    assert.deepStrictEqual(twice.findings, []);
  });

  test('a long unquoted value is redacted to its end', () => {
    const blob = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC'.repeat(40) + '==';
    const r = redactOutgoing(`SIGNING_KEY=${blob}\nNEXT=1`);
    assert.strictEqual(r.text, 'SIGNING_KEY=[REDACTED]\nNEXT=1');
    assert.deepStrictEqual(r.findings, [{ kind: 'api-key', line: 1 }]);
  });

  test('findings are in text order with 1-based lines', () => {
    const text = ['', `a = "${GROQ_KEY}"`, 'b = 1', `c = "${GITHUB_TOKEN}" and ${AWS_KEY_ID}`].join('\n');
    assert.deepStrictEqual(redactOutgoing(text).findings, [
      { kind: 'api-key', line: 2 },
      { kind: 'token', line: 4 },
      { kind: 'api-key', line: 4 },
    ]);
  });

  // Catastrophic backtracking takes minutes on these; the bound is generous for a loaded 2-core machine.
  test('pathological input stays linear', function () {
    this.timeout(120_000);
    const inputs = [
      'a:'.repeat(200_000),
      'password='.repeat(20_000),
      'password: "'.repeat(20_000),
      'token=a1'.repeat(50_000),
      'sk-'.repeat(100_000),
      'x'.repeat(400_000) + ' password = "abcdef123456"',
      '-----BEGIN PRIVATE KEY-----\n'.repeat(10_000),
      'http://a:b@'.repeat(30_000),
      '"'.repeat(300_000),
    ];
    for (const input of inputs) {
      const start = Date.now();
      redactOutgoing(input);
      const ms = Date.now() - start;
      assert.ok(ms < 15_000, `${ms} ms on ${JSON.stringify(input.slice(0, 20))}…`);
    }
  });
});
