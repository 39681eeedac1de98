#!/usr/bin/env bash
# The Windows build and the tests that run under Wine (README, "Windows"):
#   - every crate and every test and example target builds for x86_64-pc-windows-gnu and
#     passes clippy with no warning;
#   - the test targets listed below run as Windows programs under Wine.
#
# Needs the x86_64-pc-windows-gnu target (rustup target add x86_64-pc-windows-gnu),
# gcc-mingw-w64-x86-64 and wine64. Uses $CARGO_TARGET_DIR (default target/); the Wine
# prefix is made under it on first use (setup.sh).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/../.."
target=x86_64-pc-windows-gnu
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER="$here/runner.sh"
export WINEDEBUG=-all
# No debug information in the Windows build: it halves the disk and link time, and the
# tests' backtraces still name the functions.
export CARGO_PROFILE_DEV_DEBUG=0

cargo build --target "$target" --workspace --all-targets
cargo clippy --target "$target" --workspace --all-targets -- -D warnings
"$here/setup.sh"

# The library's unit tests, then the loopback integration tests that run under Wine. Not
# here (README, "Windows"): tls_ocsp (makes its OCSP responses with the `openssl`
# command, which a Windows program cannot start here), the Poller and many-connection
# targets (Unix-only, they hold no test on Windows), interop and interop_proxy (nginx and
# tinyproxy peers: scripts/interop.sh), the doc tests, and the other crates' tests (the
# command line's compare with the curl command).
cargo test --target "$target" -p pollhttp --lib
tests=(blocking error_chains exchange faults faults_replies fuzz_corpus happy_eyeballs
    http_request http_request_tls proxy_forward proxy_tunnel status_transitions tls_client
    tls_client_auth tls_revocation virtual_time waiting_reads)
args=()
for t in "${tests[@]}"; do
    args+=(--test "$t")
done
cargo test --target "$target" -p pollhttp "${args[@]}"
