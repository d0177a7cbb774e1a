// A long, deterministic model answer for the rendering and memory benchmarks: about 80,000 characters
// (about 20,000 tokens) with about 60 fenced code blocks in a dozen languages, headings, bullet and
// numbered lists, tables, block quotes, inline code, emphasis and links. Same seed, same text, every run.
'use strict';

const { prng } = require('../harness/prng');

const WORDS = ('the function returns a value when input is valid otherwise it throws an error so callers must handle ' +
  'both cases this loop walks every element of the array and keeps a running total which avoids a second pass ' +
  'we cache the result because computing it again costs time memory stays bounded by the size of the window ' +
  'note that the parser reads one line at a time and the buffer grows only when a token spans two reads ' +
  'tests cover the empty list a single item and a list with duplicates the fix keeps the public signature').split(' ');
const IDENTS = ['parseConfig', 'userId', 'retryCount', 'buffer', 'handleRequest', 'items', 'cache', 'timeoutMs', 'result', 'index', 'payload', 'stream'];

const FENCE = '```';

function pick(rand, list) {
  return list[Math.floor(rand() * list.length)];
}

function sentence(rand) {
  const n = 8 + Math.floor(rand() * 14);
  const words = [];
  for (let i = 0; i < n; i++) {
    const r = rand();
    if (r < 0.07) words.push(`\`${pick(rand, IDENTS)}\``);
    else if (r < 0.1) words.push(`**${pick(rand, WORDS)}**`);
    else if (r < 0.12) words.push(`*${pick(rand, WORDS)}*`);
    else words.push(pick(rand, WORDS));
  }
  const s = words.join(' ');
  return s[0].toUpperCase() + s.slice(1) + (rand() < 0.1 ? ' (see https://example.com/docs/' + pick(rand, IDENTS) + ').' : '.');
}

function paragraph(rand, sentences) {
  const out = [];
  for (let i = 0; i < sentences; i++) out.push(sentence(rand));
  return out.join(' ');
}

const CODE = {
  ts: (r, k) => [
    `export async function ${pick(r, IDENTS)}${k}(input: string[], limit = ${k + 3}): Promise<number> {`,
    '  let total = 0;',
    '  for (const [i, item] of input.entries()) {',
    `    if (i >= limit) break; // stop after ${k + 3} items`,
    '    total += item.length * 2;',
    '  }',
    "  const label = `total: ${total}`;",
    '  console.log(label);',
    '  return total;',
    '}',
  ],
  python: (r, k) => [
    `def ${pick(r, IDENTS).toLowerCase()}_${k}(items, limit=${k + 2}):`,
    '    """Sum the lengths of the first items."""',
    '    total = 0',
    '    for i, item in enumerate(items):',
    '        if i >= limit:',
    '            break',
    "        total += len(item)  # count characters",
    '    return {"total": total, "ok": True}',
  ],
  rust: (r, k) => [
    `pub fn ${pick(r, IDENTS).toLowerCase()}_${k}(items: &[String]) -> Result<usize, String> {`,
    '    let mut total = 0usize;',
    '    for item in items.iter().take(' + (k + 4) + ') {',
    '        total += item.len();',
    '    }',
    '    if total == 0 { return Err("empty".to_string()); }',
    '    Ok(total)',
    '}',
  ],
  go: (r, k) => [
    'package main',
    '',
    'import "fmt"',
    '',
    `func ${pick(r, IDENTS)}${k}(items []string) (int, error) {`,
    '\ttotal := 0',
    '\tfor _, item := range items {',
    '\t\ttotal += len(item)',
    '\t}',
    `\tfmt.Printf("total %d\\n", total)`,
    '\treturn total, nil',
    '}',
  ],
  java: (r, k) => [
    `public final class Helper${k} {`,
    `    public static int ${pick(r, IDENTS)}(java.util.List<String> items) {`,
    '        int total = 0;',
    '        for (String item : items) {',
    '            total += item.length();',
    '        }',
    '        return total;',
    '    }',
    '}',
  ],
  bash: (r, k) => [
    '#!/usr/bin/env bash',
    'set -euo pipefail',
    `for f in src/*.ts; do`,
    '  echo "checking $f"',
    `  grep -n "${pick(r, IDENTS)}" "$f" || true`,
    'done',
    `npm run build -- --step ${k}`,
  ],
  json: (r, k) => [
    '{',
    `  "name": "example-${k}",`,
    '  "version": "1.0.' + k + '",',
    `  "${pick(r, IDENTS)}": [1, 2, 3],`,
    '  "enabled": true,',
    '  "nested": { "timeoutMs": 5000, "retries": 3 }',
    '}',
  ],
  sql: (r, k) => [
    `SELECT u.id, u.name, COUNT(o.id) AS orders_${k}`,
    'FROM users u',
    'LEFT JOIN orders o ON o.user_id = u.id',
    `WHERE u.created_at > '2024-0${(k % 9) + 1}-01'`,
    'GROUP BY u.id, u.name',
    'ORDER BY orders_' + k + ' DESC',
    'LIMIT 20;',
  ],
  css: (r, k) => [
    `.panel-${k} {`,
    '  display: flex;',
    '  gap: 8px;',
    '  color: var(--vscode-foreground);',
    '}',
    `.panel-${k} > .item:hover {`,
    '  background: var(--vscode-list-hoverBackground);',
    '}',
  ],
  cpp: (r, k) => [
    '#include <vector>',
    '#include <string>',
    '',
    `int ${pick(r, IDENTS)}${k}(const std::vector<std::string>& items) {`,
    '    int total = 0;',
    '    for (const auto& item : items) total += static_cast<int>(item.size());',
    '    return total;',
    '}',
  ],
  yaml: (r, k) => [
    `name: build-${k}`,
    'on: [push, pull_request]',
    'jobs:',
    '  test:',
    '    runs-on: ubuntu-latest',
    '    steps:',
    '      - uses: actions/checkout@v4',
    `      - run: npm test -- --grep ${pick(r, IDENTS)}`,
  ],
  diff: (r, k) => [
    `--- a/src/${pick(r, IDENTS)}.ts`,
    `+++ b/src/${pick(r, IDENTS)}.ts`,
    `@@ -${k},7 +${k},7 @@`,
    ' export function total(items: string[]): number {',
    '-  for (let i = 0; i <= items.length; i++) {',
    '+  for (let i = 0; i < items.length; i++) {',
    '     sum += items[i].length;',
    '   }',
  ],
};
const LANGS = Object.keys(CODE);

function codeBlock(rand, k) {
  const lang = LANGS[k % LANGS.length];
  const lines = CODE[lang](rand, k);
  // Longer blocks now and then, as real answers have.
  const repeat = rand() < 0.3 ? 2 : 1;
  const body = [];
  for (let i = 0; i < repeat; i++) body.push(...lines);
  return `${FENCE}${lang}\n${body.join('\n')}\n${FENCE}`;
}

function list(rand, ordered) {
  const n = 3 + Math.floor(rand() * 4);
  const out = [];
  for (let i = 0; i < n; i++) out.push(`${ordered ? `${i + 1}.` : '-'} ${sentence(rand)}`);
  return out.join('\n');
}

function table(rand, k) {
  const rows = ['| Case | Input | Expected | Notes |', '| --- | :---: | ---: | --- |'];
  for (let i = 0; i < 5; i++) rows.push(`| ${k}.${i} | \`${pick(rand, IDENTS)}\` | ${Math.floor(rand() * 1000)} | ${pick(rand, WORDS)} ${pick(rand, WORDS)} |`);
  return rows.join('\n');
}

/** One section: heading, prose, a list, a code block, sometimes a table or a quote. */
function section(rand, k) {
  const parts = [`## Step ${k + 1}: ${pick(rand, WORDS)} ${pick(rand, WORDS)}`, paragraph(rand, 2 + Math.floor(rand() * 3))];
  parts.push(list(rand, k % 2 === 1));
  parts.push(codeBlock(rand, k));
  if (k % 3 === 0) parts.push(table(rand, k));
  if (k % 5 === 2) parts.push(`> ${sentence(rand)}`);
  parts.push(paragraph(rand, 2 + Math.floor(rand() * 3)));
  return parts.join('\n\n');
}

/** The answer: `blocks` sections (one code block each), cut to `chars` characters at a line end. */
function longReply({ seed = 20240611, blocks = 60, chars = 80000 } = {}) {
  const rand = prng(seed);
  const out = ['Here is a walk through the change, step by step.'];
  let length = out[0].length;
  for (let k = 0; k < blocks || length < chars; k++) {
    const s = section(rand, k);
    out.push(s);
    length += s.length + 2;
    if (k > blocks * 3) break;
  }
  let text = out.join('\n\n') + '\n';
  if (text.length > chars * 1.1) {
    const cut = text.lastIndexOf('\n\n', chars);
    text = text.slice(0, cut) + '\n';
  }
  return text;
}

/**
 * Splits text into model-like tokens of about 4 characters: a word with its leading space, a short
 * run of digits or punctuation (with the newlines after it), or whitespace; long words are cut into pieces of up to 8 characters.
 */
function tokenize(text) {
  const re = /[ \t]?[A-Za-z]{1,8}|[ \t]?\d{1,3}|[ \t]?[^\sA-Za-z\d]{1,3}\n*|\n+[ \t]*|[ \t]+/g;
  const tokens = text.match(re) || [];
  if (tokens.join('') !== text) throw new Error('tokenize lost characters');
  return tokens;
}

/** The number of fenced code blocks and the languages used (for the report). */
function describe(text) {
  const fences = text.match(/^```\w+$/gm) || [];
  return { chars: text.length, codeBlocks: fences.length, languages: [...new Set(fences.map(f => f.slice(3)))] };
}

module.exports = { longReply, tokenize, describe, prng, section };

if (require.main === module) {
  const text = longReply();
  console.log(JSON.stringify({ ...describe(text), tokens: tokenize(text).length }));
}
