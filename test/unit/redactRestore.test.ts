import * as assert from 'assert';
import { restoreRedacted } from '../../src/core/redactRestore';
import { redactOutgoing } from '../../src/core/secretScan';

// Built at run time so this file does not trip secret scanners.
const KEY = ['sk', 'proj', 'Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z'].join('-');

suite('core/redactRestore', () => {
  test('a repeated placeholder gets the original value back', () => {
    const original = 'password = "Hunter2x9"\nconnect(password)';
    const sent = redactOutgoing(original).text;
    assert.strictEqual(sent, 'password = "[REDACTED]"\nconnect(password)');
    const reply = 'password = "[REDACTED]"\nconnect(password, { retries: 3 })';
    const r = restoreRedacted(reply, original);
    assert.deepStrictEqual(r, { ok: true, text: 'password = "Hunter2x9"\nconnect(password, { retries: 3 })', restored: 1 });
  });

  test('several secrets map back in order', () => {
    const original = `API_KEY = "${KEY}"\npassword = "Hunter2x9"`;
    const reply = 'API_KEY = "[REDACTED]"  # from the vault\npassword = "[REDACTED]"';
    const r = restoreRedacted(reply, original);
    assert.ok(r.ok);
    assert.strictEqual(r.ok && r.text, `API_KEY = "${KEY}"  # from the vault\npassword = "Hunter2x9"`);
  });

  test('a reply without placeholders is left as it is', () => {
    assert.deepStrictEqual(restoreRedacted('x = 1', 'password = "Hunter2x9"'), { ok: true, text: 'x = 1', restored: 0 });
  });

  test('when the count differs and the secrets differ, the edit is refused with the reason', () => {
    const original = `API_KEY = "${KEY}"\npassword = "Hunter2x9"`;
    const r = restoreRedacted('password = "[REDACTED]"', original);
    assert.strictEqual(r.ok, false);
    assert.match(!r.ok ? r.reason : '', /\[REDACTED\].*nothing was changed/);
  });

  test('one secret used in several places is certain even when repeated more often', () => {
    const r = restoreRedacted('password = "[REDACTED]"\nconfirm = "[REDACTED]"', 'password = "Hunter2x9"', '');
    assert.deepStrictEqual(r, { ok: true, text: 'password = "Hunter2x9"\nconfirm = "Hunter2x9"', restored: 2 });
    // An insertion (nothing replaced) with the one secret of the context sent.
    const ins = restoreRedacted('db.login("[REDACTED]")', '', 'password = "Hunter2x9"');
    assert.deepStrictEqual(ins, { ok: true, text: 'db.login("Hunter2x9")', restored: 1 });
  });

  test('the word itself in the user\'s own code stays', () => {
    const original = 'const MASK = "[REDACTED]";';
    assert.deepStrictEqual(restoreRedacted('const MASK = "[REDACTED]"; // mask', original), { ok: true, text: 'const MASK = "[REDACTED]"; // mask', restored: 0 });
    assert.strictEqual(restoreRedacted('a = "[REDACTED]"; b = "[REDACTED]"', original).ok, false);
  });

  test('a private key body is never pieced together', () => {
    const original = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nAAAAB3NzaC1yc2EAAAADAQABAAABAQ\n-----END PRIVATE KEY-----';
    const sent = redactOutgoing(original).text;
    assert.strictEqual(restoreRedacted(sent, original).ok, false);
  });
});
