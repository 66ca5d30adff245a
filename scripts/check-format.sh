#!/usr/bin/env bash
# Fails when a C++ file of the project is not clang-format clean (.clang-format, clang 14).
set -euo pipefail
cd "$(dirname "$0")/.."
git ls-files '*.cpp' '*.hpp' | xargs clang-format --dry-run --Werror
echo "format: $(git ls-files '*.cpp' '*.hpp' | wc -l) files clean"
