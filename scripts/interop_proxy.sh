#!/usr/bin/env bash
# Proxy interop suite: pollhttp through real tinyproxy instances to the nginx that
# scripts/interop.sh runs (it needs that script's POLLHTTP_INTEROP_* variables, so
# scripts/interop.sh calls it while nginx is up).
#
# Starts two tinyproxy instances on free 127.0.0.1 ports, with configuration files of
# their own in a temporary directory (never the system's): one open, one demanding
# `BasicAuth`. Both allow CONNECT only to nginx's TLS 1.2 and TLS 1.3 ports, so a
# CONNECT to nginx's "leaf only" TLS port is refused by the proxy, not by nginx. Then
# runs the ignored tests of crates/pollhttp/tests/interop_proxy.rs. Both proxies are
# stopped by their PIDs on exit. With POLLHTTP_INTEROP_TARGET set (scripts/interop.sh
# --windows), the tests are built for that target and run by its cargo runner (Wine).
#
# Installs tinyproxy with apt-get when it is missing and the script runs as root.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf 'interop_proxy: %s\n' "$*" >&2; }

for v in POLLHTTP_INTEROP_CA POLLHTTP_INTEROP_PLAIN_PORT POLLHTTP_INTEROP_TLS12_PORT \
    POLLHTTP_INTEROP_TLS13_PORT POLLHTTP_INTEROP_LEAF_ONLY_PORT; do
    if [ -z "${!v:-}" ]; then
        log "$v is not set: run scripts/interop.sh, which starts nginx and calls this script"
        exit 2
    fi
done

tinyproxy_bin() {
    command -v tinyproxy 2>/dev/null || { [ -x /usr/bin/tinyproxy ] && echo /usr/bin/tinyproxy; } || true
}
if [ -z "$(tinyproxy_bin)" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        log "installing tinyproxy"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        # policy-rc.d or not, the packaged service is not wanted: stop it if it started.
        apt-get install -y -qq --no-install-recommends tinyproxy >/dev/null
        if command -v systemctl >/dev/null 2>&1; then
            systemctl stop tinyproxy >/dev/null 2>&1 || true
        fi
    else
        log "tinyproxy is missing: install it (apt-get install tinyproxy)"
        exit 1
    fi
fi
TINYPROXY="$(tinyproxy_bin)"

work="$(mktemp -d "${TMPDIR:-/tmp}/pollhttp-proxy.XXXXXX")"
pids=()
cleanup() {
    local status=$?
    for pid in "${pids[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
        # tinyproxy takes a moment to bring its threads down.
        for _ in $(seq 1 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    if [ "$status" != 0 ]; then
        for f in "$work"/*.log; do
            [ -s "$f" ] || continue
            log "$(basename "$f"):"
            tail -n 20 "$f" >&2 || true
        done
    fi
    rm -rf "$work"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pick_port() {
    local p
    while :; do
        p=$((20000 + RANDOM % 40000))
        port_in_use "$p" || { echo "$p"; return; }
    done
}

# tinyproxy 1.11 accepts only [-a-z0-9._] in BasicAuth user names and passwords.
PROXY_USER=user
PROXY_PASS=pass-word.1

# write_config NAME PORT [auth]
write_config() {
    local user_line=""
    if [ "$(id -u)" = 0 ]; then
        user_line="User nobody
Group $(id -gn nobody 2>/dev/null || echo nogroup)"
    fi
    cat >"$work/$1.conf" <<EOF
$user_line
Port $2
Listen 127.0.0.1
Timeout 30
MaxClients 20
LogLevel Info
Allow 127.0.0.1
ConnectPort $POLLHTTP_INTEROP_TLS12_PORT
ConnectPort $POLLHTTP_INTEROP_TLS13_PORT
EOF
    if [ "${3:-}" = auth ]; then
        printf 'BasicAuth %s %s\n' "$PROXY_USER" "$PROXY_PASS" >>"$work/$1.conf"
    fi
}

# start_proxy NAME PORT: runs tinyproxy in the foreground (-d) as a child of this shell.
start_proxy() {
    "$TINYPROXY" -d -c "$work/$1.conf" >"$work/$1.log" 2>&1 &
    local pid=$!
    pids+=("$pid")
    for _ in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || return 1
        port_in_use "$2" && return 0
        sleep 0.1
    done
    return 1
}

started=0
for attempt in 1 2 3 4 5; do
    OPEN_PORT=$(pick_port)
    AUTH_PORT=$(pick_port)
    [ "$OPEN_PORT" != "$AUTH_PORT" ] || continue
    write_config open "$OPEN_PORT"
    write_config auth "$AUTH_PORT" auth
    if start_proxy open "$OPEN_PORT" && start_proxy auth "$AUTH_PORT"; then
        started=1
        break
    fi
    log "tinyproxy did not start (attempt $attempt):"
    tail -n 5 "$work"/*.log >&2 || true
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    pids=()
done
[ "$started" = 1 ] || { log "giving up on starting tinyproxy"; exit 1; }
log "$("$TINYPROXY" -v 2>&1 | head -n 1) (pids ${pids[*]}): open $OPEN_PORT, basic auth $AUTH_PORT"

export POLLHTTP_PROXY_OPEN_PORT="$OPEN_PORT"
export POLLHTTP_PROXY_AUTH_PORT="$AUTH_PORT"
export POLLHTTP_PROXY_USER="$PROXY_USER"
export POLLHTTP_PROXY_PASS="$PROXY_PASS"
export POLLHTTP_PROXY_DENIED_PORT="$POLLHTTP_INTEROP_LEAF_ONLY_PORT"

target_args=()
if [ -n "${POLLHTTP_INTEROP_TARGET:-}" ]; then
    target_args=(--target "$POLLHTTP_INTEROP_TARGET")
fi
cargo test "${target_args[@]}" -p pollhttp --test interop_proxy -- --ignored --test-threads=1
