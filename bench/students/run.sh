#!/usr/bin/env bash
# Student information at district scale: a district of 60 schools and about
# 50,000 students with 20 assessment results each (1,000,000 rows).
#
#   bench/students/run.sh            results in bench/students/out/results.md
#
# Per backend (SQLite, PostgreSQL): the roster is loaded once into a template
# database; each import run starts from a fresh copy of it and times
# `waypoint import assessments FILE` (release build, whole process: reading
# the CSV, matching students, storing, recounting); one more run imports the
# same file again into a loaded database (a no-op). Then `waypoint serve`
# answers the district's page (schools side by side) and a school's page
# (grades and classes) under wrk, signed in as the district coordinator and
# as the principal; p50, p95 and p99 come from wrk's own latency record.
#
# Environment (all optional):
#   BENCH_PG_URL     admin URL (default postgres://postgres@127.0.0.1:5432/test)
#   BENCH_RUNS       import runs per backend (default 3)
#   BENCH_BACKENDS   "sqlite postgres" (default) or one of them
#   BENCH_WRK        wrk flags (default "-t2 -c4 -d15s": four people at once)
#   BENCH_SCHOOLS, BENCH_STUDENTS_PER_SCHOOL   district size (60, 834)
#   BENCH_PORT       loopback port (18190)
set -Eeuo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT="$ROOT/bench/students/out"
LOGS="$OUT/logs"
BIN="$ROOT/target/release/waypoint"
GEN="$ROOT/target/release/waypoint-bench"
PG_URL=${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/test}
PG_BASE=${PG_URL%/*}
RUNS=${BENCH_RUNS:-3}
BACKENDS=${BENCH_BACKENDS:-sqlite postgres}
WRK_FLAGS=${BENCH_WRK:--t2 -c4 -d15s}
SCHOOLS=${BENCH_SCHOOLS:-60}
PER_SCHOOL=${BENCH_STUDENTS_PER_SCHOOL:-834}
PORT=${BENCH_PORT:-18190}
RESULTS="$OUT/results.md"
TAG="wpstudents_$$"
QUIET_PCT=25
QUIET_WAIT=120
SERVER_PID=""
# shellcheck source=../lib.sh
source "$ROOT/bench/lib.sh"

mkdir -p "$LOGS"
WORK=$(mktemp -d /tmp/waypoint-students-bench.XXXXXX)
cleanup() {
    stop_server
    for backend in $BACKENDS; do
        [[ $backend == postgres ]] || continue
        for db in $(psql "$PG_URL" -qAt -c "SELECT datname FROM pg_database WHERE datname LIKE '${TAG}%'"); do
            drop_db "$db"
        done
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

command -v wrk >/dev/null || { log "installing wrk"; apt-get install -y wrk >/dev/null; }
command -v jq >/dev/null || { log "installing jq"; apt-get install -y jq >/dev/null; }
log "building the release binaries"
(cd "$ROOT" && cargo build --release -p waypoint -p waypoint-bench >&2)

cat >"$WORK/p95.lua" <<'LUA'
done = function(summary, latency, requests)
  io.write(string.format("WRK %d %d %.2f %.2f %.2f %.2f\n", summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000))
end
LUA

url_of() { # backend name -> database URL
    if [[ $1 == sqlite ]]; then echo "sqlite:$WORK/$2.db"; else echo "$PG_BASE/${TAG}_$2"; fi
}

copy_db() { # backend from to
    if [[ $1 == sqlite ]]; then
        # With its write-ahead log: what the last writer left there is the
        # database too.
        for part in "" -wal; do
            if [[ -f "$WORK/$2.db$part" ]]; then cp "$WORK/$2.db$part" "$WORK/$3.db$part"; fi
        done
    else
        psql "$PG_URL" -qAt -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"${TAG}_$3\" TEMPLATE \"${TAG}_$2\"" >/dev/null
    fi
}

{
    echo "## Student information: $SCHOOLS schools × $PER_SCHOOL students, 20 results each"
    echo
    echo "- date: $(date -u +%F), machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
    echo "- PostgreSQL: $(psql "$PG_URL" -qAt -c 'SHOW server_version')"
    echo "- wrk $WRK_FLAGS, after a 3 s warm-up"
    echo
    echo "| backend | import runs (s) | median import | peak RSS (MiB) | same file again (s) | rows | district page p50 / p95 / p99 (ms) | school page p50 / p95 / p99 (ms) | requests | errors |"
    echo "|---|---|---|---|---|---|---|---|---|---|"
} >"$RESULTS"

for backend in $BACKENDS; do
    log "$backend: loading the district"
    if [[ $backend == postgres ]]; then
        psql "$PG_URL" -qAt -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"${TAG}_base\"" >/dev/null
    fi
    "$GEN" students-setup --database-url "$(url_of "$backend" base)" \
        --schools "$SCHOOLS" --students-per-school "$PER_SCHOOL" \
        --sign-ins "$WORK/sign-ins.json" --results "$WORK/results.csv" 2>&1 | tee "$LOGS/setup-$backend.txt" >&2
    rows=$(($(wc -l <"$WORK/results.csv") - 1))
    times=()
    rss=()
    for run in $(seq "$RUNS"); do
        copy_db "$backend" base "run$run"
        wait_quiet >/dev/null
        log "$backend: import run $run"
        /usr/bin/time -f '%e %M' -o "$WORK/time" "$BIN" import assessments \
            --database-url "$(url_of "$backend" "run$run")" "$WORK/results.csv" >"$LOGS/import-$backend-$run.txt" 2>&1
        read -r t m <"$WORK/time"
        times+=("$t")
        rss+=("$((m / 1024))")
    done
    last="run$RUNS"
    /usr/bin/time -f '%e %M' -o "$WORK/time" "$BIN" import assessments \
        --database-url "$(url_of "$backend" "$last")" "$WORK/results.csv" >"$LOGS/reimport-$backend.txt" 2>&1
    read -r again _ <"$WORK/time"

    log "$backend: serving"
    "$BIN" serve --database-url "$(url_of "$backend" "$last")" --bind "127.0.0.1:$PORT" \
        >"$LOGS/serve-$backend.txt" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 240); do
        curl -fsS -o /dev/null "http://127.0.0.1:$PORT/readyz" 2>/dev/null && break
        sleep 0.5
    done
    base="http://127.0.0.1:$PORT"
    pages=()
    total=0
    errors=0
    for role in district_coordinator principal; do
        cookie=$(session_for "$base" "$WORK/sign-ins.json" "$role")
        [[ -n "$cookie" ]] || { echo "signing in as $role failed" >&2; exit 1; }
        # The organisation the role's landing page lists first.
        org=$(curl -fsS -H "Cookie: waypoint_session=$cookie" "$base/students" |
            grep -o 'href="/students/orgs/[0-9]*"' | head -1 | grep -o '[0-9]*')
        url="$base/students/orgs/$org"
        status=$(curl -sS -o "$LOGS/page-$backend-$role.html" -w '%{http_code}' -H "Cookie: waypoint_session=$cookie" "$url")
        [[ $status == 200 ]] || { echo "$role: $url answered $status" >&2; exit 1; }
        wrk -t2 -c4 -d3s -H "Cookie: waypoint_session=$cookie" "$url" >/dev/null
        wait_quiet >/dev/null
        log "$backend: wrk $role $url"
        # shellcheck disable=SC2086
        wrk $WRK_FLAGS --timeout 5s -s "$WORK/p95.lua" -H "Cookie: waypoint_session=$cookie" "$url" |
            tee "$LOGS/wrk-$backend-$role.txt" >&2
        read -r _ n e p50 p95 p99 _ < <(grep '^WRK ' "$LOGS/wrk-$backend-$role.txt")
        pages+=("$p50 / **$p95** / $p99")
        total=$((total + n))
        errors=$((errors + e))
    done
    stop_server
    row "$backend" "$(IFS=' '; echo "${times[*]}")" "**$(median "${times[@]}")**" "$(median "${rss[@]}")" \
        "$again" "$rows" "${pages[0]}" "${pages[1]}" "$total" "$errors"
done

echo >>"$RESULTS"
echo "Command: \`bench/students/run.sh\` (BENCH_RUNS=$RUNS)." >>"$RESULTS"
cat "$RESULTS"
