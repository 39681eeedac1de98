#!/usr/bin/env bash
# Time to first byte when the first address of a name never answers: the pollhttp command
# line against curl on the same loopback setup.
#
#   scripts/eyeballs_bench.sh              # 5 runs per row, medians
#   RUNS=9 scripts/eyeballs_bench.sh
#   scripts/eyeballs_bench.sh --curl-default   # also curl with its default connect timeout
#                                              # on the same-family row (takes minutes)
#
# The setup needs neither root nor a firewall: `dead_and_live` (an example of
# pollhttp-testserver) serves the demo page on 127.0.0.1:PORT and holds the same port on
# [::1] and 127.0.0.2 as listeners with a full accept queue, whose SYNs Linux drops (it
# checks that they are dropped before printing the port). Both clients are told the
# addresses with curl's --resolve (curl 7.88 takes several addresses per entry), so the
# name `dual.test` resolves without DNS to:
#
#   live            127.0.0.1
#   dead v6 first   [::1] (never answers), 127.0.0.1   (two families, as a host whose IPv6
#                                                        route drops packets)
#   dead v4 first   127.0.0.2 (never answers), 127.0.0.1 (one family)
#
# and each client fetches http://dual.test:PORT/hello (14 bytes). pollhttp starts the next
# address 250 ms after the first (Timeouts::attempt_delay), whatever the families. curl
# 7.88 starts the other family 200 ms after the first; within one family it moves on only
# when the first address's share of the connect timeout has passed: measured here, 3 s of
# --connect-timeout 4, 6 s of 10, about 136 s of its default 300 s (with 2, it gives up).
# So the dead v4 row gives curl --connect-timeout 4; --curl-default adds one run with its
# default.
#
# Printed: the wall time of a whole run of each command (process start to exit), median
# and range over RUNS runs, and curl's own time_starttransfer. Without IPv6 on the loopback
# interface the dead v6 row is skipped, saying so.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-5}
CURL_DEFAULT=0
for arg in "$@"; do
    case "$arg" in
        --curl-default) CURL_DEFAULT=1 ;;
        -h|--help) sed -n '2,30p' "$0"; exit 0 ;;
        *) echo "unknown option $arg" >&2; exit 2 ;;
    esac
done
command -v curl >/dev/null || { echo "curl is needed (apt-get install curl)" >&2; exit 1; }

TARGET=${CARGO_TARGET_DIR:-target}
cargo build --release -q -p pollhttp-cli
cargo build --release -q -p pollhttp-testserver --example dead_and_live
POLLHTTP="$TARGET/release/pollhttp"
PEER="$TARGET/release/examples/dead_and_live"

# The peer serves until its standard input closes.
coproc PEER_PROC { "$PEER"; }
PEER_PID=$PEER_PROC_PID
cleanup() {
    exec {PEER_PROC[1]}>&- 2>/dev/null || true
    kill "$PEER_PID" 2>/dev/null || true
    wait "$PEER_PID" 2>/dev/null || true
}
trap cleanup EXIT
read -r PORT V6 <&"${PEER_PROC[0]}"
URL="http://dual.test:$PORT/hello"

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# median and range of the numbers on standard input
stats() {
    sort -n | awk '{ v[NR] = $1 } END {
        m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
        printf "%.0f ms (%.0f-%.0f)", m, v[1], v[NR] }'
}

# run LABEL RESOLVE [CURL_EXTRA...]: one table row
row() {
    local label=$1 resolve=$2
    shift 2
    local ours=() theirs=() ttfb=()
    for _ in $(seq "$RUNS"); do
        local t0 t1 out
        t0=$(now_ms)
        out=$("$POLLHTTP" -s --resolve "dual.test:$PORT:$resolve" "$URL")
        t1=$(now_ms)
        [ "$out" = "Hello, world!" ] || { echo "pollhttp got: $out" >&2; exit 1; }
        ours+=($((t1 - t0)))
        t0=$(now_ms)
        out=$(curl -s -o /dev/null -w '%{http_code} %{time_starttransfer}' "$@" \
            --resolve "dual.test:$PORT:$resolve" "$URL")
        t1=$(now_ms)
        [ "${out%% *}" = 200 ] || { echo "curl got: $out" >&2; exit 1; }
        theirs+=($((t1 - t0)))
        ttfb+=("$(awk -v s="${out#* }" 'BEGIN { printf "%.0f", s * 1000 }')")
    done
    printf '| %s | %s | %s | %s |\n' "$label" \
        "$(printf '%s\n' "${ours[@]}" | stats)" \
        "$(printf '%s\n' "${theirs[@]}" | stats)" \
        "$(printf '%s\n' "${ttfb[@]}" | stats)"
}

echo "pollhttp $("$POLLHTTP" --version | awk '{print $2}') vs $(curl --version | head -1 | awk '{print $1, $2}'), $RUNS runs, port $PORT"
echo
echo "| addresses of dual.test | pollhttp, whole run | curl, whole run | curl time_starttransfer |"
echo "| --- | --: | --: | --: |"
row "127.0.0.1 (live only)" "127.0.0.1"
if [ "${V6:-}" = no-ipv6 ]; then
    echo "| [::1] dead, 127.0.0.1 | skipped: no IPv6 on the loopback interface | | |"
else
    row "[::1] dead, 127.0.0.1" "[::1],127.0.0.1"
fi
row "127.0.0.2 dead, 127.0.0.1 (curl --connect-timeout 4)" "127.0.0.2,127.0.0.1" --connect-timeout 4
if [ "$CURL_DEFAULT" = 1 ]; then
    RUNS=1 row "127.0.0.2 dead, 127.0.0.1 (curl's default timeout)" "127.0.0.2,127.0.0.1"
fi
