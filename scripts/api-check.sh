#!/usr/bin/env bash
# Checks docs/openapi.json against the running server with schemathesis and every one of its
# checks: builds the debug server, starts it on a fresh database on loopback, creates what the
# run needs (an owner `dft_` token, a website, a visitor with a pageview, later a `df_` key of
# the website and more tokens), then runs the generated tests on every route with a token, on
# the routes a website key may call with the key, and the stateful phase that follows the
# document's links. Every check schemathesis has runs: that is its default, and `--checks all`
# is not passed, since on the command line it would override the per-operation exceptions in
# scripts/schemathesis.toml. Any failure fails the script. The sizes below keep the whole run
# within a few minutes on two cores (API_CHECK_EXAMPLES and API_CHECK_STATEFUL_SECONDS change
# them).
#
# The generation is seeded (API_CHECK_SEED, a fixed number by default), so that CI checks the
# same requests every time and a failure reproduces: the document's exploded query objects
# let the generator send values a query string cannot tell apart from valid ones (an integer,
# a list), which a random seed now and then calls "invalid data accepted". To explore with
# new requests, run `API_CHECK_SEED=random bash scripts/api-check.sh`; a failure prints its
# seed.
set -euo pipefail
cd "$(dirname "$0")/.."

# The version is pinned: a newer schemathesis may add checks, and CI must not change under us.
SCHEMATHESIS_VERSION=4.32.5
EXAMPLES=${API_CHECK_EXAMPLES:-8}
STATEFUL_SECONDS=${API_CHECK_STATEFUL_SECONDS:-60}
SEED=${API_CHECK_SEED:-20261207}
seeding=()
[[ "$SEED" == random ]] || seeding=(--seed "$SEED")

if ! command -v st >/dev/null || [[ "$(st --version)" != *" $SCHEMATHESIS_VERSION" ]]; then
    echo "api-check: schemathesis $SCHEMATHESIS_VERSION is needed:" \
        "pip install schemathesis==$SCHEMATHESIS_VERSION" >&2
    exit 1
fi

echo "==> cargo build -p datafast-server -p datafast-provider-fakes"
cargo build -p datafast-server -p datafast-provider-fakes
server_binary="${CARGO_TARGET_DIR:-target}/debug/datafast-server"
fakes_binary="${CARGO_TARGET_DIR:-target}/debug/provider-fakes"

work=$(mktemp -d)
server_pid=""
fakes_pid=""
stop_server() {
    for pid in "$server_pid" "$fakes_pid"; do
        if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
            kill -TERM "$pid"
            wait "$pid" 2>/dev/null || true
        fi
    done
    rm -rf "$work"
}
trap stop_server EXIT

# The payment providers are played by local fakes of their APIs that accept every credential,
# so that connecting one reaches the provider and succeeds; they print the settings that point
# the server at them (DATAFAST_STRIPE_API_BASE=... and the three others).
"$fakes_binary" >"$work/fakes.env" 2>"$work/fakes.log" &
fakes_pid=$!
for _ in $(seq 100); do
    [[ $(wc -l <"$work/fakes.env") -ge 4 ]] && break
    sleep 0.1
done
[[ $(wc -l <"$work/fakes.env") -ge 4 ]] || {
    cat "$work/fakes.log" >&2
    exit 1
}
set -a
# shellcheck disable=SC1091
source "$work/fakes.env"
set +a

database="$work/datafast.db"
owner_token=$("$server_binary" bootstrap --database "$database" --email owner@example.com \
    2>"$work/bootstrap.log") || {
    cat "$work/bootstrap.log" >&2
    exit 1
}

# A free loopback port: bind port 0 and read what the kernel chose.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"

# Rate limits off: the run sends thousands of requests, many with bad credentials on purpose.
# Test-mode provider keys are allowed, since the generated keys may be of either mode.
DATAFAST_DATABASE="$database" DATAFAST_BIND="127.0.0.1:$port" DATAFAST_LOG=warn \
    DATAFAST_RATE_LIMIT_PER_MINUTE=0 DATAFAST_AUTH_FAILURES_PER_MINUTE=0 \
    DATAFAST_ALLOW_TEST_KEYS=true \
    "$server_binary" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 300); do
    curl -sf "$base/health" >/dev/null && break
    sleep 0.1
done
curl -sf "$base/health" >/dev/null || {
    cat "$work/server.log" >&2
    exit 1
}

# Prints one field of the first `data` row of a JSON answer.
field() {
    python3 -c 'import json, sys; print(json.load(sys.stdin)["data"][0][sys.argv[1]])' "$1"
}
admin() {
    curl -sf -X "$1" "$base/api/v1/admin$2" -H "Authorization: Bearer $owner_token" \
        -H 'Content-Type: application/json' ${3:+-d "$3"}
}

website=$(admin POST /websites '{"domain":"check.example.com","name":"API check"}')
website_id=$(field websiteId <<<"$website")
tracking_id=$(field trackingId <<<"$website")
# A visitor with a pageview, so that goals, identify and the visitor routes find one (the
# same id is in scripts/schemathesis.toml).
visitor_id=8f9e2a4c-1b3d-4e5f-9a6b-7c8d9e0f1a2b
curl -sf -X POST "$base/api/events" -H 'Content-Type: application/json' \
    -H 'User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36' \
    -d "{\"websiteId\":\"$tracking_id\",\"domain\":\"check.example.com\",\"visitorId\":\"$visitor_id\",
         \"sessionId\":\"s$visitor_id\",\"href\":\"https://check.example.com/\",\"type\":\"pageview\"}" \
    >/dev/null

export API_CHECK_WEBSITE_ID="$website_id" API_CHECK_OWNER_EMAIL=owner@example.com
schemathesis() {
    st --config-file scripts/schemathesis.toml run docs/openapi.json --url "$base" \
        --no-color ${seeding[@]+"${seeding[@]}"} "$@"
}

# Revoking a token, or rolling or deleting a key, can hit the very credential a run uses (the
# generator reuses ids it has seen in earlier answers), and a revoked token takes the keys it
# issued with it. So the first run leaves those three operations out (the website key is made
# before it, since the run fills the website's ten key slots), and the later runs each use a
# token of their own, made beforehand.
website_key=$(admin POST "/websites/$website_id/apikeys" '{"name":"API check"}' | field key)
destructive=(--exclude-operation-id deleteAccessToken --exclude-operation-id rollApiKey
    --exclude-operation-id deleteApiKey)
status=0
echo "==> schemathesis: every route but the three above, with the owner's dft_ token"
API_CHECK_CREDENTIAL="$owner_token" schemathesis "${destructive[@]}" \
    --phases examples,coverage,fuzzing --max-examples "$EXAMPLES" || status=1

echo "==> schemathesis: the routes a website key may call, with a df_ key"
API_CHECK_CREDENTIAL="$website_key" schemathesis --include-by '/x-website-key == true' \
    --phases examples,coverage,fuzzing --max-examples "$EXAMPLES" || status=1

# The revoking run's token is limited to the website and to keys, so the only tokens it can
# see, and revoke, are itself and those it made; the stateful run comes last.
revoking_token=$(admin POST /access-tokens "{\"name\":\"API check: revoking\",
    \"permissions\":[\"api-keys:read\",\"api-keys:write\"],\"websiteIds\":[\"$website_id\"]}" | field key)
stateful_token=$(admin POST /access-tokens '{"name":"API check: stateful"}' | field key)

echo "==> schemathesis: revoking tokens, rolling and deleting keys, with a dft_ token"
API_CHECK_CREDENTIAL="$revoking_token" schemathesis --include-operation-id deleteAccessToken \
    --include-operation-id rollApiKey --include-operation-id deleteApiKey \
    --phases examples,coverage,fuzzing --max-examples "$EXAMPLES" || status=1

echo "==> schemathesis: stateful, following the document's links, with a dft_ token"
API_CHECK_CREDENTIAL="$stateful_token" schemathesis \
    --phases stateful --max-time "$STATEFUL_SECONDS" || status=1

if ((status)); then
    echo "api-check: schemathesis found a difference between docs/openapi.json and the server" >&2
    echo "server log (last 40 lines):" >&2
    tail -40 "$work/server.log" >&2
fi
exit "$status"
