#!/usr/bin/env bash
# The PD-day registration rush; the recorded results live in BENCHMARKS.md.
# Nothing here is a test: it prints figures, it asserts nothing.
#
#   bench/rush/run.sh [all|rush|large|kill]...     (default: all = rush large)
#
#   rush    1,000 educators save their rankings, planned evenly over 9 s,
#           against one release server, on SQLite and on PostgreSQL, then
#           every acknowledged save is read back; after it, on the same
#           server, bursts of 200 and of 1,000 sign-ins at once (real
#           Argon2id checks) while GET /healthz and a ranking read are timed
#           every 20 ms. The larger burst is more than the password work can
#           take on in the 5 s a sign-in may wait: the rest must be 503s with
#           Retry-After, none dropped.
#   large   50,000 educators on PostgreSQL, planned evenly over 280 s.
#   kill    the long form of the SIGKILL harness (crates/waypoint/tests/
#           rush_kill.rs, release build): RUSH_KILL_SAVES saves (20,000),
#           RUSH_KILL_KILLS kills (40), RUSH_KILL_EDUCATORS people (1,000).
#
# Each configuration runs RUSH_RUNS times (3) on a fresh database: SQLite in
# bench/rush/out, PostgreSQL in a uniquely named database that is dropped
# after the run. Set-up (the district, the day, one API token per educator
# minted through the store) and server start happen before the timed window.
#
# Environment (all optional):
#   BENCH_PG_URL       admin URL for creating scratch databases
#                      (default postgres://postgres@127.0.0.1:5432/postgres)
#   RUSH_RUNS, RUSH_EDUCATORS, RUSH_SPREAD, LARGE_EDUCATORS, LARGE_SPREAD
#                      (3, 1000, 9, 50000, 280)
#   BURSTS             sign-in burst sizes ("200 1000"; at most RUSH_EDUCATORS)
#   BENCH_PORT         loopback port for the server (18280)
#   BENCH_QUIET_PCT, BENCH_QUIET_WAIT   before each measurement, wait up to
#                      QUIET_WAIT seconds (600) until the CPU is at most
#                      QUIET_PCT percent busy (15); the figure seen is recorded
#   CARGO_TARGET_DIR   where the release build goes (default target/)
set -Eeuo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT="$ROOT/bench/rush/out"
LOGS="$OUT/logs"
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
BIN="$TARGET/release/waypoint"
DRIVER="$TARGET/release/waypoint-bench"
PG_URL=${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}
PG_BASE=${PG_URL%/*}
RUNS=${RUSH_RUNS:-3}
EDUCATORS=${RUSH_EDUCATORS:-1000}
SPREAD=${RUSH_SPREAD:-9}
LARGE_EDUCATORS=${LARGE_EDUCATORS:-50000}
LARGE_SPREAD=${LARGE_SPREAD:-280}
BURSTS=${BURSTS:-200 1000}
SIGN_INS=$(printf '%s\n' $BURSTS | sort -n | tail -1)
PASSWORD="rush hour password 1"
PORT=${BENCH_PORT:-18280}
ADDR="127.0.0.1:$PORT"
QUIET_PCT=${BENCH_QUIET_PCT:-15}
QUIET_WAIT=${BENCH_QUIET_WAIT:-600}
RESULTS="$OUT/results.md"
TAG="wprush_$$"

mkdir -p "$LOGS"

exec 9>"$OUT/.lock"
if ! flock -n 9; then
    echo "another bench/rush/run.sh is running; waiting for it (up to an hour)" >&2
    flock -w 3600 9 || { echo "gave up waiting for the other run" >&2; exit 1; }
fi

# --- clean-up ---------------------------------------------------------------

# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

SERVER_PID=""
SCRATCH_DBS=()

cleanup() {
    stop_server
    for db in "${SCRATCH_DBS[@]}"; do
        drop_db "$db" || echo "warning: could not drop database $db" >&2
    done
    rm -f "$OUT"/rush-*.db "$OUT"/rush-*.db-wal "$OUT"/rush-*.db-shm "$OUT"/fixture-*.json
}
trap cleanup EXIT
trap 'echo "bench/rush/run.sh: command failed at line $LINENO: $BASH_COMMAND" >&2' ERR
trap 'exit 130' INT TERM

# --- helpers -----------------------------------------------------------------

# Other work shares this machine: waits until the CPU is quiet (or
# QUIET_WAIT has passed) and prints the busy percentage last seen.

machine() {
    local cpu
    cpu=$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')
    echo "- cores: $(nproc); CPU: $cpu"
    echo "- memory: $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
    # shellcheck source=/dev/null
    echo "- OS: $(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r)"
    echo "- PostgreSQL: $(psql "$PG_URL" -qAt -c 'SHOW server_version')," \
        "synchronous_commit $(psql "$PG_URL" -qAt -c 'SHOW synchronous_commit')," \
        "fsync $(psql "$PG_URL" -qAt -c 'SHOW fsync')"
    echo "- commit: $(git -C "$ROOT" rev-parse --short HEAD)"
    echo "- date: $(date -u +%Y-%m-%dT%H:%MZ)"
}

build() {
    log "release build"
    (cd "$ROOT" && CARGO_TARGET_DIR=$TARGET cargo build --release -p waypoint -p waypoint-bench)
}

wait_ready() {
    local deadline=$((SECONDS + 120))
    until curl -fsS -o /dev/null "http://$ADDR/readyz" 2>/dev/null; do
        kill -0 "$SERVER_PID" 2>/dev/null || { echo "the server exited; see its log" >&2; return 1; }
        ((SECONDS < deadline)) || { echo "the server was not ready in 120 s" >&2; return 1; }
        sleep 0.2
    done
}

# A fresh database for $1 (sqlite|postgres) named after $2; sets DB_URL.
DB_URL=""
fresh_db() {
    if [[ $1 == sqlite ]]; then
        local file="$OUT/rush-$2.db"
        rm -f "$file" "$file-wal" "$file-shm"
        DB_URL="sqlite:$file"
    else
        local db="${TAG}_${2//-/_}"
        psql "$PG_URL" -qAt -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$db\"" >/dev/null
        SCRATCH_DBS+=("$db")
        DB_URL="$PG_BASE/$db"
    fi
}

forget_db() {
    if [[ $1 == sqlite:* ]]; then
        local file=${1#sqlite:}
        rm -f "$file" "$file-wal" "$file-shm"
    else
        drop_db "${1##*/}"
    fi
}

start_server() {
    if curl -s -o /dev/null "http://$ADDR/"; then
        echo "something already listens on $ADDR; set BENCH_PORT" >&2
        return 1
    fi
    WAYPOINT_LOG=warn "$BIN" serve --database-url "$1" --bind "$ADDR" \
        >"$2.out" 2>"$2.err" &
    SERVER_PID=$!
    wait_ready
}

# CPU seconds used so far by process $1.
cpu_of() {
    sed 's/.*) //' "/proc/$1/stat" | awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($12 + $13) / hz }'
}

# --- the rush ------------------------------------------------------------------

# One run: $1 backend, $2 educators, $3 spread, $4 label; appends a row and
# sets RUN_RESULT to "wall p99 errors missing" for the medians.
RUN_RESULT=""
one_run() {
    local backend=$1 n=$2 spread=$3 label=$4 url fixture json quiet t0 t1 cpu0 cpu1
    fresh_db "$backend" "$label"
    url=$DB_URL
    fixture="$OUT/fixture-$label.json"
    log "$label: set-up ($n educators, $backend)"
    t0=$(date +%s.%N)
    "$DRIVER" rush-setup --database-url "$url" --educators "$n" --passwords "$SIGN_INS" \
        --password "$PASSWORD" --fixture "$fixture" 2>&1 | tee "$LOGS/$label-setup.txt" >&2
    t1=$(date +%s.%N)
    if [[ $backend == postgres ]]; then psql "$url" -qAt -c ANALYZE; fi
    start_server "$url" "$LOGS/$label-server"
    quiet=$(wait_quiet)
    log "$label: rush"
    cpu0=$(cpu_of "$SERVER_PID")
    json=$("$DRIVER" rush --addr "$ADDR" --fixture "$fixture" --spread "$spread" \
        --ledger "$LOGS/$label-ledger.tsv" 2>"$LOGS/$label-rush.err")
    cpu1=$(cpu_of "$SERVER_PID")
    echo "$json" >"$LOGS/$label-rush.json"
    echo "$json" | jq . >&2
    if [[ $n -le 10000 ]]; then
        local size burst bquiet
        for size in $BURSTS; do
            bquiet=$(wait_quiet)
            log "$label: sign-in burst of $size"
            burst=$("$DRIVER" sign-in-burst --addr "$ADDR" --fixture "$fixture" --count "$size" \
                --password "$PASSWORD")
            echo "$burst" >"$LOGS/$label-burst-$size.json"
            echo "$burst" | jq . >&2
            printf '%s\t%s\t%s\t%s\n' "$label" "$backend" "$burst" "$bquiet" >>"$OUT/bursts.txt"
        done
    fi
    stop_server
    forget_db "$url"
    rm -f "$fixture"
    local errors
    errors=$(echo "$json" | jq '[.errors[]] | add // 0')
    row "$backend" "$label" "$n" "$(echo "$json" | jq .spread_s)" \
        "$(echo "$json" | jq .acknowledged)" "$errors$(echo "$json" | jq -r 'if (.errors | length) > 0 then " (" + (.errors | to_entries | map("\(.key): \(.value)") | join(", ")) + ")" else "" end')" \
        "$(echo "$json" | jq .latency_ms.p50)" "$(echo "$json" | jq .latency_ms.p95)" \
        "$(echo "$json" | jq .latency_ms.p99)" "$(echo "$json" | jq .latency_ms.max)" \
        "$(echo "$json" | jq '.wall_s * 100 | round / 100')" \
        "$(echo "$json" | jq -r '"\(.read_back.found) of \(.read_back.checked); missing \(.read_back.missing), different \(.read_back.different)"')" \
        "$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { printf "%.2f", b - a }')" \
        "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')" "$quiet%"
    RUN_RESULT="$(echo "$json" | jq .wall_s) $(echo "$json" | jq .latency_ms.p99) $errors $(echo "$json" | jq '.read_back.missing + .read_back.different')"
}

rush_table_head() {
    {
        echo
        echo "### $1"
        echo
        echo "| backend | run | educators | spread s | acknowledged | errors | p50 ms | p95 ms | p99 ms | max ms | wall s | read back | server CPU s | set-up s | CPU busy before |"
        echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    } >>"$RESULTS"
}

# $1 backends, $2 educators, $3 spread, $4 label prefix, $5 wall target (s), $6 p99 target (ms or "")
configuration() {
    local backends=$1 n=$2 spread=$3 prefix=$4 wall_target=$5 p99_target=$6
    for backend in $backends; do
        local walls=() p99s=() bad=0
        for i in $(seq "$RUNS"); do
            local wall p99 errors lost
            one_run "$backend" "$n" "$spread" "$prefix-$backend-$i"
            read -r wall p99 errors lost <<<"$RUN_RESULT"
            walls+=("$wall")
            p99s+=("$p99")
            bad=$((bad + errors + lost))
        done
        local mw mp verdict
        mw=$(median "${walls[@]}")
        mp=$(median "${p99s[@]}")
        verdict=$(awk -v w="$mw" -v p="$mp" -v wt="$wall_target" -v pt="$p99_target" -v b="$bad" 'BEGIN {
            ok = (w < wt) && (b == 0) && (pt == "" || p < pt); print ok ? "met" : "NOT MET" }')
        row "**$backend median**" "" "" "" "" "$bad in all runs" "" "" "**$mp**" "" "**$(printf '%.2f' "$mw")**" "" "" "" \
            "target: wall < $wall_target s${p99_target:+, p99 < $p99_target ms}, no errors, nothing missing: **$verdict**"
    done
}

burst_table() {
    [[ -f "$OUT/bursts.txt" ]] || return 0
    {
        echo
        echo "### Sign-in bursts: sign-ins all at once; GET /healthz and a ranking read timed every 20 ms meanwhile"
        echo
        echo "| backend | run | sign-ins | signed in | refused | sign-in p50 / p99 / max ms | burst wall s | /healthz n, failed, p50 / p99 / max ms | ranking read n, failed, p50 / p99 / max ms | CPU busy before |"
        echo "|---|---|---|---|---|---|---|---|---|---|"
    } >>"$RESULTS"
    while IFS=$'\t' read -r label backend json quiet; do
        row "$backend" "$label" "$(echo "$json" | jq .sign_ins)" "$(echo "$json" | jq .signed_in)" \
            "$(echo "$json" | jq -r '.refused | to_entries | map("\(.key): \(.value)") | join(", ") | if . == "" then "none" else . end')" \
            "$(echo "$json" | jq -r '.latency_ms | "\(.p50) / \(.p99) / \(.max)"')" \
            "$(echo "$json" | jq '.wall_s * 100 | round / 100')" \
            "$(echo "$json" | jq -r '.trickle[0] | "\(.requests), \(.failed), \(.latency_ms.p50) / \(.latency_ms.p99) / \(.latency_ms.max)"')" \
            "$(echo "$json" | jq -r '.trickle[1] | "\(.requests), \(.failed), \(.latency_ms.p50) / \(.latency_ms.p99) / \(.latency_ms.max)"')" \
            "$quiet%"
    done <"$OUT/bursts.txt"
}

bench_kill() {
    local saves=${RUSH_KILL_SAVES:-20000} kills=${RUSH_KILL_KILLS:-40} people=${RUSH_KILL_EDUCATORS:-1000}
    log "SIGKILL harness, long form: $saves saves, $kills kills, $people educators"
    local t0 t1 out="$LOGS/kill.txt"
    # The harness makes its PostgreSQL schema in a scratch database of ours.
    fresh_db postgres kill
    t0=$(date +%s.%N)
    (cd "$ROOT" && WAYPOINT_TEST_POSTGRES_URL=$DB_URL \
        WAYPOINT_RUSH_SAVES=$saves WAYPOINT_RUSH_KILLS=$kills WAYPOINT_RUSH_EDUCATORS=$people \
        CARGO_TARGET_DIR=$TARGET cargo test --release -p waypoint --test rush_kill -- --nocapture --test-threads 1) \
        2>&1 | tee "$out" >&2
    t1=$(date +%s.%N)
    forget_db "$DB_URL"
    {
        echo
        echo "### SIGKILL harness, long form ($saves saves, $kills kills, $people educators; $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", b - a }') s with the build check)"
        echo
        grep -E '^(test no_|[0-9]+ saves sent)' "$out" | sed 's/^/    /'
    } >>"$RESULTS"
}

# --- main ----------------------------------------------------------------------

what=("$@")
[[ ${#what[@]} -gt 0 ]] || what=(all)
for w in "${what[@]}"; do
    case $w in
        all | rush | large | kill) ;;
        *) echo "usage: bench/rush/run.sh [all|rush|large|kill]..." >&2; exit 2 ;;
    esac
done
command -v jq >/dev/null || { log "installing jq"; apt-get install -y jq >/dev/null; }
build
{
    echo "## Registration rush"
    echo
    machine
} >"$RESULTS"
rm -f "$OUT/bursts.txt"

for w in "${what[@]}"; do
    case $w in
        rush)
            rush_table_head "$EDUCATORS educators, saves planned evenly over $SPREAD s"
            configuration "sqlite postgres" "$EDUCATORS" "$SPREAD" rush 10 100
            burst_table
            ;;
        large)
            rush_table_head "$LARGE_EDUCATORS educators on PostgreSQL, saves planned evenly over $LARGE_SPREAD s"
            configuration postgres "$LARGE_EDUCATORS" "$LARGE_SPREAD" large 300 ""
            ;;
        kill) bench_kill ;;
        all)
            rush_table_head "$EDUCATORS educators, saves planned evenly over $SPREAD s"
            configuration "sqlite postgres" "$EDUCATORS" "$SPREAD" rush 10 100
            burst_table
            rush_table_head "$LARGE_EDUCATORS educators on PostgreSQL, saves planned evenly over $LARGE_SPREAD s"
            configuration postgres "$LARGE_EDUCATORS" "$LARGE_SPREAD" large 300 ""
            ;;
    esac
done

echo
cat "$RESULTS"
