// WCAG contrast of what the chat view shows, measured from computed colours in the page (a test page
// or the webview's frame in the workbench). Shared by the webview and workbench UI tests.
import type { Frame, Page } from 'playwright-core';

export interface ContrastCheck {
  /** What the text is, for the message. */
  name: string;
  selector: string;
  /** 4.5 for body text and code, 3 for large text and UI controls (WCAG 2.x AA). */
  min: number;
}

export interface ContrastResult {
  name: string;
  text: string;
  fg: string;
  bg: string;
  ratio: number;
  min: number;
}

/** What Tandem's chat shows, by kind. */
export const CHAT_CONTRAST: ContrastCheck[] = [
  { name: 'answer prose', selector: '#messages .message p, #messages .message li', min: 4.5 },
  { name: 'question text', selector: '#messages .message.user p, #messages .message.user .message-text', min: 4.5 },
  { name: 'headings', selector: '#messages h1, #messages h2, #messages h3', min: 3 },
  { name: 'inline code', selector: '#messages :not(pre) > code', min: 4.5 },
  { name: 'code in code blocks', selector: '#messages pre code, #messages pre code span', min: 4.5 },
  { name: 'role labels', selector: '#messages .message-role', min: 4.5 },
  { name: 'usage and context lines', selector: '#messages .message-usage, #messages .message-context', min: 4.5 },
  { name: 'buttons', selector: '#messages button, .composer button, .code-toolbar button', min: 3 },
  { name: 'code language label', selector: '.code-language', min: 4.5 },
];

/**
 * Every visible element matching a check that has text of its own, with its colour and the background
 * it is drawn on (the backgrounds of it and its ancestors composited, up to the first opaque one).
 */
export function measureContrast(target: Page | Frame, checks: ContrastCheck[] = CHAT_CONTRAST): Promise<ContrastResult[]> {
  return target.evaluate((all: ContrastCheck[]) => {
    type Rgba = [number, number, number, number];
    interface El { parentElement: El | null; childNodes: ArrayLike<{ nodeType: number; textContent: string | null }>; textContent: string | null; getClientRects(): ArrayLike<unknown> }
    const w = globalThis as unknown as {
      document: { querySelectorAll(s: string): ArrayLike<El>; documentElement: El };
      getComputedStyle(e: El): { color: string; backgroundColor: string; visibility: string; display: string };
    };
    const parse = (c: string): Rgba | undefined => {
      // color-mix() computes to color(srgb r g b / a) with channels from 0 to 1.
      const srgb = /^color\(srgb ([^)]+)\)$/.exec(c.trim());
      if (srgb) {
        const p = srgb[1].split(/[\s/]+/).filter(Boolean).map(Number);
        return [p[0] * 255, p[1] * 255, p[2] * 255, p.length > 3 ? p[3] : 1];
      }
      const m = /^rgba?\(([^)]+)\)$/.exec(c.trim());
      if (!m) return undefined;
      const p = m[1].split(/[,\s/]+/).filter(Boolean).map(Number);
      return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
    };
    const over = (top: Rgba, below: Rgba): Rgba => {
      const a = top[3];
      return [top[0] * a + below[0] * (1 - a), top[1] * a + below[1] * (1 - a), top[2] * a + below[2] * (1 - a), 1];
    };
    const background = (el: El): Rgba | undefined => {
      const layers: Rgba[] = [];
      for (let e: El | null = el; e; e = e.parentElement) {
        const c = parse(w.getComputedStyle(e).backgroundColor);
        if (!c) return undefined;
        if (c[3] > 0) layers.push(c);
        if (c[3] >= 1) break;
      }
      // A page with no opaque background at all is drawn on white.
      let out: Rgba = [255, 255, 255, 1];
      for (let i = layers.length - 1; i >= 0; i--) out = over(layers[i], out);
      return out;
    };
    const luminance = (c: Rgba): number => {
      const ch = c.slice(0, 3).map(v => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
      });
      return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2];
    };
    const css = (c: Rgba) => `rgb(${c.slice(0, 3).map(Math.round).join(', ')})`;
    const results: ContrastResult[] = [];
    for (const check of all) {
      const els = w.document.querySelectorAll(check.selector);
      for (let i = 0; i < els.length; i++) {
        const el = els[i];
        const style = w.getComputedStyle(el);
        if (style.visibility === 'hidden' || style.display === 'none' || el.getClientRects().length === 0) continue;
        const own = Array.from(el.childNodes).filter(n => n.nodeType === 3).map(n => n.textContent ?? '').join('').trim();
        if (!own) continue;
        const bg = background(el);
        const fgRaw = parse(style.color);
        if (!bg || !fgRaw) {
          results.push({ name: check.name, text: own.slice(0, 40), fg: style.color, bg: 'unparsed', ratio: 0, min: check.min });
          continue;
        }
        const fg = over(fgRaw, bg);
        const [hi, lo] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
        results.push({ name: check.name, text: own.slice(0, 40), fg: css(fg), bg: css(bg), ratio: Math.round(((hi + 0.05) / (lo + 0.05)) * 100) / 100, min: check.min });
      }
    }
    return results;
  }, checks);
}

/** The failures, one line each, for an assertion message. */
export function contrastFailures(results: ContrastResult[]): string[] {
  return results.filter(r => r.ratio < r.min).map(r => `${r.name} "${r.text}": ${r.fg} on ${r.bg} = ${r.ratio} < ${r.min}`);
}

/** Which kinds of text were measured at all, so a check that matched nothing is noticed. */
export function measuredKinds(results: ContrastResult[]): Set<string> {
  return new Set(results.map(r => r.name));
}
