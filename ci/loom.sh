#!/usr/bin/env bash
# Loom over the guide's programs, the proxy's coordination logic and the loom backend (the suites
# of tests/loom_models/, loom_guide the first), the programs' own tests (`lib`: the patterns
# crate's unit tests, a block's tests in crates/patterns/src/corrected/*/tests.rs), and the
# example of tokio-or-loom (`batcher`: crates/batcher's tokio tests, unchanged): every
# interleaving (up to LOOM_MAX_PREEMPTIONS preemptions, 3 by default; tokio's own CI uses 2), in
# release mode, in a target dir of its own. Prints each model's interleavings explored and time,
# each program's distinct outputs, and each broken twin's failing interleaving.
#   bash ci/loom.sh
#   LOOM_MAX_PREEMPTIONS=2 bash ci/loom.sh loom_shutdown     # one suite
#   bash ci/loom.sh --deep loom_guide                        # also the tests marked deep
set -euo pipefail
cd "$(dirname "$0")/.."

deep=()
if [ "${1:-}" = --deep ]; then
  deep=(--include-ignored)
  shift
fi

export LOOM_MAX_PREEMPTIONS=${LOOM_MAX_PREEMPTIONS:-3}
# Our own cfg name: `--cfg loom` would also switch tokio to its internal loom build.
export RUSTFLAGS="${RUSTFLAGS:-} --cfg channel_patterns_loom"
export CARGO_TARGET_DIR=${LOOM_TARGET_DIR:-target/loom}

if [ $# -gt 0 ]; then
  suites="$*"
else
  # Every module of tests/loom_models/ but the harness, the guide's programs first.
  suites="lib loom_guide $(ls tests/loom_models/loom_*.rs | xargs -n1 basename | sed 's/\.rs$//' |
    grep -vx 'loom_guide\|loom_support') batcher"
fi

target() { # the cargo options naming a suite's test binary
  case $1 in
    lib) echo "-p patterns --lib" ;;
    batcher) echo "-p batcher --features loom" ;;
    *) echo "-p channel-patterns --test loom_models" ;;
  esac
}
filter() { # the test filter of a suite: a module of loom_models, or the whole binary
  case $1 in
    lib | batcher) ;;
    *) echo "$1::" ;;
  esac
}

# Quiet, but a build error is shown.
cargo test --release --no-run -q -p patterns --lib -p channel-patterns --test loom_models
# On its own: its feature `loom` must not reach the packages above.
cargo test --release --no-run -q -p batcher --features loom

start=$(date +%s)
for suite in $suites; do
  # The example at 2 preemptions, tokio's own and loom-tokio's default for a test: at 3 its
  # two-producer test alone takes minutes.
  bound=$LOOM_MAX_PREEMPTIONS
  [ "$suite" != batcher ] || bound=2
  suite_start=$(date +%s)
  # One test at a time, so each model's time is its own; the twins' panics go to stderr.
  out=$(LOOM_MAX_PREEMPTIONS=$bound cargo test --release -q $(target "$suite") -- $(filter "$suite") \
    --nocapture --test-threads=1 ${deep[@]+"${deep[@]}"} 2> /dev/null) || {
    echo "$out"
    echo "loom: $suite FAILED"
    exit 1
  }
  # A twin's failing interleaving follows its line: what it printed and the schedule.
  echo "$out" | grep -oE '(loom (model|twin|guide) .*|^  (printed|schedule): .*)' | sed "s/^/$suite: /" || true
  [ "$suite" != batcher ] ||
    echo "batcher: $(echo "$out" | grep -oE '[0-9]+ passed' | awk '{ n += $1 } END { print n }') tokio tests passed under loom at $bound preemptions in $(( $(date +%s) - suite_start )) s"
done
echo "loom: all models passed and every broken twin was rejected in $(( $(date +%s) - start )) s (LOOM_MAX_PREEMPTIONS=$LOOM_MAX_PREEMPTIONS)"
