// Which file a block says it is for: models label blocks with a path on the line before the fence
// (Aider, many chat answers), in the fence's info string (```ts:src/a.ts, title="src/a.ts") or in a
// first-line comment (Copilot's `// filepath: src/a.ts`). A block labelled for another file must not
// be applied to this one.

const PATH = String.raw`[\w@.+\-]*[\w@+\-](?:[\\/][\w@.+\-]+)*\.[A-Za-z0-9]{1,10}`;
/** A whole line that is only a path, with the Markdown people wrap it in: **src/a.ts**, `a.py`:, ### File: x.go */
const LABEL_LINE = new RegExp(String.raw`^(?:#{1,6}\s*)?(?:\*\*|__)?(?:(?:file(?:name)?|path)\s*:\s*)?(?:\*\*|__)?\x60?(${PATH})\x60?(?:\*\*|__)?\s*:?\s*$`, 'i');
/** A first line that is only a comment naming a file; the `filepath:` keyword is Copilot's. */
const LABEL_COMMENT = new RegExp(String.raw`^(?:\/\/|#|--|;|%|<!--|\/\*)\s*(?:(?:file(?:path|name)?|path)\s*:\s*)?(${PATH})\s*(?:-->|\*\/)?$`, 'i');
const INFO_PATH = new RegExp(String.raw`(?:^[\w+#-]+:(${PATH})$|(?:title|file(?:name)?|path)=["']?(${PATH})["']?|^(${PATH})$)`, 'i');

export function labelLine(line: string): string | undefined {
  const t = line.trim();
  if (t.length > 200 || /^[a-z]+:\/\//i.test(t)) return undefined;
  const m = LABEL_LINE.exec(t);
  if (!m) return undefined;
  // A heading like "Node.js" or "Vue.js" names a technology, not a file.
  if (/^[A-Z][A-Za-z0-9]*\.js$/.test(m[1])) return undefined;
  // A label has a directory, or is a plain file name with a letter-led extension.
  return /[\\/]|^[\w@+\-.]+\.[A-Za-z][A-Za-z0-9]{0,9}$/.test(m[1]) ? m[1] : undefined;
}

export function labelComment(line: string): string | undefined {
  return LABEL_COMMENT.exec(line.trim())?.[1];
}

/** A path in a fence's info string, after the language: ```python:src/x.py, ```ts title="a.ts", ```src/a.ts. */
export function labelInInfo(info: string, isLanguage: (tag: string) => boolean): string | undefined {
  for (const part of info.trim().split(/\s+/)) {
    if (isLanguage(part)) continue;
    const m = INFO_PATH.exec(part);
    const p = m?.[1] ?? m?.[2] ?? m?.[3];
    if (p) return p;
  }
  return undefined;
}

function normalise(p: string): string {
  return p.replace(/\\/g, '/').replace(/^(\.\/)+/, '').replace(/^\/+/, '').toLowerCase();
}

/**
 * Whether a label names the document. Labels are often relative to another root (the repository, a
 * package) or absolute, so one path ending with the other on a folder boundary counts as the same file.
 */
export function sameFile(label: string, docPath: string): boolean {
  const a = normalise(label);
  const b = normalise(docPath);
  return a === b || b.endsWith(`/${a}`) || a.endsWith(`/${b}`);
}
