// The baseline of the rendering benchmark, bundled for the browser by run.js: the naive way to show a
// streamed answer, a full re-render on every delta. The whole text so far goes through markdown-it,
// highlight.js (the fence's language) and DOMPurify and replaces the answer's DOM, once per message.
// Same libraries and about the same options as Tandem's webview, none of its incremental rendering.
import MarkdownIt from 'markdown-it';
import DOMPurify from 'dompurify';
import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import cpp from 'highlight.js/lib/languages/cpp';
import css from 'highlight.js/lib/languages/css';
import diff from 'highlight.js/lib/languages/diff';
import go from 'highlight.js/lib/languages/go';
import java from 'highlight.js/lib/languages/java';
import json from 'highlight.js/lib/languages/json';
import python from 'highlight.js/lib/languages/python';
import rust from 'highlight.js/lib/languages/rust';
import sql from 'highlight.js/lib/languages/sql';
import typescript from 'highlight.js/lib/languages/typescript';
import yaml from 'highlight.js/lib/languages/yaml';

for (const [name, fn] of Object.entries({ bash, cpp, css, diff, go, java, json, python, rust, sql, typescript, yaml })) hljs.registerLanguage(name, fn);

const md = new MarkdownIt('default', {
  html: false,
  linkify: true,
  highlight: (code, lang) => {
    if (lang && hljs.getLanguage(lang)) return hljs.highlight(code, { language: lang, ignoreIllegals: true }).value;
    return '';
  },
});
const purify = DOMPurify(window);

const root = document.getElementById('app');
const body = document.createElement('div');
body.className = 'message-body markdown';
root.append(body);

let text = '';
const renders = [];

function render() {
  const t0 = performance.now();
  const fragment = purify.sanitize(md.render(text), { RETURN_DOM_FRAGMENT: true });
  body.replaceChildren(fragment);
  renders.push([text.length, performance.now() - t0]);
}

window.__naive = {
  renders,
  /** Times one full render of `full` (script only), `times` times, for the cost curve; restores the text after. */
  timeRender(full, times) {
    const saved = text;
    const out = [];
    for (let i = 0; i < times; i++) {
      text = full;
      const t0 = performance.now();
      render();
      out.push(performance.now() - t0);
    }
    renders.length -= times;
    text = saved;
    render();
    renders.length -= 1;
    return out;
  },
};

window.addEventListener('message', event => {
  const m = event.data;
  if (!m || typeof m !== 'object') return;
  if (m.type === 'state') {
    const messages = m.state?.conversation?.messages ?? [];
    text = messages.length ? String(messages[messages.length - 1].text ?? '') : '';
    render();
  } else if (m.type === 'append' && typeof m.text === 'string') {
    text += m.text;
    render();
  }
});

acquireVsCodeApi().postMessage({ type: 'ready' });
