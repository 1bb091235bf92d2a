#!/usr/bin/env bash
# Every check the project holds itself to, in the order a failure is cheapest to find:
# formatting, lints with warnings denied, then every test of every crate. CI runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "==> cargo fmt --check"
cargo fmt --all -- --check

echo "==> cargo clippy (warnings denied)"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "==> cargo test"
cargo test --workspace --locked

echo "==> tracker script tests (node --test)"
node --test tracker/test/
