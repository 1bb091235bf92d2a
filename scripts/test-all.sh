#!/usr/bin/env bash
# Every check the project holds itself to, in the order a failure is cheapest to find:
# formatting, lints with warnings denied, then every test of every crate. CI runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "==> cargo fmt --check"
cargo fmt --all -- --check

echo "==> cargo clippy (warnings denied)"
cargo clippy --workspace --all-targets --locked -- -D warnings

# Test output is captured, so a skipped real-client test would go unnoticed: say it here.
# Under CI they are never skipped: they fail instead (.ci/run installs what they need).
if [[ ! -f e2e/node_modules/datafast/package.json ]] ||
    ! { [[ -n "${CHROMIUM:-}" ]] || type -P chromium || type -P chromium-browser; } >/dev/null; then
    echo "note: the real-client tests (npm SDK, Chromium) will skip: run 'npm ci --prefix e2e'" \
        "and install Chromium (Debian: apt-get install chromium) to run them"
fi

echo "==> cargo test"
cargo test --workspace --locked

echo "==> tracker script tests (node --test)"
node --test tracker/test/
