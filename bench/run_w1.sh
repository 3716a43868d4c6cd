#!/usr/bin/env bash
# Runs workload W1 on the plain-SQLite reference, then on hearth, in one go (absolute figures
# drift between machines: compare within one run), and prints each phase's ratio
# hearth / reference as JSON lines.
#
# usage: bench/run_w1.sh [BUILD_DIR] [--runs N] [W1 options...]
#   BUILD_DIR defaults to ./build; it must already hold hearth_w1 and hearth_w1_reference
#   (cmake --build BUILD_DIR --target hearth_w1 hearth_w1_reference). --runs N (default 1, at
#   most 20) runs the pair N times, reference and hearth in turn, prints each run's ratios (with
#   "run": k) and then, per phase, the median of the rates and of the ratios taken run by run
#   ("run": "median"): on a machine whose speed drifts, the pairing keeps each ratio fair and
#   the median keeps one slow or lucky run from deciding. Other options go to both programs:
#   --scale N, --posts N, --reactions N, --seed N.
# The raw JSON lines of each program are kept in BUILD_DIR/w1_reference.jsonl and
# BUILD_DIR/w1_hearth.jsonl, or BUILD_DIR/w1_reference.K.jsonl and BUILD_DIR/w1_hearth.K.jsonl
# for run K of several.
set -euo pipefail

build_dir=./build
if [[ $# -gt 0 && $1 != --* ]]; then
  build_dir=$1
  shift
fi

runs=1
if [[ $# -gt 1 && $1 == --runs ]]; then
  runs=$2
  shift 2
  if ! [[ $runs =~ ^[0-9]+$ ]] || ((runs < 1 || runs > 20)); then
    echo "run_w1.sh: --runs must be 1 to 20" >&2
    exit 2
  fi
fi

reference=$build_dir/bench/hearth_w1_reference
hearth=$build_dir/bench/hearth_w1
for program in "$reference" "$hearth"; do
  if [[ ! -x $program ]]; then
    echo "run_w1.sh: $program not found; build it first" >&2
    exit 1
  fi
done

outputs=()
for ((run = 1; run <= runs; ++run)); do
  reference_out=$build_dir/w1_reference.jsonl
  hearth_out=$build_dir/w1_hearth.jsonl
  if ((runs > 1)); then
    reference_out=$build_dir/w1_reference.$run.jsonl
    hearth_out=$build_dir/w1_hearth.$run.jsonl
  fi
  echo "run_w1.sh: reference (run $run of $runs)..." >&2
  "$reference" "$@" >"$reference_out"
  echo "run_w1.sh: hearth (run $run of $runs)..." >&2
  "$hearth" "$@" >"$hearth_out"
  outputs+=("$reference_out" "$hearth_out")
done

python3 - "${outputs[@]}" <<'EOF'
import json
import statistics
import sys


def load(path):
    with open(path) as f:
        return {row["phase"]: row for row in map(json.loads, filter(str.strip, f))}


paths = sys.argv[1:]
runs = [(load(paths[i]), load(paths[i + 1])) for i in range(0, len(paths), 2)]
many = len(runs) > 1
by_phase = {}  # phase -> [(hearth rate, reference rate, ratio or None)], run by run


def emit(row, run):
    if many:
        row["run"] = run
    print(json.dumps(row))


for run, (reference, hearth) in enumerate(runs, 1):
    for phase, ref in reference.items():
        ours = hearth.get(phase)
        if phase == "peak_rss" or ours is None:
            continue
        ref_rate, our_rate = ref["ops_per_s"], ours["ops_per_s"]
        ratio = our_rate / ref_rate if ref_rate else None
        by_phase.setdefault(phase, []).append((our_rate, ref_rate, ratio))
        emit({"phase": phase, "hearth_ops_per_s": our_rate, "reference_ops_per_s": ref_rate,
              "ratio": round(ratio, 3) if ratio is not None else None}, run)
    if "peak_rss" in reference and "peak_rss" in hearth:
        ref_kib, our_kib = reference["peak_rss"]["kib"], hearth["peak_rss"]["kib"]
        emit({"phase": "peak_rss", "hearth_kib": our_kib, "reference_kib": ref_kib,
              "ratio": round(our_kib / ref_kib, 3) if ref_kib else None}, run)
if many:
    for phase, rows in by_phase.items():
        known = [r for _, _, r in rows if r is not None]
        print(json.dumps({
            "phase": phase, "run": "median",
            "hearth_ops_per_s": round(statistics.median(o for o, _, _ in rows), 1),
            "reference_ops_per_s": round(statistics.median(f for _, f, _ in rows), 1),
            "ratio": round(statistics.median(known), 3) if known else None,
            "ratios": [round(r, 3) for r in known]}))
EOF
