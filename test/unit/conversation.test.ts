// Ids that cannot collide across windows, and exports redacted like outgoing requests.
import * as assert from 'assert';
import { newConversation, userMessage, assistantMessage } from '../../src/core/conversation';
import { conversationMarkdown } from '../../src/core/exportMarkdown';

suite('conversation ids and exports', () => {
  test('ids are random UUIDs after the prefix, not a clock or a counter', () => {
    const ids = Array.from({ length: 1000 }, () => userMessage('x').id);
    for (const id of ids) assert.match(id, /^m-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.strictEqual(new Set(ids).size, ids.length);
    assert.match(newConversation().id, /^c-[0-9a-f-]{36}$/);
    assert.notStrictEqual(assistantMessage().id.slice(0, 12), assistantMessage().id.slice(0, 12), 'two ids made at once differ from the start');
  });

  test('an export redacts what a request would: passwords, URL credentials, key shapes', () => {
    const q = userMessage('Why does this fail?', {
      file: 'db.ts', language: 'typescript', startLine: 1, endLine: 2,
      code: 'const password = "hunter2-Correct-Horse";\nconst url = "postgres://admin:S3cretPass@db.local/app";',
    });
    const a = { ...assistantMessage(), streaming: false, text: 'Your token ghp_ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 is exposed; also sk-proj-Abc123Def456Ghi789Jkl012Mno345.' };
    const md = conversationMarkdown({ id: 'c-1', title: 'T', messages: [q, a] }, new Date(0));
    for (const secret of ['hunter2-Correct-Horse', 'S3cretPass', 'ghp_ABCDEFGHIJ', 'Abc123Def456']) assert.ok(!md.includes(secret), `${secret} is not in:\n${md}`);
    assert.match(md, /const password = "\[REDACTED\]"/, 'the code around a secret stays');
    assert.match(md, /Why does this fail\?/);
  });
});
