// Fence tags against VS Code language ids: which code block in an answer is in the document's
// language, and which blocks are commands or program output rather than code for the file.

/** VS Code language id -> the tags models put on fences for it (the id itself always counts). */
const TAGS: Readonly<Record<string, readonly string[]>> = {
  typescript: ['ts', 'mts', 'cts'],
  typescriptreact: ['tsx'],
  javascript: ['js', 'mjs', 'cjs', 'node'],
  javascriptreact: ['jsx'],
  python: ['py', 'python3', 'py3', 'python2'],
  csharp: ['cs', 'c#'],
  cpp: ['c++', 'cc', 'cxx', 'hpp', 'hxx', 'hh'],
  c: ['h'],
  'objective-c': ['objc', 'objectivec'],
  'objective-cpp': ['objcpp', 'objc++'],
  go: ['golang'],
  rust: ['rs'],
  java: [],
  kotlin: ['kt', 'kts'],
  swift: [],
  ruby: ['rb'],
  php: [],
  perl: ['pl'],
  lua: [],
  r: [],
  dart: [],
  scala: ['sc'],
  haskell: ['hs'],
  elixir: ['ex', 'exs'],
  erlang: ['erl'],
  clojure: ['clj', 'cljs'],
  fsharp: ['fs', 'f#'],
  vb: ['vbnet', 'vb.net'],
  groovy: ['gradle'],
  julia: ['jl'],
  zig: [],
  shellscript: ['sh', 'bash', 'zsh', 'shell', 'ksh', 'fish'],
  powershell: ['ps1', 'pwsh', 'ps'],
  bat: ['batch', 'cmd'],
  sql: ['mysql', 'postgresql', 'postgres', 'psql', 'sqlite', 'plsql', 'tsql'],
  html: ['htm', 'xhtml'],
  xml: ['svg', 'xsd', 'xsl', 'plist'],
  css: [],
  scss: ['sass'],
  less: [],
  json: ['json5'],
  jsonc: [],
  yaml: ['yml'],
  toml: [],
  ini: ['cfg', 'conf', 'properties'],
  markdown: ['md', 'mdx'],
  dockerfile: ['docker'],
  makefile: ['make', 'mk'],
  vue: [],
  svelte: [],
  plaintext: ['text', 'txt', 'plain'],
  log: ['output', 'stdout', 'stderr'],
};

/** Languages close enough that a model tagging one for the other is a small slip, not another file. */
const FAMILIES: readonly (readonly string[])[] = [
  ['typescript', 'typescriptreact', 'javascript', 'javascriptreact', 'vue', 'svelte'],
  ['c', 'cpp', 'objective-c', 'objective-cpp'],
  ['json', 'jsonc'],
  ['html', 'xml', 'vue', 'svelte', 'markdown'],
  ['css', 'scss', 'less'],
  ['shellscript', 'bat', 'powershell'],
];

/** Tags of blocks that show commands to run or output to expect, never code for the document. */
const NOT_CODE = new Set([
  'bash', 'sh', 'shell', 'zsh', 'fish', 'console', 'terminal', 'shell-session', 'sh-session', 'shellsession',
  'cmd', 'bat', 'batch', 'powershell', 'ps1', 'pwsh', 'ps',
  'text', 'txt', 'plain', 'plaintext', 'output', 'stdout', 'stderr', 'log', 'logs',
]);

const BY_TAG: ReadonlyMap<string, string> = (() => {
  const m = new Map<string, string>();
  for (const [id, tags] of Object.entries(TAGS)) {
    m.set(id, id);
    for (const t of tags) if (!m.has(t)) m.set(t, id);
  }
  return m;
})();

/** The VS Code language id a fence tag names, when it is one we know. */
export function languageOfTag(tag: string): string | undefined {
  return BY_TAG.get(tag.toLowerCase());
}

export type TagFit = 'same' | 'related' | 'untagged' | 'other' | 'not-code';

/** How a block's tag fits the document: `not-code` blocks are commands or output for another purpose. */
export function tagFit(tag: string, languageId: string): TagFit {
  const t = tag.toLowerCase();
  if (t === '') return 'untagged';
  const lang = languageOfTag(t);
  const doc = languageId.toLowerCase();
  if (lang !== undefined && lang === doc) return 'same';
  if (t === doc) return 'same';
  if (lang !== undefined && FAMILIES.some(f => f.includes(lang) && f.includes(doc))) return NOT_CODE.has(t) ? 'not-code' : 'related';
  if (NOT_CODE.has(t)) return 'not-code';
  return 'other';
}

/** Tags under which a block is a patch rather than code. */
export function isDiffTag(tag: string): boolean {
  return ['diff', 'patch', 'udiff'].includes(tag.toLowerCase());
}
