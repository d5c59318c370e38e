#!/usr/bin/env bash
# Measures the foundation's performance targets; the recorded results live in
# BENCHMARKS.md. Nothing here is a test: it prints figures, it asserts nothing.
#
#   bench/run.sh [all|import|http|trace]...     (default: all)
#
#   import  OneRoster import of a generated package (50,000 users and 500,000
#           enrollments by default): median of 3 into a fresh database, plus a
#           re-import into the loaded one, on SQLite and on PostgreSQL.
#   http    wrk against GET /sign-in (anonymous) and GET /home (signed in as
#           several demo roles), release binary serving the full demo, on
#           SQLite and on PostgreSQL.
#   trace   not part of all: per role, the first GET /home after a server
#           start and the next one, with every SQL statement and its time, to
#           see where a page's time goes.
#
# Environment (all optional):
#   BENCH_PG_URL       admin URL for creating scratch databases
#                      (default postgres://postgres@127.0.0.1:5432/test)
#   BENCH_USERS, BENCH_ENROLLMENTS, BENCH_RUNS   package size and runs (50000, 500000, 3)
#   BENCH_BACKENDS     "sqlite postgres" (default) or one of them
#   BENCH_WRK          wrk flags (default "-t2 -c32 -d15s")
#   BENCH_ROLES        demo roles whose /home is measured
#                      (default "principal district_coordinator educator")
#   BENCH_PORT         loopback port for the servers it starts (18180)
#   BENCH_QUIET_PCT, BENCH_QUIET_WAIT   before each measurement, wait up to
#                      QUIET_WAIT seconds (default 600) until other processes
#                      keep the CPU at most QUIET_PCT percent busy (default 15);
#                      the busy figure seen is recorded with the result
#
# All traffic goes to 127.0.0.1. Every server and scratch database this
# script creates is removed on exit.
set -Eeuo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT="$ROOT/bench/out"
LOGS="$OUT/logs"
BIN="$ROOT/target/release/waypoint"
GEN="$ROOT/target/release/waypoint-bench"
PG_URL=${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/test}
PG_BASE=${PG_URL%/*}
USERS=${BENCH_USERS:-50000}
ENROLLMENTS=${BENCH_ENROLLMENTS:-500000}
RUNS=${BENCH_RUNS:-3}
BACKENDS=${BENCH_BACKENDS:-sqlite postgres}
WRK_FLAGS=${BENCH_WRK:--t2 -c32 -d15s}
ROLES=${BENCH_ROLES:-principal district_coordinator educator}
QUIET_PCT=${BENCH_QUIET_PCT:-15}
QUIET_WAIT=${BENCH_QUIET_WAIT:-600}
PACKAGE="$OUT/oneroster-${USERS}u-${ENROLLMENTS}e"
IMPORT_TIMEOUT=900   # seconds per import; the target is 60
DEMO_TIMEOUT=900     # seconds for the demo to load and answer /readyz
PORT=${BENCH_PORT:-18180}
RESULTS="$OUT/results.md"
TAG="wpbench_$$"

mkdir -p "$LOGS"

# One run at a time: runs share bench/out and the port, and would measure
# each other's load.
exec 9>"$OUT/.lock"
if ! flock -n 9; then
    echo "another bench/run.sh is running; waiting for it (up to an hour)" >&2
    flock -w 3600 9 || { echo "gave up waiting for the other bench/run.sh" >&2; exit 1; }
fi

# --- clean-up ---------------------------------------------------------------

# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

SERVER_PID=""
SCRATCH_DBS=()
DEMO_DB=""
DEMO_URL=""
DEMO_READY=""

cleanup() {
    stop_server
    for db in "${SCRATCH_DBS[@]}"; do
        drop_db "$db" || echo "warning: could not drop database $db" >&2
    done
}
trap cleanup EXIT
trap 'echo "bench/run.sh: command failed at line $LINENO: $BASH_COMMAND" >&2' ERR
trap 'exit 130' INT TERM

create_db() {
    psql "$PG_URL" -qAt -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$1\"" >/dev/null
    SCRATCH_DBS+=("$1")
}

# --- helpers -----------------------------------------------------------------

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

machine() {
    local cpu family model virt=""
    cpu=$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')
    family=$(grep -m1 '^cpu family' /proc/cpuinfo | cut -d: -f2 | tr -d ' ')
    model=$(grep -m1 '^model\s*:' /proc/cpuinfo | cut -d: -f2 | tr -d ' ')
    if grep -qw hypervisor /proc/cpuinfo; then virt=", virtual machine"; fi
    echo "- cores: $(nproc); CPU: $cpu (family $family, model $model$virt)"
    echo "- memory: $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
    # shellcheck source=/dev/null
    echo "- OS: $(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r)"
    echo "- PostgreSQL: $(psql "$PG_URL" -qAt -c 'SHOW server_version')"
    echo "- wrk: $({ wrk --version 2>&1 || true; } | head -1 | awk '{print $2}')"
    echo "- date: $(date -u +%Y-%m-%dT%H:%MZ)"
}

# Percent of the whole machine's CPU time that was busy over one second.

# Other sessions share this machine: waits until the CPU is quiet (or
# QUIET_WAIT has passed) and prints the busy percentage last seen.

build() {
    log "release build"
    (cd "$ROOT" && cargo build --release -p waypoint -p waypoint-bench)
}

# --- import ------------------------------------------------------------------

generate() {
    if [[ -f "$PACKAGE/enrollments.csv" && -f "$PACKAGE.txt" ]]; then
        log "reusing $PACKAGE"
    else
        log "generating $PACKAGE"
        rm -rf "$PACKAGE"
        rm -f "$PACKAGE.txt"
        "$GEN" oneroster --users "$USERS" --enrollments "$ENROLLMENTS" \
            --out "$PACKAGE" >"$PACKAGE.tmp"
        mv "$PACKAGE.tmp" "$PACKAGE.txt"
    fi
    cat "$PACKAGE.txt" >&2
}

# Runs one import, prints "<seconds> <peak RSS KiB>"; output goes to $2.
timed_import() {
    local url=$1 log=$2
    /usr/bin/time -f '%e %M' -o "$log.time" \
        timeout "$IMPORT_TIMEOUT" "$BIN" import oneroster --database-url "$url" "$PACKAGE" \
        >"$log" 2>"$log.err" || {
        echo "import failed (log: $log, $log.err)" >&2
        tail -5 "$log.err" >&2
        return 1
    }
    tail -1 "$log.time"
}

# Rows added or changed, and removed, over all files, from an import's output
# (lines end "<n> added or changed <m> removed").
changed() {
    awk '/ in package / { c += $(NF - 5); r += $(NF - 1) }
        END { printf "%d added or changed, %d removed", c, r }' "$1"
}

bench_import() {
    generate
    {
        echo
        echo "### OneRoster import ($(awk '$1 == "users:" { u = $2 } $1 == "enrollments:" { e = $2 }
            END { printf "%d users, %d enrollments", u, e }' "$PACKAGE.txt"))"
        echo
        echo "| backend | run | import s | peak RSS MiB | re-import s | re-import changed | database size | CPU busy before |"
        echo "|---|---|---|---|---|---|---|---|"
    } >>"$RESULTS"
    for backend in $BACKENDS; do
        local firsts=() seconds=()
        for i in $(seq "$RUNS"); do
            local url size
            if [[ $backend == sqlite ]]; then
                local file="$OUT/import-$i.db"
                rm -f "$file" "$file-wal" "$file-shm"
                url="sqlite:$file"
            else
                local db="${TAG}_import_$i"
                create_db "$db"
                url="$PG_BASE/$db"
            fi
            log "import $backend run $i"
            sync
            local res t1 rss1 t2 quiet1 quiet2
            quiet1=$(wait_quiet)
            res=$(timed_import "$url" "$LOGS/import-$backend-$i.txt")
            read -r t1 rss1 <<<"$res"
            cat "$LOGS/import-$backend-$i.txt" >&2
            log "re-import $backend run $i"
            quiet2=$(wait_quiet)
            res=$(timed_import "$url" "$LOGS/reimport-$backend-$i.txt")
            read -r t2 _ <<<"$res"
            cat "$LOGS/reimport-$backend-$i.txt" >&2
            if [[ $backend == sqlite ]]; then
                # Fold the WAL (when one is left) into the file before measuring it.
                if command -v sqlite3 >/dev/null; then
                    sqlite3 "$file" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
                fi
                size=$(du -h "$file" | cut -f1)
                rm -f "$file" "$file-wal" "$file-shm"
            else
                size=$(psql "$PG_URL" -qAt -c "SELECT pg_size_pretty(pg_database_size('$db'))")
                drop_db "$db"
            fi
            firsts+=("$t1")
            seconds+=("$t2")
            row "$backend" "$i" "$t1" "$((rss1 / 1024))" "$t2" \
                "$(changed "$LOGS/reimport-$backend-$i.txt")" "$size" "$quiet1% / $quiet2%"
        done
        local m1 m2 verdict
        m1=$(median "${firsts[@]}")
        m2=$(median "${seconds[@]}")
        verdict=$(awk -v m="$m1" 'BEGIN { print (m < 60) ? "met" : "MISSED" }')
        row "**$backend median**" "" "**$m1**" "" "**$m2**" "" "target < 60 s: **$verdict**" ""
    done
}

# --- http ----------------------------------------------------------------------

wait_ready() {
    local url=$1 deadline=$((SECONDS + DEMO_TIMEOUT))
    until curl -fsS -o /dev/null "$url/readyz" 2>/dev/null; do
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            echo "the server exited; see its log" >&2
            return 1
        fi
        if ((SECONDS > deadline)); then
            echo "the server was not ready in ${DEMO_TIMEOUT}s" >&2
            return 1
        fi
        sleep 0.5
    done
}

# CPU time (clock ticks, all threads) used so far by process $1; 0 if gone.
pid_ticks() {
    if [[ -r /proc/$1/stat ]]; then
        # The fields after the command name, which is in parentheses.
        sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
    else
        echo 0
    fi
}

# "pid ticks" for every PostgreSQL process.
pg_ticks() {
    local pid
    for pid in $(pgrep -x postgres || true); do
        echo "$pid $(pid_ticks "$pid")"
    done
}

# Busy clock ticks of the whole machine so far.
machine_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }

# Runs wrk and appends a row; $1 backend, $2 label, $3 URL, then curl/wrk header args.
measure() {
    local backend=$1 label=$2 url=$3
    shift 3
    local status bytes
    read -r status bytes < <(curl -sS -o /dev/null -w '%{http_code} %{size_download}\n' "$@" "$url")
    if [[ $status != 200 ]]; then
        echo "$label: expected 200 from $url, got $status" >&2
        return 1
    fi
    log "wrk $backend $label ($bytes bytes)"
    # A short warm-up, so caches and pools are as they are in steady state.
    # shellcheck disable=SC2086
    wrk -t2 -c32 -d3s "$@" "$url" >/dev/null
    local out="$LOGS/wrk-$backend-$label.txt" quiet pg_before srv0 all0 srv1 pg all1
    quiet=$(wait_quiet)
    # Where the CPU goes: the server process, PostgreSQL's processes (those
    # started during the run count whole), and the rest: wrk, the kernel's
    # loopback networking, and anything else running.
    pg_before=$(pg_ticks)
    srv0=$(pid_ticks "$SERVER_PID")
    all0=$(machine_ticks)
    # shellcheck disable=SC2086
    timeout 120 wrk $WRK_FLAGS --latency --timeout 5s "$@" "$url" | tee "$out" >&2
    srv1=$(pid_ticks "$SERVER_PID")
    all1=$(machine_ticks)
    pg=$(awk 'NR == FNR { before[$1] = $2; next } { used += $2 - before[$1] } END { print used + 0 }' \
        <(echo "$pg_before") <(pg_ticks))
    local requests split
    requests=$(awk '/requests in/ { print $1 }' "$out")
    split=$(awk -v r="$requests" -v hz="$(getconf CLK_TCK)" \
        -v s=$((srv1 - srv0)) -v p="$pg" -v a=$((all1 - all0)) 'BEGIN {
        f = 1000 / hz / (r > 0 ? r : 1)
        printf "%.2f / %.2f / %.2f", s * f, p * f, (a - s - p) * f }')
    local rps p50 p90 p99 max errors non2xx verdict
    rps=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
    p50=$(awk '$1 == "50%" { print $2 }' "$out")
    p90=$(awk '$1 == "90%" { print $2 }' "$out")
    p99=$(awk '$1 == "99%" { print $2 }' "$out")
    max=$(awk '$1 == "Latency" && NF >= 4 { print $4; exit }' "$out")
    errors=$(awk '/Socket errors/ { sub(/.*Socket errors: /, ""); print; exit }' "$out")
    non2xx=$(awk '/Non-2xx or 3xx responses/ { print $5 }' "$out")
    verdict=$(awk -v r="$rps" -v p="$p99" 'BEGIN {
        ms = p + 0; if (p ~ /us$/) ms = ms / 1000; else if (p ~ /[0-9]s$/) ms = ms * 1000
        print (r >= 2000 && ms < 50) ? "met" : "MISSED" }')
    row "$backend" "$label" "$bytes" "$rps" "$p50" "$p90" "$p99" "$max" \
        "${non2xx:-0}${errors:+; socket errors: $errors}" "$split" "$verdict" "$quiet%"
}

# Starts the full demo on a fresh database of $1 (sqlite|postgres) in the
# background and waits until it answers. Sets SERVER_PID, DEMO_DB, DEMO_URL
# and DEMO_READY.
start_demo() {
    local backend=$1 url
    if [[ $backend == sqlite ]]; then
        DEMO_DB="$OUT/demo.db"
        rm -f "$DEMO_DB" "$DEMO_DB-wal" "$DEMO_DB-shm"
        url="sqlite:$DEMO_DB"
    else
        DEMO_DB="${TAG}_demo"
        create_db "$DEMO_DB"
        url="$PG_BASE/$DEMO_DB"
    fi
    DEMO_URL=$url
    if curl -s -o /dev/null "http://127.0.0.1:$PORT/"; then
        echo "something already listens on 127.0.0.1:$PORT; set BENCH_PORT" >&2
        return 1
    fi
    log "starting the demo on $backend"
    local t0
    t0=$(now)
    "$BIN" demo --database-url "$url" --bind "127.0.0.1:$PORT" \
        --sign-ins-json "$OUT/sign-ins-$backend.json" \
        >"$LOGS/demo-$backend.txt" 2>"$LOGS/demo-$backend.err" &
    SERVER_PID=$!
    wait_ready "http://127.0.0.1:$PORT"
    DEMO_READY=$(elapsed "$t0" "$(now)")
    if [[ $backend == postgres ]]; then
        # Steady state: planner statistics as autovacuum would soon leave
        # them, rather than the empty-table statistics right after loading.
        psql "$url" -qAt -c ANALYZE
    fi
}

stop_demo() {
    stop_server
    if [[ $DEMO_DB == /* ]]; then
        rm -f "$DEMO_DB" "$DEMO_DB-wal" "$DEMO_DB-shm"
    else
        drop_db "$DEMO_DB"
    fi
}

bench_http() {
    {
        echo
        echo "### HTTP (release binary, full demo; wrk $WRK_FLAGS --latency, after a 3 s warm-up)"
        echo
        echo "| backend | page | body bytes | requests/s | p50 | p90 | p99 | max | non-2xx | CPU ms per request: server / PostgreSQL / rest (wrk, kernel) | target ≥ 2,000/s, p99 < 50 ms | CPU busy before |"
        echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
    } >>"$RESULTS"
    local ready=()
    for backend in $BACKENDS; do
        local base="http://127.0.0.1:$PORT"
        start_demo "$backend"
        ready+=("$backend: $DEMO_READY s")
        measure "$backend" sign-in "$base/sign-in"
        for role in $ROLES; do
            local cookie
            cookie=$(session_for "$base" "$OUT/sign-ins-$backend.json" "$role")
            [[ -n "$cookie" ]] || { echo "signing in as $role failed" >&2; return 1; }
            measure "$backend" "home-$role" "$base/home" -H "Cookie: waypoint_session=$cookie"
        done
        stop_demo
    done
    {
        echo
        echo "Demo generated, loaded and serving after: ${ready[*]}."
    } >>"$RESULTS"
}

# GET /home once with every SQL statement logged, appending a table of them.
# $1 backend, $2 role, $3 which request (a label), $4 cookie, $5 server log.
trace_request() {
    local base="http://127.0.0.1:$PORT" before total
    sleep 0.5
    before=$(wc -l <"$5")
    total=$(curl -fsS -o /dev/null -w '%{time_total}' -H "Cookie: waypoint_session=$4" "$base/home")
    sleep 0.5
    {
        echo
        echo "$1, $2, $3: $(awk -v t="$total" 'BEGIN { printf "%.1f", t * 1000 }') ms for the whole request"
        echo
        echo "| ms | rows | statement |"
        echo "|---|---|---|"
        tail -n +"$((before + 1))" "$5" |
            jq -r 'select(."db.statement" != null and (.summary | startswith("UPDATE jobs") | not))
                | "| \(.elapsed_secs * 1000 * 100 | round / 100) | \(.rows_returned) | `\(."db.statement"
                    | gsub("\\s+"; " ") | ltrimstr(" ") | .[0:150] | gsub("\\|"; "\\|"))` |"'
    } >>"$RESULTS"
}

# Per role: the first GET /home after the server starts (nothing cached) and
# the next one, with every SQL statement and its time: where a page's time
# goes. Not under load; the times are the server's own.
bench_trace() {
    echo >>"$RESULTS"
    echo "### SQL statements per GET /home (first request after a server start, then the next)" >>"$RESULTS"
    for backend in $BACKENDS; do
        local base="http://127.0.0.1:$PORT" err="$LOGS/trace-$backend.err"
        start_demo "$backend"
        for role in $ROLES; do
            local cookie
            cookie=$(session_for "$base" "$OUT/sign-ins-$backend.json" "$role")
            # A fresh server on the same database, so this role's page starts cold.
            stop_server
            WAYPOINT_LOG=warn,sqlx::query=debug WAYPOINT_LOG_JSON=true \
                "$BIN" serve --database-url "$DEMO_URL" --bind "127.0.0.1:$PORT" \
                >/dev/null 2>"$err" &
            SERVER_PID=$!
            wait_ready "$base"
            trace_request "$backend" "$role" first "$cookie" "$err"
            trace_request "$backend" "$role" second "$cookie" "$err"
        done
        stop_demo
    done
}

# --- main ----------------------------------------------------------------------

what=("$@")
[[ ${#what[@]} -gt 0 ]] || what=(all)
for w in "${what[@]}"; do
    case $w in
        all | import | http | trace) ;;
        *) echo "usage: bench/run.sh [all|import|http|trace]..." >&2; exit 2 ;;
    esac
done

command -v wrk >/dev/null || { log "installing wrk"; apt-get install -y wrk >/dev/null; }
command -v jq >/dev/null || { log "installing jq"; apt-get install -y jq >/dev/null; }
build

{
    echo "## Waypoint benchmarks"
    echo
    machine
} >"$RESULTS"

for w in "${what[@]}"; do
    case $w in
        import) bench_import ;;
        http) bench_http ;;
        trace) bench_trace ;;
        all) bench_import; bench_http ;;
    esac
done

echo
cat "$RESULTS"
