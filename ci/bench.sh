#!/usr/bin/env bash
# The proxy benchmark (BENCHMARKS.md), in one run on loopback: the crate's proxy side by side
# with tokio::io::copy_bidirectional, the guide's proxy as written and HAProxy, on bulk
# streams (iperf3) and on everyday traffic (nginx serving a small file: a new connection per
# request with ab, small keep-alive requests with wrk), in alternating rounds, medians
# reported; idle-timeout lateness; resident memory per idle connection. Then each target, PASS
# or FAIL.
#
# Not part of CI (a benchmark on a shared 2-core machine is noise): the command people run.
# Run from anywhere: bash ci/bench.sh. Needs Linux, python3, and root to install haproxy,
# iperf3, nginx, wrk and ab when they are missing. Uses 127.0.0.1 only, ports BENCH_PORT_BASE
# (15200) to +29. Exits 0 when everything was measured, whatever the verdicts; non-zero when a
# step failed. Environment: CARGO_TARGET_DIR, BENCH_SECONDS (4), BENCH_ROUNDS (3),
# BENCH_REQUESTS (20000), BENCH_IDLE_CONNECTIONS (5000), BENCH_PORT_BASE (15200).
set -euo pipefail
cd "$(dirname "$0")/.."

SECS=${BENCH_SECONDS:-4}
ROUNDS=${BENCH_ROUNDS:-3}
REQUESTS=${BENCH_REQUESTS:-20000}
IDLE_CONNECTIONS=${BENCH_IDLE_CONNECTIONS:-5000}
BASE=${BENCH_PORT_BASE:-15200}
TARGET_DIR=${CARGO_TARGET_DIR:-target}
export CARGO_TARGET_DIR=$TARGET_DIR

IPERF_PORT=$BASE
declare -A PORT=([proxy]=$((BASE + 1)) [copy]=$((BASE + 2)) [guide]=$((BASE + 3)) [haproxy]=$((BASE + 4)))
declare -A MEM_PORT=([proxy]=$((BASE + 10)) [haproxy]=$((BASE + 12)) [copy]=$((BASE + 14)) [guide]=$((BASE + 16)))
NGINX_PORT=$((BASE + 20))
declare -A WEB_PORT=([direct]=$NGINX_PORT [proxy]=$((BASE + 21)) [quiet]=$((BASE + 22)) [copy]=$((BASE + 23))
    [guide]=$((BASE + 24)) [haproxy]=$((BASE + 25)))
declare -A NAME=([direct]="direct (no proxy)" [proxy]="channel-patterns proxy" [copy]="copy_bidirectional"
    [guide]="guide's proxy as written" [haproxy]="HAProxy (mode tcp)"
    [quiet]="channel-patterns proxy, RUST_LOG=warn")
KINDS=(proxy copy guide haproxy)
# The small file nginx serves: the size of the issue's measurement (138 bytes).
SMALL_BYTES=138

say() { printf '%s\n' "$*"; }
die() { say "bench: $*" >&2; exit 1; }

# --- tools ---------------------------------------------------------------------------------
missing=()
for tool in haproxy:haproxy iperf3:iperf3 nginx:nginx-light wrk:wrk ab:apache2-utils; do
    command -v "${tool%%:*}" >/dev/null || missing+=("${tool#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
    say "== installing ${missing[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
command -v python3 >/dev/null || die "python3 is required (to read iperf3's JSON)"
command -v ss >/dev/null || die "ss (iproute2) is required"

# Both proxies and this benchmark hold two sockets per idle connection.
ulimit -n "$(ulimit -Hn)"
NEED_FILES=$((2 * IDLE_CONNECTIONS + 200))
[ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -ge "$NEED_FILES" ] ||
    die "$IDLE_CONNECTIONS idle connections need $NEED_FILES open files; the hard limit is $(ulimit -Hn)"

for port in "$IPERF_PORT" "${PORT[@]}" "${MEM_PORT[@]}" $((BASE + 11)) $((BASE + 13)) $((BASE + 15)) $((BASE + 17)) \
    "${WEB_PORT[@]}"; do
    [ -z "$(ss -Hltn "sport = :$port")" ] || die "port $port is in use; set BENCH_PORT_BASE"
done

# --- build ---------------------------------------------------------------------------------
say "== building (release, CARGO_TARGET_DIR=$TARGET_DIR)"
cargo build --release --quiet
PROXY_BIN=$TARGET_DIR/release/channel-patterns
BENCH_BIN=$(cargo bench --no-run --bench proxy --message-format=json 2>/dev/null | python3 -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "proxy" and m.get("executable"):
        print(m["executable"])')
[ -x "$PROXY_BIN" ] && [ -x "$BENCH_BIN" ] || die "build did not produce $PROXY_BIN and the bench binary"

say "== $(git describe --always --dirty 2>/dev/null || echo 'no git'), $(rustc --version | cut -d' ' -f1-2)," \
    "$(haproxy -v | head -n1 | cut -d' ' -f1-3), $(iperf3 --version | head -n1 | cut -d' ' -f1-2)," \
    "$(nginx -v 2>&1 | cut -d' ' -f3), $(wrk -v 2>&1 | head -n1 | cut -d' ' -f1-2), ab $(ab -V | head -n1 | cut -d' ' -f5)," \
    "$(nproc) cores, load average $(cut -d' ' -f1 /proc/loadavg)"

# --- processes -----------------------------------------------------------------------------
WORK=$(mktemp -d)
PIDS=()
stop() { # stop PID: SIGTERM, then SIGKILL after 5 s
    kill "$1" 2>/dev/null || return 0
    for _ in $(seq 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}
cleanup() {
    for pid in "${PIDS[@]}"; do stop "$pid"; done
    rm -rf "$WORK"
}
trap cleanup EXIT

LAST_PID=
start() { # start LOGNAME CMD...: in the background, logging to $WORK/LOGNAME.log
    local log=$WORK/$1.log
    shift
    "$@" >"$log" 2>&1 &
    LAST_PID=$!
    PIDS+=("$LAST_PID")
}
wait_listening() { # wait_listening PORT PID LOGNAME
    for _ in $(seq 200); do
        [ -n "$(ss -Hltn "sport = :$1")" ] && return 0
        kill -0 "$2" 2>/dev/null || { cat "$WORK/$3.log" >&2; die "$3 exited before listening on $1"; }
        sleep 0.05
    done
    die "nothing listens on port $1 after 10 s"
}
# Both the crate's proxy and HAProxy log a line per connection (the proxy at its default
# level, HAProxy with `option tcplog`), each to its log file: their users keep logs on.
# "quiet" is the crate's proxy with that line off (RUST_LOG=warn), to show what it costs.
# HAProxy wants two descriptors per connection and refuses to start when maxconn does not fit
# in the open-files limit: 20,000 connections need 40,017, so with a hard limit of 20,000 it
# gets what fits (9,900), which is still room for every idle connection.
HAPROXY_MAXCONN=20000
[ "$(ulimit -n)" = unlimited ] || HAPROXY_MAXCONN=$(( ($(ulimit -n) - 200) / 2 < 20000 ? ($(ulimit -n) - 200) / 2 : 20000 ))
haproxy_config() { # haproxy_config FILE LISTEN_PORT SERVER_PORT
    cat >"$1" <<EOF
global
    maxconn $HAPROXY_MAXCONN
    log stdout format raw local0 info
defaults
    mode tcp
    log global
    option tcplog
    timeout connect 5s
    timeout client 60s
    timeout server 60s
frontend bench
    bind 127.0.0.1:$2
    default_backend upstream
backend upstream
    server upstream 127.0.0.1:$3
EOF
}
start_proxy() { # start_proxy KIND LISTEN_PORT UPSTREAM_PORT LOGNAME: sets LAST_PID
    local listen=127.0.0.1:$2 upstream=127.0.0.1:$3
    case $1 in
        proxy | quiet)
            local level=info
            [ "$1" = proxy ] || level=warn
            RUST_LOG=$level start "$4" "$PROXY_BIN" proxy --listen "$listen" --upstream "$upstream" \
                --idle-timeout 60s --max-connections $((IDLE_CONNECTIONS + 100)) --drain-timeout 1s ;;
        copy) start "$4" "$BENCH_BIN" serve-copy-bidirectional "$listen" "$upstream" ;;
        guide) start "$4" "$BENCH_BIN" serve-guide "$listen" "$upstream" 60 ;;
        haproxy)
            haproxy_config "$WORK/$4.cfg" "$2" "$3"
            start "$4" haproxy -f "$WORK/$4.cfg" -db ;;
    esac
    wait_listening "$2" "$LAST_PID" "$4"
}

median() { # median VALUES...: the middle value (the mean of the two middle ones)
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
        if (NR == 0) exit 1
        print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}
rotated() { # rotated N ITEMS...: the items, starting at the Nth (mod their count)
    local n=$1
    shift
    local items=("$@") i
    for ((i = 0; i < ${#items[@]}; i++)); do printf '%s\n' "${items[(n + i) % ${#items[@]}]}"; done
}

# --- bulk throughput -------------------------------------------------------------------------
say "== bulk throughput: iperf3 -t $SECS through each proxy, 1 stream then 8 parallel streams;" \
    "$ROUNDS rounds, each in another order; medians"
start iperf3-server iperf3 -s -B 127.0.0.1 -p "$IPERF_PORT"
wait_listening "$IPERF_PORT" "$LAST_PID" iperf3-server
for kind in "${KINDS[@]}"; do
    start_proxy "$kind" "${PORT[$kind]}" "$IPERF_PORT" "$kind"
done
PORT[direct]=$IPERF_PORT

declare -A GBPS
iperf() { # iperf KIND STREAMS: prints Gbit/s
    local json=$WORK/iperf-$1-$2.json
    timeout $((SECS + 30)) iperf3 -c 127.0.0.1 -p "${PORT[$1]}" -t "$SECS" -P "$2" -J >"$json" || true
    python3 - "$json" <<'EOF'
import json, sys
try:
    result = json.load(open(sys.argv[1]))
    print("%.2f" % (result["end"]["sum_received"]["bits_per_second"] / 1e9))
except Exception as e:
    sys.exit("iperf3 failed: %s" % (result.get("error") if "result" in dir() else e))
EOF
}
for ((round = 0; round < ROUNDS; round++)); do
    for kind in $(rotated "$round" direct "${KINDS[@]}"); do
        for n in 1 8; do
            g=$(iperf "$kind" "$n") || die "iperf3 through ${NAME[$kind]} failed"
            GBPS[$kind,$n]="${GBPS[$kind,$n]:-} $g"
            sleep 0.5
        done
    done
done
printf '  %-40s %24s %24s\n' "Gbit/s, median (each round)" "1 stream" "8 streams"
for kind in direct "${KINDS[@]}"; do
    for n in 1 8; do
        # shellcheck disable=SC2086
        GBPS[$kind,$n,median]=$(median ${GBPS[$kind,$n]})
    done
    printf '  %-40s %24s %24s\n' "${NAME[$kind]}" "${GBPS[$kind,1,median]} (${GBPS[$kind,1]# })" \
        "${GBPS[$kind,8,median]} (${GBPS[$kind,8]# })"
done
for pid in "${PIDS[@]}"; do stop "$pid"; done
PIDS=()

# --- everyday traffic ------------------------------------------------------------------------
say "== everyday traffic: nginx serving a $SMALL_BYTES-byte file; ab -n $REQUESTS -c 32 (a new" \
    "connection per request), then wrk -t1 -c400 -d${SECS}s (keep-alive); $ROUNDS rounds, medians"
mkdir -p "$WORK/www" "$WORK/nginx-temp"
head -c "$SMALL_BYTES" /dev/zero | tr '\0' 'x' >"$WORK/www/small"
# nginx's workers run as nobody when started as root: they must be able to read the file.
chmod 755 "$WORK" "$WORK/www" && chmod 644 "$WORK/www/small"
cat >"$WORK/nginx.conf" <<EOF
daemon off;
worker_processes auto;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $WORK/nginx-temp/body;
    proxy_temp_path $WORK/nginx-temp/proxy;
    fastcgi_temp_path $WORK/nginx-temp/fastcgi;
    uwsgi_temp_path $WORK/nginx-temp/uwsgi;
    scgi_temp_path $WORK/nginx-temp/scgi;
    server {
        listen 127.0.0.1:$NGINX_PORT;
        root $WORK/www;
    }
}
EOF
start nginx nginx -e "$WORK/nginx-error.log" -p "$WORK" -c "$WORK/nginx.conf"
wait_listening "$NGINX_PORT" "$LAST_PID" nginx
WEB_KINDS=(proxy quiet guide haproxy)
declare -A WEB_PID
for kind in "${WEB_KINDS[@]}"; do
    start_proxy "$kind" "${WEB_PORT[$kind]}" "$NGINX_PORT" "web-$kind"
    WEB_PID[$kind]=$LAST_PID
done
URL_PATH=/small
# The file comes back whole through each proxy before anything is measured.
for kind in direct "${WEB_KINDS[@]}"; do
    body=$(python3 - "${WEB_PORT[$kind]}" "$URL_PATH" <<'EOF'
import socket, sys
with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10) as s:
    s.sendall(b"GET %s HTTP/1.0\r\nHost: bench\r\n\r\n" % sys.argv[2].encode())
    reply = b""
    while chunk := s.recv(65536):
        reply += chunk
print(reply.split(b"\r\n\r\n", 1)[-1].decode())
EOF
    ) || die "no reply through ${NAME[$kind]}"
    [ "$body" = "$(cat "$WORK/www/small")" ] || die "${NAME[$kind]} did not return the file whole"
done

declare -A CONNS RPS P99 CPU_CONN CPU_REQ
# The proxy's own cost, steadier than the throughput on a shared machine: the CPU time of its
# process (user + system, every thread) while the load runs, per connection or request.
cpu_ticks() { # cpu_ticks KIND: clock ticks used by the proxy so far (0 for direct)
    [ "$1" = direct ] && { echo 0; return; }
    awk '{ print $14 + $15 }' "/proc/${WEB_PID[$1]}/stat"
}
per_unit_us() { # per_unit_us TICKS UNITS: microseconds per unit
    awk -v t="$1" -v u="$2" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.0f", (u > 0 ? t * 1e6 / hz / u : 0) }'
}
churn() { # churn KIND: prints requests (= connections) per second
    local out=$WORK/ab-$1.txt
    timeout 120 ab -q -n "$REQUESTS" -c 32 "http://127.0.0.1:${WEB_PORT[$1]}$URL_PATH" >"$out" 2>&1 ||
        { cat "$out" >&2; die "ab through ${NAME[$1]} failed"; }
    { grep -q '^Failed requests: *0$' "$out" && ! grep -q '^Non-2xx' "$out"; } ||
        { cat "$out" >&2; die "ab through ${NAME[$1]}: failed requests"; }
    awk '/^Requests per second:/ { printf "%.0f\n", $4 }' "$out"
}
keep_alive() { # keep_alive KIND: prints "REQUESTS_PER_SECOND P99_MS"
    local out=$WORK/wrk-$1.txt
    timeout $((SECS + 60)) wrk -t1 -c400 -d"${SECS}s" --latency "http://127.0.0.1:${WEB_PORT[$1]}$URL_PATH" \
        >"$out" 2>&1 || { cat "$out" >&2; die "wrk through ${NAME[$1]} failed"; }
    ! grep -qE '^ *(Non-2xx|Socket errors)' "$out" || { cat "$out" >&2; die "wrk through ${NAME[$1]}: errors"; }
    awk '
        function ms(v) { return v ~ /us$/ ? v / 1000 : v ~ /ms$/ ? v + 0 : v ~ /m$/ ? v * 60000 : v * 1000 }
        /^ +99%/ { p99 = ms($2) }
        /^Requests\/sec:/ { rps = $2 }
        END { if (rps == "" || p99 == "") exit 1; printf "%.0f %.2f\n", rps, p99 }' "$out" ||
        { cat "$out" >&2; die "cannot read wrk's output"; }
}
for ((round = 0; round < ROUNDS; round++)); do
    for kind in $(rotated "$round" direct "${WEB_KINDS[@]}"); do
        before=$(cpu_ticks "$kind")
        c=$(churn "$kind")
        CONNS[$kind]="${CONNS[$kind]:-} $c"
        CPU_CONN[$kind]="${CPU_CONN[$kind]:-} $(per_unit_us $(($(cpu_ticks "$kind") - before)) "$REQUESTS")"
        sleep 1
        before=$(cpu_ticks "$kind")
        read -r r p < <(keep_alive "$kind")
        RPS[$kind]="${RPS[$kind]:-} $r"
        P99[$kind]="${P99[$kind]:-} $p"
        CPU_REQ[$kind]="${CPU_REQ[$kind]:-} $(per_unit_us $(($(cpu_ticks "$kind") - before)) $((r * SECS)))"
        sleep 1
    done
done
printf '  %-40s %26s %26s %26s\n' "median (each round)" "churn, conn/s" "keep-alive, req/s" "keep-alive p99, ms"
for kind in direct "${WEB_KINDS[@]}"; do
    # shellcheck disable=SC2086
    CONNS[$kind,median]=$(median ${CONNS[$kind]})
    # shellcheck disable=SC2086
    RPS[$kind,median]=$(median ${RPS[$kind]})
    # shellcheck disable=SC2086
    P99[$kind,median]=$(median ${P99[$kind]})
    printf '  %-40s %26s %26s %26s\n' "${NAME[$kind]}" "${CONNS[$kind,median]} (${CONNS[$kind]# })" \
        "${RPS[$kind,median]} (${RPS[$kind]# })" "${P99[$kind,median]} (${P99[$kind]# })"
done
printf '  %-40s %26s %26s\n' "the proxy's CPU time, median (each round)" "us per connection" "us per request"
for kind in "${WEB_KINDS[@]}"; do
    # shellcheck disable=SC2086
    CPU_CONN[$kind,median]=$(median ${CPU_CONN[$kind]})
    # shellcheck disable=SC2086
    CPU_REQ[$kind,median]=$(median ${CPU_REQ[$kind]})
    printf '  %-40s %26s %26s\n' "${NAME[$kind]}" "${CPU_CONN[$kind,median]} (${CPU_CONN[$kind]# })" \
        "${CPU_REQ[$kind,median]} (${CPU_REQ[$kind]# })"
done
for pid in "${PIDS[@]}"; do stop "$pid"; done
PIDS=()

# --- lateness ------------------------------------------------------------------------------
say "== idle-timeout lateness: real time from the deadline to both sockets closed"
"$BENCH_BIN" lateness "$PROXY_BIN" 20 | tee "$WORK/lateness.txt" | grep -v '^RESULT' | sed 's/^/  /'
result() { # result FILE KEY
    grep '^RESULT' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | tail -n1
}
LATE_MAX=$(result "$WORK/lateness.txt" lateness_max_ms)
LATE_CLOSED=$(result "$WORK/lateness.txt" lateness_closed)
LATE_TRIALS=$(result "$WORK/lateness.txt" lateness_trials)

# --- idle memory ---------------------------------------------------------------------------
say "== idle memory: VmRSS of the proxy process per idle connection, $IDLE_CONNECTIONS connections"
declare -A KIB
for kind in proxy haproxy copy guide; do
    start_proxy "$kind" "${MEM_PORT[$kind]}" $((MEM_PORT[$kind] + 1)) "mem-$kind"
    "$BENCH_BIN" idle-memory "${NAME[$kind]}" "$LAST_PID" "127.0.0.1:${MEM_PORT[$kind]}" \
        "127.0.0.1:$((MEM_PORT[$kind] + 1))" "$IDLE_CONNECTIONS" >"$WORK/mem-$kind.txt" ||
        { cat "$WORK/mem-$kind.txt" "$WORK/mem-$kind.log" >&2; die "idle memory of ${NAME[$kind]} failed"; }
    grep -v '^RESULT' "$WORK/mem-$kind.txt" | sed 's/^/  /'
    KIB[$kind]=$(result "$WORK/mem-$kind.txt" idle_kib_per_connection)
    stop "$LAST_PID"
done

# --- targets -------------------------------------------------------------------------------
say "== targets"
PASSED=0
TOTAL=0
verdict() { # verdict LABEL VALUE OP LIMIT DETAIL: OP is ge, lt or le
    local ok
    ok=$(awk -v v="$2" -v l="$4" -v op="$3" 'BEGIN {
        if (v == "" || v != v + 0) { print 0; exit }
        print (op == "ge" ? v >= l : op == "lt" ? v < l : v <= l) }')
    TOTAL=$((TOTAL + 1))
    if [ "$ok" = 1 ]; then PASSED=$((PASSED + 1)); ok=PASS; else ok=FAIL; fi
    printf '  %-4s  %-58s %s\n' "$ok" "$1" "$5"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
at_least() { # at_least LABEL TIMES WHOM OURS THEIRS UNIT: a target of OURS >= TIMES x THEIRS
    local r
    r=$(ratio "$4" "$5")
    verdict "$1: >= ${2}x $3" "$r" ge "$2" "${r}x ($4 vs $5 $6)"
}
for n in 1 8; do
    streams=$([ "$n" = 1 ] && echo "1 stream" || echo "$n streams")
    at_least "bulk, $streams" 1.0 copy_bidirectional "${GBPS[proxy,$n,median]}" "${GBPS[copy,$n,median]}" Gbit/s
    at_least "bulk, $streams" 1.1 HAProxy "${GBPS[proxy,$n,median]}" "${GBPS[haproxy,$n,median]}" Gbit/s
done
at_least "connection churn" 1.1 HAProxy "${CONNS[proxy,median]}" "${CONNS[haproxy,median]}" conn/s
at_least "small keep-alive requests" 1.1 HAProxy "${RPS[proxy,median]}" "${RPS[haproxy,median]}" req/s
verdict "keep-alive p99 latency: <= HAProxy's" "${P99[proxy,median]}" le "${P99[haproxy,median]}" \
    "${P99[proxy,median]} vs ${P99[haproxy,median]} ms"
late=$LATE_MAX
[ "$LATE_CLOSED" = "$LATE_TRIALS" ] || late=
verdict "idle-timeout lateness < 10 ms (worst of $LATE_TRIALS)" "$late" lt 10 \
    "max ${LATE_MAX} ms, $LATE_CLOSED of $LATE_TRIALS closed"
verdict "idle memory <= 2.5 KiB per connection" "${KIB[proxy]}" le 2.5 \
    "${KIB[proxy]} KiB (HAProxy ${KIB[haproxy]} KiB)"
say "  $PASSED of $TOTAL targets pass"
