#!/usr/bin/env bash
# The Windows build and the tests that run under Wine (README, "Windows"):
#   - every crate and every test and example target builds for x86_64-pc-windows-gnu and
#     passes clippy with no warning;
#   - the test targets listed below, the doc tests and the examples run as Windows
#     programs under Wine;
#   - the command line's comparisons with curl run on Linux against the Windows build of
#     the command line, started through Wine;
#   - the interop suite (nginx, tinyproxy) and the fanout example against nginx run as
#     Windows programs under Wine (scripts/interop.sh --windows).
#
#   scripts/wine/test.sh               all of it
#   scripts/wine/test.sh --no-interop  all but the interop suite (it needs nginx and
#                                      tinyproxy; says loudly that it was left out)
#
# Needs the x86_64-pc-windows-gnu target (rustup target add x86_64-pc-windows-gnu),
# gcc-mingw-w64-x86-64 and wine64; the interop suite also nginx-light, tinyproxy and
# openssl, and the comparisons curl. Uses $CARGO_TARGET_DIR (default target/); the Wine
# prefix is made under it on first use (setup.sh).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/../.."
interop=1
case "${1:-}" in
    "") ;;
    --no-interop) interop=0 ;;
    *) echo "usage: $0 [--no-interop]" >&2; exit 2 ;;
esac
target=x86_64-pc-windows-gnu
runner="$here/runner.sh"
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER="$runner"
export WINEDEBUG=-all
# The Windows build without debug information: it halves the disk and link time, and the
# tests' backtraces still name the functions. `native` runs a Linux build without it, so
# that it reuses what `cargo test --workspace` built.
export CARGO_PROFILE_DEV_DEBUG=0
native() { env -u CARGO_PROFILE_DEV_DEBUG "$@"; }

cargo build --target "$target" --workspace --all-targets
cargo clippy --target "$target" --workspace --all-targets -- -D warnings
"$here/setup.sh"

# The library's unit tests, then its integration tests. Not here: tls_ocsp (it makes
# its OCSP responses with the `openssl` command, which a Windows program cannot start
# under Wine), memory (gigabytes of body against /proc's figures: Linux's own), and
# interop and interop_proxy, which need nginx and tinyproxy (below).
cargo test --target "$target" -p pollhttp --lib
tests=(alloc_steady blocking error_chains exchange faults faults_replies fuzz_corpus
    happy_eyeballs http_request http_request_tls idle_memory poller poller_tls
    proxy_forward proxy_tunnel status_transitions tls_client tls_client_auth
    tls_revocation virtual_time waiting_reads)
args=()
for t in "${tests[@]}"; do
    args+=(--test "$t")
done
cargo test --target "$target" -p pollhttp "${args[@]}"

# The doc tests of every library crate, each a Windows program run by the runner.
cargo test --target "$target" --workspace --doc

# The test server's tests, and the command line's unit tests and its tests that need no
# curl, all as Windows programs (the latter start the Windows pollhttp.exe).
cargo test --target "$target" -p pollhttp-testserver --lib --tests
cargo test --target "$target" -p pollhttp-cli --bins --test cli --test cli_proxy

# The comparisons with curl: a Windows program cannot start Linux's curl, so these run
# as Linux programs that start curl and the Windows build of the command line (through
# the runner), and compare them.
cargo build --target "$target" -p pollhttp-cli --bin pollhttp
# Absolute: the tests start it from their own package folder.
exe="$(cd "${CARGO_TARGET_DIR:-target}" && pwd)/$target/debug/pollhttp.exe"
[ -f "$exe" ] || { echo "no Windows build of the command line at $exe" >&2; exit 1; }
POLLHTTP_CLI_EXE="$exe" POLLHTTP_CLI_RUNNER="$runner" \
    native cargo test -p pollhttp-cli --test cli_curl --test cli_tls

# The examples, briefly, each against the loop server in its own process.
run_example() {
    cargo run --target "$target" -p pollhttp --example "$@"
}
run_example fanout 64 10
run_example seq_requests 500 --mode poller
run_example seq_requests 500 --mode blocking
run_example bulk_download 4000000

if [ "$interop" = 1 ]; then
    # The interop suite and the fanout example, as Windows programs, against nginx and
    # tinyproxy on Linux's loopback.
    bash scripts/interop.sh --windows
else
    echo "################################################################################" >&2
    echo "WARNING: --no-interop: the interop suite under Wine was NOT run" >&2
    echo "################################################################################" >&2
fi
