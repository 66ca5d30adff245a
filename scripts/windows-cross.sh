# Sourced by check-windows-collector.sh and check-windows-agent.sh: finds wine64, defines
# mingw_build, and exports a headless, quiet wine prefix in the build folder.
# Needs root, build (absolute: wine wants absolute paths), jobs and fail() from the caller.

wine=$(command -v wine64 || true)
[ -n "$wine" ] || wine=/usr/lib/wine/wine64  # Debian's wine64 package does not put it on PATH
[ -x "$wine" ] || fail "wine64 not found (apt-get install wine64)"
wineserver=$(command -v wineserver || echo /usr/lib/wine/wineserver64)

# mingw_build TARGET: configures $build for mingw-w64 (Release, examples only) and builds TARGET.
mingw_build() {
    cmake -S "$root" -B "$build" -G Ninja \
        -DCMAKE_TOOLCHAIN_FILE="$root/cmake/mingw-w64-x86_64.cmake" -DCMAKE_BUILD_TYPE=Release \
        -DWINDASH_BUILD_TESTS=OFF -DWINDASH_BUILD_BENCH=OFF -DWINDASH_BUILD_EXAMPLES=ON > /dev/null
    ninja -C "$build" -j"$jobs" "$1" > /dev/null
}

# Headless and quiet: no display, no debug channels, no Mono/Gecko installer prompts.
export WINEPREFIX="$build/wineprefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
unset DISPLAY WAYLAND_DISPLAY
