// Wraps every rendered <pre> in a labelled group with a toolbar: the language, Copy and Insert at Cursor,
// and a "…" toggle that shows the rarer actions (Replace Selection, Apply to File, New File) in a row
// under it. The buttons carry no code and no listeners: ChatView's delegated handlers read the code
// element's text, which is the raw code exactly because the renderer only escapes or highlights it, and
// the fence's language from its data-lang. Built from plain elements only, so a block rendered while
// streaming and the same block rendered at once give the same DOM.

import type { CodeAction } from '../protocol';
import { button, element } from './dom';
import { strings } from './strings';

/** An answer's code gets every action; the question's own code only Copy (inserting it back is pointless). */
export type CodeToolbarKind = 'answer' | 'question';

const VISIBLE: readonly CodeAction[] = ['copy', 'insert'];
const MORE: readonly CodeAction[] = ['replaceSelection', 'apply', 'newFile'];

function actionButton(action: CodeAction): HTMLButtonElement {
  const [label, title] = strings.codeActions[action];
  const b = button({ label, title, className: 'code-action' });
  b.dataset.action = action;
  return b;
}

export function addCodeToolbars(root: ParentNode, kind: CodeToolbarKind): void {
  for (const pre of Array.from(root.querySelectorAll('pre'))) {
    if (pre.parentElement?.classList.contains('code-block')) continue;
    const code = pre.querySelector('code');
    const language = /(?:^|\s)language-(\S+)/.exec(code?.className ?? '')?.[1] ?? '';
    const group = element('div', 'code-block');
    group.setAttribute('role', 'group');
    group.setAttribute('aria-label', strings.codeBlockLabel(language));
    const toolbar = element('div', 'code-toolbar');
    toolbar.append(element('span', 'code-language', language));
    if (kind === 'question') {
      toolbar.append(actionButton('copy'));
      group.append(toolbar);
    } else {
      // Text, not an SVG icon: nothing in a message is SVG, which the hostile-markdown tests rely on.
      const toggle = button({ label: strings.moreCodeActions, className: 'code-more-toggle', text: '…' });
      toggle.setAttribute('aria-expanded', 'false');
      toolbar.append(...VISIBLE.map(actionButton), toggle);
      const more = element('div', 'code-more');
      more.setAttribute('role', 'group');
      more.setAttribute('aria-label', strings.moreCodeActions);
      more.hidden = true;
      more.append(...MORE.map(actionButton));
      group.append(toolbar, more);
    }
    // Long lines scroll sideways; a focusable region lets keyboard users scroll it too.
    pre.tabIndex = 0;
    pre.replaceWith(group);
    group.append(pre);
  }
}

/** The raw code of the code block a toolbar button belongs to, and its fence's language as written. */
export function codeOf(control: Element): { code: string; language: string } | undefined {
  const code = control.closest('.code-block')?.querySelector('pre > code');
  if (!code) return undefined;
  return { code: code.textContent ?? '', language: code.getAttribute('data-lang') ?? '' };
}

/** Shows or hides a block's row of further actions; `focusToggle` returns focus to the "…" button. */
export function setMoreOpen(block: Element, open: boolean, focusToggle = false): void {
  const toggle = block.querySelector<HTMLButtonElement>('.code-more-toggle');
  const more = block.querySelector<HTMLElement>('.code-more');
  if (!toggle || !more) return;
  toggle.setAttribute('aria-expanded', String(open));
  more.hidden = !open;
  if (open) more.querySelector('button')?.focus();
  else if (focusToggle) toggle.focus();
}
