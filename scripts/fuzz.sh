#!/usr/bin/env bash
# Builds the libFuzzer targets with clang-14 under ASan+UBSan and runs each from its seed
# corpus: the frame parser for $1 seconds (default 60), the others (timestamps, the
# collector's /proc parsers, the server's request target, the agent's pairing answers and
# settings) for a sixth of that.
# A crash, leak or parser differential fails the run and leaves the reproducer in build/fuzz.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
seconds=${1:-60}
CC=clang-14 CXX=clang++-14 cmake -S . -B build/fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DWINDASH_COMPONENTS="core;protocol;collector" -DWINDASH_FUZZ=ON -DWINDASH_SANITIZE=address,undefined \
    -DWINDASH_BUILD_BENCH=OFF -DWINDASH_BUILD_EXAMPLES=OFF > /dev/null
cmake --build build/fuzz -j"${JOBS:-2}" --target frame_parser_fuzz timestamp_fuzz procfs_fuzz \
    request_target_fuzz pairing_fuzz

run() {  # name seconds seed-folder...
  local name=$1 time=$2; shift 2
  local corpus=build/fuzz/corpus/$name log=build/fuzz/$name.log
  mkdir -p "$corpus"
  if ! (cd build/fuzz && ASAN_OPTIONS=detect_leaks=1 \
          UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
          "./tests/fuzz/$name" -max_total_time="$time" -timeout=10 -rss_limit_mb=4096 \
          -print_final_stats=1 "corpus/$name" "$@") > "$log" 2>&1; then
    tail -60 "$log"
    echo "fuzz: $name failed; reproducer and log in build/fuzz/"
    return 1
  fi
  echo "fuzz: $name: $(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}') runs in ${time}s, no crash, leak or differential"
}
run frame_parser_fuzz "$seconds" "$root/tests/fuzz/corpus/frame_parser"
short=$(( seconds / 6 > 5 ? seconds / 6 : 5 ))
run timestamp_fuzz "$short" "$root/tests/fuzz/corpus/timestamp"
run procfs_fuzz "$short" "$root/tests/fuzz/corpus/procfs"
run request_target_fuzz "$short" "$root/tests/fuzz/corpus/request_target"
run pairing_fuzz "$short" "$root/tests/fuzz/corpus/pairing"
