#!/usr/bin/env bash
# Deep property mode: every proptest property with many more cases (default 20,000 each),
# in release mode. Prints each property suite's wall time and cases per second.
#   bash ci/deep.sh            # 20,000 cases per property
#   CASES=100000 bash ci/deep.sh
set -euo pipefail
cd "$(dirname "$0")/.."

cases=${CASES:-20000}
suites=$(ls tests/prop_*.rs | xargs -n1 basename | sed 's/\.rs$//')

# Build first, so that the timings below are the properties alone.
cargo test --release --no-run $(printf -- '--test %s ' $suites) 2> /dev/null

total_props=0
total_ms=0
for suite in $suites; do
  start=$(date +%s%N)
  # The twins' tests stop at their first counterexample and do not depend on the case count;
  # the edge_ tests are fixed cases.
  out=$(PROPTEST_CASES=$cases cargo test --release -q --test "$suite" 2>&1) || {
    echo "$out"
    echo "deep: $suite FAILED"
    exit 1
  }
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  props=$(awk '/^proptest! *\{/,/^\}/' "tests/$suite.rs" | grep -c '^ *fn ' || true)
  rate=$(( props * cases * 1000 / (ms > 0 ? ms : 1) ))
  printf '%-16s %3d properties x %6d cases  %7.1f s  %8d cases/s\n' \
    "$suite" "$props" "$cases" "$(awk "BEGIN { print $ms / 1000 }")" "$rate"
  total_props=$(( total_props + props ))
  total_ms=$(( total_ms + ms ))
done
printf 'deep: %d properties x %d cases in %.1f s (%d cases/s)\n' \
  "$total_props" "$cases" "$(awk "BEGIN { print $total_ms / 1000 }")" \
  "$(( total_props * cases * 1000 / (total_ms > 0 ? total_ms : 1) ))"
