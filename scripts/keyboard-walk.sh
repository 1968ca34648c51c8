#!/usr/bin/env bash
# A whole practice session with the keyboard only, at 200% text in a 1024x640 window, in a real
# window under Xvfb driven by xdotool; a screenshot after each step goes to OUT (default
# /tmp/keyboard-walk). Needs xvfb, xdotool and x11-apps (xwd) + imagemagick (convert).
# Usage: scripts/keyboard-walk.sh [BINARY] [OUT]
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/changetalk-target}"
BIN="${1:-$CARGO_TARGET_DIR/release/changetalk}"
OUT="${2:-/tmp/keyboard-walk}"
mkdir -p "$OUT"
export CHANGETALK_HOME="$(mktemp -d)"
DISP=:$((90 + RANDOM % 100))
Xvfb "$DISP" -screen 0 1024x640x24 >/dev/null 2>&1 &
XVFB=$!
trap 'kill $APP $XVFB 2>/dev/null || true' EXIT
export DISPLAY=$DISP
sleep 1
"$BIN" gui --text-size 200 --size 1024x640 >"$OUT/app.log" 2>&1 &
APP=$!
sleep 4
# No window manager under Xvfb: give the app's window the keyboard focus.
WIN=$(xdotool search --sync --name "ChangeTalk" | head -1)
xdotool windowfocus --sync "$WIN"
n=0
shot() { n=$((n + 1)); xwd -root -silent | convert xwd:- "$OUT/$(printf %02d $n)-$1.png"; echo "$OUT/$(printf %02d $n)-$1.png"; }
key() { xdotool key --delay 150 "$@"; sleep 0.6; }
shot library
# Library: Settings, search, stage, topic, then the first card's button.
# Library: Settings, search, stage, topic, then the first card's button.
key Tab Tab Tab Tab Tab
shot first-card-focused
key Return
shot briefing
key p
shot session
for i in $(seq 1 30); do
  kill -0 $APP 2>/dev/null || break
  key 1
done
shot session-over
key Return
shot report
key Escape
shot back-in-library
