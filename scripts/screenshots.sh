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
shot free-text --screen session --scenario court-ordered-dui --say "The judge can make you sit here, but whether any of this is worth your time is your call." --say "You're proud of how you handle things, and being driven around like a kid must sting." --size 1280x900
# A course: session 2 with the change plan made in session 1, and session 1's report with
# the course chart.
shot course-plan --screen session --scenario recovery-burnout-course --session 2 --choices 4 --size 1280x800
shot course-report --screen report --scenario recovery-burnout-course --auto best --size 1280x800
# The scenario editor: Rick's point `dui.system`, and a new client from the relapse template
# (a line said only when discord is high, built from pickers); the library in instructor mode.
cp scenarios/court-ordered-dui.ron "$CHANGETALK_HOME/rick.ron"
shot editor --edit "$CHANGETALK_HOME/rick.ron" --edit-point dui.system --size 1400x900
"$BIN" new my-relapse --template relapse -o "$CHANGETALK_HOME/my-relapse.ron" >/dev/null
shot editor-when --edit "$CHANGETALK_HOME/my-relapse.ron" --edit-point normal --size 1400x900
shot library-instructor --screen library --instructor --size 1024x640
EX="$CHANGETALK_HOME/week5.ron"
"$BIN" exercise new --scenario court-ordered-dui recovery-burnout --title "Week 5: rolling with discord" \
  --instructions "Meet both clients in order. Reflect before you ask; aim for complex reflections. Your result is graded." \
  --time-limit 40 -o "$EX" >/dev/null
shot exercise-sign-in --exercise "$EX" --size 1024x640
shot exercise-results --exercise "$EX" --student "Ana Ruiz" --id s200 --auto best --size 1024x640
# The same exercise as an assessment on a class server (`gui --join`).
SRV="$CHANGETALK_HOME/server"
PORT=$((20000 + RANDOM % 20000))
"$BIN" serve --data "$SRV" --listen "127.0.0.1:$PORT" >"$CHANGETALK_HOME/serve.log" 2>&1 &
SERVE=$!
trap 'kill $SERVE 2>/dev/null || true' EXIT
for _ in $(seq 50); do [ -s "$SRV/admin-token" ] && break; sleep 0.1; done
URL="http://127.0.0.1:$PORT"
AEX="$CHANGETALK_HOME/week6.ron"
"$BIN" exercise new --scenario court-ordered-dui recovery-burnout --title "Week 6: graded role-play" \
  --instructions "Meet both clients in order. Your replies are recorded by the class server." \
  --mode assessment --time-limit 30 -o "$AEX" >/dev/null
printf 'id,name\ns1,Ana Ruiz\ns2,Bo Chen\n' >"$CHANGETALK_HOME/roster.csv"
CHANGETALK_TOKEN="$(cat "$SRV/admin-token")" "$BIN" class create "$AEX" --server "$URL" \
  --roster "$CHANGETALK_HOME/roster.csv" -o "$CHANGETALK_HOME/codes.csv" >/dev/null
code() { grep "^$1," "$CHANGETALK_HOME/codes.csv" | cut -d, -f3; }
shot class-join --join "$URL" --size 1024x640
shot class-briefing --join "$URL" --code "$(code s1)" --size 1024x640
printf '1\n2\nq\n' | "$BIN" exercise run --server "$URL" --code "$(code s2)" >/dev/null
shot class-session --join "$URL" --code "$(code s2)" --size 1024x640
