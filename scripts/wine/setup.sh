#!/usr/bin/env bash
# Makes a Wine prefix that runs the Windows builds of the tests: builds the ProcessPrng
# DLL (bcryptprimitives.c) with mingw and puts it into the prefix's system32.
#
#   WINEPREFIX=/some/dir scripts/wine/setup.sh
#
# Needs gcc-mingw-w64-x86-64 and wine64 (Debian 12: apt-get install gcc-mingw-w64-x86-64
# wine64). The prefix defaults to $CARGO_TARGET_DIR/wine-prefix (target/wine-prefix).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
target_dir="${CARGO_TARGET_DIR:-$here/../../target}"
export WINEPREFIX="${WINEPREFIX:-$target_dir/wine-prefix}"
export WINEDEBUG=-all
wine="$(command -v wine64 || command -v wine || echo /usr/lib/wine/wine64)"
if [ ! -x "$wine" ]; then
    echo "wine64 not found (apt-get install wine64)" >&2
    exit 1
fi

mkdir -p "$target_dir/wine-shim"
dll="$target_dir/wine-shim/bcryptprimitives.dll"
x86_64-w64-mingw32-gcc -shared -O2 -s -o "$dll" \
    "$here/bcryptprimitives.c" "$here/bcryptprimitives.def" -ladvapi32

if [ ! -f "$WINEPREFIX/system.reg" ]; then
    mkdir -p "$WINEPREFIX"
    "$wine" wineboot --init >/dev/null 2>&1 || true
    "$(dirname "$wine")/wineserver" -w 2>/dev/null || wineserver -w 2>/dev/null || true
fi
sys32="$WINEPREFIX/drive_c/windows/system32"
if [ ! -d "$sys32" ]; then
    echo "the Wine prefix $WINEPREFIX has no system32; wineboot failed" >&2
    exit 1
fi
# Wine's own DLLs win over a native one unless told otherwise; Wine 8.0 has none of this
# name, later releases do (then theirs is used and this copy is ignored).
cp "$dll" "$sys32/bcryptprimitives.dll"
echo "Wine prefix ready: $WINEPREFIX" >&2
