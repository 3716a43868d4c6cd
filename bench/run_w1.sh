#!/usr/bin/env bash
# Runs workload W1 on the plain-SQLite reference, then on hearth, in one go (absolute figures
# drift between machines: compare within one run), and prints each phase's ratio
# hearth / reference as JSON lines.
#
# usage: bench/run_w1.sh [BUILD_DIR] [W1 options...]
#   BUILD_DIR defaults to ./build; it must already hold hearth_w1 and hearth_w1_reference
#   (cmake --build BUILD_DIR --target hearth_w1 hearth_w1_reference). Options after it go to
#   both programs: --scale N, --posts N, --reactions N, --seed N.
# The raw JSON lines of each program are kept in BUILD_DIR/w1_reference.jsonl and
# BUILD_DIR/w1_hearth.jsonl.
set -euo pipefail

build_dir=./build
if [[ $# -gt 0 && $1 != --* ]]; then
  build_dir=$1
  shift
fi

reference=$build_dir/bench/hearth_w1_reference
hearth=$build_dir/bench/hearth_w1
for program in "$reference" "$hearth"; do
  if [[ ! -x $program ]]; then
    echo "run_w1.sh: $program not found; build it first" >&2
    exit 1
  fi
done

reference_out=$build_dir/w1_reference.jsonl
hearth_out=$build_dir/w1_hearth.jsonl

echo "run_w1.sh: reference..." >&2
"$reference" "$@" >"$reference_out"
echo "run_w1.sh: hearth..." >&2
"$hearth" "$@" >"$hearth_out"

python3 - "$reference_out" "$hearth_out" <<'EOF'
import json
import sys


def load(path):
    with open(path) as f:
        return {row["phase"]: row for row in map(json.loads, filter(str.strip, f))}


reference, hearth = load(sys.argv[1]), load(sys.argv[2])
for phase, ref in reference.items():
    if phase == "peak_rss":
        continue
    ours = hearth.get(phase)
    if ours is None:
        continue
    ref_rate, our_rate = ref["ops_per_s"], ours["ops_per_s"]
    ratio = round(our_rate / ref_rate, 3) if ref_rate else None
    print(json.dumps({"phase": phase, "hearth_ops_per_s": our_rate,
                      "reference_ops_per_s": ref_rate, "ratio": ratio}))
if "peak_rss" in reference and "peak_rss" in hearth:
    ref_kib, our_kib = reference["peak_rss"]["kib"], hearth["peak_rss"]["kib"]
    print(json.dumps({"phase": "peak_rss", "hearth_kib": our_kib, "reference_kib": ref_kib,
                      "ratio": round(our_kib / ref_kib, 3) if ref_kib else None}))
EOF
