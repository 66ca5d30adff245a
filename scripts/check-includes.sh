#!/usr/bin/env bash
# Enforces the component graph on public headers: a header under include/windash/<c>/ may
# include only windash headers of the components <c> depends on, and never the heavy
# third-party headers that stay in src/ (simdjson, SQLite, libpq, argon2, spdlog, Boost.JSON).
set -euo pipefail
cd "$(dirname "$0")/.."

declare -A allowed=(
  [core]="core"
  [protocol]="core protocol"
  [collector]="core collector"
  [store]="core store"
  [store_sqlite]="core store store_sqlite"
  [store_postgres]="core store store_postgres"
  [pairing]="core protocol pairing"
  [ingest]="core protocol store ingest"
  [agent]="core protocol collector pairing agent"
)
forbidden='^#include <(simdjson|sqlite3|libpq-fe|argon2|spdlog/|boost/json|nlohmann/|fmt/)'
network='^#include <boost/(asio|beast)'
status=0
for dir in include/windash/*/; do
  component=$(basename "$dir")
  deps=${allowed[$component]:-}
  if [ -z "$deps" ]; then echo "check-includes: unknown component $component"; status=1; continue; fi
  while IFS= read -r -d '' header; do
    while IFS= read -r line; do
      if [[ $line =~ $forbidden ]]; then
        echo "$header: heavy third-party header in a public header: $line"; status=1
      fi
      if [[ $line =~ $network ]] && [[ " core protocol collector store store_sqlite store_postgres " == *" $component "* ]]; then
        echo "$header: $component must not depend on networking: $line"; status=1
      fi
      if [[ $line =~ ^#include\ \<windash/([a-z_]+)[/.] ]]; then
        used=${BASH_REMATCH[1]}
        if [[ " $deps " != *" $used "* ]]; then
          echo "$header: $component may not include windash/$used"; status=1
        fi
      fi
    done < <(grep -E '^#include' "$header")
  done < <(find "$dir" -name '*.hpp' -print0)
done
[ $status -eq 0 ] && echo "includes: public headers follow the component graph"
exit $status
