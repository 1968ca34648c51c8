#!/usr/bin/env bash
# Measures `changetalk grade` over 1,000 result files in a temporary folder (the bar: at most
# 2 s). Students are simulated with `exercise run` (best, worst and a few scripted paths),
# then copied under 1,000 student ids; every file is graded in full (parse, replay, compare),
# with the gradebook CSV, the class report and the xAPI statements written.
# Usage: scripts/measure-grade.sh [RUNS]   (builds the command line in release, no GUI)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-5}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/changetalk-target}"
cargo build --release --quiet --no-default-features --bin changetalk
BIN="$CARGO_TARGET_DIR/release/changetalk"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
export CHANGETALK_HOME="$WORK/home"

"$BIN" exercise new --scenario court-ordered-dui -o "$WORK/week3.ron" --seed 42 \
    --min-rq 1 --max-non-adherent 2 >/dev/null
mkdir -p "$WORK/seed" "$WORK/results"
"$BIN" exercise run "$WORK/week3.ron" --student Best --id best --auto best --results "$WORK/seed" >/dev/null
"$BIN" exercise run "$WORK/week3.ron" --student Worst --id worst --auto worst --results "$WORK/seed" >/dev/null
for c in 1 2 3 4 1,1 2,2 3,3 1,2,3 2,1,2; do
    "$BIN" exercise run "$WORK/week3.ron" --student "P $c" --id "p${c//,/_}" --choices "$c" \
        --results "$WORK/seed" >/dev/null 2>&1 || true
done
mapfile -t seeds < <(ls "$WORK/seed"/*.json)
for i in $(seq -w 0 999); do
    src="${seeds[$((10#$i % ${#seeds[@]}))]}"
    sed -e "0,/\"id\": \"[^\"]*\"/s//\"id\": \"s$i\"/" "$src" >"$WORK/results/week3--s$i.json"
done
echo "$(ls "$WORK/results" | wc -l) result files, $(du -sh "$WORK/results" | cut -f1) (from ${#seeds[@]} distinct paths)"

times=()
for r in $(seq "$RUNS"); do
    start=$(date +%s.%N)
    "$BIN" grade "$WORK/week3.ron" "$WORK/results" --csv "$WORK/g.csv" --report "$WORK/r.html" \
        --xapi "$WORK/x.json" >"$WORK/out.txt" 2>"$WORK/err.txt"
    end=$(date +%s.%N)
    times+=("$(echo "$end - $start" | bc)")
done
tail -n 4 "$WORK/out.txt"
if [ -s "$WORK/err.txt" ]; then echo "stderr:"; head -n 5 "$WORK/err.txt"; fi
printf '%s\n' "${times[@]}" | sort -n | awk -v runs="$RUNS" '
    { t[NR] = $1 }
    END { printf "grade over 1,000 files, %d runs: best %.3f s, median %.3f s, worst %.3f s (bar: 2 s) — %s\n",
          runs, t[1], t[int((NR + 1) / 2)], t[NR], (t[int((NR + 1) / 2)] <= 2.0 ? "PASS" : "FAIL") }'
