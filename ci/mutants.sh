#!/usr/bin/env bash
# Mutation testing with cargo-mutants: every mutant of the crate must make a test fail.
# Each group pairs source files with the tests that cover them, so a mutant runs only the
# tests that can catch it. Prints each group's counts and
# wall time; exits non-zero if any mutant was missed or made a test hang.
#   bash ci/mutants.sh                 # every group
#   bash ci/mutants.sh proxy models    # some groups: proxy models patterns loom (or loom-mpsc, ...)
#   bash ci/mutants.sh proxy -F relay  # extra arguments go to cargo mutants (here: a name filter)
# Results: target/mutants/<group>/mutants.out/ (missed.txt, timeout.txt, caught.txt, ...).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

# Installed by this script, pinned, so that a fresh machine runs what the README describes.
version=27.1.0
if ! cargo mutants --version 2> /dev/null | grep -q "$version"; then
  cargo install --locked --quiet cargo-mutants --version "$version"
fi

groups=()
while [ $# -gt 0 ] && [[ $1 != -* ]]; do
  groups+=("$1")
  shift
done
[ ${#groups[@]} -gt 0 ] || groups=(proxy models patterns loom)
# `loom` is one group per channel of the backend, plus its runtime, each with its own suites.
expanded=()
for g in "${groups[@]}"; do
  if [ "$g" = loom ]; then
    expanded+=(loom-oneshot loom-mpsc loom-broadcast loom-watch loom-runtime)
  else
    expanded+=("$g")
  fi
done
groups=("${expanded[@]}")

# A copy of the checkout that cargo-mutants may mutate in place: the working tree is never
# touched, and the copy's target dir (and so its incremental builds) survives between groups
# and runs.
tree=$root/target/mutants/tree
mkdir -p "$tree"
find "$tree" -mindepth 1 -maxdepth 1 ! -name target -exec rm -rf {} +
# Extracted with fresh mtimes (-m): a file restored after an interrupted run is older than the
# mutated one cargo last built, and would otherwise be taken for unchanged.
git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf - | tar -xmf - -C "$tree"

# Test targets as cargo arguments, for the build and the test phases alike: a mutant then
# rebuilds and runs only the tests of its group.
tests() { printf -- '--cargo-arg=--test=%s ' "$@"; }

status=0
for group in "${groups[@]}"; do
  # Read by tests/guide/common.rs (`under_mutants`): the guide's suites then skip compiling its
  # blocks as crates of their own (a rebuild per mutant, and nothing the other tests would miss).
  env=(CHANNEL_PATTERNS_MUTANTS=1)
  profile=mutants
  # The packages whose files are mutated, and those whose tests run (the tests in tests/ are
  # the root package's).
  packages=(channel-patterns)
  test_packages=(channel-patterns)
  case $group in
    # The proxy and the coordination code it runs: the tests of the relay, server, idle
    # tracking, shutdown and arguments, and of the binary that runs it (in tests/guide/, which
    # holds the rest of the checker's suites too: its errata, cli).
    proxy)
      packages=(proxy)
      files=(crates/proxy/src/*.rs)
      test_args=$(tests proxy proxy_fds guide)
      ;;
    # The reference models: the properties against tokio must kill their mutants (and
    # model_handles what tokio's types rule out: using a dropped handle).
    models)
      packages=(channel-models)
      files=(crates/channel-models/src/*.rs)
      test_args=$(tests props)
      ;;
    # The corrected guide's programs, their runner, report and the binary: the tests of the
    # programs (and their own, in the crate), of the guide's documented output and errata, and
    # of the binary.
    patterns)
      packages=(channel-patterns patterns)
      test_packages=(channel-patterns patterns)
      files=(src/*.rs src/conformance/*.rs crates/patterns/src/*.rs crates/patterns/src/corrected/*.rs
        crates/patterns/src/as_written/mod.rs)
      test_args="--cargo-arg=--lib $(tests guide as_written_quiet props)"
      ;;
    # loom-tokio, the backend of crates/patterns/src/rt.rs under the loom cfg, killed by the
    # loom suites (tests/loom_models/) and the guide's programs under loom, in an optimised
    # build (loom explores thousands of interleavings): one group per channel, and one for the
    # runtime and the pieces the channels share.
    loom-oneshot | loom-mpsc | loom-broadcast | loom-watch | loom-runtime)
      channel=${group#loom-}
      if [ "$channel" = runtime ]; then
        files=(crates/loom-tokio/src/{lib,shared,task,time,clock,select,harness,join}.rs crates/loom-tokio/src/{task,time}/*.rs)
      else
        files=("crates/loom-tokio/src/$channel.rs")
      fi
      test_args=$(tests loom_models)
      env+=(RUSTFLAGS="--cfg channel_patterns_loom" LOOM_MAX_PREEMPTIONS="${LOOM_MAX_PREEMPTIONS:-2}")
      profile=mutants-loom
      packages=(loom-tokio)
      ;;
    *)
      echo "mutants: unknown group '$group' (groups: proxy models patterns loom, or one of loom-{oneshot,mpsc,broadcast,watch,runtime})" >&2
      exit 2
      ;;
  esac

  file_args=()
  for f in "${files[@]}"; do file_args+=(--file "$f"); done
  for p in "${packages[@]}"; do file_args+=(--package "$p"); done
  for p in "${test_packages[@]}"; do file_args+=(--test-package "$p"); done

  out=$root/target/mutants/$group
  mkdir -p "$out"
  start=$(date +%s)

  # The baseline: the group's tests on the unmutated tree, timed. cargo-mutants 27.1 runs its
  # own baseline with the mutated packages' tests, not the --test-package ones (run_baseline in
  # its lab.rs), which fails when, as here, the tests live in another package. So it is run
  # here, and its time sets the timeout as cargo-mutants would: 3x, at least 60 s
  # (.cargo/mutants.toml).
  # shellcheck disable=SC2086
  cargo_test=(cargo test --profile "$profile" $(printf -- '-p %s ' "${test_packages[@]}")
    ${test_args//--cargo-arg=/})
  if ! (cd "$tree" && env "${env[@]}" "${cargo_test[@]}" --no-run > "$out/baseline.txt" 2>&1 &&
    baseline_start=$(date +%s) &&
    env "${env[@]}" "${cargo_test[@]}" >> "$out/baseline.txt" 2>&1 &&
    echo $(( $(date +%s) - baseline_start )) > "$out/baseline-secs"); then
    tail -20 "$out/baseline.txt"
    echo "mutants: $group: the unmutated tree fails its tests (log: $out/baseline.txt)"
    status=1
    continue
  fi
  test_timeout=$(( $(cat "$out/baseline-secs") * 3 ))
  [ "$test_timeout" -ge 60 ] || test_timeout=60

  # shellcheck disable=SC2086
  rc=0
  env "${env[@]}" cargo mutants --in-place --dir "$tree" --output "$out" \
    --profile "$profile" --no-shuffle --baseline skip --timeout "$test_timeout" \
    "${file_args[@]}" $test_args "$@" > "$out/log.txt" 2>&1 || rc=$?
  secs=$(( $(date +%s) - start ))

  # cargo mutants exits 0 (all caught), 2 (some missed) or 3 (some timed out) after a run;
  # anything else (a failing baseline, a bad argument) means the mutants were not tested.
  if [ "$rc" != 0 ] && [ "$rc" != 2 ] && [ "$rc" != 3 ]; then
    tail -20 "$out/log.txt"
    echo "mutants: $group: cargo mutants failed with exit code $rc (log: $out/log.txt)"
    status=1
    continue
  fi
  o=$out/mutants.out
  count() { if [ -f "$o/$1.txt" ]; then grep -c . "$o/$1.txt" || true; else echo 0; fi; }
  caught=$(count caught) missed=$(count missed) timeout=$(count timeout) unviable=$(count unviable)
  printf 'mutants: %-8s caught %4d  missed %3d  timeouts %3d  unviable %3d  in %d s (test timeout %d s)\n' \
    "$group" "$caught" "$missed" "$timeout" "$unviable" "$secs" "$test_timeout"
  if [ "$missed" != 0 ] || [ "$timeout" != 0 ]; then
    cat "$o/missed.txt" "$o/timeout.txt" | sed "s/^/  $group: /"
    status=1
  fi
done
exit $status
