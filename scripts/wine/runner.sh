#!/usr/bin/env bash
# Cargo's runner for x86_64-pc-windows-gnu: runs a Windows program under Wine, in the
# prefix that setup.sh makes (made on first use).
#
#   export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER="$PWD/scripts/wine/runner.sh"
#   cargo test --target x86_64-pc-windows-gnu -p pollhttp --lib
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
target_dir="${CARGO_TARGET_DIR:-$here/../../target}"
export WINEPREFIX="${WINEPREFIX:-$target_dir/wine-prefix}"
export WINEDEBUG=-all
if [ ! -f "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" ]; then
    "$here/setup.sh" >&2
fi
wine="$(command -v wine64 || command -v wine || echo /usr/lib/wine/wine64)"
exec "$wine" "$@"
