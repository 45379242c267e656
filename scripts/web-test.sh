#!/usr/bin/env bash
# The browser suite: the web UI in Debian's chromium (Playwright) against the
# local stack. scripts/test.sh calls it with the stack and the API already up
# (INVITES_E2E_API, INVITES_SES_INBOX_URL, INVITES_QUEUE_URL, API_PORT, dev
# auth); run alone, it starts them itself. It starts the local SQS pump (so
# invites reach the SES emulator's inbox) and the Vite dev server on a free
# port, checks that the generated API types match openapi.yaml, type-checks,
# builds the production bundle, and runs the suite.
#   UPDATE_SCREENSHOTS=1  write the screenshots into docs/screenshots/
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/stack.sh

if [[ -z "${INVITES_E2E_API:-}" ]]; then
  scripts/setup.sh
  cargo build --workspace --locked -q
  stack_start
  export API_PORT=$(free_port) INVITES_TABLE=web INVITES_QUEUE_NAME=web-mail
  source scripts/local-env.sh
  INVITES_QUEUE_URL=$(target/debug/invites-dev init)
  export INVITES_QUEUE_URL INVITES_E2E_API="http://127.0.0.1:$API_PORT"
  stack_start_api
else
  export STACK_LOG_DIR=${STACK_LOG_DIR:-$ROOT/.local/run/$$}
  mkdir -p "$STACK_LOG_DIR"
  trap stack_stop EXIT
fi

target/debug/invites-dev pump >"$STACK_LOG_DIR/web-pump.log" 2>&1 &
STACK_PIDS+=($!)

cd web
echo "== web: generated API types match openapi.yaml"
npm run -s check:api
echo "== web: type-check and production build"
npm run -s build >/dev/null
WEB_PORT=$(free_port)
export WEB_PORT WEB_URL="http://127.0.0.1:$WEB_PORT" INVITES_API="$INVITES_E2E_API"
stack_spawn_group web npx vite --port "$WEB_PORT"
wait_http web "$WEB_URL/config.json" 60
export CHROMIUM=${CHROMIUM:-$(command -v chromium)}
echo "== web: browser suite (chromium $("$CHROMIUM" --version 2>/dev/null | awk '{print $2}'), $WEB_URL)"
npx playwright test
