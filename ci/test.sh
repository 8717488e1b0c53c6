#!/usr/bin/env bash
# The README's test command, plus the checks CI adds. Run from anywhere: bash ci/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

# The README's test command, as a newcomer runs it.
cargo test

# The report must match for every pattern (it exits non-zero otherwise).
cargo run --release --quiet > /dev/null

cargo clippy --all-targets -- -D warnings
cargo fmt --check
