#!/usr/bin/env bash
# Every check the project holds itself to, in the order a failure is cheapest to find:
# formatting, lints with warnings denied, the supply-chain policy (deny.toml), then every test
# of every crate and the tracker script's tests. CI runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

# A check whose tool is missing is skipped with a notice on a developer's machine, so the
# README's command works with only Rust installed; under CI it fails instead, since .ci/run
# installs every tool and a skip there would hide a missing install step.
skip_or_fail() {
    if [[ -n "${CI:-}" ]]; then
        echo "error: $1 is missing under CI; .ci/run should have installed it" >&2
        exit 1
    fi
    echo "note: skipping $2: $1 is not installed ($3)"
}

echo "==> cargo fmt --check"
cargo fmt --all -- --check

echo "==> cargo clippy (warnings denied)"
cargo clippy --workspace --all-targets --locked -- -D warnings

# Licences, duplicate versions and crate sources, all read from Cargo.lock: no network needed.
# The advisories check is left out: it needs the RustSec database from the network (see
# "Supply chain" in docs/operations.md to run it where the network allows).
echo "==> cargo deny check licenses bans sources"
if cargo deny --version >/dev/null 2>&1; then
    cargo deny --locked check licenses bans sources
else
    skip_or_fail cargo-deny "the supply-chain check" \
        "cargo install cargo-deny --locked --version 0.20.2"
fi

# Test output is captured, so a skipped real-client test would go unnoticed: say it here.
# Under CI they are never skipped: they fail instead (.ci/run installs what they need).
if [[ ! -f e2e/node_modules/datafast/package.json ]] ||
    ! { [[ -n "${CHROMIUM:-}" ]] || type -P chromium || type -P chromium-browser; } >/dev/null; then
    echo "note: the real-client tests (npm SDK, Chromium) will skip: run 'npm ci --prefix e2e'" \
        "and install Chromium (Debian: apt-get install chromium) to run them"
fi

echo "==> cargo test"
cargo test --workspace --locked

# Embedding is one of the uses the core is built for: this program uses it without HTTP and
# fails if its overview is wrong.
echo "==> embedding example (cargo run --example embed)"
cargo run --locked --quiet -p datafast-examples --example embed >/dev/null

echo "==> tracker script tests (node --test)"
if type -P node >/dev/null; then
    node --test tracker/test/
else
    skip_or_fail node "the tracker script tests" "Debian: apt-get install nodejs"
fi
