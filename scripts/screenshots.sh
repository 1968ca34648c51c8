#!/usr/bin/env bash
# Renders the README's screenshots with `changetalk gui --screenshot` under Xvfb.
# Usage: scripts/screenshots.sh [BINARY]   (default: the release build in CARGO_TARGET_DIR)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/changetalk-target}"
BIN="${1:-$CARGO_TARGET_DIR/release/changetalk}"
OUT=docs/screenshots
mkdir -p "$OUT"
export CHANGETALK_HOME="$(mktemp -d)"
shot() { xvfb-run -a -s "-screen 0 1920x1200x24" "$BIN" gui --screenshot "$OUT/$1.png" "${@:2}" >/dev/null 2>&1; echo "$OUT/$1.png"; }
shot library  --screen library  --size 1024x640
shot briefing --screen briefing --scenario recovery-burnout --size 1024x640
shot session  --screen session  --scenario court-ordered-dui --choices 1,1,2 --size 1024x640
shot session-200 --screen session --scenario court-ordered-dui --choices 1,1,2 --size 1024x640 --text-size 200
shot library-200 --screen library --size 1024x640 --text-size 200
shot report   --screen report   --scenario recovery-burnout --auto best --size 1024x640
shot settings --screen settings --size 1024x640
shot instructor --screen session --scenario court-ordered-dui --choices 1 --instructor --size 1024x640
EX="$CHANGETALK_HOME/week5.ron"
"$BIN" exercise new --scenario court-ordered-dui recovery-burnout --title "Week 5: rolling with discord" \
  --instructions "Meet both clients in order. Reflect before you ask; aim for complex reflections. Your result is graded." \
  --time-limit 40 -o "$EX" >/dev/null
shot exercise-sign-in --exercise "$EX" --size 1024x640
shot exercise-results --exercise "$EX" --student "Ana Ruiz" --id s200 --auto best --size 1024x640
