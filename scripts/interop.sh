#!/usr/bin/env bash
# Interop suite: pollhttp against a real nginx on 127.0.0.1.
#
# Makes a CA, an intermediate and leaf certificates (RSA and ECDSA) with openssl in a
# temporary directory, revocation lists of both CAs (with `openssl ca -gencrl`; one leaf
# revoked), OCSP responses for nginx to staple (`openssl ocsp`) and client certificates
# (RSA, ECDSA, Ed25519) of a CA of their own, writes an
# nginx configuration there (never touching the system's),
# starts nginx on free loopback ports, and runs the ignored tests of
# crates/pollhttp/tests/interop.rs against it (HttpClient over each vhost; HttpRequest with
# nginx's gzip filter, its redirects, ranges and keep-alive). nginx is stopped by its PID
# on exit.
#
#   scripts/interop.sh            run the interop tests, then the fanout example (256
#                                 connections on one Poller) against the same nginx
#   scripts/interop.sh --windows  the same with the Windows build, run under Wine
#                                 (scripts/wine/runner.sh): the test programs and the
#                                 example are Windows programs that reach nginx and
#                                 tinyproxy on Linux's loopback (scripts/wine/test.sh
#                                 runs this last)
#   scripts/interop.sh --bench N  instead, measure TLS costs of pollhttp and curl against
#                                 the same nginx, both pinned to nginx's core (N rounds)
#   scripts/interop.sh --keep     start nginx, print the variables, wait for Ctrl-C
#
# Installs nginx, openssl and curl with apt-get when they are missing and it runs as root.
set -euo pipefail
cd "$(dirname "$0")/.."

mode="test"
rounds=200
case "${1:-}" in
    "") ;;
    --windows) mode=windows ;;
    --bench) mode=bench; rounds="${2:-200}" ;;
    --keep) mode=keep ;;
    *) echo "usage: $0 [--windows | --bench [N] | --keep]" >&2; exit 2 ;;
esac

log() { printf 'interop: %s\n' "$*" >&2; }

nginx_bin() {
    command -v nginx 2>/dev/null || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; } || true
}

# ---------------------------------------------------------------- tools
missing=()
[ -n "$(nginx_bin)" ] || missing+=(nginx-light)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v curl >/dev/null 2>&1 || missing+=(curl)
if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        log "installing ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
        log "missing ${missing[*]}: install them (apt-get install ${missing[*]})"
        exit 1
    fi
fi
NGINX="$(nginx_bin)"
[ -n "$NGINX" ] || { log "nginx not found after install"; exit 1; }

# ---------------------------------------------------------------- workspace and cleanup
work="$(mktemp -d "${TMPDIR:-/tmp}/pollhttp-interop.XXXXXX")"
nginx_pid=""
cleanup() {
    local status=$?
    if [ -n "$nginx_pid" ] && kill -0 "$nginx_pid" 2>/dev/null; then
        kill -TERM "$nginx_pid" 2>/dev/null || true
        for _ in $(seq 1 50); do
            kill -0 "$nginx_pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$nginx_pid" 2>/dev/null || true
        wait "$nginx_pid" 2>/dev/null || true
    fi
    if [ "$status" != 0 ] && [ -s "$work/error.log" ]; then
        log "nginx error log:"
        tail -n 30 "$work/error.log" >&2 || true
    fi
    rm -rf "$work"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# nginx's workers drop to an unprivileged user when run as root: they must read www/.
chmod 755 "$work"

# ---------------------------------------------------------------- certificates
certs="$work/certs"
mkdir -p "$certs"
(
    cd "$certs"
    # shellcheck disable=SC2317 # called through leaf's KEYGEN argument
    ec_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
    # shellcheck disable=SC2317 # called through leaf's KEYGEN argument
    rsa_key() { openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null; }

    cat >ca.ext <<'EOF'
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
    ec_key ca.key
    openssl req -x509 -new -key ca.key -sha256 -days 3650 -subj "/CN=pollhttp interop root" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" -out ca.pem

    ec_key intermediate.key
    openssl req -new -key intermediate.key -subj "/CN=pollhttp interop intermediate" \
        -out intermediate.csr
    openssl x509 -req -in intermediate.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
        -sha256 -days 3650 -extfile ca.ext -out intermediate.pem 2>/dev/null

    # leaf NAME KEYGEN KEYUSAGE CN SAN: a server certificate signed by the intermediate.
    leaf() {
        "$2" "$1.key"
        cat >"$1.ext" <<EOF
basicConstraints = critical, CA:FALSE
keyUsage = critical, $3
extendedKeyUsage = serverAuth
subjectAltName = $5
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
        openssl req -new -key "$1.key" -subj "/CN=$4" -out "$1.csr"
        openssl x509 -req -in "$1.csr" -CA intermediate.pem -CAkey intermediate.key \
            -CAcreateserial -sha256 -days 825 -extfile "$1.ext" -out "$1.pem" 2>/dev/null
        cat "$1.pem" intermediate.pem >"$1-fullchain.pem"
    }
    leaf rsa rsa_key "digitalSignature, keyEncipherment" localhost "DNS:localhost, IP:127.0.0.1"
    leaf ecdsa ec_key "digitalSignature" localhost "DNS:localhost, IP:127.0.0.1"
    leaf other ec_key "digitalSignature" other.test "DNS:other.test"
    leaf revoked ec_key "digitalSignature" localhost "DNS:localhost, IP:127.0.0.1"
    openssl verify -CAfile ca.pem -untrusted intermediate.pem rsa.pem ecdsa.pem other.pem \
        revoked.pem >/dev/null

    # Revocation lists: the root's (nothing revoked) and the intermediate's (the
    # "revoked" leaf), each kept by `openssl ca` in a database of its own.
    # crl NAME CERT KEY [CERT-TO-REVOKE]: writes NAME.crl (PEM).
    crl() {
        mkdir -p "db-$1"
        : >"db-$1/index.txt"
        echo 1000 >"db-$1/crlnumber"
        printf '[ ca ]\ndefault_ca = this\n[ this ]\ndatabase = %s\ncrlnumber = %s\n%s\n' \
            "db-$1/index.txt" "db-$1/crlnumber" "default_md = sha256
default_crl_days = 30" >"db-$1/ca.cnf"
        if [ -n "${4:-}" ]; then
            openssl ca -config "db-$1/ca.cnf" -cert "$2" -keyfile "$3" -revoke "$4" \
                -crl_reason keyCompromise 2>/dev/null
        fi
        openssl ca -config "db-$1/ca.cnf" -cert "$2" -keyfile "$3" -gencrl -out "$1.crl" \
            2>/dev/null
    }
    crl root ca.pem ca.key
    crl intermediate intermediate.pem intermediate.key revoked.pem
    openssl verify -crl_check_all -CAfile ca.pem -untrusted intermediate.pem \
        -CRLfile root.crl -CRLfile intermediate.crl ecdsa.pem >/dev/null
    if openssl verify -crl_check -CAfile ca.pem -untrusted intermediate.pem \
        -CRLfile intermediate.crl revoked.pem >/dev/null 2>&1; then
        echo "interop: the revoked leaf verifies" >&2
        exit 1
    fi

    # OCSP responses for nginx to staple, by `openssl ocsp` in the intermediate's name:
    # "good" for the ECDSA leaf, "revoked" for the revoked one.
    serial() { openssl x509 -in "$1" -noout -serial | sed 's/^serial=//'; }
    printf 'V\t491231235959Z\t\t%s\tunknown\t/CN=localhost\n' "$(serial ecdsa.pem)" >ocsp-index.txt
    printf 'R\t491231235959Z\t200101000000Z,keyCompromise\t%s\tunknown\t/CN=localhost\n' \
        "$(serial revoked.pem)" >>ocsp-index.txt
    # ocsp LEAF: LEAF.ocsp (DER)
    ocsp() {
        openssl ocsp -issuer intermediate.pem -cert "$1.pem" -no_nonce -reqout "$1.ocsp-req" \
            2>/dev/null
        openssl ocsp -index ocsp-index.txt -CA intermediate.pem -rsigner intermediate.pem \
            -rkey intermediate.key -reqin "$1.ocsp-req" -respout "$1.ocsp" -ndays 2 2>/dev/null
    }
    ocsp ecdsa
    ocsp revoked
    openssl ocsp -respin ecdsa.ocsp -CAfile ca.pem -verify_other intermediate.pem \
        -issuer intermediate.pem -cert ecdsa.pem 2>/dev/null | grep -q 'ecdsa.pem: good'

    # Client certificates, of a CA that only nginx trusts: RSA, ECDSA P-256, Ed25519;
    # and one of a CA that nginx does not know.
    ec_key client-ca.key
    openssl req -x509 -new -key client-ca.key -sha256 -days 3650 \
        -subj "/CN=pollhttp interop client CA" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" -out client-ca.pem
    ec_key stranger-ca.key
    openssl req -x509 -new -key stranger-ca.key -sha256 -days 3650 \
        -subj "/CN=pollhttp interop stranger CA" -out stranger-ca.pem
    # client NAME KEYGEN CA: NAME.pem and NAME.key, a client certificate of CA.
    client() {
        "$2" "$1.key"
        printf 'basicConstraints = critical, CA:FALSE\nextendedKeyUsage = clientAuth\n' \
            >"$1.ext"
        openssl req -new -key "$1.key" -subj "/CN=pollhttp $1" -out "$1.csr"
        openssl x509 -req -in "$1.csr" -CA "$3.pem" -CAkey "$3.key" -CAcreateserial \
            -sha256 -days 825 -extfile "$1.ext" -out "$1.pem" 2>/dev/null
    }
    # shellcheck disable=SC2317 # called through client's KEYGEN argument
    ed_key() { openssl genpkey -algorithm ED25519 -out "$1" 2>/dev/null; }
    client client-rsa rsa_key client-ca
    client client-ecdsa ec_key client-ca
    client client-ed25519 ed_key client-ca
    client client-stranger ec_key stranger-ca
    chmod 600 ./*.key
)

# ---------------------------------------------------------------- content
www="$work/www"
mkdir -p "$www/chunked" "$www/close"
printf 'hello from nginx\n' >"$www/small.txt"
head -c $((16 * 1024 * 1024)) /dev/urandom >"$www/big.bin"
# sub_filter rewrites MARK to mark, so nginx cannot know the length: it sends the file
# chunked (/chunked/) or delimited by the end of the connection (/close/).
for i in $(seq 1 4000); do
    printf 'line %05d MARK of a response that nginx rewrites on the fly\n' "$i"
done >"$www/chunked/text.txt"
cp "$www/chunked/text.txt" "$www/close/text.txt"
# Text that nginx gzips on the fly under /gz/ (about 400 KiB, compressible but not trivially).
mkdir -p "$www/gz"
awk 'BEGIN { for (i = 1; i <= 6000; i++)
    printf "%06d %08x the gzip filter of nginx compresses this line %d\n", i, (i * 2654435761) % 4294967296, i * i }' \
    >"$www/gz/text.txt"
chmod -R a+rX "$www"
# Where the tests write their downloads.
mkdir -p "$work/downloads"

# ---------------------------------------------------------------- nginx configuration
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# Ports below the kernel's ephemeral range, where outgoing connections take theirs.
ephemeral_low="$(awk '{ print $1 }' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || true)"
[ "${ephemeral_low:-0}" -gt 12000 ] 2>/dev/null || ephemeral_low=32768
pick_port() {
    local p
    while :; do
        p=$((10000 + RANDOM % (ephemeral_low - 10000)))
        port_in_use "$p" || { echo "$p"; return; }
    done
}

write_config() {
    local user_line=""
    if [ "$(id -u)" = 0 ]; then
        user_line="user nobody $(id -gn nobody 2>/dev/null || echo nogroup);"
    fi
    mkdir -p "$work/tmp"
    cat >"$work/site.conf" <<EOF
root $www;
add_header X-Tls-Protocol "\$ssl_protocol" always;
add_header X-Conn "\$connection" always;
add_header X-Conn-Requests "\$connection_requests" always;
add_header X-Tls-Reused "\$ssl_session_reused" always;
location / { }
location /chunked/ {
    sub_filter_types *;
    sub_filter_once off;
    sub_filter MARK mark;
}
location /close/ {
    chunked_transfer_encoding off;
    sub_filter_types *;
    sub_filter_once off;
    sub_filter MARK mark;
}
# What the request carried, for the HttpRequest tests (nginx omits empty values).
add_header X-Seen-Accept-Encoding "\$http_accept_encoding" always;
add_header X-Seen-Range "\$http_range" always;
add_header X-Seen-If-Range "\$http_if_range" always;
add_header X-Seen-Method "\$request_method" always;
location /gz/ {
    gzip on;
    gzip_types text/plain;
    gzip_min_length 64;
    gzip_proxied any;
    gzip_vary on;
}
# The same files, slowed after a fast start, so that a download can be cut short.
location /slow/ {
    alias $www/;
    limit_rate_after 4m;
    limit_rate 2m;
}
location /slow-gz/ {
    alias $www/gz/;
    gzip on;
    gzip_types text/plain;
    limit_rate_after 24k;
    limit_rate 24k;
}
# The method, target and declared body length that arrived.
location = /echo {
    default_type text/plain;
    return 200 "\$request_method \$request_uri length=\$content_length\n";
}
# /echo/TEXT answers TEXT: what the fanout example asks of its server.
location ~ ^/echo/(.*)\$ {
    default_type text/plain;
    return 200 "\$1";
}
location = /conn {
    default_type text/plain;
    return 200 "\$connection \$connection_requests\n";
}
# The same, on a connection that nginx closes after its second request...
location = /conn/two {
    keepalive_requests 2;
    default_type text/plain;
    return 200 "\$connection \$connection_requests\n";
}
# ...or after a second of idleness.
location = /conn/brief {
    keepalive_timeout 1s;
    default_type text/plain;
    return 200 "\$connection \$connection_requests\n";
}
# /to/CODE/abs: nginx makes the Location absolute; /to/CODE/rel: sent as written.
$(for code in 301 302 303 307 308; do
    printf 'location = /to/%s/abs { return %s /echo; }\n' "$code" "$code"
    printf 'location = /to/%s/rel { absolute_redirect off; return %s /echo; }\n' "$code" "$code"
done)
location = /to/dots/a/b { return 302 ../../../echo?via=dots; }
location = /to/tls13 { return 302 https://localhost:$TLS13_PORT/echo; }
location = /to/plain { return 302 http://127.0.0.1:$PLAIN_PORT/echo; }
# /chain/N redirects to /chain/N-1; /chain/0 answers.
$(for i in $(seq 1 10); do
    printf 'location = /chain/%s { absolute_redirect off; return 302 /chain/%s; }\n' "$i" "$((i - 1))"
done)
location = /chain/0 {
    default_type text/plain;
    return 200 "end of the chain\n";
}
EOF
    cat >"$work/nginx.conf" <<EOF
$user_line
daemon off;
worker_processes 1;
pid $work/nginx.pid;
error_log $work/error.log warn;
# Room for the fanout example's 256 connections beside the listening sockets.
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $work/tmp/body;
    proxy_temp_path $work/tmp/proxy;
    fastcgi_temp_path $work/tmp/fastcgi;
    uwsgi_temp_path $work/tmp/uwsgi;
    scgi_temp_path $work/tmp/scgi;
    types { text/plain txt; application/octet-stream bin; }
    default_type application/octet-stream;
    sendfile on;
    keepalive_timeout 65;
    keepalive_requests 10000;
    ssl_session_cache shared:interop:1m;

    server {
        listen 127.0.0.1:$PLAIN_PORT;
        server_name localhost;
        include $work/site.conf;
    }
    server {
        listen 127.0.0.1:$TLS12_PORT ssl;
        server_name localhost;
        ssl_protocols TLSv1.2;
        ssl_certificate $certs/rsa-fullchain.pem;
        ssl_certificate_key $certs/rsa.key;
        include $work/site.conf;
    }
    server {
        listen 127.0.0.1:$TLS13_PORT ssl;
        server_name localhost;
        ssl_protocols TLSv1.3;
        ssl_certificate $certs/ecdsa-fullchain.pem;
        ssl_certificate_key $certs/ecdsa.key;
        include $work/site.conf;
    }
    server {
        listen 127.0.0.1:$WRONG_NAME_PORT ssl;
        server_name other.test;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_certificate $certs/other-fullchain.pem;
        ssl_certificate_key $certs/other.key;
        include $work/site.conf;
    }
    server {
        listen 127.0.0.1:$REVOKED_PORT ssl;
        server_name localhost;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_certificate $certs/revoked-fullchain.pem;
        ssl_certificate_key $certs/revoked.key;
        include $work/site.conf;
    }
    # The same leaves with stapled OCSP responses: "good" and "revoked".
    server {
        listen 127.0.0.1:$STAPLED_PORT ssl;
        server_name localhost;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_certificate $certs/ecdsa-fullchain.pem;
        ssl_certificate_key $certs/ecdsa.key;
        ssl_stapling on;
        ssl_stapling_file $certs/ecdsa.ocsp;
        include $work/site.conf;
    }
    server {
        listen 127.0.0.1:$REVOKED_STAPLED_PORT ssl;
        server_name localhost;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_certificate $certs/revoked-fullchain.pem;
        ssl_certificate_key $certs/revoked.key;
        ssl_stapling on;
        ssl_stapling_file $certs/revoked.ocsp;
        include $work/site.conf;
    }
    # Asks for a client certificate of client-ca.pem. nginx finishes the handshake
    # either way and answers 400 to a client without one (or with another CA's).
    server {
        listen 127.0.0.1:$CLIENT_AUTH_PORT ssl;
        server_name localhost;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_certificate $certs/ecdsa-fullchain.pem;
        ssl_certificate_key $certs/ecdsa.key;
        ssl_verify_client on;
        ssl_client_certificate $certs/client-ca.pem;
        location = /whoami {
            default_type text/plain;
            return 200 "\$ssl_client_verify \$ssl_client_s_dn \$ssl_protocol\n";
        }
        include $work/site.conf;
    }
    server {
        listen 127.0.0.1:$LEAF_ONLY_PORT ssl;
        server_name localhost;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_certificate $certs/ecdsa.pem;
        ssl_certificate_key $certs/ecdsa.key;
        include $work/site.conf;
    }
}
EOF
}

# Starts nginx (pinned to a core in bench mode) and waits until every port answers.
# Returns non-zero when nginx exits early, for example on a port taken meanwhile.
start_nginx() {
    local pin=()
    [ "$mode" = bench ] && pin=(taskset -c "$BENCH_CORE")
    : >"$work/error.log"
    "${pin[@]}" "$NGINX" -p "$work" -c "$work/nginx.conf" -e "$work/error.log" &
    nginx_pid=$!
    for _ in $(seq 1 100); do
        if ! kill -0 "$nginx_pid" 2>/dev/null; then
            wait "$nginx_pid" 2>/dev/null || true
            nginx_pid=""
            return 1
        fi
        local ready=1
        for p in $PLAIN_PORT $TLS12_PORT $TLS13_PORT $WRONG_NAME_PORT $LEAF_ONLY_PORT \
            $REVOKED_PORT $CLIENT_AUTH_PORT $STAPLED_PORT $REVOKED_STAPLED_PORT; do
            port_in_use "$p" || { ready=0; break; }
        done
        [ "$ready" = 1 ] && return 0
        sleep 0.1
    done
    # Never ready: stop this one before another attempt.
    kill -TERM "$nginx_pid" 2>/dev/null || true
    wait "$nginx_pid" 2>/dev/null || true
    nginx_pid=""
    return 1
}

BENCH_CORE="$(( $(nproc) - 1 ))"
started=0
for attempt in 1 2 3 4 5; do
    PLAIN_PORT=$(pick_port)
    TLS12_PORT=$(pick_port)
    TLS13_PORT=$(pick_port)
    WRONG_NAME_PORT=$(pick_port)
    LEAF_ONLY_PORT=$(pick_port)
    REVOKED_PORT=$(pick_port)
    CLIENT_AUTH_PORT=$(pick_port)
    STAPLED_PORT=$(pick_port)
    REVOKED_STAPLED_PORT=$(pick_port)
    ports=("$PLAIN_PORT" "$TLS12_PORT" "$TLS13_PORT" "$WRONG_NAME_PORT" "$LEAF_ONLY_PORT"
        "$REVOKED_PORT" "$CLIENT_AUTH_PORT" "$STAPLED_PORT" "$REVOKED_STAPLED_PORT")
    if [ "$(printf '%s\n' "${ports[@]}" | sort -u | wc -l)" != 9 ]; then
        continue
    fi
    write_config
    if start_nginx; then
        started=1
        break
    fi
    log "nginx did not start (attempt $attempt):"
    tail -n 5 "$work/error.log" >&2 || true
done
[ "$started" = 1 ] || { log "giving up on starting nginx"; exit 1; }
log "nginx $("$NGINX" -v 2>&1 | sed 's/.*\///') (pid $nginx_pid): plain $PLAIN_PORT," \
    "TLS 1.2 $TLS12_PORT, TLS 1.3 $TLS13_PORT, wrong name $WRONG_NAME_PORT," \
    "leaf only $LEAF_ONLY_PORT, revoked $REVOKED_PORT, client certificates $CLIENT_AUTH_PORT," \
    "stapled $STAPLED_PORT, revoked and stapled $REVOKED_STAPLED_PORT"

export POLLHTTP_INTEROP_CA="$certs/ca.pem"
export POLLHTTP_INTEROP_WWW="$www"
export POLLHTTP_INTEROP_DOWNLOADS="$work/downloads"
export POLLHTTP_INTEROP_PLAIN_PORT="$PLAIN_PORT"
export POLLHTTP_INTEROP_TLS12_PORT="$TLS12_PORT"
export POLLHTTP_INTEROP_TLS13_PORT="$TLS13_PORT"
export POLLHTTP_INTEROP_WRONG_NAME_PORT="$WRONG_NAME_PORT"
export POLLHTTP_INTEROP_LEAF_ONLY_PORT="$LEAF_ONLY_PORT"
export POLLHTTP_INTEROP_REVOKED_PORT="$REVOKED_PORT"
export POLLHTTP_INTEROP_CLIENT_AUTH_PORT="$CLIENT_AUTH_PORT"
export POLLHTTP_INTEROP_STAPLED_PORT="$STAPLED_PORT"
export POLLHTTP_INTEROP_REVOKED_STAPLED_PORT="$REVOKED_STAPLED_PORT"
export POLLHTTP_INTEROP_CERTS="$certs"

# ---------------------------------------------------------------- run
# The fanout example against nginx: 256 keep-alive connections from one thread on one
# Poller, 20 requests each, every response checked (a wrong or missing one panics).
fanout_args=(256 20 --port "$PLAIN_PORT")
case "$mode" in
test)
    cargo test -p pollhttp --test interop -- --ignored --test-threads=1
    bash scripts/interop_proxy.sh
    cargo run -p pollhttp --example fanout -- "${fanout_args[@]}"
    ;;
windows)
    # The Windows build of scripts/wine/test.sh (same settings, so nothing is rebuilt),
    # run by Wine. The variables' paths are Linux paths: a Windows program under Wine
    # opens them on its Z: drive, which is Linux's root.
    export POLLHTTP_INTEROP_TARGET=x86_64-pc-windows-gnu
    export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER="$PWD/scripts/wine/runner.sh"
    export CARGO_PROFILE_DEV_DEBUG=0
    export WINEDEBUG=-all
    cargo test --target "$POLLHTTP_INTEROP_TARGET" -p pollhttp --test interop -- \
        --ignored --test-threads=1
    bash scripts/interop_proxy.sh
    cargo run --target "$POLLHTTP_INTEROP_TARGET" -p pollhttp --example fanout -- \
        "${fanout_args[@]}"
    ;;
keep)
    env | grep '^POLLHTTP_INTEROP_' | sed 's/^/export /'
    log "nginx runs until Ctrl-C"
    wait "$nginx_pid"
    ;;
bench)
    cargo build --release -p pollhttp --example tls_cost
    pin=(taskset -c "$BENCH_CORE")
    bench_bin=target/release/examples/tls_cost
    url="https://127.0.0.1:$TLS13_PORT/small.txt"
    # median of the numbers on stdin (seconds in, microseconds out)
    median_us() { sort -g | awk '{ v[NR] = $1 } END { printf "%.1f", v[int((NR + 1) / 2)] * 1e6 }'; }

    log "all on core $BENCH_CORE, $rounds rounds, TLS 1.3 ECDSA P-256, 127.0.0.1:$TLS13_PORT"
    # Full handshakes: a new process (curl) or new TLS configuration (pollhttp) each time.
    # curl's time_appconnect includes its TLS library's per-process setup.
    curl_full=$(for _ in $(seq 1 "$rounds"); do
        "${pin[@]}" curl -s -o /dev/null --cacert "$POLLHTTP_INTEROP_CA" \
            -w '%{time_appconnect}\n' "$url"
    done | median_us)
    # Resumed handshakes: one process, a new connection per request.
    cfg="$work/curl-resumed.cfg"
    for _ in $(seq 1 "$rounds"); do
        printf 'url = "%s"\noutput = "/dev/null"\n' "$url"
    done >"$cfg"
    curl_resumed=$("${pin[@]}" curl -s --cacert "$POLLHTTP_INTEROP_CA" -H 'Connection: close' \
        -w '%{time_appconnect}\n' -K "$cfg" | tail -n +2 | median_us)
    # Full handshakes in one warm process: no session reuse, a new connection per request.
    curl_full_warm=$("${pin[@]}" curl -s --cacert "$POLLHTTP_INTEROP_CA" --no-sessionid \
        -H 'Connection: close' -w '%{time_appconnect}\n' -K "$cfg" | tail -n +2 | median_us)
    # Keep-alive: one process, one connection, many requests.
    curl_keepalive=$("${pin[@]}" curl -s --cacert "$POLLHTTP_INTEROP_CA" \
        -w '%{num_connects} %{time_total}\n' -K "$cfg" \
        | awk '$1 == 0 { print $2 }' | median_us)

    url12="https://127.0.0.1:$TLS12_PORT/small.txt"
    curl_full12=$(for _ in $(seq 1 "$rounds"); do
        "${pin[@]}" curl -s -o /dev/null --cacert "$POLLHTTP_INTEROP_CA" \
            -w '%{time_appconnect}\n' "$url12"
    done | median_us)

    ours() { "${pin[@]}" "$bench_bin" "$1" 127.0.0.1 "${2:-$TLS13_PORT}" \
        "$POLLHTTP_INTEROP_CA" "$rounds" /small.txt | awk '/^median_us/ { print $2 }'; }
    ours_full=$(ours full)
    ours_resumed=$(ours resumed)
    ours_keepalive=$(ours keepalive)
    ours_full12=$(ours full "$TLS12_PORT")

    printf '%-28s %12s %12s %8s\n' "operation (median)" "pollhttp us" "curl us" "ratio"
    row() { printf '%-28s %12s %12s %8s\n' "$1" "$2" "$3" \
        "$(awk -v a="$2" -v b="$3" 'BEGIN { printf "%.2f", a / b }')"; }
    row "TLS 1.3 full handshake" "$ours_full" "$curl_full"
    row "  (curl in one process)" "$ours_full" "$curl_full_warm"
    row "TLS 1.3 resumed handshake" "$ours_resumed" "$curl_resumed"
    row "keep-alive GET over TLS 1.3" "$ours_keepalive" "$curl_keepalive"
    row "TLS 1.2 full handshake (RSA)" "$ours_full12" "$curl_full12"
    ;;
esac
