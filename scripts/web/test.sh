#!/usr/bin/env bash
# The browser stage: pollhttp built for wasm32-unknown-unknown, run in headless Chromium.
#   1. clippy on pollhttp's wasm32 build (the library and tests/web.rs) and on the example
#      page's crate, with no warning allowed;
#   2. pollhttp's tests/web.rs (in a page) and tests/web_worker.rs (in a worker) in the browser (wasm-bindgen-test-runner driving Chromium
#      through chromedriver), against a loopback pollhttp-web-testserver whose URL the
#      tests get at build time in POLLHTTP_WEB_SERVER; at least one test must run;
#   3. the example page (crates/pollhttp-web-demo): built for wasm32, served by the same
#      test server from /site/, loaded in Chromium through chromedriver's WebDriver API,
#      and its text checked for the Godot tutorial's lines and the `done` marker.
#
# Needs the wasm32-unknown-unknown target (rustup target add wasm32-unknown-unknown),
# chromium, chromedriver, curl and jq; exits with status 3 and says so when one is
# missing (the caller decides whether that fails). wasm-bindgen-cli, at exactly the
# wasm-bindgen version of Cargo.lock, is installed on first use under the target folder
# ($CARGO_TARGET_DIR, default target/) in web-tools/, and reused after.
#
# Everything listens on 127.0.0.1 only: the test server, chromedriver and the runner's
# page server; webdriver.json keeps Chromium from reaching out to any other host.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/../.."
root="$(pwd)"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
wasm=wasm32-unknown-unknown
# The crate whose tests/web.rs runs in the browser, and the example page's crate.
package=pollhttp
demo=pollhttp-web-demo
# Hang guards, not measurements: a whole wasm test run, and the page reaching its marker.
export WASM_BINDGEN_TEST_TIMEOUT=180
export WASM_BINDGEN_TEST_DRIVER_TIMEOUT=60
page_deadline=120

say() { printf '[web] %s\n' "$*"; }

# --- Prerequisites ----------------------------------------------------------------------
missing=()
# The standard library for the target, however the toolchain was installed.
if ! [ -d "$(rustc --print sysroot)/lib/rustlib/$wasm/lib" ]; then
    missing+=("the $wasm standard library: rustup target add $wasm")
fi
for tool in chromium chromedriver curl jq; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        # Debian packages chromedriver as chromium-driver.
        missing+=("$tool: apt-get install ${tool/#chromedriver/chromium-driver}")
    fi
done
if [ "${#missing[@]}" -gt 0 ]; then
    {
        echo "################################################################################"
        echo "BROWSER TESTS NOT RUN: scripts/web/test.sh is missing a prerequisite"
        for m in "${missing[@]}"; do
            echo "  - $m"
        done
        echo "################################################################################"
    } >&2
    exit 3
fi

# --- wasm-bindgen-cli at the lock file's wasm-bindgen version ---------------------------
# The runner and the bindings generator must be the very version the crates were built
# against: they refuse a module made by another one.
version="$(awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
if [ -z "$version" ]; then
    echo "scripts/web/test.sh: Cargo.lock has no wasm-bindgen package" >&2
    exit 1
fi
tools="$target_dir/web-tools/wasm-bindgen-cli-$version"
if [ "$("$tools/bin/wasm-bindgen" --version 2>/dev/null || true)" = "wasm-bindgen $version" ] &&
    [ -x "$tools/bin/wasm-bindgen-test-runner" ]; then
    say "wasm-bindgen-cli $version: already in $tools"
else
    say "installing wasm-bindgen-cli $version into $tools (a few minutes, once)"
    # Not --locked: with it the install has failed on a dependency version that the CLI's
    # own lock file names and the registry index no longer lists. Its own target folder,
    # removed after: nothing there is used again once the binaries are installed.
    cargo install wasm-bindgen-cli --version "$version" --root "$tools" \
        --target-dir "$target_dir/web-tools/build"
    rm -rf "$target_dir/web-tools/build"
fi
export PATH="$tools/bin:$PATH"
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner

# Chromium's options for both the runner and the page check: webdriver.json, plus where
# this machine's Chromium is.
capabilities="$target_dir/web-tools/webdriver.json"
jq --arg bin "$(command -v chromium)" '."goog:chromeOptions".binary = $bin' \
    "$here/webdriver.json" >"$capabilities"
export WASM_BINDGEN_TEST_WEBDRIVER_JSON="$capabilities"

# --- The test server --------------------------------------------------------------------
server_pid=
driver_pid=
session=
driver=
cleanup() {
    if [ -n "$session" ]; then
        curl -s -m 20 -X DELETE "$driver/session/$session" >/dev/null 2>&1 || true
    fi
    if [ -n "$driver_pid" ]; then
        kill "$driver_pid" 2>/dev/null || true
        wait "$driver_pid" 2>/dev/null || true
    fi
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
}
trap cleanup EXIT

cargo build -p pollhttp-testserver --bin pollhttp-web-testserver
site="$target_dir/web-site"
rm -rf "$site"
mkdir -p "$site"
# A coprocess: its standard input is a pipe from this script, so it also ends (at end of
# input) if this script dies without running its trap.
coproc SERVER { exec "$target_dir/debug/pollhttp-web-testserver" --site "$site"; }
server_pid="$SERVER_PID"
if ! read -r -t 60 url <&"${SERVER[0]}" || [[ "$url" != http://127.0.0.1:* ]]; then
    echo "scripts/web/test.sh: the test server gave no URL" >&2
    exit 1
fi
say "test server: $url (pid $server_pid)"

# --- pollhttp's browser tests ------------------------------------------------------------
# The server's URL is in the environment here too: tests/web.rs reads it at build time.
POLLHTTP_WEB_SERVER="$url" cargo clippy -p "$package" --target "$wasm" --lib --test web \
    --test web_worker -- -D warnings
cargo clippy -p "$demo" --target "$wasm" --lib -- -D warnings

log="$target_dir/web-tools/test-web.log"
# tests/web.rs runs in a page, tests/web_worker.rs in a dedicated worker.
POLLHTTP_WEB_SERVER="$url" cargo test -p "$package" --target "$wasm" --test web \
    --test web_worker 2>&1 | tee "$log"
# A run that ran nothing (no test compiled in, or all of them ignored) also says
# `test result: ok`: each of the two targets counts only if it passed at least one test.
if [ "$(grep -Ec 'test result: ok\. [1-9][0-9]* passed' "$log")" -ne 2 ]; then
    echo "scripts/web/test.sh: a browser test target ran no test" >&2
    exit 1
fi

# --- The example page ---------------------------------------------------------------------
cargo build -p "$demo" --target "$wasm" --release
wasm-bindgen --target web --no-typescript --out-dir "$site" \
    "$target_dir/$wasm/release/${demo//-/_}.wasm"
cp "crates/$demo/index.html" "$site/"

driver_log="$target_dir/web-tools/chromedriver.log"
# Port 0: chromedriver picks a free one and names it in its first lines.
chromedriver --port=0 >"$driver_log" 2>&1 &
driver_pid=$!
for _ in $(seq 1 300); do
    port="$(sed -n 's/.*started successfully on port \([0-9]*\).*/\1/p' "$driver_log")"
    [ -n "$port" ] && break
    sleep 0.1
done
if [ -z "${port:-}" ]; then
    echo "scripts/web/test.sh: chromedriver did not start:" >&2
    cat "$driver_log" >&2
    exit 1
fi
driver="http://127.0.0.1:$port"

# W3C new session with webdriver.json's capabilities, keeping the page's console output.
request="$(jq -c '{capabilities: {alwaysMatch: (. + {"goog:loggingPrefs": {browser: "ALL"}})}}' "$capabilities")"
reply="$(curl -sS -m 120 -H 'Content-Type: application/json' -d "$request" "$driver/session")"
session="$(jq -r '.value.sessionId // empty' <<<"$reply")"
if [ -z "$session" ]; then
    echo "scripts/web/test.sh: no WebDriver session: $reply" >&2
    exit 1
fi
page="$url/site/index.html"
say "loading $page"
curl -sS -m 120 -H 'Content-Type: application/json' -d "$(jq -nc --arg u "$page" '{url: $u}')" \
    "$driver/session/$session/url" >/dev/null

# The page's text until its last line is the marker (`done` or `failed: ...`).
read_out='const o = document.getElementById("out"); return o ? o.textContent : "";'
script="$(jq -nc --arg s "$read_out" '{script: $s, args: []}')"
text=
marker=
deadline=$((SECONDS + page_deadline))
while [ "$SECONDS" -lt "$deadline" ]; do
    text="$(curl -sS -m 30 -H 'Content-Type: application/json' -d "$script" \
        "$driver/session/$session/execute/sync" | jq -r '.value // empty')"
    marker="$(grep -E '^(done|failed: .*)$' <<<"$text" | tail -n 1 || true)"
    [ -n "$marker" ] && break
    sleep 0.5
done

# What the page must show: the tutorial's lines for /chunked, with the page's byte count
# and text as the server sends them.
expected_body="$(curl -sS -m 30 "$url/chunked")"
expected_len="$(curl -sS -m 30 "$url/chunked" | wc -c)"
failures=()
check_line() {
    grep -Fxq -- "$1" <<<"$text" || failures+=("no line \"$1\"")
}
[ "$marker" = done ] || failures+=("the page did not end with \"done\" (marker: \"${marker:-none within ${page_deadline}s}\")")
check_line "Connecting..."
check_line "Requesting..."
check_line "response? true"
check_line "code: 200"
check_line "bytes got: $expected_len"
if ! grep -Eq '^(Response is Chunked!|Response Length: -?[0-9]+)$' <<<"$text"; then
    failures+=("no \"Response is Chunked!\" or \"Response Length: N\" line")
fi
if ! grep -q '^\*\*headers:\\n{ .* }$' <<<"$text"; then
    failures+=("no \"**headers:\\n{ ... }\" line")
fi
[[ "$text" == *"Text: $expected_body"* ]] || failures+=("no \"Text: \" line with the whole page")

if [ "${#failures[@]}" -gt 0 ]; then
    {
        echo "scripts/web/test.sh: the example page is wrong:"
        for f in "${failures[@]}"; do
            echo "  - $f"
        done
        echo "--- the page's text ---"
        printf '%s\n' "$text"
        echo "--- the browser's console ---"
        curl -sS -m 30 -H 'Content-Type: application/json' -d '{"type":"browser"}' \
            "$driver/session/$session/se/log" | jq -r '.value[]? | "\(.level) \(.message)"' || true
    } >&2
    exit 1
fi
say "example page: $(grep -c . <<<"$text") lines, ends with \"done\""
grep -E '^(code: |bytes got: |Response )' <<<"$text" | sed 's/^/[web]   /'
say "browser stage passed"
