import * as assert from 'assert';
import { endpointOrigin, isLoopback, keyWouldTravelInClear, secretKeyName } from '../../src/core/endpoint';
import { redactSecrets } from '../../src/core/redact';
import { codeQuestionMessage, fenceFor, systemPrompt, DEFAULT_SYSTEM_PROMPT } from '../../src/core/prompts';
import { snapshot, titleFrom, userMessage, assistantMessage, newConversation } from '../../src/core/conversation';
import { actionsFor } from '../../src/core/errorActions';
import { parseWebviewMessage, parseHostMessage } from '../../src/protocol';

suite('core/endpoint', () => {
  test('origin of a base URL', () => {
    assert.strictEqual(endpointOrigin('https://api.openai.com/v1'), 'https://api.openai.com');
    assert.strictEqual(endpointOrigin(' http://127.0.0.1:11434/v1/ '), 'http://127.0.0.1:11434');
    assert.strictEqual(endpointOrigin('ftp://x/v1'), undefined);
    assert.strictEqual(endpointOrigin('not a url'), undefined);
  });

  test('loopback servers are recognised, others are not', () => {
    for (const u of ['http://localhost:1234/v1', 'http://127.0.0.1/v1', 'http://127.1:8080', 'http://[::1]:8000/v1', 'http://api.localhost/v1']) {
      assert.strictEqual(isLoopback(u), true, u);
    }
    for (const u of ['https://api.openai.com/v1', 'http://10.0.0.5/v1', 'http://localhost.evil.com/v1', 'http://128.0.0.1', 'garbage']) {
      assert.strictEqual(isLoopback(u), false, u);
    }
  });

  test('a key would travel in clear only over plain http to another machine', () => {
    for (const u of ['http://gpu-box.lan:8000/v1', 'http://ollama.internal/v1', 'http://10.0.0.5/v1', 'http://example.com/v1']) assert.strictEqual(keyWouldTravelInClear(u), true, u);
    for (const u of ['https://api.openai.com/v1', 'http://127.0.0.1:11434/v1', 'http://localhost:1234/v1', 'http://[::1]:8000', 'garbage']) assert.strictEqual(keyWouldTravelInClear(u), false, u);
  });

  test('the secret name carries provider and origin', () => {
    assert.strictEqual(secretKeyName('openai', 'https://api.openai.com'), 'tandem.key:openai:https://api.openai.com');
  });
});

suite('core/redact', () => {
  test('removes key-shaped strings and keeps the rest', () => {
    const text = 'key sk-proj-abcdefghijklmnop1234 and gsk_ABCDEFGHIJKLMNOPQRST and Bearer abcdefghijklmnopqrstuvwxyz, api_key="zyxwvutsrqponmlkji" ok';
    const out = redactSecrets(text);
    assert.ok(!out.includes('abcdefghijklmnop1234'));
    assert.ok(!out.includes('ABCDEFGHIJKLMNOPQRST'));
    assert.ok(!out.includes('abcdefghijklmnopqrstuvwxyz'));
    assert.ok(!out.includes('zyxwvutsrqponmlkji'));
    assert.match(out, /^key \[redacted\] and \[redacted\] and Bearer \[redacted\], api_key="\[redacted\]" ok$/);
  });

  test('leaves ordinary text alone', () => {
    const t = 'The sk- prefix and a task-list are fine; so is Bearer token.';
    assert.strictEqual(redactSecrets(t), t);
  });
});

suite('core/prompts', () => {
  test('the fence is longer than any backtick run in the code', () => {
    assert.strictEqual(fenceFor('plain'), '```');
    assert.strictEqual(fenceFor('a ``` b'), '````');
    assert.strictEqual(fenceFor('`````'), '``````');
  });

  test('a code question names the file, the lines and the language', () => {
    const m = codeQuestionMessage('Explain.', { file: 'src/a.py', language: 'python', startLine: 3, endLine: 4, code: 'x = 1\r\ny = 2' });
    assert.strictEqual(m, 'Explain.\n\nFile: src/a.py (lines 3-4), language: python\n\n```python\nx = 1\ny = 2\n```');
    const one = codeQuestionMessage('Q', { file: 'a', language: 'go', startLine: 7, endLine: 7, code: 'x' });
    assert.match(one, /\(line 7\)/);
  });

  test('the user\'s system prompt replaces the built-in one only when not blank', () => {
    assert.strictEqual(systemPrompt(''), DEFAULT_SYSTEM_PROMPT);
    assert.strictEqual(systemPrompt('  \n'), DEFAULT_SYSTEM_PROMPT);
    assert.strictEqual(systemPrompt(' Be terse. '), 'Be terse.');
  });
});

suite('core/conversation', () => {
  test('titles come from the first non-empty line, shortened', () => {
    assert.strictEqual(titleFrom('\n  Why   is this slow?\nmore'), 'Why is this slow?');
    assert.strictEqual(titleFrom('x'.repeat(100)).length, 60);
    assert.strictEqual(titleFrom('   '), 'New conversation');
  });

  test('snapshots are deep copies', () => {
    const c = newConversation();
    c.messages.push(userMessage('q', { file: 'f', language: 'l', startLine: 1, endLine: 1, code: 'c' }), assistantMessage());
    const s = snapshot(c);
    s.messages[0].context!.code = 'changed';
    s.messages.pop();
    assert.strictEqual(c.messages[0].context?.code, 'c');
    assert.strictEqual(c.messages.length, 2);
  });

  test('every error kind offers sensible next steps', () => {
    assert.deepStrictEqual(actionsFor('missingKey'), ['setApiKey', 'retry']);
    assert.deepStrictEqual(actionsFor('server', true).slice(0, 2), ['continue', 'retry']);
    assert.ok(actionsFor('quota').includes('openUsage') && !actionsFor('quota').includes('retry'));
    assert.ok(actionsFor('auth').includes('setApiKey'));
    assert.ok(actionsFor('connection').includes('openSettings'));
    assert.deepStrictEqual(actionsFor('cancelled'), []);
  });
});

suite('protocol', () => {
  test('webview messages are parsed at the boundary; malformed ones are dropped', () => {
    assert.deepStrictEqual(parseWebviewMessage({ type: 'ready' }), { type: 'ready' });
    assert.deepStrictEqual(parseWebviewMessage({ type: 'ask', text: 'hi', extra: 1 }), { type: 'ask', text: 'hi' });
    assert.strictEqual(parseWebviewMessage({ type: 'ask', text: '   ' }), undefined);
    assert.strictEqual(parseWebviewMessage({ type: 'ask', text: 5 }), undefined);
    assert.strictEqual(parseWebviewMessage({ type: 'runCommand', command: 'workbench.action.quit' }), undefined);
    assert.strictEqual(parseWebviewMessage({ type: 'errorAction', messageId: 'm', action: 'deleteEverything' }), undefined);
    assert.deepStrictEqual(parseWebviewMessage({ type: 'errorAction', messageId: 'm', action: 'retry' }), { type: 'errorAction', messageId: 'm', action: 'retry' });
    assert.strictEqual(parseWebviewMessage(null), undefined);
    assert.strictEqual(parseWebviewMessage('ready'), undefined);
    assert.strictEqual(parseWebviewMessage({ type: 'openLink', href: 'x'.repeat(10000) }), undefined);
  });

  test('host messages are checked by the webview too', () => {
    assert.strictEqual(parseHostMessage({ type: 'append', conversationId: 'c', messageId: 'm' }), undefined);
    assert.ok(parseHostMessage({ type: 'append', conversationId: 'c', messageId: 'm', text: 'x' }));
    assert.strictEqual(parseHostMessage({ type: 'state' }), undefined);
  });
});
