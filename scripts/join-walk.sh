#!/usr/bin/env bash
# A student on a class server with the keyboard only, in a real window under Xvfb driven by
# xdotool: `gui --join URL`, the join code typed, Enter on the briefing, two replies by number;
# then the window is closed, the app started again, the code typed in lower case without its
# dash, and the conversation resumes where it stopped. A screenshot after each step goes to OUT (default /tmp/join-walk).
# Needs xvfb, xdotool, x11-apps (xwd) and imagemagick (convert).
# Usage: scripts/join-walk.sh [BINARY] [OUT]
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/changetalk-target}"
BIN="${1:-$CARGO_TARGET_DIR/release/changetalk}"
OUT="${2:-/tmp/join-walk}"
mkdir -p "$OUT"
export CHANGETALK_HOME="$(mktemp -d)"
SRV="$CHANGETALK_HOME/server"
PORT=$((20000 + RANDOM % 20000))
"$BIN" serve --data "$SRV" --listen "127.0.0.1:$PORT" >"$OUT/serve.log" 2>&1 &
SERVE=$!
DISP=:$((90 + RANDOM % 100))
Xvfb "$DISP" -screen 0 1024x640x24 >/dev/null 2>&1 &
XVFB=$!
APP=
trap 'kill $APP $SERVE $XVFB 2>/dev/null || true' EXIT
export DISPLAY=$DISP
for _ in $(seq 50); do [ -s "$SRV/admin-token" ] && break; sleep 0.1; done
URL="http://127.0.0.1:$PORT"
EX="$CHANGETALK_HOME/week6.ron"
"$BIN" exercise new --scenario court-ordered-dui --title "Week 6" --mode assessment -o "$EX" >/dev/null
printf 'id,name\ns1,Ana Ruiz\n' >"$CHANGETALK_HOME/roster.csv"
CHANGETALK_TOKEN="$(cat "$SRV/admin-token")" "$BIN" class create "$EX" --server "$URL" \
  --roster "$CHANGETALK_HOME/roster.csv" -o "$CHANGETALK_HOME/codes.csv" >/dev/null
CODE=$(grep '^s1,' "$CHANGETALK_HOME/codes.csv" | cut -d, -f3)
n=0
shot() { n=$((n + 1)); xwd -root -silent | convert xwd:- "$OUT/$(printf %02d $n)-$1.png"; echo "$OUT/$(printf %02d $n)-$1.png"; }
key() { xdotool key --delay 150 "$@"; sleep 0.8; }
start() {
  "$BIN" gui --join "$URL" --size 1024x640 >>"$OUT/app.log" 2>&1 &
  APP=$!
  sleep 4
  WIN=$(xdotool search --sync --name "ChangeTalk" | head -1)
  xdotool windowfocus --sync "$WIN"
}
start
shot join
xdotool type --delay 80 "$CODE"
shot code-typed
key Return
shot briefing
key Return
shot conversation
key 1
key 2
shot two-replies
# Closing the window releases the session on the server (a killed app holds it for a minute).
xdotool windowclose "$WIN" 2>/dev/null || xdotool key ctrl+q
wait $APP 2>/dev/null || true
sleep 1
start
xdotool type --delay 80 "$(echo "$CODE" | tr 'A-Z' 'a-z' | tr -d '-')"
key Return
shot resumed
key 1
shot after-resume
CHANGETALK_TOKEN="$(cat "$SRV/admin-token")" "$BIN" class status --server "$URL" | tee "$OUT/status.txt"
