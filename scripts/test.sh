#!/usr/bin/env bash
# The whole test suite on a fresh Debian 12 machine: installs what is missing, then
#   1. checks formatting and the component include rules,
#   2. builds everything (Release, -Werror) and runs every ctest label, the dashboard's
#      browser test included (Debian's chromium driven by playwright-core from npm),
#   3. installs the package and builds/runs a consumer project against it,
#   4. builds and runs the tests again under ASan+UBSan,
#   5. runs each libFuzzer target (clang-14, ASan+UBSan) on its seed corpus,
#   6. cross-compiles the Windows collector and agent with mingw-w64 and runs them under wine64
#      (the agent pairs with and streams to a Linux windash-server),
#   7. runs the benchmarks briefly, so their cross-checks between variants run.
# Usage: scripts/test.sh  (FUZZ_SECONDS, default 30, sets the frame parser fuzzing time; the
# other targets get a sixth of it, at least 5 s: a smoke run of each, longer runs by hand)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
jobs=${JOBS:-2}
fuzz_seconds=${FUZZ_SECONDS:-30}
started=$(date +%s)
step() { printf '\n==== [%4ss] %s\n' "$(( $(date +%s) - started ))" "$*"; }

step "setup"
bash scripts/setup.sh

step "format and include rules"
bash scripts/check-format.sh
bash scripts/check-includes.sh

step "build (Release, -Werror)"
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release > build-release.log 2>&1 \
  || { cat build-release.log; exit 1; }
rm -f build-release.log
cmake --build build/release -j"$jobs"

step "tests"
# Three at a time: the end-to-end tests mostly wait on sockets and timers (about 95 CPU-seconds
# in 140 s on 2 cores; 410 s one at a time). Each uses ephemeral ports and its own temp folders.
(cd build/release && ctest -j3 --output-on-failure --timeout 600)

step "consumer project against the installed package"
bash scripts/test-consumer.sh build/release

step "build and tests under ASan+UBSan"
# -O0 -g1 (line tables): stack traces keep file and line, and the Beast-heavy sources (a
# WebSocket stream instantiated over TCP and TLS) compile in 8.5 min instead of 15 at -O1
# under both sanitizers on 2 cores; the tests wait on sockets and timers, not on the CPU.
cmake -S . -B build/asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O0 -g1 -DNDEBUG" \
      -DWINDASH_SANITIZE=address,undefined -DWINDASH_BUILD_BENCH=OFF > /dev/null
cmake --build build/asan -j"$jobs"
# The end-to-end tests run under the sanitizers on SQLite only: their PostgreSQL twins run the
# same server code, and the PostgreSQL store itself runs under the sanitizers in
# store_postgres_test. WINDASH_TEST_QUICK skips the cases that only wait on a clock (a 61 s
# offline window). Two at a time: three at a time took 145 s in a clean-clone run against
# 153 s with two (95 s by hand), too little to be worth a third process on two cores.
(cd build/asan && WINDASH_TEST_QUICK=1 ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
   UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest -j2 --output-on-failure --timeout 900 \
   -E '^(ingest_server_test|api_test|web_test|agent_pair_test|agent_stream_test|ingest_faults_test)_postgres$')

step "libFuzzer targets (clang-14, ASan+UBSan)"
bash scripts/fuzz.sh "$fuzz_seconds"

if [ -x scripts/check-windows-collector.sh ]; then
  step "Windows collector: mingw-w64 cross build, run under wine64"
  WINDASH_MINGW_BUILD_DIR="$root/build/mingw" JOBS="$jobs" \
    bash scripts/check-windows-collector.sh build/release/examples/parse/windash-parse
  step "Windows agent: mingw-w64 cross build, pairs and streams under wine64 to a Linux server"
  WINDASH_MINGW_BUILD_DIR="$root/build/mingw" JOBS="$jobs" \
    bash scripts/check-windows-agent.sh build/release/examples/server/windash-server
fi

step "benchmarks, briefly (their cross-checks; figures come from the bench/README.md runs)"
bench=build/release/bench
"$bench/protocol/parse_bench" --benchmark_min_time=0.01 > /dev/null && echo "parse_bench: ok"
"$bench/collector/collect_bench" --benchmark_min_time=0.01 > /dev/null && echo "collect_bench: ok"
"$bench/store/store_bench" --benchmark_min_time=0.01 \
    --benchmark_filter='commit/(sqlite|postgres)/(group|seed)/batch:30/writers:1/' > /dev/null \
  && echo "store_bench: ok"

step "all passed"
