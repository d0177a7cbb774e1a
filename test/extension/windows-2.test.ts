// After two windows wrote one conversation at once (windows-1), a new window (as after a reload) reads
// it from disk: every message of both, in order, the same as both windows held; no leftovers.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { ConversationState } from '../../src/protocol';
import { tandem, waitFor } from './helpers';

const RUN = process.env.EXT_TEST_RUN_DIR ?? '';
const HISTORY_DIR = path.join(process.env.EXT_TEST_USER_DATA ?? '', 'User', 'globalStorage', 'tandem.tandem', 'conversations');

suite('Two windows, one conversation (after reload)', function () {
  this.timeout(60000);

  test('the conversation on disk holds every message of both windows, in order', async () => {
    const api = await tandem();
    await api.whenRestored();
    const { id } = JSON.parse(fs.readFileSync(path.join(RUN, 'conversation.json'), 'utf8')) as { id: string };
    const a = JSON.parse(fs.readFileSync(path.join(RUN, 'view-A.json'), 'utf8')) as ConversationState;
    const b = JSON.parse(fs.readFileSync(path.join(RUN, 'view-B.json'), 'utf8')) as ConversationState;
    await api.viewIntent?.({ type: 'openConversation', id });
    const c = await waitFor('the conversation loaded', () => api.getConversations().find(x => x.id === id && x.messages.length > 0), 15000);
    const strip = (x: ConversationState) => x.messages.map(m => ({ id: m.id, role: m.role, text: m.text, streaming: m.streaming, error: m.error }));
    assert.deepStrictEqual(strip(c), strip(a), 'as window A held it');
    assert.deepStrictEqual(strip(c), strip(b), 'as window B held it');
    assert.strictEqual(c.messages.length, 6);
    const leftovers = fs.readdirSync(HISTORY_DIR).filter(f => /\.(tmp|lock)$|damaged/.test(f));
    assert.deepStrictEqual(leftovers, []);
  });
});
