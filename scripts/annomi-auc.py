#!/usr/bin/env python3
"""How well `score-transcript --auto-code` separates AnnoMI's high- from low-quality MI.

Usage: scripts/annomi-auc.py AnnoMI-simple.csv [BINARY]

Each of the 133 transcripts is written as a raw CSV (speaker,text: no codes), scored with
`changetalk score-transcript FILE --auto-code --json`, and the overall scores of the high- and
low-quality transcripts are compared by the area under the ROC curve (the probability that a
high-quality transcript outscores a low-quality one; ties count half). The evaluation fold
(transcript_id % 5 == 0) is also reported alone: the coder never trained on it.
"""
import csv, json, os, subprocess, sys, tempfile
from collections import defaultdict

data = sys.argv[1]
binary = sys.argv[2] if len(sys.argv) > 2 else os.path.join(
    os.environ.get("CARGO_TARGET_DIR", os.path.expanduser("~/.cache/changetalk-target")),
    "release", "changetalk")
rows = defaultdict(list)
quality = {}
with open(data, newline="", encoding="utf-8") as f:
    for r in csv.DictReader(f):
        t = int(r["transcript_id"])
        quality[t] = r["mi_quality"]
        rows[t].append((int(r["utterance_id"]), r["interlocutor"], r["utterance_text"]))

def auc(pairs):
    hi = [s for s, q in pairs if q == "high"]
    lo = [s for s, q in pairs if q == "low"]
    wins = sum(1.0 if h > l else 0.5 if h == l else 0.0 for h in hi for l in lo)
    return wins / (len(hi) * len(lo)), len(hi), len(lo)

scores = {}
with tempfile.TemporaryDirectory() as d:
    for t, utts in sorted(rows.items()):
        p = os.path.join(d, f"{t}.csv")
        with open(p, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["speaker", "text"])
            for _, who, text in sorted(utts):
                w.writerow(["counselor" if who == "therapist" else "client", text])
        out = subprocess.run([binary, "score-transcript", p, "--auto-code", "--json"],
                             capture_output=True, text=True, check=True)
        scores[t] = json.loads(out.stdout)["overall"]

all_auc = auc([(scores[t], quality[t]) for t in scores])
ev_auc = auc([(scores[t], quality[t]) for t in scores if t % 5 == 0])
print(f"all transcripts: AUC {all_auc[0]:.3f} ({all_auc[1]} high, {all_auc[2]} low)")
print(f"evaluation fold: AUC {ev_auc[0]:.3f} ({ev_auc[1]} high, {ev_auc[2]} low)")
