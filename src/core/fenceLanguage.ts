// The VS Code language id for a code fence's tag, so "New File" opens with the right highlighting.
const ALIASES: Record<string, string> = {
  ts: 'typescript', tsx: 'typescriptreact', js: 'javascript', jsx: 'javascriptreact', mjs: 'javascript', cjs: 'javascript',
  py: 'python', python3: 'python', rb: 'ruby', rs: 'rust', golang: 'go', cs: 'csharp', 'c#': 'csharp', 'c++': 'cpp', cc: 'cpp', hpp: 'cpp', h: 'c',
  sh: 'shellscript', bash: 'shellscript', zsh: 'shellscript', shell: 'shellscript', console: 'shellscript', ps1: 'powershell', pwsh: 'powershell',
  yml: 'yaml', md: 'markdown', html: 'html', xml: 'xml', svg: 'xml', kt: 'kotlin', kts: 'kotlin', jsonc: 'jsonc', json5: 'jsonc',
  dockerfile: 'dockerfile', docker: 'dockerfile', tf: 'terraform', hcl: 'terraform', vue: 'vue', scss: 'scss', sass: 'scss', less: 'less',
  sql: 'sql', diff: 'diff', patch: 'diff', text: 'plaintext', txt: 'plaintext', plaintext: 'plaintext', '': 'plaintext',
};

export function languageIdForFence(tag: string): string {
  const t = tag.trim().toLowerCase().split(/[\s{]/)[0] ?? '';
  return ALIASES[t] ?? t;
}
