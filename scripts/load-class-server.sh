#!/usr/bin/env bash
# Load on the class server (issue 12): `changetalk serve` on SQLite in a temporary folder, an
# assessment of the six built-in scenarios (attempts enough to keep playing) published with a
# roster of STUDENTS students, and each of them replying once a second for SECONDS seconds
# (crates/changetalk-server/examples/load.rs). Reports replies sent, recorded (and counted in
# the server's log) and lost, p50/p99 reply latency and the server's peak RSS (VmHWM).
# Exits non-zero when a reply was lost.
# Usage: scripts/load-class-server.sh [STUDENTS] [SECONDS]   (defaults: 200 120)
set -euo pipefail
cd "$(dirname "$0")/.."
STUDENTS="${1:-200}"
SECONDS_="${2:-120}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/changetalk-target}"
cargo build --release --quiet --no-default-features --bin changetalk
cargo build --release --quiet -p changetalk-server --example load
BIN="$CARGO_TARGET_DIR/release/changetalk"
LOAD="$CARGO_TARGET_DIR/release/examples/load"
WORK="$(mktemp -d)"
SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT
export CHANGETALK_HOME="$WORK/home"
ulimit -n 8192 2>/dev/null || true

mkdir -p "$WORK/ex"
cp scenarios/*.ron "$WORK/ex/"
scenarios=("$WORK"/ex/*.ron)
"$BIN" exercise new --scenario "${scenarios[@]}" -o "$WORK/ex/load.ron" --title "Load" --seed 7 \
    --attempts 100 >/dev/null

"$BIN" serve --data "$WORK/server" --listen 127.0.0.1:0 >"$WORK/serve.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 100); do
    grep -q '^ChangeTalk class server on ' "$WORK/serve.log" 2>/dev/null && break
    sleep 0.1
done
URL="$(sed -n 's/^ChangeTalk class server on //p' "$WORK/serve.log" | head -1)"
[ -n "$URL" ] || { cat "$WORK/serve.log"; echo "the server did not start" >&2; exit 1; }
TOKEN="$(cat "$WORK/server/admin-token")"
echo "server: $URL (pid $SERVER_PID, SQLite in $WORK/server)"

args=()
for s in "${scenarios[@]}"; do args+=(--scenario "$s"); done
"$LOAD" --server "$URL" --token "$TOKEN" --exercise "$WORK/ex/load.ron" "${args[@]}" \
    --students "$STUDENTS" --seconds "$SECONDS_" --pid "$SERVER_PID" \
    --database "sqlite://$WORK/server/changetalk.db" 2>"$WORK/load-errors.log" && rc=0 || rc=$?
if [ -s "$WORK/load-errors.log" ]; then
    echo "first errors:"; head -20 "$WORK/load-errors.log"
fi
if grep -q '^error' "$WORK/serve.log"; then
    echo "server errors:"; grep '^error' "$WORK/serve.log" | head -20
fi
exit "$rc"
