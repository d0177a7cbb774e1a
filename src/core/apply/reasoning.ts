// Reasoning models put their thinking in the content, between <think> tags (or <thinking>,
// <reasoning>); it often quotes code, and a block in it is a draft, never the answer. Tags are only
// recognised outside code fences, so a document that really contains such a tag can still be edited.

const OPEN = /^[ \t]*<(think|thinking|reasoning)>/i;
const FENCE = /^[ \t]*(`{3,}|~{3,})/;

/** The answer without its reasoning sections; an unclosed one runs to the end (the answer was all thinking). */
export function withoutReasoning(reply: string): string {
  if (!/<(think|thinking|reasoning)>/i.test(reply)) return reply;
  const lines = reply.split('\n');
  const out: string[] = [];
  let fence: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const f = FENCE.exec(line);
    if (fence !== undefined) {
      if (f && f[1][0] === fence[0] && f[1].length >= fence.length && line.trim() === f[1]) fence = undefined;
      out.push(line);
      continue;
    }
    const open = OPEN.exec(line);
    if (!open) {
      if (f) fence = f[1];
      out.push(line);
      continue;
    }
    const close = new RegExp(`</${open[1]}>`, 'i');
    let rest = line.slice(open[0].length);
    let j = i;
    while (!close.test(rest) && j + 1 < lines.length) rest = lines[++j];
    const m = close.exec(rest);
    i = j;
    if (!m) break;
    const after = rest.slice(m.index + m[0].length);
    if (after.trim() !== '') out.push(after);
  }
  return out.join('\n');
}
