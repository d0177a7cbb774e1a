// The history store on a real temporary folder: append, replay, torn lines, interrupted answers,
// compaction, deletion, and that nothing key-shaped is added by it.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { HistoryStore, replay } from '../../src/host/historyStore';
import type { ChatMessage } from '../../src/protocol';

suite('history store', () => {
  let dir: string;
  const logs: string[] = [];
  const store = () => new HistoryStore(dir, (level, line) => logs.push(`${level} ${line}`));
  const q: ChatMessage = { id: 'm-1', role: 'user', text: 'What does it do?', streaming: false, context: { file: 'a.ts', language: 'typescript', startLine: 1, endLine: 2, code: 'x()' } };
  const a: ChatMessage = { id: 'm-2', role: 'assistant', text: '', streaming: true };

  setup(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-history-'));
    logs.length = 0;
  });
  teardown(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('appended events replay into the conversation', async () => {
    const s = store();
    await s.append('c-1', [{ t: 'create', id: 'c-1', title: 'First', createdAt: 5 }, { t: 'message', message: q }, { t: 'message', message: a }]);
    await s.append('c-1', [{ t: 'append', id: 'm-2', text: 'It ' }]);
    await s.append('c-1', [{ t: 'append', id: 'm-2', text: 'works.' }, { t: 'message', message: { ...a, text: 'It works.', streaming: false } }]);
    const [c] = await store().loadAll();
    assert.strictEqual(c.title, 'First');
    assert.deepStrictEqual(c.messages.map(m => [m.role, m.text, m.streaming]), [['user', 'What does it do?', false], ['assistant', 'It works.', false]]);
    assert.strictEqual(c.messages[0].context?.code, 'x()');
  });

  test('a torn last line (killed mid-write) is skipped and the file repaired', async () => {
    const s = store();
    await s.append('c-2', [{ t: 'create', id: 'c-2', title: 'T', createdAt: 1 }, { t: 'message', message: q }, { t: 'message', message: a }, { t: 'append', id: 'm-2', text: 'Partial an' }]);
    fs.appendFileSync(path.join(dir, 'c-2.jsonl'), '{"t":"append","id":"m-2","text":"swer that never');
    await s.dispose(); // the window that wrote it is gone
    const [c] = await store().loadAll();
    const answer = c.messages[1];
    assert.strictEqual(answer.text, 'Partial an', 'kept up to the last whole chunk');
    assert.strictEqual(answer.streaming, false);
    assert.strictEqual(answer.error?.kind, 'cancelled');
    assert.deepStrictEqual(answer.error?.actions, ['continue', 'retry']);
    assert.ok(logs.some(l => /skipped 1 damaged line/.test(l)));
    // Repaired: every line parses, and loading again gives the same conversation.
    const lines = fs.readFileSync(path.join(dir, 'c-2.jsonl'), 'utf8').trim().split('\n');
    for (const l of lines) JSON.parse(l);
    const [again] = await store().loadAll();
    assert.deepStrictEqual(again.messages, c.messages);
  });

  test('a damaged line in the middle loses only that line', () => {
    const text = ['{"t":"create","id":"c","title":"T","createdAt":1}', JSON.stringify({ t: 'message', message: q }), 'garbage{', JSON.stringify({ t: 'message', message: { ...a, text: 'ok', streaming: false } })].join('\n');
    const r = replay('c', text, 0);
    assert.strictEqual(r.bad, 1);
    assert.strictEqual(r.conversation.messages.length, 2);
  });

  test('compaction leaves one line per message and no temporary files', async () => {
    const s = store();
    await s.append('c-3', [{ t: 'create', id: 'c-3', title: 'T', createdAt: 1 }, { t: 'message', message: q }, { t: 'message', message: a }]);
    for (let i = 0; i < 50; i++) await s.append('c-3', [{ t: 'append', id: 'm-2', text: `${i} ` }]);
    await s.append('c-3', [{ t: 'message', message: { ...a, text: 'final', streaming: false } }]);
    await s.flush(); // this window's presence says it streams nothing now
    await store().loadAll();
    assert.strictEqual(fs.readFileSync(path.join(dir, 'c-3.jsonl'), 'utf8').trim().split('\n').length, 3);
    assert.deepStrictEqual(fs.readdirSync(dir).filter(f => f !== 'index.json' && !f.startsWith('.')), ['c-3.jsonl'], 'no temporary file or lock is left');
  });

  test('an answer that starts and ends at once leaves no presence behind (its writes cannot land out of order)', async () => {
    // A busy disk: the presence file's write finishes long after the removal that follows it.
    const fsp = require('fs/promises') as { writeFile: (...args: unknown[]) => Promise<void> };
    const writeFile = fsp.writeFile;
    fsp.writeFile = async (...args: unknown[]) => {
      if (String(args[0]).includes('.live')) await new Promise(r => setTimeout(r, 30));
      return writeFile(...args);
    };
    const s = store();
    try {
      await s.append('c-7', [{ t: 'create', id: 'c-7', title: 'T', createdAt: 1 }, { t: 'message', message: q }]);
      for (let i = 0; i < 5; i++) {
        void s.append('c-7', [{ t: 'message', message: { ...a, id: `m-a${i}` } }]);
        void s.append('c-7', [{ t: 'message', message: { ...a, id: `m-a${i}`, text: 'done', streaming: false } }]);
      }
      await s.flush();
      await new Promise(r => setTimeout(r, 100)); // any write still under way lands
    } finally {
      fsp.writeFile = writeFile;
    }
    const live = path.join(dir, '.live');
    assert.deepStrictEqual(fs.existsSync(live) ? fs.readdirSync(live) : [], [], 'no window claims to be streaming');
    assert.deepStrictEqual([...(await store().liveElsewhere())], []);
    await s.dispose();
  });

  test('another window\'s temporary file is left alone; an abandoned one (hours old) is removed', async () => {
    const s = store();
    await s.append('c-4', [{ t: 'create', id: 'c-4', title: 'T', createdAt: 1 }, { t: 'message', message: q }]);
    fs.writeFileSync(path.join(dir, 'c-4.jsonl.123-abc.tmp'), '{"t":"cre');
    fs.writeFileSync(path.join(dir, 'c-4.jsonl.456-def.tmp'), '{"t":"cre');
    const old = (Date.now() - 7 * 3600_000) / 1000;
    fs.utimesSync(path.join(dir, 'c-4.jsonl.456-def.tmp'), old, old);
    const all = await store().loadAll();
    assert.strictEqual(all.length, 1);
    assert.deepStrictEqual(fs.readdirSync(dir).filter(f => f.endsWith('.tmp')), ['c-4.jsonl.123-abc.tmp']);
  });

  test('delete removes the log; ids that are not plain names are refused', async () => {
    const s = store();
    await s.append('c-5', [{ t: 'message', message: q }]);
    await s.delete('c-5');
    await s.flush();
    assert.deepStrictEqual(fs.readdirSync(dir).filter(f => f.endsWith('.jsonl')), []);
    assert.throws(() => (s as unknown as { file(id: string): string }).file('../escape'));
  });

  test('regenerate and edit are events: a message replaced in place, later ones removed', () => {
    const lines = [
      { t: 'message', message: q },
      { t: 'message', message: { ...a, text: 'first', streaming: false } },
      { t: 'message', message: { ...q, id: 'm-3', text: 'second question' } },
      { t: 'replace', id: 'm-2', message: { ...a, id: 'm-9', text: 'regenerated', streaming: false } },
      { t: 'message', message: { ...q, id: 'm-3', text: 'edited' } },
      { t: 'remove', id: 'm-4' },
    ].map(e => JSON.stringify(e)).join('\n');
    const r = replay('c', lines, 0);
    assert.deepStrictEqual(r.conversation.messages.map(m => [m.id, m.text]), [['m-1', 'What does it do?'], ['m-9', 'regenerated'], ['m-3', 'edited']]);
  });

  test('writes to one conversation stay in order under concurrency', async () => {
    const s = store();
    await s.append('c-6', [{ t: 'message', message: q }, { t: 'message', message: a }]);
    await Promise.all(Array.from({ length: 100 }, (_, i) => s.append('c-6', [{ t: 'append', id: 'm-2', text: `${i},` }])));
    const r = replay('c-6', fs.readFileSync(path.join(dir, 'c-6.jsonl'), 'utf8'), 0);
    assert.strictEqual(r.conversation.messages[1].text, Array.from({ length: 100 }, (_, i) => `${i},`).join(''));
  });
});
