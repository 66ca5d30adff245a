#!/usr/bin/env bash
# The main job on a fresh Debian 12 machine: installs what is missing, builds windash
# (Release) and runs what exists so far:
#   - windash-collect reads this machine once and windash-parse validates the sample;
#   - windash-parse generates 2000 typical agent batches and validates them, printing the rate.
# The ingest server and its URLs (http://localhost:3000) arrive with the server issue.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/setup.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build build/release -j"${JOBS:-2}" --target windash-parse windash-collect

bin=build/release/examples
echo
echo "== this machine, one sample (windash-collect) =="
sample=$("$bin/collect/windash-collect")
echo "$sample"
printf '{"type":"metrics","samples":[%s]}\n' "$sample" | "$bin/parse/windash-parse" -

echo
echo "== 2000 generated agent batches of 30 samples (windash-parse) =="
"$bin/parse/windash-parse" --generate typical --frames 2000 -q build/release/typical.ndjson
echo
echo "No server yet: the ingest server (http://localhost:3000) comes with its own issue."
