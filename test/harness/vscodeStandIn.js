// A stand-in for the `vscode` module, so dist/extension.js can be activated in plain Node (the
// activation unit test and the benchmark): every value @types/vscode declares is a callable,
// constructible proxy that records the calls made on it.
'use strict';
const fs = require('fs');
const path = require('path');

function standIn(name, calls) {
  const fn = function () { /* stand-in */ };
  return new Proxy(fn, {
    get: (_t, p) => (p === 'then' ? undefined : p === Symbol.toPrimitive ? () => name : standIn(`${name}.${String(p)}`, calls)),
    apply: () => {
      calls.push(name);
      return standIn(`${name}()`, calls);
    },
    construct: () => standIn(`new ${name}`, calls),
    set: () => true,
  });
}

/** A plain object at the top (esbuild's interop copies the module's own properties) with every value the API declares. */
function vscodeStandIn(root, calls) {
  const dts = fs.readFileSync(path.join(root, 'node_modules', '@types', 'vscode', 'index.d.ts'), 'utf8');
  const vscode = {};
  for (const m of dts.matchAll(/^\texport (?:class|enum|namespace|const|function|let|var) (\w+)/gm)) vscode[m[1]] = standIn(`vscode.${m[1]}`, calls);
  return vscode;
}

module.exports = { standIn, vscodeStandIn };
