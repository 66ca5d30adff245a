#!/usr/bin/env bash
# Enforces the component graph on public headers: a header of component <c> (the umbrella
# include/windash/<c>.hpp and everything under include/windash/<c>/) may include only windash
# headers of the components <c> depends on, and never the heavy third-party headers that stay in
# src/ (simdjson, SQLite, libpq, argon2, spdlog, Boost.JSON). Every component of the top-level
# WINDASH_COMPONENT_ORDER must be listed here; internal components have no public headers.
set -euo pipefail
cd "$(dirname "$0")/.."

declare -A allowed=(
  [core]="core"
  [protocol]="core protocol"
  [collector]="core collector"
  [store]="core store"
  [store_sql]="core store store_sql"
  [store_sqlite]="core store store_sqlite"
  [store_postgres]="core store store_postgres"
  [store_open]="core store store_sqlite store_postgres store_open"
  [pairing]="core protocol pairing"
  [dashboard]="dashboard"
  [ingest]="core protocol store ingest"
  [agent]="core protocol collector pairing agent"
)
internal=" store_sql "  # headers in src/ only
offline=" core protocol collector dashboard store store_sql store_sqlite store_postgres store_open "
forbidden='^#include <(simdjson|sqlite3|libpq-fe|argon2|spdlog/|boost/json|nlohmann/|fmt/)'
network='^#include <boost/(asio|beast)'
status=0

order=$(sed -n '/^set(WINDASH_COMPONENT_ORDER$/{n;p;}' CMakeLists.txt | tr -d ')')
[ -n "$order" ] || { echo "check-includes: WINDASH_COMPONENT_ORDER not found"; exit 1; }
for component in $order; do
  if [ -z "${allowed[$component]:-}" ]; then
    echo "check-includes: component $component has no allowed-include list"; status=1
  fi
done

check_header() {  # component header
  local component=$1 header=$2 line used
  while IFS= read -r line; do
    if [[ $line =~ $forbidden ]]; then
      echo "$header: heavy third-party header in a public header: $line"; status=1
    fi
    if [[ $line =~ $network ]] && [[ $offline == *" $component "* ]]; then
      echo "$header: $component must not depend on networking: $line"; status=1
    fi
    if [[ $line =~ ^#include\ \<windash/([a-z_]+)[/.] ]]; then
      used=${BASH_REMATCH[1]}
      if [[ " ${allowed[$component]} " != *" $used "* ]]; then
        echo "$header: $component may not include windash/$used"; status=1
      fi
    fi
  done < <(grep -E '^#include' "$header" || true)
}

while IFS= read -r -d '' header; do
  relative=${header#include/windash/}
  component=${relative%%/*}
  component=${component%.hpp}
  if [ -z "${allowed[$component]:-}" ]; then
    echo "$header: unknown component $component"; status=1; continue
  fi
  if [[ $internal == *" $component "* ]]; then
    echo "$header: $component is internal and has no public headers"; status=1; continue
  fi
  check_header "$component" "$header"
done < <(find include/windash -name '*.hpp' -print0 | sort -z)
[ $status -eq 0 ] && echo "includes: public headers follow the component graph"
exit $status
