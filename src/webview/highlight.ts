// Syntax highlighting with highlight.js core and a fixed set of languages: the full build is several
// times larger, and guessing a language (highlightAuto) is slow and often wrong on partial answers.
/// <reference path="./highlightjs.d.ts" />

import hljs from 'highlight.js/lib/core';
import type { LanguageFn } from 'highlight.js';
import bash from 'highlight.js/lib/languages/bash';
import c from 'highlight.js/lib/languages/c';
import cpp from 'highlight.js/lib/languages/cpp';
import csharp from 'highlight.js/lib/languages/csharp';
import css from 'highlight.js/lib/languages/css';
import diff from 'highlight.js/lib/languages/diff';
import go from 'highlight.js/lib/languages/go';
import java from 'highlight.js/lib/languages/java';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import kotlin from 'highlight.js/lib/languages/kotlin';
import markdown from 'highlight.js/lib/languages/markdown';
import php from 'highlight.js/lib/languages/php';
import python from 'highlight.js/lib/languages/python';
import ruby from 'highlight.js/lib/languages/ruby';
import rust from 'highlight.js/lib/languages/rust';
import shell from 'highlight.js/lib/languages/shell';
import sql from 'highlight.js/lib/languages/sql';
import swift from 'highlight.js/lib/languages/swift';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';
import yaml from 'highlight.js/lib/languages/yaml';

const LANGUAGES: Readonly<Record<string, LanguageFn>> = {
  bash, c, cpp, csharp, css, diff, go, java, javascript, json, kotlin, markdown, php, python, ruby, rust,
  shell, sql, swift, typescript, xml, yaml,
};

/** VS Code language ids and common fence names that highlight.js does not know as aliases. */
const EXTRA_ALIASES: Readonly<Record<string, readonly string[]>> = {
  typescript: ['typescriptreact'],
  javascript: ['javascriptreact'],
  bash: ['shellscript', 'shell-script'],
  json: ['jsonc', 'json5', 'jsonl'],
  xml: ['vue-html'],
  cpp: ['cuda-cpp'],
};

/** Every accepted name (lower case) to the registered language it selects. */
const byName = new Map<string, string>();

for (const [name, fn] of Object.entries(LANGUAGES)) {
  hljs.registerLanguage(name, fn);
  byName.set(name, name);
  for (const alias of hljs.getLanguage(name)?.aliases ?? []) byName.set(alias.toLowerCase(), name);
  for (const alias of EXTRA_ALIASES[name] ?? []) byName.set(alias, name);
}

/** The registered language a fence name or VS Code language id selects, if any. */
export function resolveLanguage(name: string): string | undefined {
  return byName.get(name.trim().toLowerCase());
}

/**
 * The last blocks highlighted, newest last: a code block is highlighted when its fence closes, again on
 * every frame while it is the end of the streaming tail, and again when it becomes a finished block;
 * highlighting costs several milliseconds per thousand characters, so those repeats come from here.
 */
const recent = new Map<string, string>();
const RECENT_BLOCKS = 16;
const RECENT_MAX_CHARS = 100_000;

/** Highlighted HTML for code in a registered language (see resolveLanguage); the input is escaped. */
export function highlightCode(code: string, language: string): string {
  const key = `${language}\n${code}`;
  const cached = recent.get(key);
  if (cached !== undefined) {
    recent.delete(key);
    recent.set(key, cached);
    return cached;
  }
  const html = hljs.highlight(code, { language, ignoreIllegals: true }).value;
  if (code.length <= RECENT_MAX_CHARS) {
    recent.set(key, html);
    if (recent.size > RECENT_BLOCKS) recent.delete(recent.keys().next().value as string);
  }
  return html;
}

const prepared = new Set<string>();

/**
 * Compiles a language's grammar in idle time, before its first block needs it: highlight.js compiles a
 * grammar on first use, which takes tens of milliseconds for some (Java, TypeScript, CSS) and would
 * otherwise land in the frame that shows the block's closing line.
 */
export function prepareLanguage(language: string): void {
  if (prepared.has(language)) return;
  prepared.add(language);
  const compile = (): void => {
    hljs.highlight('', { language, ignoreIllegals: true });
  };
  if (typeof requestIdleCallback === 'function') requestIdleCallback(compile, { timeout: 1000 });
  else setTimeout(compile, 0);
}
