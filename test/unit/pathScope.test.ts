// Commands that take a path or URI from any caller stay inside the workspace.
import * as assert from 'assert';
import { isInside, pathSegments } from '../../src/core/pathScope';

suite('path scope', () => {
  test('inside means strictly below the folder, after . and .. are resolved', () => {
    assert.strictEqual(isInside('/ws', '/ws/a/b.ts'), true);
    assert.strictEqual(isInside('/ws/', '/ws/./a.ts'), true);
    assert.strictEqual(isInside('/ws', '/ws'), false);
    assert.strictEqual(isInside('/ws', '/ws2/a.ts'), false);
    assert.strictEqual(isInside('/ws', '/ws/../etc/passwd'), false);
    assert.strictEqual(isInside('/ws', '/ws/a/../../etc/passwd'), false);
    assert.strictEqual(isInside('/ws', '/ws/a/../b.ts'), true);
    assert.strictEqual(isInside('/', '/etc/passwd'), true);
    assert.strictEqual(pathSegments('/../x'), undefined);
  });
});
