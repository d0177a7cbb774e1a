// highlight.js types only its main entry; the core entry exports the same API without languages.
declare module 'highlight.js/lib/core' {
  import hljs from 'highlight.js';
  export default hljs;
}
