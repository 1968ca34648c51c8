#!/usr/bin/env bash
# Measures the desktop app on this machine under Xvfb with Mesa's software Vulkan:
#   1. time to first frame and peak memory, side by side with a bare bevy_egui window built
#      with the same features and profile (examples/bare_egui.rs);
#   2. idle CPU on the session screen over 10 s after it settles.
# Usage: scripts/measure-app.sh [RUNS]   (needs xvfb-run; builds in release)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-5}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/changetalk-target}"
export CHANGETALK_HOME="$(mktemp -d)"
# Same profile and feature set as the test build (cached after `cargo test --release --workspace`).
cargo test --release --workspace --no-run --quiet 2>/dev/null || cargo test --release --workspace --no-run
APP="$CARGO_TARGET_DIR/release/changetalk"
BARE="$CARGO_TARGET_DIR/release/examples/bare_egui"

# One X server for all runs, so its start-up is not counted.
Xvfb :77 -screen 0 1920x1200x24 >/dev/null 2>&1 &
XPID=$!
trap 'kill $XPID 2>/dev/null || true' EXIT
export DISPLAY=:77
sleep 1

measure() { # prints "seconds peak_kib" for one run of the command
    /usr/bin/time -f "%e %M" -o /tmp/ct-time.$$ env CHANGETALK_FIRST_FRAME_EXIT=1 "$@" >/dev/null 2>&1
    cat /tmp/ct-time.$$
}

echo "time to first frame (s) and peak RSS (KiB), $RUNS runs each, alternating:"
app_times=(); bare_times=(); app_mem=0; bare_mem=0
for i in $(seq "$RUNS"); do
    read -r t m < <(measure "$BARE"); bare_times+=("$t"); bare_mem=$(( m > bare_mem ? m : bare_mem ))
    read -r t m < <(measure "$APP" gui --screen session --scenario court-ordered-dui --choices 1); app_times+=("$t"); app_mem=$(( m > app_mem ? m : app_mem ))
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
bm=$(median "${bare_times[@]}"); am=$(median "${app_times[@]}")
echo "  bare bevy_egui window: median ${bm}s  runs: ${bare_times[*]}  peak ${bare_mem} KiB"
echo "  ChangeTalk (session):  median ${am}s  runs: ${app_times[*]}  peak ${app_mem} KiB"
awk -v a="$am" -v b="$bm" 'BEGIN { printf "  ratio app/bare: %.2f (bar: at most 1.30)\n", a / b }'

echo "idle CPU on the session screen (10 s, after 20 s without input: the face blinks and sways for 15 s after the last input, then rests):"
"$APP" gui --screen session --scenario court-ordered-dui --choices 1 >/dev/null 2>&1 &
PID=$!
sleep 20
ticks() { awk '{print $14 + $15}' "/proc/$PID/stat"; }
t0=$(ticks); sleep 10; t1=$(ticks)
hz=$(getconf CLK_TCK)
kill "$PID" 2>/dev/null || true
awk -v d=$((t1 - t0)) -v hz="$hz" 'BEGIN { printf "  %.2f%% of one core (bar: at most 2%%)\n", 100 * d / hz / 10 }'
echo "idle CPU with reduced motion on (nothing animates, so only a 5 s settle):"
mkdir -p "$CHANGETALK_HOME/config"
echo '{"text_scale":1.0,"high_contrast":false,"reduced_motion":true}' > "$CHANGETALK_HOME/config/settings.json"
"$APP" gui --screen session --scenario court-ordered-dui --choices 1 >/dev/null 2>&1 &
PID=$!
sleep 5
t0=$(ticks); sleep 10; t1=$(ticks)
kill "$PID" 2>/dev/null || true
awk -v d=$((t1 - t0)) -v hz="$hz" 'BEGIN { printf "  %.2f%% of one core\n", 100 * d / hz / 10 }'
echo "idle CPU with hot reload watching the six clients as user files (30 s, reduced motion):"
mkdir -p "$CHANGETALK_HOME/data/scenarios"
for f in scenarios/*.ron; do sed 's/id: "\([a-z-]*\)",/id: "user-\1",/' "$f" > "$CHANGETALK_HOME/data/scenarios/$(basename "$f")"; done
"$APP" gui --screen session --scenario "$CHANGETALK_HOME/data/scenarios/court-ordered-dui.ron" --choices 1 >/dev/null 2>&1 &
PID=$!
sleep 5
t0=$(ticks); sleep 30; t1=$(ticks)
kill "$PID" 2>/dev/null || true
awk -v d=$((t1 - t0)) -v hz="$hz" 'BEGIN { printf "  %.2f%% of one core (%d ticks in 30 s)\n", 100 * d / hz / 30, d }'
