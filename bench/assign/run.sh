#!/usr/bin/env bash
# PD-day assignment benchmarks: waypoint-assign's mechanisms against HiGHS on generated instances.
# Writes bench/assign/RESULTS.md and bench/assign/outcome.svg. Needs python3 with highspy
# (`pip install highspy`). Env: RUNS (default 5), LARGE_RUNS (default 1), SKIP_LARGE=1,
# CARGO_TARGET_DIR (default /work/target-assign).
set -euo pipefail
cd "$(dirname "$0")/../.."
HERE=bench/assign
RUNS=${RUNS:-5}
LARGE_RUNS=${LARGE_RUNS:-1}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/work/target-assign}
WORK=$(mktemp -d /tmp/waypoint-assign-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

cargo build --release -p waypoint-assign --example assign
BIN=$CARGO_TARGET_DIR/release/examples/assign
ONE_CORE="taskset -c 0"

# The 1,000-person day is kept in the repository; the larger ones are regenerated (deterministic).
$BIN generate --spec day --seed 1 --out "$HERE/instances/day"
$BIN generate --spec conference --seed 1 --out "$WORK/conference"
[ "${SKIP_LARGE:-0}" = 1 ] || $BIN generate --spec large --seed 1 --out "$WORK/large"

RES=$WORK/results
mkdir -p "$RES"
# solve NAME DIR MECHANISM RUN [extra args...]: whole-process wall time and peak RSS.
solve() {
  local name=$1 dir=$2 mech=$3 run=$4; shift 4
  local tag=$name.$mech.$run
  /usr/bin/time -f '%e %M' -o "$RES/$tag.time" $ONE_CORE "$BIN" solve \
    --sessions "$dir/sessions.csv" --preferences "$dir/preferences.csv" --people "$dir/people.csv" \
    --mechanism "$mech" --seed 1 --out "$RES/$tag.csv" --report "$RES/$tag.json" --quiet 1 "$@" \
    2> "$RES/$tag.err"
}

for run in $(seq 1 "$RUNS"); do
  solve day "$HERE/instances/day" optimal "$run"
  /usr/bin/time -f '%e %M' -o "$RES/day.highs.$run.time" $ONE_CORE \
    python3 "$HERE/highs_check.py" "$HERE/instances/day" --threads 1 > "$RES/day.highs.$run.json" 2> /dev/null
done
for mech in fcfs rsd; do solve day "$HERE/instances/day" $mech 1; done
for rc in linear exponential; do
  solve day-$rc "$HERE/instances/day" optimal 1 --rank-cost $rc
done
for run in $(seq 1 "$RUNS"); do
  solve conference "$WORK/conference" optimal "$run" --time-limit 28
done
for mech in fcfs rsd; do solve conference "$WORK/conference" $mech 1; done
if [ "${SKIP_LARGE:-0}" != 1 ]; then
  for run in $(seq 1 "$LARGE_RUNS"); do
    solve large "$WORK/large" optimal "$run" --time-limit 280
  done
  for mech in fcfs rsd; do solve large "$WORK/large" $mech 1; done
fi

python3 "$HERE/summarize.py" "$RES" "$HERE" "RUNS=$RUNS LARGE_RUNS=$LARGE_RUNS bench/assign/run.sh"
