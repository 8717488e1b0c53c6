#!/usr/bin/env bash
# The README's test command, plus the checks CI adds. Run from anywhere: bash ci/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

# The README's test command, as a newcomer runs it.
cargo test

# The report must match for every pattern (it exits non-zero otherwise).
cargo run --release --quiet > /dev/null

# Every crate of the workspace: loom-tokio builds without the loom cfg (it is loom's own API).
cargo clippy --workspace --all-targets -- -D warnings
# loom-tokio with the pieces its loom tests build twins from (the tests themselves build only
# under the loom cfg, in ci/loom.sh).
cargo clippy -p loom-tokio --features twins -- -D warnings
cargo fmt --all --check
