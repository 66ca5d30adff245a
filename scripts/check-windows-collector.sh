#!/usr/bin/env bash
# Cross-compiles windash-collect.exe with mingw-w64, runs it headless under wine64 and checks
# that what it prints is a valid Sample v1 (SPEC §1) with windash-parse.
#
#   scripts/check-windows-collector.sh [PATH/TO/windash-parse]
#
# Without an argument, windash-parse is looked for in the repository's build*/ folders.
# Environment: WINDASH_MINGW_BUILD_DIR (default build-mingw), JOBS (default 1).
# The wine prefix lives in the build folder; its first creation takes a few seconds.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$(realpath -m "${WINDASH_MINGW_BUILD_DIR:-$root/build-mingw}")  # wine wants absolute paths
jobs=${JOBS:-1}

fail() { echo "check-windows-collector: $*" >&2; exit 1; }

find_parse() {
    local candidate
    for candidate in "$root"/build*/examples/parse/windash-parse; do
        [ -x "$candidate" ] && { echo "$candidate"; return 0; }
    done
    return 1
}

parse=${1:-}
[ -n "$parse" ] || parse=$(find_parse) || fail "windash-parse not found: build it or pass its path"
[ -x "$parse" ] || fail "$parse is not executable"

# shellcheck source=scripts/windows-cross.sh
source "$root/scripts/windows-cross.sh"
mingw_build windash-collect
exe="$build/examples/collect/windash-collect.exe"
sample=$(timeout 90 "$wine" "$exe" --host-id wine-check 2>"$build/wine-stderr.log" | tr -d '\r') ||
    fail "windash-collect.exe failed under wine (see $build/wine-stderr.log)"
[ -n "$sample" ] || fail "windash-collect.exe printed nothing"

frame="$build/wine-frame.ndjson"
printf '{"type":"metrics","samples":[%s]}\n' "$sample" >"$frame"
"$parse" "$frame" || fail "windash-parse rejected the sample in $frame"
case "$sample" in
    *'"name":"C:\\'*) ;;
    *) fail "no C:\\ drive in the sample: $sample" ;;
esac
echo "check-windows-collector: OK $(wc -c <"$exe") byte exe; sample: $sample"
