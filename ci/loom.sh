#!/usr/bin/env bash
# Loom models of the crate's coordination logic: every interleaving (up to
# LOOM_MAX_PREEMPTIONS preemptions, 3 by default; tokio's own CI uses 2), in release mode, in
# a target dir of its own. Prints each model's interleavings explored and time.
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
  echo "$out" | grep -oE 'loom (model|twin) .*' | sed "s/^/$suite: /"
done
echo "loom: all models passed and every broken twin was rejected in $(( $(date +%s) - start )) s (LOOM_MAX_PREEMPTIONS=$LOOM_MAX_PREEMPTIONS)"
