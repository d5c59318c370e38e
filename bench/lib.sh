# Shell helpers shared by the benchmark drivers (bench/run.sh,
# bench/rush/run.sh). Sourced, not run. They expect SERVER_PID, PG_URL,
# RESULTS, QUIET_PCT and QUIET_WAIT from the driver.

stop_server() {
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 50); do
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 0.2
        done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    SERVER_PID=""
}

drop_db() {
    PGOPTIONS='-c client_min_messages=warning' psql "$PG_URL" -qAt -v ON_ERROR_STOP=1 \
        -c "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)" >/dev/null
}

log() { printf '\n== %s\n' "$*" >&2; }

median() { # numbers as arguments
    printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {
        if (NR % 2) print a[(NR+1)/2]; else printf "%.2f\n", (a[NR/2]+a[NR/2+1])/2 }'
}

row() { # a Markdown table row from the arguments
    local line="|" cell
    for cell in "$@"; do line+=" $cell |"; done
    echo "$line" >>"$RESULTS"
}

cpu_busy() {
    local a b
    a=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6 }' /proc/stat)
    sleep 1
    b=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6 }' /proc/stat)
    awk -v a="$a" -v b="$b" 'BEGIN { split(a, x, " "); split(b, y, " ")
        busy = y[1] - x[1]; idle = y[2] - x[2]
        printf "%d", (busy + idle) ? 100 * busy / (busy + idle) : 0 }'
}

wait_quiet() {
    local deadline=$((SECONDS + QUIET_WAIT)) busy
    busy=$(cpu_busy)
    while ((busy > QUIET_PCT && SECONDS < deadline)); do
        echo "waiting for the CPU to be quiet (${busy}% busy)" >&2
        sleep 5
        busy=$(cpu_busy)
    done
    echo "$busy"
}

# Signs in as a role of a sign-ins file (`waypoint demo --sign-ins-json`) and prints the session cookie's value.
session_for() {
    local base=$1 json=$2 role=$3 jar username password csrf
    username=$(jq -r --arg r "$role" '.[] | select(.role == $r) | .username' "$json")
    password=$(jq -r --arg r "$role" '.[] | select(.role == $r) | .password' "$json")
    [[ -n "$username" ]] || { echo "no demo sign-in for role $role" >&2; return 1; }
    jar=$(mktemp)
    csrf=$(curl -fsS -c "$jar" "$base/sign-in" |
        grep -o 'name="_csrf" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')
    curl -fsS -o /dev/null -b "$jar" -c "$jar" \
        --data-urlencode "username=$username" --data-urlencode "password=$password" \
        --data-urlencode "next=/home" --data-urlencode "_csrf=$csrf" "$base/sign-in"
    awk '$6 == "waypoint_session" { print $7 }' "$jar"
    rm -f "$jar"
}
