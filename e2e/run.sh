#!/usr/bin/env bash
# End-to-end browser tests: start `tilsyn demo` on a free port with a throw-away SQLite
# database, run the Playwright + axe-core suites (node:test) against it with Debian's
# Chromium, and always stop the server.
#
#   bash e2e/run.sh                      # uses target/debug/tilsyn (or $CARGO_TARGET_DIR/debug)
#   TILSYN_BIN=target/release/tilsyn bash e2e/run.sh
#
# Env: TILSYN_BIN (binary, relative to the repo root or absolute; exported to the tests, which
# start a second server of their own for the kill test), SHOTS (screenshot dir,
# default e2e/out), E2E_KEEP=1 (keep the temp dir with the database and server log).
set -euo pipefail

E2E_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$E2E_DIR/.." && pwd)"
cd "$ROOT"

log() { printf '[e2e] %s\n' "$*" >&2; }
die() { printf '[e2e] ERROR: %s\n' "$*" >&2; exit 1; }

# 1. Debian's Chromium (Playwright never downloads a browser here).
if [ ! -x /usr/bin/chromium ]; then
  log "installing chromium from Debian"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y chromium
fi
[ -x /usr/bin/chromium ] || die "/usr/bin/chromium is still missing"
command -v node >/dev/null || die "node is not installed"
command -v npm >/dev/null || die "npm is not installed"

# 2. JS dependencies, exactly as locked (skip when node_modules matches the lock file).
lock_hash="$(sha256sum "$E2E_DIR/package-lock.json" | cut -d' ' -f1)"
stamp="$E2E_DIR/node_modules/.e2e-lock-hash"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_hash" ]; then
  log "npm ci"
  (cd "$E2E_DIR" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
  echo "$lock_hash" >"$stamp"
fi

# 3. The server binary.
TILSYN_BIN="${TILSYN_BIN:-${CARGO_TARGET_DIR:-target}/debug/tilsyn}"
case "$TILSYN_BIN" in /*) ;; *) TILSYN_BIN="$ROOT/$TILSYN_BIN" ;; esac
[ -x "$TILSYN_BIN" ] || die "server binary $TILSYN_BIN not found (build it: cargo build)"
# The rounds suite starts a server of its own (the kill test) from the same binary.
export TILSYN_BIN

# 4. Start `tilsyn demo` on a free port with a fresh database.
TMP="$(mktemp -d -t tilsyn-e2e.XXXXXX)"
SERVER_PID=""
cleanup() {
  local rc=$?
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [ "$rc" -ne 0 ] && [ -f "$TMP/server.log" ]; then
    log "server log (last 40 lines of $TMP/server.log):"
    tail -n 40 "$TMP/server.log" >&2 || true
  fi
  if [ "${E2E_KEEP:-0}" = 1 ] || [ "$rc" -ne 0 ]; then
    log "kept $TMP"
  else
    rm -rf "$TMP"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

PORT="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
BASE_URL="http://127.0.0.1:$PORT"
log "starting $TILSYN_BIN demo on $BASE_URL (db $TMP/e2e.db)"
"$TILSYN_BIN" demo --addr "127.0.0.1:$PORT" --database-url "sqlite://$TMP/e2e.db" >"$TMP/server.log" 2>&1 &
SERVER_PID=$!

healthy() {
  node -e 'fetch(process.argv[1]).then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))' \
    "$BASE_URL/healthz" 2>/dev/null
}
deadline=$((SECONDS + 60))
until healthy; do
  kill -0 "$SERVER_PID" 2>/dev/null || die "server exited before /healthz answered"
  [ "$SECONDS" -lt "$deadline" ] || die "server did not answer /healthz with 200 within 60 s"
  sleep 0.5
done
log "server is up"

# 5. The tests (one node:test file that imports every suite: one browser for the run).
export BASE_URL
SHOTS="${SHOTS:-e2e/out}"
case "$SHOTS" in /*) ;; *) SHOTS="$ROOT/$SHOTS" ;; esac
export SHOTS
mkdir -p "$SHOTS"
set +e
node --test --test-reporter=spec "$E2E_DIR/tests/e2e.test.mjs"
status=$?
set -e
log "screenshots in $SHOTS"
exit "$status"
