import * as assert from 'assert';
import { costUsd, formatCost, knownPrice, type Price } from '../../src/core/pricing';

suite('core/pricing', () => {
  test('list prices of OpenAI models', () => {
    const table: [string, number, number][] = [
      ['gpt-4o', 2.5, 10],
      ['gpt-4o-mini', 0.15, 0.6],
      ['gpt-4.1', 2, 8],
      ['gpt-4.1-mini', 0.4, 1.6],
      ['gpt-4.1-nano', 0.1, 0.4],
      ['gpt-5', 1.25, 10],
      ['gpt-5-mini', 0.25, 2],
      ['gpt-5-nano', 0.05, 0.4],
      ['o3', 2, 8],
      ['o4-mini', 1.1, 4.4],
      ['o3-mini', 1.1, 4.4],
      ['o1', 15, 60],
    ];
    for (const [model, input, output] of table) {
      const p = knownPrice(model);
      assert.ok(p, model);
      assert.strictEqual(p.inputPerMTok, input, model);
      assert.strictEqual(p.outputPerMTok, output, model);
    }
  });

  test('prefix matching as for context windows', () => {
    assert.strictEqual(knownPrice('gpt-4o-2024-08-06')?.inputPerMTok, 2.5);
    assert.strictEqual(knownPrice('openai/gpt-4o-mini')?.outputPerMTok, 0.6);
    assert.strictEqual(knownPrice('gpt-5-mini-2025-08-07')?.inputPerMTok, 0.25);
    // The first gpt-4o snapshot and the o1/o3 variants are priced differently from their family.
    assert.strictEqual(knownPrice('gpt-4o-2024-05-13')?.inputPerMTok, 5);
    assert.strictEqual(knownPrice('o1-mini')?.inputPerMTok, 1.1);
    assert.strictEqual(knownPrice('o3-pro')?.inputPerMTok, 20);
    assert.strictEqual(knownPrice('gpt-4.5-preview'), undefined);
    assert.strictEqual(knownPrice('llama3.1:8b'), undefined);
    assert.strictEqual(knownPrice(''), undefined);
  });

  test('cost of a request', () => {
    const gpt4o = knownPrice('gpt-4o');
    assert.ok(gpt4o);
    // 1,000 prompt tokens at $2.50/M + 500 completion tokens at $10/M.
    assert.ok(Math.abs(costUsd(gpt4o, 1000, 500) - 0.0075) < 1e-12);
    assert.strictEqual(costUsd(gpt4o, 0, 0), 0);
    assert.ok(Math.abs(costUsd(gpt4o, 1_000_000, 1_000_000) - 12.5) < 1e-9);
  });

  test('cached prompt tokens are billed at the cached rate when there is one', () => {
    const p: Price = { inputPerMTok: 2, outputPerMTok: 8, cachedInputPerMTok: 0.5 };
    assert.ok(Math.abs(costUsd(p, 1_000_000, 0, 400_000) - (0.6 * 2 + 0.4 * 0.5)) < 1e-9);
    const noCache: Price = { inputPerMTok: 2, outputPerMTok: 8 };
    assert.ok(Math.abs(costUsd(noCache, 1_000_000, 0, 400_000) - 2) < 1e-9);
    // More cached than prompt tokens, negative or broken counts: never a negative or NaN cost.
    assert.ok(Math.abs(costUsd(p, 100, 0, 1000) - 100 * 0.5e-6) < 1e-12);
    assert.strictEqual(costUsd(p, -5, Number.NaN), 0);
  });

  test('formatting', () => {
    assert.strictEqual(formatCost(0.0012), '$0.0012');
    assert.strictEqual(formatCost(0.00123456), '$0.0012');
    assert.strictEqual(formatCost(0.00005), '<$0.0001');
    assert.strictEqual(formatCost(1.234), '$1.23');
    assert.strictEqual(formatCost(0.0075), '$0.0075');
    assert.strictEqual(formatCost(0.012345), '$0.012');
    assert.strictEqual(formatCost(0.5), '$0.50');
    assert.strictEqual(formatCost(0.996), '$1.00');
    assert.strictEqual(formatCost(0.00996), '$0.01');
    assert.strictEqual(formatCost(1234.5), '$1,234.50');
    assert.strictEqual(formatCost(0), '$0.00');
    assert.strictEqual(formatCost(-1), '$0.00');
    assert.strictEqual(formatCost(Number.NaN), '$0.00');
  });
});
