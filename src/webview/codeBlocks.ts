// Wraps every rendered <pre> in a labelled group with a toolbar (language, Copy, Insert at Cursor). The
// buttons carry no code: a click reads the code element's text, which is the raw code exactly because
// the renderer only escapes or highlights it (see ChatView's delegated click handler).

import { button, element } from './dom';
import { strings } from './strings';

export type CodeAction = 'copy' | 'insert';

export function addCodeToolbars(root: ParentNode, actions: readonly CodeAction[]): void {
  for (const pre of Array.from(root.querySelectorAll('pre'))) {
    if (pre.parentElement?.classList.contains('code-block')) continue;
    const code = pre.querySelector('code');
    const language = /(?:^|\s)language-(\S+)/.exec(code?.className ?? '')?.[1] ?? '';
    const group = element('div', 'code-block');
    group.setAttribute('role', 'group');
    group.setAttribute('aria-label', strings.codeBlockLabel(language));
    const toolbar = element('div', 'code-toolbar');
    toolbar.append(element('span', 'code-language', language));
    for (const action of actions) {
      const b = button(
        action === 'copy'
          ? { label: strings.copy, title: strings.copyTitle, className: 'code-action' }
          : { label: strings.insert, title: strings.insertTitle, className: 'code-action' },
      );
      b.dataset.action = action;
      toolbar.append(b);
    }
    // Long lines scroll sideways; a focusable region lets keyboard users scroll it too.
    pre.tabIndex = 0;
    pre.replaceWith(group);
    group.append(toolbar, pre);
  }
}

/** The raw code of the code block a toolbar button belongs to. */
export function codeOf(control: Element): string | undefined {
  return control.closest('.code-block')?.querySelector('pre > code')?.textContent ?? undefined;
}
