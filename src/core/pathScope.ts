// Whether a path lies inside a folder, on URI paths ('/'-separated), with '.' and '..' resolved first so
// `/ws/../etc/passwd` is not "inside /ws". Used to keep commands that take a URI or a path from another
// caller (a command link, another extension) to the open workspace.

/** The path's segments with '.' and '..' resolved; undefined when '..' climbs above the root. */
export function pathSegments(p: string): string[] | undefined {
  const out: string[] = [];
  for (const s of p.split('/')) {
    if (s === '' || s === '.') continue;
    if (s === '..') {
      if (out.length === 0) return undefined;
      out.pop();
    } else out.push(s);
  }
  return out;
}

/** True when `child` is strictly inside `folder` (both URI paths). */
export function isInside(folder: string, child: string): boolean {
  const f = pathSegments(folder);
  const c = pathSegments(child);
  if (!f || !c || c.length <= f.length) return false;
  return f.every((s, i) => s === c[i]);
}
