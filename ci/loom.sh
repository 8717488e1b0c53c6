#!/usr/bin/env bash
# Loom over the patterns' own code (tests/loom_patterns_*.rs) and the crate's coordination
# logic: every interleaving (up to LOOM_MAX_PREEMPTIONS preemptions, 3 by default; tokio's own
# CI uses 2), in release mode, in a target dir of its own. Prints each model's interleavings
# explored and time, and each broken twin's failing interleaving.
#   bash ci/loom.sh
#   LOOM_MAX_PREEMPTIONS=2 bash ci/loom.sh loom_shutdown     # one suite
set -euo pipefail
cd "$(dirname "$0")/.."

export LOOM_MAX_PREEMPTIONS=${LOOM_MAX_PREEMPTIONS:-3}
# Our own cfg name: `--cfg loom` would also switch tokio to its internal loom build.
export RUSTFLAGS="${RUSTFLAGS:-} --cfg channel_patterns_loom"
export CARGO_TARGET_DIR=${LOOM_TARGET_DIR:-target/loom}

if [ $# -gt 0 ]; then
  suites="$*"
else
  suites=$(ls tests/loom_*.rs | xargs -n1 basename | sed 's/\.rs$//')
fi

cargo test --release --no-run $(printf -- '--test %s ' $suites) 2> /dev/null

start=$(date +%s)
for suite in $suites; do
  # One test at a time, so each model's time is its own; the twins' panics go to stderr.
  out=$(cargo test --release -q --test "$suite" -- --nocapture --test-threads=1 2> /dev/null) || {
    echo "$out"
    echo "loom: $suite FAILED"
    exit 1
  }
  # A twin's failing interleaving follows its line: what it printed and the schedule.
  echo "$out" | grep -oE '(loom (model|twin) .*|^  (printed|schedule): .*)' | sed "s/^/$suite: /"
done
echo "loom: all models passed and every broken twin was rejected in $(( $(date +%s) - start )) s (LOOM_MAX_PREEMPTIONS=$LOOM_MAX_PREEMPTIONS)"
