#!/usr/bin/env bash
# Loopback benchmark suite: pollhttp against a raw-socket floor, hyper, reqwest, ureq and
# the curl CLI, all fetching from one local nginx; and decoding a compressed text file
# (gzip, br, zstd) against reqwest, curl and the decoders' own command-line tools.
#
#   scripts/bench.sh            # full suite: 5 runs of every client x workload
#   scripts/bench.sh --quick    # 1 run of every client, small sizes
#   scripts/bench.sh --smoke    # CI check: builds and runs only raw and pollhttp, tiny sizes
#   scripts/bench.sh --baseline ea9390a   # also the pollhttp peers of an older commit
#
# Options:
#   --quick              1 run, 16 MiB bulk file, seq 2000, fan-out 32 x 5, newconn 200
#   --smoke              does the suite still work? Clients raw pollhttp pollhttp-blocking
#                        curl (only their binaries are built: no tokio, hyper, reqwest or
#                        ureq), workloads bulk seq fanout newconn tls-seq tls-bulk
#                        tls-frame, 1 run, 4 MiB bulk file, seq 300, fan-out 16 x 5,
#                        newconn 100, tls-frame 20 rounds, no strace.
#                        Exits non-zero when a peer does not build, fails or miscounts
#                        requests or bytes, or nginx does not start; never on a timing.
#                        --clients and --workloads still narrow or widen it.
#   --runs N             timed runs per client x workload (default 5; median reported)
#   --clients "A B ..."  subset of: raw pollhttp pollhttp-blocking hyper reqwest ureq curl
#                        raw-decode
#   --workloads "A ..."  subset of: bulk seq fanout newconn tls-seq tls-bulk tls-frame
#                        gzip br zstd fanout10k
#   --only GROUP         only one group of workloads: plain (bulk seq fanout newconn),
#                        tls (tls-seq tls-bulk tls-frame), decode (gzip br zstd) or
#                        big (fanout10k)
#   --big                add fanout10k: 10,000 connections x 2 GETs, pollhttp and hyper.
#                        Not in the default run: each run waits for the TIME_WAIT sockets
#                        of the run before it to expire (about a minute per run).
#                        Needs 10,000+ open files: raises RLIMIT_NOFILE (65536, else the
#                        hard limit) and skips it with the reason when it cannot.
#   --baseline REV       compare with the library at git revision REV: checks REV out in a
#                        temporary `git worktree add --detach` (removed at exit), builds
#                        that tree's own bench/ peers peer-pollhttp and peer-pollhttp-blocking
#                        (release, against REV's library and REV's bench/Cargo.lock) into a
#                        separate target dir (<target>/baseline), and adds the clients
#                        pollhttp@base and pollhttp-blocking@base, each right after its
#                        current counterpart in --clients (which must hold at least one of
#                        them; naming an @base client in --clients places it yourself).
#                        They run interleaved with the others, pinned and checked alike;
#                        under each workload's table a line gives pollhttp / pollhttp@base
#                        (and the blocking pair): ratio of the medians, run-by-run ratios,
#                        both min-max ranges and whether they overlap.
#   --no-strace          skip the extra strace run (syscalls per request)
#   --out DIR            where raw results and the table go (default bench/results/<stamp>)
#   --serve              only start the pinned nginx with the files, print its address and
#                        wait (for profiling a peer by hand); Ctrl-C stops it
# Environment:
#   NGINX_CPU   core nginx is pinned to (default 1)
#   CLIENT_CPU  core every client is pinned to (default: NGINX_CPU, i.e. client and server
#               share one core, as the reference figures were taken)
#   CARGO_BUILD_JOBS  passed to cargo as usual
#
# TLS workloads (tls-seq, tls-bulk) run against a second, TLS 1.3-only server block of the
# same nginx, with an ECDSA P-256 CA and leaf (localhost, 127.0.0.1) made with openssl in
# the temporary directory; peers get the CA file in BENCH_CA_FILE (curl: --cacert). Only raw,
# pollhttp, pollhttp-blocking, hyper and curl run them. fanout10k runs pollhttp (Poller)
# and hyper (tasks) only.
#
# Decode workloads (gzip, br, zstd): one GET of a log-like text file (256 MiB; 16 with
# --quick, 4 with --smoke, which runs them only when named in --workloads) generated once
# and precompressed with `gzip -6`, `brotli` (its default, quality 11) and `zstd` (-3),
# cached in <target>/bench-files/ (the first full run spends about 15 minutes in
# brotli). nginx sends the stored file with its Content-Encoding. Throughput is decoded
# MB/s. Clients:
# pollhttp, reqwest (its gzip/brotli/zstd features), curl --compressed (n/a for a coding
# its libcurl lacks, per `curl -V`) and raw-decode, the floor: `brotli -dc`, `zstd -dc`,
# and for gzip zlib's inflate through `zstd -dc --format=gzip` (GNU `gzip -dc` has an
# inflate of its own, half as fast: when zstd lacks gzip support, the floor falls back to
# it), of the stored file from the page cache to /dev/null, no network. curl's
# timed run checks the wire bytes; one extra untimed run counts its decoded bytes.
# Needs brotli and zstd (Debian packages, installed like nginx).
#
# tls-frame is no throughput run: pollhttp-peer's `tls-frame` starts its own rustls server
# on 127.0.0.1 (certificates made at start) and times every single call of a frame loop
# that connects over TLS and GETs one body, round after round; the table gets the longest
# call per round (median, p99, max; wall clock and thread CPU). It pins its client and
# server threads to two cores itself, and runs once, whatever --runs says.
#
# Each workload runs N times per client (clients interleaved), reporting the median of:
# throughput; client CPU (user+sys, getrusage of the child) per request (per MiB for bulk);
# syscalls per request from one extra `strace -f -c` run; peak RSS. Every client run is
# bounded by `timeout 300`. Timings never make the script fail: a client that errors or
# times out shows as `fail` in the table (and, with --smoke only, makes the exit status 1).
# Needs nginx, taskset, curl, openssl and (unless --no-strace or --smoke) strace: installed
# with apt-get when missing and running as root.
#
# The peers are in bench/ (its own Cargo workspace); see bench/README.md.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH="$ROOT/bench"

RUNS=5
QUICK=0
SMOKE=0
STRACE=1
ALL_CLIENTS="raw pollhttp pollhttp-blocking hyper reqwest ureq curl raw-decode"
# The clients whose peers build without tokio, hyper, reqwest or ureq.
SMOKE_CLIENTS="raw pollhttp pollhttp-blocking curl"
PLAIN_WORKLOADS="bulk seq fanout newconn"
TLS_WORKLOADS="tls-seq tls-bulk tls-frame"
DECODE_WORKLOADS="gzip br zstd"
# The clients of the decode workloads (the others get no row there). raw-decode runs
# only these.
DECODE_CLIENTS="pollhttp pollhttp@base reqwest curl raw-decode"
# Empty until an option sets them, so that --smoke does not override --clients/--workloads
# given before it.
CLIENTS=""
WORKLOADS=""
BIG=0
OUT=""
SERVE=0
NGINX_CPU=${NGINX_CPU:-1}
CLIENT_CPU=${CLIENT_CPU:-$NGINX_CPU}
RUN_TIMEOUT=300
BASELINE=""

while [ $# -gt 0 ]; do
    case "$1" in
        --quick) QUICK=1; RUNS=1 ;;
        --smoke) SMOKE=1; RUNS=1; STRACE=0 ;;
        --runs) RUNS=$2; shift ;;
        --clients) CLIENTS=$2; shift ;;
        --workloads) WORKLOADS=$2; shift ;;
        --big) BIG=1 ;;
        --only)
            case "$2" in
                plain) WORKLOADS=$PLAIN_WORKLOADS ;;
                tls) WORKLOADS=$TLS_WORKLOADS ;;
                decode) WORKLOADS=$DECODE_WORKLOADS ;;
                big) WORKLOADS=fanout10k ;;
                *) echo "bench.sh: --only takes plain, tls, decode or big" >&2; exit 2 ;;
            esac
            shift ;;
        --baseline) BASELINE=$2; shift ;;
        --no-strace) STRACE=0 ;;
        --out) OUT=$2; shift ;;
        --serve) SERVE=1 ;;
        -h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "bench.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done

CLIENTS=${CLIENTS:-$([ "$SMOKE" = 1 ] && echo "$SMOKE_CLIENTS" || echo "$ALL_CLIENTS")}
# Smoke leaves the decode workloads out unless --workloads names them.
WORKLOADS=${WORKLOADS:-$([ "$SMOKE" = 1 ] && echo "$PLAIN_WORKLOADS $TLS_WORKLOADS" ||
    echo "$PLAIN_WORKLOADS $TLS_WORKLOADS $DECODE_WORKLOADS")}
if [ "$SMOKE" = 1 ]; then
    BIG_BYTES=$((4 * 1024 * 1024)); SEQ_N=300; FAN_N=5; FAN_CONNS=16; NEW_N=100; FRAME_N=20
elif [ "$QUICK" = 1 ]; then
    BIG_BYTES=$((16 * 1024 * 1024)); SEQ_N=2000; FAN_N=5; FAN_CONNS=32; NEW_N=200; FRAME_N=100
else
    BIG_BYTES=$((256 * 1024 * 1024)); SEQ_N=20000; FAN_N=20; FAN_CONNS=256; NEW_N=2000; FRAME_N=300
fi
SMALL_BYTES=100
# The decode workloads' text file: as large as the bulk file.
TEXT_BYTES=$BIG_BYTES
[ "$BIG" = 1 ] && ! grep -qw fanout10k <<<"$WORKLOADS" && WORKLOADS="$WORKLOADS fanout10k"
BIGFAN_CONNS=10000; BIGFAN_N=2
has_wl() { grep -qw -- "$1" <<<"$WORKLOADS"; }
is_decode() { case "$1" in gzip|br|zstd) return 0 ;; esac; return 1; }
HAS_DECODE=0
for wl in $WORKLOADS; do is_decode "$wl" && HAS_DECODE=1; done
# Is word $1 in the space-separated list $2? (grep -w would find "pollhttp" in "pollhttp@base".)
in_list() { case " $2 " in *" $1 "*) return 0 ;; esac; return 1; }

log() { echo "bench: $*" >&2; }

# --baseline: the clients pollhttp@base and pollhttp-blocking@base run the peers of another
# revision; each goes right after its current counterpart unless --clients placed it.
BASE_SHA=""
if [ -n "$BASELINE" ]; then
    BASE_SHA=$(git -C "$ROOT" rev-parse --verify --quiet "$BASELINE^{commit}") ||
        { echo "bench.sh: --baseline $BASELINE is not a commit of $ROOT" >&2; exit 2; }
    BASE_DESC=$(git -C "$ROOT" log -1 --format='%h %s' "$BASE_SHA")
    # What the other rows are built from, read before the build (HEAD may move during a run).
    NOW_DESC=$(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD -- crates bench 2>/dev/null ||
        echo ', with uncommitted changes in crates/ or bench/')
    with_base=""
    for c in $CLIENTS; do
        with_base="$with_base $c"
        case "$c" in
            pollhttp|pollhttp-blocking) in_list "$c@base" "$CLIENTS" || with_base="$with_base $c@base" ;;
        esac
    done
    CLIENTS=${with_base# }
    in_list pollhttp@base "$CLIENTS" || in_list pollhttp-blocking@base "$CLIENTS" ||
        { echo "bench.sh: --baseline needs pollhttp or pollhttp-blocking in --clients" >&2; exit 2; }
fi
for c in $CLIENTS; do
    case "$c" in
        pollhttp@base|pollhttp-blocking@base)
            [ -n "$BASE_SHA" ] || { echo "bench.sh: client $c needs --baseline REV" >&2; exit 2; } ;;
        raw|pollhttp|pollhttp-blocking|hyper|reqwest|ureq|curl|raw-decode) ;;
        *) echo "bench.sh: unknown client $c (see --help)" >&2; exit 2 ;;
    esac
done

# ----- tools -------------------------------------------------------------------------

NGINX=$(command -v nginx || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; } || true)
need_apt=""
[ -n "$NGINX" ] || need_apt="$need_apt nginx-light"
[ "$STRACE" = 0 ] || command -v strace >/dev/null || need_apt="$need_apt strace"
command -v taskset >/dev/null || need_apt="$need_apt util-linux"
command -v curl >/dev/null || need_apt="$need_apt curl"
command -v openssl >/dev/null || need_apt="$need_apt openssl"
if [ "$HAS_DECODE" = 1 ]; then
    command -v gzip >/dev/null || need_apt="$need_apt gzip"
    command -v brotli >/dev/null || need_apt="$need_apt brotli"
    command -v zstd >/dev/null || need_apt="$need_apt zstd"
fi
if [ -n "$need_apt" ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "bench.sh: missing$need_apt; install them (Debian packages) or run as root" >&2
        exit 1
    fi
    log "installing$need_apt"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q $need_apt >/dev/null 2>&1 || {
        apt-get update -q >/dev/null 2>&1
        # nginx-light is gone from newer Debian releases: fall back to nginx.
        apt-get install -y -q $need_apt >/dev/null 2>&1 ||
            apt-get install -y -q ${need_apt/nginx-light/nginx} >/dev/null 2>&1
    } || { echo "bench.sh: apt-get install$need_apt failed" >&2; exit 1; }
    NGINX=$(command -v nginx || echo /usr/sbin/nginx)
fi
if ! taskset -c "$NGINX_CPU" true 2>/dev/null || ! taskset -c "$CLIENT_CPU" true 2>/dev/null; then
    log "cannot pin to CPU $NGINX_CPU/$CLIENT_CPU; falling back to CPU 0"
    NGINX_CPU=0; CLIENT_CPU=0
fi

# ----- cleanup -----------------------------------------------------------------------

TMP=""
NGINX_PID=""
BASE_WT=""        # the baseline's temporary worktree
BASE_WT_ADMIN=""  # its administrative directory in the repository's .git/worktrees/
BUILD_LOG=""; BASE_LOG=""; KEEP_LOGS=""  # build logs, kept at exit only when named in a message
GEN_PIDS=""; GEN_TMP=""  # the text file's compressors and their unfinished output, if any
cleanup() {
    for f in $BUILD_LOG $BASE_LOG; do in_list "$f" "$KEEP_LOGS" || rm -f "$f"; done
    for p in $GEN_PIDS; do kill "$p" 2>/dev/null; done
    [ -n "$GEN_TMP" ] && rm -rf "$GEN_TMP"
    if [ -n "$NGINX_PID" ] && kill -0 "$NGINX_PID" 2>/dev/null; then
        kill -QUIT "$NGINX_PID" 2>/dev/null
        for _ in $(seq 50); do kill -0 "$NGINX_PID" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$NGINX_PID" 2>/dev/null && kill -KILL "$NGINX_PID" 2>/dev/null
    fi
    [ -n "$TMP" ] && rm -rf "$TMP"
    if [ -n "$BASE_WT" ]; then
        git -C "$ROOT" worktree remove --force "$BASE_WT" 2>/dev/null
        rm -rf "$BASE_WT"
        # Only this worktree's entry, should `worktree remove` have failed.
        [ -n "$BASE_WT_ADMIN" ] && [ -d "$BASE_WT_ADMIN" ] && rm -rf "$BASE_WT_ADMIN"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ----- build -------------------------------------------------------------------------

# Where cargo puts the binaries: honours CARGO_TARGET_DIR and cargo's own configuration.
TARGET_DIR=$(cargo metadata --no-deps --format-version 1 --manifest-path "$BENCH/Cargo.toml" 2>/dev/null |
    grep -o '"target_directory":"[^"]*"' | sed 's/^"target_directory":"//; s/"$//')
BIN="${TARGET_DIR:-$BENCH/target}/release"

# client -> "package binary" of its peer in bench/ (curl is the CLI: nothing to build).
peer_pkg_bin() {
    case "$1" in
        raw) echo "peer-raw peer-raw" ;;
        pollhttp) echo "pollhttp-peer peer-pollhttp" ;;
        pollhttp-blocking) echo "pollhttp-peer peer-pollhttp-blocking" ;;
        hyper) echo "tokio-peers peer-hyper" ;;
        reqwest) echo "tokio-peers peer-reqwest" ;;
        ureq) echo "peer-ureq peer-ureq" ;;
    esac
}

BUILD_LOG=$(mktemp /tmp/pollhttp-bench-build.XXXXXX)
if [ "$SMOKE" = 1 ]; then
    # Only the binaries that run, so that a cold build stays short; a peer that does not
    # build is a broken benchmark, and its compiler errors go to stderr.
    build_args=(-p bench-common --bin runstat)
    for client in $CLIENTS; do
        read -r pkg bin <<<"$(peer_pkg_bin "$client")"
        [ -n "$pkg" ] && build_args+=(-p "$pkg" --bin "$bin")
    done
    if has_wl tls-frame && grep -qw pollhttp <<<"$CLIENTS"; then
        build_args+=(-p pollhttp-peer --bin tls-frame)
    fi
    log "building runstat and the peers of: $CLIENTS (release)"
    if ! cargo build --release --manifest-path "$BENCH/Cargo.toml" -q "${build_args[@]}" 2>"$BUILD_LOG"; then
        cat "$BUILD_LOG" >&2
        echo "bench.sh: the peers did not build" >&2
        rm -f "$BUILD_LOG"
        exit 1
    fi
    rm -f "$BUILD_LOG"
else
    log "building peers (release)"
    if ! cargo build --release --bins --manifest-path "$BENCH/Cargo.toml" -q 2>"$BUILD_LOG"; then
        # Build what builds, so that one broken peer does not hide the others.
        log "workspace build failed; building peers one by one"
        for p in bench-common peer-raw pollhttp-peer tokio-peers peer-ureq; do
            cargo build --release --bins --manifest-path "$BENCH/Cargo.toml" -q -p "$p" 2>>"$BUILD_LOG" ||
                { KEEP_LOGS="$KEEP_LOGS $BUILD_LOG"; log "peer package $p does not build (see $BUILD_LOG): its rows will show 'fail'"; }
        done
    else
        rm -f "$BUILD_LOG"
    fi
fi
[ -x "$BIN/runstat" ] || { echo "bench.sh: runstat did not build" >&2; exit 1; }

# The baseline's peers: built from the old tree's own bench/ workspace (its peers, its
# library, its Cargo.lock), same profile and flags, into a target dir of their own.
BASE_TARGET="${TARGET_DIR:-$BENCH/target}/baseline"
BASE_BIN="$BASE_TARGET/release"
if [ -n "$BASE_SHA" ]; then
    BASE_WT=$(mktemp -d /tmp/pollhttp-bench-base.XXXXXX)
    BASE_LOG=$(mktemp /tmp/pollhttp-bench-build-base.XXXXXX)
    if ! git -C "$ROOT" worktree add --detach -q "$BASE_WT" "$BASE_SHA" >/dev/null 2>"$BASE_LOG"; then
        cat "$BASE_LOG" >&2; rm -f "$BASE_LOG"
        echo "bench.sh: git worktree add --detach $BASE_WT $BASE_SHA failed" >&2
        exit 1
    fi
    BASE_WT_ADMIN=$(git -C "$BASE_WT" rev-parse --absolute-git-dir 2>/dev/null)
    base_args=(); base_bins=""
    for client in $CLIENTS; do
        case "$client" in *@base) base_args+=(--bin "peer-${client%@base}"); base_bins="$base_bins peer-${client%@base}" ;; esac
    done
    # Never a binary of an earlier baseline in place of one that did not build.
    rm -f "$BASE_BIN/peer-pollhttp" "$BASE_BIN/peer-pollhttp-blocking"
    log "building$base_bins of $BASE_DESC (release) in a worktree, into $BASE_TARGET"
    if CARGO_TARGET_DIR="$BASE_TARGET" cargo build --release --manifest-path "$BASE_WT/bench/Cargo.toml" -q \
            -p pollhttp-peer "${base_args[@]}" 2>"$BASE_LOG"; then
        rm -f "$BASE_LOG"
    elif [ "$SMOKE" = 1 ]; then
        cat "$BASE_LOG" >&2; rm -f "$BASE_LOG"
        echo "bench.sh: the baseline's peers did not build" >&2
        exit 1
    else
        KEEP_LOGS="$KEEP_LOGS $BASE_LOG"
        log "the baseline's peers do not build (see $BASE_LOG): their rows will show 'fail'"
    fi
fi

# ----- nginx -------------------------------------------------------------------------

TMP=$(mktemp -d /tmp/pollhttp-bench.XXXXXX)

# nginx's workers run as an unprivileged user: they must be able to read the files.
chmod 755 "$TMP"
mkdir -p "$TMP/www" "$TMP/tmp"

# 10,000 connections need as many descriptors in the client and in nginx (both inherit
# this shell's limit; nginx's worker also gets worker_rlimit_nofile).
NGINX_CONNS=4096
if has_wl fanout10k; then
    need_fds=$((BIGFAN_CONNS + 1024))
    if ulimit -n 65536 2>/dev/null; then
        log "RLIMIT_NOFILE raised to 65536"
    elif [ "$(ulimit -Hn)" = unlimited ] || [ "$(ulimit -Hn)" -ge "$need_fds" ]; then
        ulimit -n "$(ulimit -Hn)"
        log "RLIMIT_NOFILE: 65536 refused, using the hard limit $(ulimit -n)"
    fi
    if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$need_fds" ]; then
        log "skipping fanout10k: RLIMIT_NOFILE is $(ulimit -n) (hard $(ulimit -Hn)), it needs $need_fds"
        WORKLOADS=$(tr ' ' '\n' <<<"$WORKLOADS" | grep -vx fanout10k | tr '\n' ' ')
    else
        NGINX_CONNS=$need_fds
    fi
fi

# TLS: an ECDSA P-256 CA and a leaf for localhost / 127.0.0.1 signed by it.
CA_PEM="$TMP/tls/ca.pem"
make_certs() {
    local d="$TMP/tls"
    mkdir -p "$d"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
        -subj "/CN=pollhttp bench CA" -keyout "$d/ca.key" -out "$d/ca.pem" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" &&
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
        -subj "/CN=localhost" -keyout "$d/leaf.key" -out "$d/leaf.csr" &&
    printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature" \
        "extendedKeyUsage=serverAuth" "subjectAltName=DNS:localhost,IP:127.0.0.1" > "$d/leaf.ext" &&
    openssl x509 -req -in "$d/leaf.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial \
        -days 2 -sha256 -extfile "$d/leaf.ext" -out "$d/leaf.pem" &&
    chmod -R a+rX "$d"
}
if ! make_certs >"$TMP/openssl.log" 2>&1; then
    echo "bench.sh: making the TLS certificates failed:" >&2
    cat "$TMP/openssl.log" >&2
    exit 1
fi
export BENCH_CA_FILE="$CA_PEM"
head -c "$SMALL_BYTES" /dev/zero | tr '\0' 'a' > "$TMP/www/small.bin"
head -c "$BIG_BYTES" /dev/zero > "$TMP/www/big.bin"

# The decode workloads' text: log-like lines, an nginx access log interleaved with
# application lines, whose fields vary (addresses, paths, ids, sizes, timings) so that it
# compresses as real logs do (gzip -6 about 7x), not as a run of zeros. Deterministic:
# the same bytes on every run with the same awk. Exactly $1 bytes.
gen_text() {
    LC_ALL=C awk -v limit="$1" '
    BEGIN {
        srand(20240314)
        split("GET GET GET GET GET POST POST PUT DELETE HEAD", meth, " ")
        np = split("/api/v2/users /api/v2/orders /api/v2/products /api/v2/cart /static/js/app /static/css/site /images/thumb /search /login /health /api/v2/inventory /feeds/rss", path, " ")
        ns = split("200 200 200 200 200 200 200 200 304 304 301 404 404 500 502 201 204", stat, " ")
        nl = split("info info info info info debug debug warn error", lvl, " ")
        nua = split("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36|Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:123.0) Gecko/20100101 Firefox/123.0|Mozilla/5.0 (iPhone; CPU iPhone OS 17_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Mobile/15E148 Safari/604.1|curl/7.88.1|python-requests/2.31.0|Go-http-client/1.1|Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", ua, "|")
        nmsg = split("cache miss for key|upstream responded slowly|session refreshed|payment authorised|retrying request to backend|connection pool exhausted, waiting|user logged in|template rendered|rate limit applied|config reloaded", msg, "|")
        t = 0; total = 0; limit += 0
        while (total < limit) {
            t += int(rand() * 40)
            s = int(t / 1000); ms = t % 1000
            hh = int(s / 3600) % 24; mm = int(s / 60) % 60; ss = s % 60
            if (rand() < 0.8) {
                ip = sprintf("%d.%d.%d.%d", 10 + int(rand() * 3), int(rand() * 256), int(rand() * 256), 1 + int(rand() * 254))
                p = path[1 + int(rand() * np)]
                q = (p ~ /^\/api/) ? sprintf("/%d?page=%d", int(rand() * 100000), 1 + int(rand() * 20)) : (p ~ /^\/static/ ? sprintf(".%x.js", int(rand() * 65536)) : "")
                line = sprintf("%s - - [14/Mar/2024:%02d:%02d:%02d +0000] \"%s %s%s HTTP/1.1\" %s %d \"-\" \"%s\" rt=%.3f uct=%.3f",
                    ip, hh, mm, ss, meth[1 + int(rand() * 10)], p, q, stat[1 + int(rand() * ns)],
                    int(rand() * 60000), ua[1 + int(rand() * nua)], rand() * 0.8, rand() * 0.01)
            } else {
                line = sprintf("2024-03-14T%02d:%02d:%02d.%03dZ %-5s [worker-%d] req=%08x %s (user=%d, took %d ms)",
                    hh, mm, ss, ms, lvl[1 + int(rand() * nl)], int(rand() * 16), int(rand() * 4294967296),
                    msg[1 + int(rand() * nmsg)], int(rand() * 50000), int(rand() * 900))
            }
            line = line "\n"
            if (total + length(line) > limit) line = substr(line, 1, limit - total)
            printf "%s", line
            total += length(line)
        }
    }'
}

# The text and its three compressed forms, made once per size and kept in the target
# directory (brotli's quality 11 takes minutes on 256 MiB); each form is checked to
# decode back to the text with its own tool before it is kept. Then linked (or copied)
# into the served directory.
TEXT_CACHE="${TARGET_DIR:-$BENCH/target}/bench-files/text-v1-$TEXT_BYTES"
make_text_files() {
    local d=$TEXT_CACHE t f p
    if [ ! -s "$d/ok" ]; then
        mkdir -p "${d%/*}" || return 1
        GEN_TMP=$(mktemp -d "$d.XXXXXX") || return 1
        t=$GEN_TMP
        log "making the decode workloads' $((TEXT_BYTES / 1048576)) MiB text file and its gzip -6, brotli and zstd forms in $d (once; brotli takes a while)"
        gen_text "$TEXT_BYTES" > "$t/big.txt" || return 1
        [ "$(stat -c %s "$t/big.txt")" = "$TEXT_BYTES" ] || { log "the text file is not $TEXT_BYTES bytes"; return 1; }
        gzip -6 -n -c "$t/big.txt" > "$t/big.txt.gz" & GEN_PIDS="$GEN_PIDS $!"
        zstd -3 -q -c "$t/big.txt" > "$t/big.txt.zst" & GEN_PIDS="$GEN_PIDS $!"
        brotli -c "$t/big.txt" > "$t/big.txt.br" & GEN_PIDS="$GEN_PIDS $!"
        for p in $GEN_PIDS; do wait "$p" || { log "compressing the text file failed"; return 1; }; done
        GEN_PIDS=""
        # (The gzip form also through zlib, as raw-decode reads it when zstd can.)
        gzip -dc "$t/big.txt.gz" | cmp -s - "$t/big.txt" &&
            brotli -dc "$t/big.txt.br" | cmp -s - "$t/big.txt" &&
            zstd -qdc "$t/big.txt.zst" | cmp -s - "$t/big.txt" &&
            { ! zstd -vV 2>/dev/null | grep -q 'supports:.*gzip' ||
                zstd -qdc --format=gzip "$t/big.txt.gz" | cmp -s - "$t/big.txt"; } ||
            { log "a compressed form does not decode back to the text"; return 1; }
        rm -f "$t/big.txt"
        echo "$TEXT_BYTES" > "$t/ok"
        chmod -R a+rX "$t"
        # Another run may have made it meanwhile: keep the first.
        mv -T "$t" "$d" 2>/dev/null || rm -rf "$t"
        GEN_TMP=""
    fi
    for f in big.txt.gz big.txt.br big.txt.zst; do
        ln -f "$d/$f" "$TMP/www/$f" 2>/dev/null || cp "$d/$f" "$TMP/www/$f" || return 1
    done
}
if [ "$HAS_DECODE" = 1 ] && ! make_text_files; then
    echo "bench.sh: making the decode workloads' files failed" >&2
    exit 1
fi
chmod -R a+rX "$TMP/www"

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start_nginx() {
    local port=$1 tls_port=$2
    cat > "$TMP/nginx.conf" <<EOF
daemon on;
worker_processes 1;
worker_rlimit_nofile $((NGINX_CONNS + 1024));
pid $TMP/nginx.pid;
error_log $TMP/error.log warn;
events { worker_connections $NGINX_CONNS; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    keepalive_timeout 300s;
    default_type application/octet-stream;
    client_body_temp_path $TMP/tmp/body;
    proxy_temp_path $TMP/tmp/proxy;
    fastcgi_temp_path $TMP/tmp/fastcgi;
    uwsgi_temp_path $TMP/tmp/uwsgi;
    scgi_temp_path $TMP/tmp/scgi;
    server {
        listen 127.0.0.1:$port backlog=4096;
        root $TMP/www;
        # The decode workloads: the stored compressed text as it is, with its coding.
        # nginx compresses nothing itself (gzip off).
        gzip off;
        location = /big.txt.gz { types { } default_type text/plain; add_header Content-Encoding gzip; }
        location = /big.txt.br { types { } default_type text/plain; add_header Content-Encoding br; }
        location = /big.txt.zst { types { } default_type text/plain; add_header Content-Encoding zstd; }
    }
    # The TLS 1.3 variants: same files, ECDSA P-256 certificate made at start.
    server {
        listen 127.0.0.1:$tls_port ssl backlog=4096;
        ssl_protocols TLSv1.3;
        ssl_certificate $TMP/tls/leaf.pem;
        ssl_certificate_key $TMP/tls/leaf.key;
        ssl_session_cache off;
        ssl_session_tickets off;
        root $TMP/www;
    }
}
EOF
    taskset -c "$NGINX_CPU" "$NGINX" -p "$TMP" -e "$TMP/error.log" -c "$TMP/nginx.conf" 2>>"$TMP/error.log" || return 1
    for _ in $(seq 50); do
        [ -s "$TMP/nginx.pid" ] && break
        sleep 0.1
    done
    NGINX_PID=$(cat "$TMP/nginx.pid" 2>/dev/null)
    [ -n "$NGINX_PID" ] && kill -0 "$NGINX_PID" 2>/dev/null
}

# A port below the ephemeral range, so that the thousands of client connections of
# `newconn` never compete with it.
EPH_LOW=$(awk '{print $1}' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
[ "${EPH_LOW:-0}" -gt 11000 ] || EPH_LOW=32768
PORT=""; TLS_PORT=""
for _ in $(seq 20); do
    p=$((10000 + RANDOM % (EPH_LOW - 10001)))
    port_free "$p" && port_free "$((p + 1))" || continue
    if start_nginx "$p" "$((p + 1))"; then PORT=$p; TLS_PORT=$((p + 1)); break; fi
done
if [ -z "$PORT" ]; then
    echo "bench.sh: nginx did not start:" >&2
    cat "$TMP/error.log" >&2
    exit 1
fi
HOSTPORT="127.0.0.1:$PORT"
TLS_HOSTPORT="localhost:$TLS_PORT"
log "nginx $($NGINX -v 2>&1 | sed 's/.*\///') pid $NGINX_PID on $HOSTPORT (TLS 1.3 on $TLS_HOSTPORT), pinned to CPU $NGINX_CPU; clients on CPU $CLIENT_CPU"
# Warm the page cache and check the files are served.
if ! curl -sf -o /dev/null "http://$HOSTPORT/big.bin" || ! curl -sf -o /dev/null "http://$HOSTPORT/small.bin" ||
    ! curl -sf --tlsv1.3 --cacert "$CA_PEM" -o /dev/null "https://$TLS_HOSTPORT/small.bin"; then
    echo "bench.sh: nginx does not serve the files:" >&2
    cat "$TMP/error.log" >&2
    exit 1
fi
# The compressed text: sent as stored (its own size on the wire), with its coding.
if [ "$HAS_DECODE" = 1 ]; then
    for f in big.txt.gz:gzip big.txt.br:br big.txt.zst:zstd; do
        got=$(curl -sf -o /dev/null -D - -w 'size=%{size_download}\n' "http://$HOSTPORT/${f%%:*}" | tr -d '\r') &&
            grep -qix "content-encoding: ${f#*:}" <<<"$got" && grep -qix 'content-type: text/plain' <<<"$got" &&
            grep -qx "size=$(stat -c %s "$TMP/www/${f%%:*}")" <<<"$got" || {
            echo "bench.sh: nginx does not serve /${f%%:*} as stored with Content-Encoding ${f#*:}:" >&2
            echo "$got" >&2
            cat "$TMP/error.log" >&2
            exit 1
        }
    done
fi

if [ "$SERVE" = 1 ]; then
    echo "serving http://$HOSTPORT/small.bin ($SMALL_BYTES bytes) and /big.bin ($BIG_BYTES bytes); peers in $BIN"
    echo "TLS 1.3: https://$TLS_HOSTPORT/ (same files); export BENCH_CA_FILE=$CA_PEM (curl --cacert $CA_PEM)"
    [ "$HAS_DECODE" = 1 ] && echo "decode: http://$HOSTPORT/big.txt.gz, .br, .zst ($TEXT_BYTES bytes of text each, Content-Encoding gzip, br, zstd)"
    while kill -0 "$NGINX_PID" 2>/dev/null; do sleep 1; done
    exit 0
fi

# ----- runs --------------------------------------------------------------------------

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=${OUT:-"$BENCH/results/$STAMP"}
mkdir -p "$OUT"
RESULTS="$OUT/runs.tsv"
printf 'workload\tclient\trun\tstatus\trequests\tbytes\tconns\tsecs\tcpu_s\tmaxrss_kb\tmode\tsyscalls\tminflt\n' > "$RESULTS"

# workload -> "peer-workload url n conns"
wl_args() {
    case "$1" in
        bulk) echo "bulk http://$HOSTPORT/big.bin 1 1" ;;
        seq) echo "seq http://$HOSTPORT/small.bin $SEQ_N 1" ;;
        fanout) echo "fanout http://$HOSTPORT/small.bin $FAN_N $FAN_CONNS" ;;
        newconn) echo "newconn http://$HOSTPORT/small.bin $NEW_N 1" ;;
        tls-bulk) echo "bulk https://$TLS_HOSTPORT/big.bin 1 1" ;;
        tls-seq) echo "seq https://$TLS_HOSTPORT/small.bin $SEQ_N 1" ;;
        fanout10k) echo "fanout http://$HOSTPORT/small.bin $BIGFAN_N $BIGFAN_CONNS" ;;
        gzip|br|zstd) echo "$1 http://$HOSTPORT/$(wl_file "$1") 1 1" ;;
    esac
}
# The decode workloads' files (in $TMP/www).
wl_file() { case "$1" in gzip) echo big.txt.gz ;; br) echo big.txt.br ;; zstd) echo big.txt.zst ;; esac; }
# Body bytes per request: decoded bytes for the decode workloads.
wl_body() { case "$1" in *bulk) echo "$BIG_BYTES" ;; gzip|br|zstd) echo "$TEXT_BYTES" ;; *) echo "$SMALL_BYTES" ;; esac; }
# Which clients run a workload (the others get no row).
wl_runs() {
    case "$1" in
        gzip|br|zstd) in_list "$2" "$DECODE_CLIENTS" ;;
        *) [ "$2" != raw-decode ] || return 1
           case "$1" in
               tls-frame) [ "$2" = pollhttp ] ;;
               tls-*) in_list "${2%@base}" "raw pollhttp pollhttp-blocking hyper curl" ;;
               fanout10k) in_list "${2%@base}" "pollhttp hyper" ;;
               *) true ;;
           esac ;;
    esac
}

# The decode workloads' helpers. curl decodes a coding only when its libcurl was built
# with the library for it (`curl -V` features libz, brotli, zstd); without, its row is n/a.
CURL_FEATURES=$(curl -V 2>/dev/null | sed -n 's/^Features: //p')
curl_decodes() {
    case "$1" in
        gzip) in_list libz "$CURL_FEATURES" ;;
        br) in_list brotli "$CURL_FEATURES" ;;
        zstd) in_list zstd "$CURL_FEATURES" ;;
    esac
}
if [ "$HAS_DECODE" = 1 ]; then
    # A run that does not apply: its reason on stderr, exit status 4 (n/a).
    printf '%s\n' '#!/bin/sh' 'echo "$*" >&2' 'exit 4' > "$TMP/not-applicable"
    # raw-decode WORKLOAD FILE: a decoder's command-line tool alone, the stored file (in
    # the page cache) to /dev/null: the floor of the decode workloads. For gzip, zlib's
    # inflate (the zstd tool reads gzip through zlib when built with it, as Debian's is):
    # GNU gzip decodes with an inflate of its own, about half as fast as zlib's, which
    # would be no floor.
    cat > "$TMP/raw-decode" <<'EOF_RAW'
#!/bin/sh
exec >/dev/null
case "$1" in
    gzip) [ "$RAW_DECODE_ZLIB" = 1 ] && exec zstd -qdc --format=gzip "$2"; exec gzip -dc "$2" ;;
    br) exec brotli -dc "$2" ;;
    zstd) exec zstd -qdc "$2" ;;
esac
echo "raw-decode: unknown coding $1" >&2
exit 2
EOF_RAW
    chmod 755 "$TMP/not-applicable" "$TMP/raw-decode"
fi
export RAW_DECODE_ZLIB=0
[ "$HAS_DECODE" = 1 ] && zstd -vV 2>/dev/null | grep -q 'supports:.*gzip' && RAW_DECODE_ZLIB=1
raw_decode_mode() {
    case "$1" in
        gzip) [ "$RAW_DECODE_ZLIB" = 1 ] && echo "zlib (zstd -dc --format=gzip)" || echo "gzip -dc" ;;
        br) echo "brotli -dc" ;;
        zstd) echo "zstd -dc" ;;
    esac
}

# curl's timed decode runs write to /dev/null and report the bytes on the wire
# (%{size_download}); the decoded length is counted once per workload here, by an
# untimed run of the same command with the body piped to `wc -c`. Prints that count.
curl_decoded_count() {
    local wl=$1 url n st
    read -r _ url _ _ <<<"$(wl_args "$wl")"
    n=$(taskset -c "$CLIENT_CPU" curl -s --fail --compressed "$url" | wc -c)
    st=("${PIPESTATUS[@]}")
    [ "${st[0]}" = 0 ] && echo "$n" || echo "curl-exit-${st[0]}"
}

# The curl CLI as a peer: one process, every URL from a generated config file, bodies
# to /dev/null; keep-alive within the process, --parallel for fan-out (curl's multi
# interface, one thread), `Connection: close` for newconn.
curl_cmd() {
    local wl=$1 url=$2 n=$3 conns=$4 cfg="$TMP/curl-$5.cfg" total=$3
    [ "$wl" = fanout ] && total=$((n * conns))
    if [ ! -s "$cfg" ]; then
        {
            echo 'silent'
            echo 'fail'
            echo 'write-out = "%{size_download}\n"'
            case "$url" in https:*) echo 'tlsv1.3'; echo "cacert = \"$CA_PEM\"" ;; esac
            [ "$wl" = newconn ] && echo 'header = "Connection: close"'
            is_decode "$wl" && echo 'compressed'
            for _ in $(seq "$total"); do
                echo "url = \"$url\""
                echo 'output = "/dev/null"'
            done
        } > "$cfg"
    fi
    if [ "$wl" = fanout ]; then
        echo curl --parallel --parallel-immediate --parallel-max "$conns" -K "$cfg"
    else
        echo curl -K "$cfg"
    fi
}

peer_cmd() {
    local client=$1 wl=$2 url=$3 n=$4 conns=$5 name=$6
    if [ "$client" = curl ] && is_decode "$wl" && ! curl_decodes "$wl"; then
        echo "$TMP/not-applicable" "curl: this libcurl does not decode $wl (curl -V features: $CURL_FEATURES)"
    elif [ "$client" = curl ]; then
        curl_cmd "$wl" "$url" "$n" "$conns" "$name"
    elif [ "$client" = raw-decode ]; then
        echo "$TMP/raw-decode" "$wl" "$TMP/www/$(wl_file "$wl")"
    elif [ "$client" != "${client%@base}" ]; then
        echo "$BASE_BIN/peer-${client%@base}" "$wl" "$url" "$n" "$conns"
    else
        echo "$BIN/peer-$client" "$wl" "$url" "$n" "$conns"
    fi
}

kv() { tr ' ' '\n' <<<"$2" | sed -n "s/^$1=//p" | head -1; }

# Every connection to nginx leaves a TIME_WAIT socket for a minute on its ephemeral
# port. With 10,000 of them from the run before, connect() spends about twice the system
# time finding ports (measured: 0.5 s more per 10,000 connections), which would be
# timed as the client's. So each fanout10k run first waits for them to expire.
tw_wait() {
    command -v ss >/dev/null || return 0
    local limit=1000 tw waited=0
    while :; do
        tw=$(ss -tan state time-wait "( dport = :$PORT or sport = :$PORT )" 2>/dev/null | tail -n +2 | wc -l)
        [ "$tw" -le "$limit" ] && break
        [ "$waited" = 0 ] && log "waiting for $tw TIME_WAIT sockets to expire (<= $limit)"
        [ "$waited" -ge 90 ] && { log "still $tw TIME_WAIT sockets; running anyway"; break; }
        sleep 2; waited=$((waited + 2))
    done
}

# One timed run; appends a row to $RESULTS.
timed_run() {
    local client=$1 name=$2 run=$3 wl url n conns cmd out err stat status line
    read -r wl url n conns <<<"$(wl_args "$name")"
    cmd=$(peer_cmd "$client" "$wl" "$url" "$n" "$conns" "$name")
    out="$OUT/$name-$client-$run.out"; err="$OUT/$name-$client-$run.err"; stat="$TMP/stat"
    rm -f "$stat"
    # shellcheck disable=SC2086
    timeout -k 10 "$RUN_TIMEOUT" taskset -c "$CLIENT_CPU" "$BIN/runstat" "$stat" $cmd >"$out" 2>"$err"
    status=$?
    local st; st=$(cat "$stat" 2>/dev/null)
    local cpu rss wall requests bytes c secs mode minflt
    cpu=$(awk -v u="$(kv user_s "$st")" -v s="$(kv sys_s "$st")" 'BEGIN{printf "%.6f", u+s}')
    rss=$(kv maxrss_kb "$st"); wall=$(kv wall_s "$st"); minflt=$(kv minflt "$st")
    if [ "$client" = curl ]; then
        requests=$(grep -c . "$out"); bytes=$(awk '{s+=$1} END{print s+0}' "$out")
        c=$conns; [ "$wl" = newconn ] && c=$n
        secs=$wall; mode=cli; [ "$wl" = fanout ] && mode=parallel
        if is_decode "$wl" && [ "$status" = 0 ]; then
            # Wire bytes as served, then the decoded count of the untimed run.
            local wire=$bytes stored; stored=$(stat -c %s "$TMP/www/$(wl_file "$wl")")
            if [ "$wire" = "$stored" ]; then
                bytes=$(cat "$TMP/curl-decoded-$wl" 2>/dev/null)
                echo "wire=$wire decoded=$bytes (decoded bytes counted by the untimed run)" >>"$err"
            else
                echo "bench: curl $wl: $wire bytes on the wire, the stored file has $stored" >>"$err"
            fi
        fi
    elif [ "$client" = raw-decode ]; then
        # Each form was checked against the text with the same tool when the files were
        # made; here the tool's exit status says it decoded the whole file.
        requests=1; bytes=$TEXT_BYTES; c=0; secs=$wall; mode=$(raw_decode_mode "$wl")
    else
        line=$(grep '^client=' "$out" | tail -1)
        requests=$(kv requests "$line"); bytes=$(kv bytes "$line"); c=$(kv conns "$line")
        secs=$(kv secs "$line"); mode=$(kv mode "$line")
    fi
    local expect_req=$n; [ "$wl" = fanout ] && expect_req=$((n * conns))
    local res=ok
    if [ "$status" = 4 ]; then res=n/a
    # A baseline built before the decode workloads existed refuses them as a usage error.
    elif [ "$status" = 2 ] && is_decode "$wl" && [ "$client" != "${client%@base}" ]; then res=n/a
    elif [ "$status" != 0 ]; then res=fail
    elif [ "${requests:-0}" != "$expect_req" ] ||
         [ "${bytes:-0}" != "$((expect_req * $(wl_body "$wl")))" ]; then
        res=fail; echo "bench: $client $wl: $requests requests / $bytes bytes, expected $expect_req / $((expect_req * $(wl_body "$wl")))" >>"$err"
    fi
    [ "$res" = fail ] && log "$client $name run $run failed (exit $status): $(head -c 300 "$err" | tr '\n' ' ')"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$client" "$run" "$res" \
        "${requests:-0}" "${bytes:-0}" "${c:-0}" "${secs:-0}" "${cpu:-0}" "${rss:-0}" "${mode:--}" "" "${minflt:-}" >>"$RESULTS"
}

# tls-frame: one run of its own program (which starts its own TLS server and pins its
# threads); appends a row with the outcome only, the figures stay in its output.
frame_run() {
    local out="$OUT/tls-frame-pollhttp.out" err="$OUT/tls-frame-pollhttp.err" status res=ok
    timeout -k 10 "$RUN_TIMEOUT" "$BIN/tls-frame" "$FRAME_N" >"$out" 2>"$err"
    status=$?
    if [ "$status" != 0 ] || [ "$(grep -c '^summary ' "$out")" != 3 ]; then
        res=fail
        log "tls-frame failed (exit $status): $(head -c 300 "$err" | tr '\n' ' ')"
    fi
    printf 'tls-frame\tpollhttp\t1\t%s\t%s\t\t\t\t\t\tframe\t\t\n' "$res" "$FRAME_N" >>"$RESULTS"
}

# One extra run under strace; appends a row with the syscall count only.
strace_run() {
    local client=$1 name=$2 wl url n conns cmd sfile
    read -r wl url n conns <<<"$(wl_args "$name")"
    cmd=$(peer_cmd "$client" "$wl" "$url" "$n" "$conns" "$name")
    sfile="$OUT/$name-$client.strace"
    # shellcheck disable=SC2086
    timeout -k 10 "$RUN_TIMEOUT" taskset -c "$CLIENT_CPU" strace -f -c -o "$sfile" $cmd \
        >"$OUT/$name-$client-strace.out" 2>"$OUT/$name-$client-strace.err"
    local status=$? calls res
    calls=$(awk '$NF == "total" {print $4}' "$sfile" 2>/dev/null)
    [ "$status" = 0 ] && [ -n "$calls" ] || calls=""
    if [ -n "$calls" ]; then res=ok; elif [ "$status" = 4 ]; then res=n/a
    elif [ "$status" = 2 ] && is_decode "$wl" && [ "$client" != "${client%@base}" ]; then res=n/a
    else res=fail; fi
    printf '%s\t%s\tstrace\t%s\t\t\t\t\t\t\t\t%s\t\n' "$name" "$client" "$res" "$calls" >>"$RESULTS"
}

for wl in $WORKLOADS; do
    if [ "$wl" = tls-frame ]; then
        wl_runs tls-frame pollhttp && grep -qw pollhttp <<<"$CLIENTS" || continue
        log "tls-frame: $FRAME_N rounds per case"
        frame_run
        continue
    fi
    if is_decode "$wl" && in_list curl "$CLIENTS" && curl_decodes "$wl"; then
        curl_decoded_count "$wl" > "$TMP/curl-decoded-$wl"
        log "$wl: curl decodes $(cat "$TMP/curl-decoded-$wl") bytes (untimed check run; the text has $TEXT_BYTES)"
    fi
    for run in $(seq "$RUNS"); do
        for client in $CLIENTS; do
            wl_runs "$wl" "$client" || continue
            [ "$wl" = fanout10k ] && tw_wait
            log "$wl: $client run $run/$RUNS"
            timed_run "$client" "$wl" "$run"
        done
    done
    # 10,000 connections under strace take long and say little more.
    if [ "$STRACE" = 1 ] && [ "$wl" != fanout10k ]; then
        for client in $CLIENTS; do
            wl_runs "$wl" "$client" || continue
            log "$wl: $client under strace"
            strace_run "$client" "$wl"
        done
    fi
done

# ----- report ------------------------------------------------------------------------

STRACE_NOTE=""
[ "$STRACE" = 1 ] && STRACE_NOTE="; syscalls from one extra \`strace -f -c\` run"
CPU_MODEL=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
{
    echo "## Loopback benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "Machine: $(nproc) cores, ${CPU_MODEL:-unknown CPU}, Linux $(uname -r)." \
        "nginx $($NGINX -v 2>&1 | sed 's/.*\///') (1 worker, sendfile, access log off) on CPU $NGINX_CPU;" \
        "clients on CPU $CLIENT_CPU. Median of $RUNS run(s)$STRACE_NOTE." \
        "$([ "$SMOKE" = 1 ] && echo '**Smoke mode: tiny sizes, one run: checks that the suite works, the numbers mean nothing.**')" \
        "$([ "$QUICK" = 1 ] && [ "$SMOKE" = 0 ] && echo '**Quick mode: small sizes, one run: not comparable to full runs.**')"
    echo
    if [ -n "$BASE_SHA" ]; then
        echo "Baseline: \`pollhttp@base\` and \`pollhttp-blocking@base\` are the same peers built from" \
            "$BASE_SHA ($(git -C "$ROOT" log -1 --format=%s "$BASE_SHA" | sed 's/|/\\|/g')), against that" \
            "revision's library and bench/Cargo.lock; the other rows are the working tree" \
            "($NOW_DESC, as the build began)."
        echo
    fi
    printf 'Workloads:'
    for wl in $WORKLOADS; do
        case "$wl" in
            bulk) printf ' bulk = GET %s MiB once on one connection;' "$((BIG_BYTES / 1048576))" ;;
            seq) printf ' seq = %s keep-alive GETs of %s bytes;' "$SEQ_N" "$SMALL_BYTES" ;;
            fanout) printf ' fanout = %s connections x %s GETs from one thread;' "$FAN_CONNS" "$FAN_N" ;;
            newconn) printf ' newconn = %s GETs, each on a new connection;' "$NEW_N" ;;
            tls-seq) printf ' tls-seq = seq over TLS 1.3 (ECDSA P-256 certificate, no resumption);' ;;
            tls-bulk) printf ' tls-bulk = bulk over TLS 1.3;' ;;
            tls-frame) printf ' tls-frame = the longest single call of a frame loop during a TLS connect and one GET, %s rounds per case;' "$FRAME_N" ;;
            fanout10k) printf ' fanout10k = %s connections x %s GETs from one thread;' "$BIGFAN_CONNS" "$BIGFAN_N" ;;
            gzip|br|zstd)
                [ -n "${said_decode:-}" ] || printf ' %s = GET a %s MiB log-like text file once, served precompressed with that Content-Encoding (gzip -6, brotli -q 11, zstd -3), decoded as a stream: decoded MB/s;' \
                    "$(for w in $WORKLOADS; do is_decode "$w" && printf '%s ' "$w"; done | sed 's/ $//; s/ /, /g')" "$((TEXT_BYTES / 1048576))"
                said_decode=1 ;;
        esac
    done
    echo
    echo
    # One note under each decode table: what was served.
    NOTES="$TMP/notes.tsv"; : > "$NOTES"
    for wl in $WORKLOADS; do
        is_decode "$wl" || continue
        f=$(wl_file "$wl"); z=$(stat -c %s "$TMP/www/$f")
        case "$wl" in gzip) how="gzip -6" ;; br) how="brotli (quality 11, window chosen by the tool)" ;; zstd) how="zstd -3" ;; esac
        note=$(awk -v t="$TEXT_BYTES" -v z="$z" -v f="$f" -v how="$how" \
            'BEGIN { printf "%s: %.1f MB on the wire for %.1f MB of text (%.1f×), made with %s.", f, z / 1e6, t / 1e6, t / z, how }')
        if in_list curl "$CLIENTS"; then
            if curl_decodes "$wl"; then note="$note curl: $(curl -V | head -1 | awk '{print $2}'), libcurl decodes $wl; decoded bytes counted by one untimed run through \`wc -c\`."
            else note="$note curl: n/a, its libcurl does not decode $wl."; fi
        fi
        printf '%s\t%s\n' "$wl" "$note" >> "$NOTES"
    done
    awk -F'\t' -v big="$BIG_BYTES" -v order="$CLIENTS" -v worder="$WORKLOADS" -v runs="$RUNS" -v notes="$NOTES" '
    function median(list,   n, a, i, j, t) {
        n = split(list, a, " ")
        if (n == 0) return ""
        for (i = 2; i <= n; i++) { t = a[i]; j = i - 1; while (j > 0 && a[j] + 0 > t + 0) { a[j+1] = a[j]; j-- } a[j+1] = t }
        return (n % 2) ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2
    }
    function spread(list, med,   n, a, i, lo, hi) {
        n = split(list, a, " ")
        if (n < 2 || med + 0 == 0) return "–"
        lo = a[1]; hi = a[1]
        for (i = 2; i <= n; i++) { if (a[i] + 0 < lo + 0) lo = a[i]; if (a[i] + 0 > hi + 0) hi = a[i] }
        return sprintf("%.0f%%", (hi - lo) / med * 100)
    }
    function ratio(x, y) { return (x == "" || y == "" || y + 0 == 0) ? "–" : sprintf("%.2f×", x / y) }
    function lo(list,   n, a, i, v) { n = split(list, a, " "); v = a[1]; for (i = 2; i <= n; i++) if (a[i] + 0 < v + 0) v = a[i]; return v }
    function hi(list,   n, a, i, v) { n = split(list, a, " "); v = a[1]; for (i = 2; i <= n; i++) if (a[i] + 0 > v + 0) v = a[i]; return v }
    function num(x) { return (x + 0 >= 100) ? sprintf("%.0f", x) : sprintf("%.1f", x) }
    function range(list,   a, b) { a = num(lo(list)); b = num(hi(list)); return a == b ? a : a "–" b }
    # "C / C@base" for one workload: ratio of the medians, the run-by-run ratios (run i of
    # both ran back to back), both min-max ranges and whether they overlap.
    function vsbase(W, C, unit,   k, kb, r, pr, plo, phi, n, verdict, t1, t2) {
        k = W SUBSEP C; kb = W SUBSEP C "@base"
        if (!(k in status) || !(kb in status)) return
        if (na[k] && na[kb]) return
        if (tps[k] == "" || tps[kb] == "") { printf "- %s / %s@base: – (a run failed or is n/a)\n", C, C; return }
        n = 0; plo = ""; phi = ""
        for (r = 1; r <= runs; r++) {
            if (!((k, r) in tpr) || !((kb, r) in tpr) || tpr[kb, r] == 0) continue
            pr = tpr[k, r] / tpr[kb, r]; n++
            if (plo == "" || pr < plo) plo = pr
            if (phi == "" || pr > phi) phi = pr
        }
        if (split(tps[k], t1, " ") < 2 || split(tps[kb], t2, " ") < 2) verdict = "one run each: no spread to judge by"
        else if (hi(tps[k]) + 0 < lo(tps[kb]) + 0) verdict = "**slower beyond the spread** (every run below every baseline run)"
        else if (lo(tps[k]) + 0 > hi(tps[kb]) + 0) verdict = "faster beyond the spread (every run above every baseline run)"
        else verdict = "within the spread (the ranges overlap)"
        printf "- %s / %s@base: **%s** throughput%s; %s %s %s, %s@base %s; CPU per %s %s; %s\n", \
            C, C, ratio(median(tps[k]), median(tps[kb])), \
            (n > 1) ? sprintf(" (run by run %.2f–%.2f×)", plo, phi) : "", \
            C, range(tps[k]), unit, C, range(tps[kb]), \
            isbytes(W) ? "MiB" : "request", ratio(median(cpus[k]), median(cpus[kb])), verdict
    }
    # Bytes-per-second workloads: bulk ones, and the decode ones (decoded bytes).
    function isbytes(W) { return W ~ /bulk$/ || W == "gzip" || W == "br" || W == "zstd" }
    BEGIN { while ((getline l < notes) > 0) { i = index(l, "\t"); note[substr(l, 1, i - 1)] = substr(l, i + 1) } }
    FNR == 1 { next }
    $1 == "tls-frame" { next }
    $3 == "strace" { if ($4 == "ok") sys[$1, $2] = $12; next }
    {
        k = $1 SUBSEP $2
        status[k] = (status[k] == "" || status[k] == "ok") ? $4 : status[k]
        if ($4 == "n/a") { na[k] = 1; next }
        if ($4 != "ok") { failed[k]++; next }
        req[k] = $5; mode[k] = $11
        if (isbytes($1)) { tp = $6 / $8 / 1e6; per = $6 / 1048576 } else { tp = $5 / $8; per = $5 }
        tps[k] = tps[k] " " tp
        tpr[k, $3] = tp
        cpus[k] = cpus[k] " " ($9 / per * 1e6)
        rsss[k] = rsss[k] " " ($10 / 1024)
        units[k] = per
    }
    END {
        nc = split(order, cl, " "); nw = split(worder, wl, " ")
        for (w = 1; w <= nw; w++) {
            W = wl[w]
            if (W == "tls-frame") continue
            bulk = isbytes(W)
            dec = (W == "gzip" || W == "br" || W == "zstd")
            # The floor: raw sockets, or for the decode workloads the decoder tools alone.
            floor = dec ? "raw-decode" : "raw"
            printf "### %s\n\n", W
            printf "| client | mode | %s | spread | vs pollhttp | vs %s | CPU µs/%s | syscalls/%s | peak RSS MiB |\n", \
                dec ? "decoded MB/s" : (bulk ? "MB/s" : (W == "newconn" ? "conn/s" : "req/s")), floor, bulk ? "MiB" : "req", bulk ? "MiB" : "req"
            print "|---|---|--:|--:|--:|--:|--:|--:|--:|"
            delete m
            for (c = 1; c <= nc; c++) { k = W SUBSEP cl[c]; m[cl[c]] = median(tps[k]) }
            for (c = 1; c <= nc; c++) {
                C = cl[c]; k = W SUBSEP C
                if (!(k in status)) continue
                if (na[k]) { printf "| %s | n/a | – | – | – | – | – | – | – |\n", C; continue }
                if (tps[k] == "") { printf "| %s | fail | – | – | – | – | – | – | – |\n", C; continue }
                s = (k in sys && units[k] > 0) ? sprintf("%.1f", sys[k] / units[k]) : "–"
                printf "| %s | %s%s | %.0f | %s | %s | %s | %.1f | %s | %.1f |\n", C, mode[k], failed[k] ? " (" failed[k] " failed)" : "", \
                    m[C], spread(tps[k], m[C]), ratio(m[C], m["pollhttp"]), ratio(m[C], m[floor]), \
                    median(cpus[k]), s, median(rsss[k])
            }
            print ""
            if (W in note) printf "%s\n\n", note[W]
            u = bulk ? "MB/s" : (W == "newconn" ? "conn/s" : "req/s")
            if (((W SUBSEP "pollhttp@base") in status) || ((W SUBSEP "pollhttp-blocking@base") in status)) {
                vsbase(W, "pollhttp", u); vsbase(W, "pollhttp-blocking", u); print ""
            }
        }
    }' "$RESULTS"
    if [ -s "$OUT/tls-frame-pollhttp.out" ]; then
        echo "### tls-frame"
        echo
        sed -n 's/^Cryptography alone/Cryptography alone/p' "$OUT/tls-frame-pollhttp.out"
        echo
        echo "| case | worst call per round, median µs | p99 µs | max µs | by CPU: median µs | p99 µs | max µs | longest call |"
        echo "|---|--:|--:|--:|--:|--:|--:|---|"
        awk '/^summary / {
            for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
            call = $0; sub(/.*max_call="/, "", call); sub(/".*/, "", call)
            printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", v["case"], v["median_us"], v["p99_us"], v["max_us"], v["median_cpu_us"], v["p99_cpu_us"], v["max_cpu_us"], call
        }' "$OUT/tls-frame-pollhttp.out"
        echo
        echo "private: new TlsOptions per connection (full handshakes); resumed: one TlsOptions, sessions resumed; bundled: the Mozilla roots plus the private CA through TlsOptions::from_rustls_config. Per-call tables in tls-frame-pollhttp.out."
        echo
    fi
    echo "Spread is (max - min) / median of the throughput over the runs: how much to trust a ratio." \
        "Ratios are throughput / pollhttp's and / raw's (above 1 = faster). curl rows are timed by the" \
        "wrapper (process start and config parsing included). ureq fan-out uses one OS thread per connection."
    if [ "$HAS_DECODE" = 1 ]; then
        echo
        echo "Decode workloads: MB/s are decoded bytes per second (10^6), CPU and syscalls per MiB decoded;" \
            "\`vs raw-decode\` compares with the floor, a decoder's command-line tool (mode column) reading the stored" \
            "file from the page cache to /dev/null (no network, no HTTP; timed by the wrapper, process" \
            "start included). Each client checks that it decoded exactly the text's length."
    fi
    [ -n "$BASE_SHA" ] && echo && echo "Lines \"X / X@base\" compare throughput with the baseline (above 1 = faster" \
        "now): ratio of the medians; run by run, the ratios of run i of each (run back to back);" \
        "the min–max of each client's runs; and \"beyond the spread\" only when the ranges do not overlap." \
        "The CPU ratio is of the medians of CPU time per request (below 1 = cheaper now)."
} > "$OUT/table.md"

cat "$OUT/table.md"
log "raw results in $OUT"
if [ "$SMOKE" = 1 ]; then
    # A peer that failed or miscounted is a broken benchmark; timings never count.
    failed=$(awk -F'\t' 'NR > 1 && $4 == "fail" {printf "%s%s %s", sep, $2, $1; sep = ", "}' "$RESULTS")
    if [ -n "$failed" ]; then
        echo "bench.sh: smoke run failed for: $failed" >&2
        exit 1
    fi
    log "smoke run: every peer ran and counted its requests and bytes right"
fi
exit 0
