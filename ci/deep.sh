#!/usr/bin/env bash
# Deep property mode: every proptest property with many more cases (default 20,000 each),
# in release mode. Prints each property suite's wall time and cases per second. Then the
# proxy's fault schedules (tests/proxy/sim_schedules.rs, default 5,000), with schedules per second.
#   bash ci/deep.sh            # 20,000 cases per property, 5,000 schedules
#   CASES=100000 SIM_CASES=20000 bash ci/deep.sh
set -euo pipefail
cd "$(dirname "$0")/.."

cases=${CASES:-20000}
# The property suites: the modules prop_* of the props test binary.
suites=$(ls tests/props/prop_*.rs | xargs -n1 basename | sed 's/\.rs$//')

# Build first, so that the timings below are the properties alone.
cargo test --release --no-run --test props 2> /dev/null

total_props=0
total_ms=0
for suite in $suites; do
  start=$(date +%s%N)
  # The twins' tests stop at their first counterexample and do not depend on the case count;
  # the edge_ tests are fixed cases.
  out=$(PROPTEST_CASES=$cases cargo test --release -q --test props "$suite::" 2>&1) || {
    echo "$out"
    echo "deep: $suite FAILED"
    exit 1
  }
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  # The properties: the `fn`s of a `proptest!` block, and one per `suite_tests!` (its
  # `agrees_with_the_model`; its other tests are fixed cases).
  props=$(( $(awk '/^proptest! *\{/,/^\}/' "tests/props/$suite.rs" | grep -c '^ *fn ' || true) +
    $(grep -c 'suite_tests!(' "tests/props/$suite.rs" || true) ))
  rate=$(( props * cases * 1000 / (ms > 0 ? ms : 1) ))
  printf '%-16s %3d properties x %6d cases  %7.1f s  %8d cases/s\n' \
    "$suite" "$props" "$cases" "$(awk "BEGIN { print $ms / 1000 }")" "$rate"
  total_props=$(( total_props + props ))
  total_ms=$(( total_ms + ms ))
done
printf 'deep: %d properties x %d cases in %.1f s (%d cases/s)\n' \
  "$total_props" "$cases" "$(awk "BEGIN { print $total_ms / 1000 }")" \
  "$(( total_props * cases * 1000 / (total_ms > 0 ? total_ms : 1) ))"

# The proxy under generated fault schedules (tests/proxy/sim_schedules.rs), SIM_CASES of them
# (default 5,000): the properties on each, then each schedule's trace twice for determinism
# (a tenth as many), and the broken twin rejected. Prints how many schedules put the proxy
# through each kind of fault, and schedules per second.
sim_cases=${SIM_CASES:-5000}
cargo test --release --no-run --test proxy 2> /dev/null
start=$(date +%s%N)
out=$(PROPTEST_CASES=$sim_cases SIM_TALLY=1 cargo test --release -q --test proxy \
  sim_schedules::the_proxy_survives_every_schedule -- --nocapture 2>&1) || {
  echo "$out"
  echo "deep: sim_schedules FAILED"
  exit 1
}
ms=$(( ($(date +%s%N) - start) / 1000000 ))
survived=$(grep -c '^survived:' <<< "$out" || true)
[ "$survived" -ge "$sim_cases" ] || { echo "$out"; echo "deep: only $survived schedules ran"; exit 1; }
echo "sim_schedules: $survived schedules survived in $(awk "BEGIN { print $ms / 1000 }") s" \
  "($(( survived * 1000 / (ms > 0 ? ms : 1) )) schedules/s); schedules with each kind of fault:"
grep '^survived:' <<< "$out" | cut -d: -f2 | tr ' ' '\n' | grep . | sort | uniq -c |
  awk '{ printf "  %-26s %6d\n", $2, $1 }'
twice=$(( sim_cases / 10 > 0 ? sim_cases / 10 : 1 ))
PROPTEST_CASES=$twice cargo test --release -q --test proxy -- \
  sim_schedules::the_same_schedule_gives_the_same_trace \
  sim_schedules::a_relay_that_drops_leftover_bytes_is_rejected > /dev/null 2>&1 || {
  PROPTEST_CASES=$twice cargo test --release -q --test proxy sim_schedules:: 2>&1 | tail -30
  echo "deep: sim_schedules determinism or twin FAILED"
  exit 1
}
echo "sim_schedules: $twice schedules gave the same trace twice; the broken twin was rejected"

# Loom's deep tests: the guide's shutdown app at two preemptions, where it prints each of the
# 90 orders of its lines (minutes; ci/loom.sh, which CI runs too, explores it at one).
bash ci/loom.sh --deep loom_guide | grep -E '^loom_guide: loom guide app-shutdown|^loom:'
