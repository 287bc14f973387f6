#!/usr/bin/env bash
# A CI job against cliqd: start it in dev mode, apply the project folder, run tests against
# it, put the server back between tests, reset at the end. Run from anywhere:
#   CLIQD=path/to/cliqd PORT=8080 examples/ci.sh
# (CLIQD defaults to `cliqd` on the PATH: `cargo install --path crates/cliqd`.)
set -euo pipefail
CLIQD=${CLIQD:-cliqd}
PORT=${PORT:-8080}
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d)
export CLIQD_DATA=$WORK/cliqd-data              # read by every cliqd command below
export CLIQD_SERVER=http://127.0.0.1:$PORT      # apply, snapshot and reset go through the server

# Dev mode: no rate limits, handlers may call local services, reset endpoints on. --seed makes
# ids, times and the admin token the same on every run, so recorded replies stay valid.
"$CLIQD" serve --dev --seed 1 --bind "127.0.0.1:$PORT" >"$WORK/serve.out" 2>"$WORK/serve.log" &
SERVER_PID=$!
trap 'kill $SERVER_PID 2>/dev/null; rm -rf "$WORK"' EXIT
until curl -sf "$CLIQD_SERVER/healthz" >/dev/null; do sleep 0.2; done

"$CLIQD" apply "$HERE/project"                  # the bot, functions and message action
"$CLIQD" snapshot save applied                  # the state each test starts from

TOKEN=$(cat "$CLIQD_DATA/admin.token")
AUTH="Authorization: Zoho-oauthtoken $TOKEN"
API=$CLIQD_SERVER/api
# The bot chat's messages, as text, once at least $2 of them are there (handlers run
# asynchronously: wait for a reply before going on).
messages() {
  for _ in $(seq 50); do
    out=$(curl -sf "$API/v2/chats/$1/messages?fromtime=0" -H "$AUTH")
    [ "$(grep -o '"sender"' <<<"$out" | wc -l)" -ge "$2" ] && { echo "$out"; return; }
    sleep 0.2
  done
  echo "fewer than $2 messages in $1: $out" >&2; return 1
}

echo "test 1: the Helpdesk answers a message with a button that opens the ticket form"
CHAT=$(curl -sf -X POST "$API/v3/bots/helpdesk/subscribe" -H "$AUTH" \
  -H 'Content-Type: application/json' -d '{}' | grep -o 'CT_[^"]*')
messages "$CHAT" 1 >/dev/null                    # the welcome message
curl -sf -X POST "$API/v3/chats/$CHAT/messages" -H "$AUTH" \
  -H 'Content-Type: application/json' -d '{"text": "printer broken"}'
messages "$CHAT" 3 | grep -q 'Need help with \\"printer broken\\"'
messages "$CHAT" 3 | grep -q '"name":"openticket"'

"$CLIQD" snapshot restore applied               # the next test starts from the same state

echo "test 2: each test starts with no subscription and an empty bot chat"
SUBSCRIBERS=$(curl -sf "$API/v3/bots/helpdesk?fields=subscription_details" -H "$AUTH")
grep -q '"subscriber_count":0' <<<"$SUBSCRIBERS"

"$CLIQD" reset                                  # back to the demo organization
[ "$(curl -sf "$API/v3/bots" -H "$AUTH" | grep -c helpdesk)" = 0 ]
echo "CI example: all tests passed"
