// The history store shared by several windows, on a real temporary folder: torn lines, failed writes,
// two stores (windows) on one folder, the index the list is read from, retention, stored attachments.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { HistoryStore, MAX_STORED_CODE, expired, presenceIsLive, replay, type ConversationEntry } from '../../src/host/historyStore';
import type { ChatMessage } from '../../src/protocol';
import { setWritable } from '../fixtures/writable';

const sleep = (ms: number) => new Promise<void>(r => setTimeout(r, ms));

suite('history store across windows and failures', () => {
  let dir: string;
  const logs: string[] = [];
  const q: ChatMessage = { id: 'm-1', role: 'user', text: 'Q', streaming: false };
  const a: ChatMessage = { id: 'm-2', role: 'assistant', text: '', streaming: true };
  const store = (extra: Partial<ConstructorParameters<typeof HistoryStore>[1] & object> = {}) =>
    new HistoryStore(dir, { log: (level, line) => logs.push(`${level} ${line}`), ...extra });

  setup(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-windows-'));
    logs.length = 0;
  });
  teardown(() => {
    try { setWritable(dir, true); } catch { /* already */ }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a torn last line followed by a new answer: the answer survives', async () => {
    const s = store();
    await s.append('c-1', [{ t: 'create', id: 'c-1', title: 'T', createdAt: 1 }, { t: 'message', message: q }, { t: 'message', message: a }]);
    fs.appendFileSync(path.join(dir, 'c-1.jsonl'), '{"t":"append","id":"m-2","text":"torn by a cra');
    // Another window (or this one after a restart) writes the finished answer.
    await store().append('c-1', [{ t: 'message', message: { ...a, text: 'The finished answer.', streaming: false } }]);
    const r = replay('c-1', fs.readFileSync(path.join(dir, 'c-1.jsonl'), 'utf8'), 0);
    assert.strictEqual(r.bad, 1, 'only the torn line is lost');
    assert.strictEqual(r.conversation.messages[1].text, 'The finished answer.');
  });

  test('before compaction drops unreadable lines, the original is kept beside the log', async () => {
    const s = store();
    await s.append('c-2', [{ t: 'create', id: 'c-2', title: 'T', createdAt: 1 }, { t: 'message', message: q }]);
    fs.appendFileSync(path.join(dir, 'c-2.jsonl'), 'not json at all\n');
    await store().load('c-2');
    const copies = fs.readdirSync(dir).filter(f => f.startsWith('c-2.jsonl.damaged-'));
    assert.strictEqual(copies.length, 1);
    assert.match(fs.readFileSync(path.join(dir, copies[0]), 'utf8'), /not json at all/);
    assert.ok(!fs.readFileSync(path.join(dir, 'c-2.jsonl'), 'utf8').includes('not json'));
  });

  test('two windows: one compacts while the other appends, nothing is lost and nothing doubled', async () => {
    const w1 = store();
    const w2 = store();
    await w1.append('c-3', [{ t: 'create', id: 'c-3', title: 'T', createdAt: 1 }, { t: 'message', message: q }, { t: 'message', message: { ...a, streaming: false, text: 'a1' } }]);
    for (let i = 0; i < 60; i++) await w1.append('c-3', [{ t: 'title', title: `t${i}` }]); // much to compact
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 40; i++) writes.push(w2.append('c-3', [{ t: 'message', message: { ...q, id: `w2-${i}`, text: `from w2 ${i}` } }]));
    const loading = w1.load('c-3');
    for (let i = 40; i < 80; i++) {
      writes.push(w2.append('c-3', [{ t: 'message', message: { ...q, id: `w2-${i}`, text: `from w2 ${i}` } }]));
      await sleep(1);
    }
    await Promise.all([...writes, loading, w1.flush(), w2.flush()]);
    const c = await store().load('c-3', { compact: false });
    const ids = c.messages.map(m => m.id);
    assert.deepStrictEqual(ids, ['m-1', 'm-2', ...Array.from({ length: 80 }, (_, i) => `w2-${i}`)]);
  });

  test('an answer another window is streaming is not marked interrupted, nor its log compacted', async () => {
    const w1 = store();
    await w1.append('c-4', [{ t: 'create', id: 'c-4', title: 'T', createdAt: 1 }, { t: 'message', message: q }, { t: 'message', message: a }]);
    for (let i = 0; i < 50; i++) await w1.append('c-4', [{ t: 'append', id: 'm-2', text: `${i} ` }]);
    await sleep(50); // the presence file
    const before = fs.readFileSync(path.join(dir, 'c-4.jsonl'), 'utf8');
    const c = await store().load('c-4');
    assert.strictEqual(c.messages[1].streaming, true);
    assert.strictEqual(c.messages[1].error, undefined);
    assert.strictEqual(fs.readFileSync(path.join(dir, 'c-4.jsonl'), 'utf8'), before, 'not compacted under the streaming window');
    // Once the answer is finished there, the same load settles nothing and may compact.
    await w1.append('c-4', [{ t: 'message', message: { ...a, text: 'done', streaming: false } }]);
    await w1.dispose();
    const after = await store().load('c-4');
    assert.strictEqual(after.messages[1].text, 'done');
    assert.strictEqual(after.messages[1].error, undefined);
  });

  test('a window that died mid-answer: its answer is marked interrupted', () => {
    assert.strictEqual(presenceIsLive({ pid: 1, host: 'h', at: 1000 }, 1000 + 60_000, 'h', () => true), false, 'heartbeat too old');
    assert.strictEqual(presenceIsLive({ pid: 42, host: 'h', at: 1000 }, 2000, 'h', () => false), false, 'process gone');
    assert.strictEqual(presenceIsLive({ pid: 42, host: 'h', at: 1000 }, 2000, 'h', () => true), true);
    assert.strictEqual(presenceIsLive({ pid: 42, host: 'other', at: 1000 }, 2000, 'h', () => false), true, 'another machine: the heartbeat decides');
  });

  test('a failed write warns once with the reason, keeps the events, and writes them when it can', async function () {
    this.timeout(15000);
    const errors: string[] = [];
    let recovered = 0;
    const s = store({ onWriteError: r => errors.push(r), onWriteRecovered: () => recovered++ });
    await s.append('c-5', [{ t: 'create', id: 'c-5', title: 'T', createdAt: 1 }, { t: 'message', message: q }, { t: 'message', message: a }]);
    setWritable(dir, false);
    for (let i = 0; i < 5; i++) await s.append('c-5', [{ t: 'append', id: 'm-2', text: `${i},` }]);
    await s.append('c-5', [{ t: 'message', message: { ...a, text: '0,1,2,3,4,', streaming: false } }]);
    await s.flush();
    assert.deepStrictEqual(errors, ['the history folder is not writable']);
    assert.ok(s.writeFailing);
    assert.ok(!fs.readFileSync(path.join(dir, 'c-5.jsonl'), 'utf8').includes('0,1,2'));
    setWritable(dir, true);
    for (const end = Date.now() + 10000; recovered === 0 && Date.now() < end;) await sleep(50);
    await s.flush();
    assert.strictEqual(recovered, 1);
    assert.strictEqual(errors.length, 1, 'one warning, not one per write');
    const c = replay('c-5', fs.readFileSync(path.join(dir, 'c-5.jsonl'), 'utf8'), 0).conversation;
    assert.deepStrictEqual(c.messages.map(m => [m.text, m.streaming]), [['Q', false], ['0,1,2,3,4,', false]]);
    await s.dispose();
  });

  test('the list comes from the index, follows changed logs, and shows damaged ones', async () => {
    const s = store();
    await s.append('c-6', [{ t: 'create', id: 'c-6', title: 'Six', createdAt: 6 }, { t: 'message', message: q }]);
    fs.writeFileSync(path.join(dir, 'c-7.jsonl'), '\u0000\u0001 garbage, not a single event\n');
    let list = await s.list();
    assert.deepStrictEqual(list.map(e => [e.id, e.title, e.messageCount, e.damaged === undefined]), [['c-6', 'Six', 1, true], ['c-7', 'c-7', 0, false]]);
    const index = JSON.parse(fs.readFileSync(path.join(dir, 'index.json'), 'utf8')) as { entries: Record<string, ConversationEntry> };
    assert.strictEqual(index.entries['c-6'].title, 'Six');
    // An entry whose log did not change is not read again: a doctored index entry shows through.
    index.entries['c-6'].title = 'From the index';
    fs.writeFileSync(path.join(dir, 'index.json'), JSON.stringify(index));
    assert.strictEqual((await s.list()).find(e => e.id === 'c-6')?.title, 'From the index');
    await s.append('c-6', [{ t: 'title', title: 'Renamed' }]);
    list = await s.list();
    assert.strictEqual(list.find(e => e.id === 'c-6')?.title, 'Renamed');
    assert.match(list.find(e => e.id === 'c-7')?.damaged ?? '', /no readable line/);
    await assert.rejects(s.load('c-7'));
  });

  test('retention: only conversations older than the period go, and only when a period is set', async () => {
    const now = Date.UTC(2026, 0, 31);
    const e = (id: string, daysAgo: number): ConversationEntry => ({ id, title: id, createdAt: 0, updatedAt: now - daysAgo * 86_400_000, messageCount: 1, bytes: 1 });
    const all = [e('new', 1), e('old', 40), { ...e('broken', 90), damaged: 'x' }];
    assert.deepStrictEqual(expired(all, undefined, now), []);
    assert.deepStrictEqual(expired(all, 30, now).map(x => x.id), ['old']);
    const s = store();
    await s.append('c-8', [{ t: 'create', id: 'c-8', title: 'T', createdAt: 1 }, { t: 'message', message: q }]);
    const old = (Date.now() - 100 * 86_400_000) / 1000;
    const line = JSON.stringify({ t: 'create', id: 'c-9', title: 'Old', createdAt: 1, at: 1 }) + '\n' + JSON.stringify({ t: 'message', message: q, at: Date.now() - 100 * 86_400_000 }) + '\n';
    fs.writeFileSync(path.join(dir, 'c-9.jsonl'), line);
    fs.utimesSync(path.join(dir, 'c-9.jsonl'), old, old);
    assert.deepStrictEqual(await s.prune(30), ['c-9']);
    await s.flush();
    assert.deepStrictEqual(fs.readdirSync(dir).filter(f => f.endsWith('.jsonl')), ['c-8.jsonl']);
  });

  test('attached file contents are stored once per conversation and capped', async () => {
    const big = 'const x = 1;\n'.repeat(10_000); // 130 K characters
    const ctx = { file: 'big.ts', language: 'typescript', startLine: 1, endLine: 10_000, code: big };
    const s = store();
    await s.append('c-10', [{ t: 'create', id: 'c-10', title: 'T', createdAt: 1 }]);
    for (let i = 0; i < 5; i++) await s.append('c-10', [{ t: 'message', message: { ...q, id: `q-${i}`, context: ctx, attachments: [ctx] } }]);
    const size = fs.statSync(path.join(dir, 'c-10.jsonl')).size;
    assert.ok(size < MAX_STORED_CODE + 20_000, `${size} bytes for ten copies of a 130 K file`);
    const c = await store().load('c-10');
    assert.strictEqual(c.messages.length, 5);
    for (const m of c.messages) {
      assert.ok(m.context?.code.startsWith('const x = 1;\n'));
      assert.strictEqual(m.context?.code, m.attachments?.[0].code);
      assert.match(m.context?.code ?? '', /more characters were sent but not kept in history\]$/);
    }
    // Compaction keeps one copy too, and loading again gives the same messages.
    const again = await store().load('c-10');
    assert.deepStrictEqual(again.messages, c.messages);
    assert.ok(fs.statSync(path.join(dir, 'c-10.jsonl')).size < MAX_STORED_CODE + 20_000);
  });
});
