#!/usr/bin/env bash
# The browser suite: the web UI in Debian's chromium (Playwright) against the
# local stack. It checks that the generated API types match openapi.yaml,
# type-checks, builds the production bundle (and checks that nothing dev-only
# is in it), packs the components and builds the consumer apps with them
# (scripts/web-consumers.sh), starts the local SQS pump (so invites reach the SES emulator's
# inbox) and the Vite dev server on a free port, and runs the suite. It stops
# everything it started, on exit, failure or Ctrl-C.
#
# Two ways to run it:
#   - from scripts/test.sh, with the stack and the API already up
#     (INVITES_E2E_API, INVITES_SES_INBOX_URL, INVITES_QUEUE_URL, API_PORT,
#     INVITES_DEV_AUTH_SECRET and the AWS_* endpoints in the environment);
#   - alone (INVITES_E2E_API unset): it starts the local stack and the API
#     itself, on free ports.
#
#   INVITES_API_ROOT=DIR  build and run the backend (emulators, invites-dev,
#                         cargo lambda watch) from another checkout of this
#                         repository, e.g. a git worktree (default: this one)
#   UPDATE_SCREENSHOTS=1  write the screenshots into docs/screenshots/
#                         (otherwise into the ignored web/test-results/)
#   CHROMIUM=PATH         the browser (default: chromium on the PATH)
#   arguments             passed to Playwright, e.g. tests/csp.spec.ts to run one spec
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
API_ROOT="$(cd "${INVITES_API_ROOT:-$ROOT}" && pwd)"
started=$SECONDS
cd "$ROOT"

# The web UI's packages, when package.json or the lock file changed
# (scripts/setup.sh does the same; the stamp is shared).
web_stamp=$(cat web/package.json web/package-lock.json | sha256sum | cut -c1-16)
if [[ "$(cat web/node_modules/.stamp 2>/dev/null)" != "$web_stamp" ]]; then
  echo "== web: npm ci"
  (cd web && npm ci --no-audit --no-fund --loglevel=error)
  echo "$web_stamp" > web/node_modules/.stamp
fi

echo "== web: generated API types match openapi.yaml"
(cd web && npm run -s check:api)
echo "== web: type-check and production build"
(cd web && npm run -s build >/dev/null)
if grep -rqE '__dev/|Dev sign-in|invites-dev' web/dist; then
  echo "web-test: the production bundle contains dev-only code (dev sign-in)" >&2
  exit 1
fi

# The backend's helpers (emulators, cargo lambda watch) from API_ROOT.
source "$API_ROOT/scripts/stack.sh"
if [[ -z "${INVITES_E2E_API:-}" ]]; then
  (cd "$API_ROOT" && scripts/setup.sh && cargo build --workspace --locked -q)
  stack_start
  WEB_PORT=$(free_port)
  export API_PORT=$(free_port) INVITES_TABLE=web INVITES_QUEUE_NAME=web-mail
  export INVITES_ACCEPT_URL="http://127.0.0.1:$WEB_PORT/invite"
  source "$API_ROOT/scripts/local-env.sh"
  export INVITES_ROLES_FILE="$API_ROOT/tests/fixtures/roles.json"  # as scripts/test.sh
  INVITES_QUEUE_URL=$("$API_ROOT/target/debug/invites-dev" init)
  export INVITES_QUEUE_URL INVITES_E2E_API="http://127.0.0.1:$API_PORT"
  pushd "$API_ROOT" >/dev/null  # not a subshell: stack_stop must know the API's process group
  stack_start_api
  popd >/dev/null
  echo "stack: API (cargo lambda watch in $API_ROOT) on $INVITES_E2E_API"
else
  export STACK_LOG_DIR=${STACK_LOG_DIR:-$ROOT/.local/run/$$}
  mkdir -p "$STACK_LOG_DIR"
  trap stack_stop EXIT
  trap 'stack_stop; exit 130' INT TERM
  WEB_PORT=$(free_port)
  export API_PORT=${API_PORT:-${INVITES_E2E_API##*:}}
fi
: "${INVITES_SES_INBOX_URL:?SES emulator URL}" "${INVITES_QUEUE_URL:?the mail queue}" "${INVITES_DEV_AUTH_SECRET:?dev auth}"

# Lambda's SQS trigger, locally: queue -> send-invite-email -> SES emulator.
env -u INVITES_WEBHOOK_QUEUE_URL "$API_ROOT/target/debug/invites-dev" pump >"$STACK_LOG_DIR/web-pump.log" 2>&1 &
STACK_PIDS+=($!)

# The components as a package, installed into the two consumer apps.
export CONSUMERS_DIR="$STACK_LOG_DIR/consumers"
echo "== web: the components packed and installed into fresh apps"
scripts/web-consumers.sh

export WEB_PORT WEB_URL="http://127.0.0.1:$WEB_PORT" INVITES_API="$INVITES_E2E_API" INVITES_WEB_NO_WATCH=1
pushd web >/dev/null
stack_spawn_group web npx vite --port "$WEB_PORT" --strictPort
popd >/dev/null
wait_http web "$WEB_URL/config.json" 60

# The production sign-in path: the OIDC provider, the API behind the JWT
# authorizer stand-in, and a second web app that signs in through them.
OIDC_PORT=$(free_port) OIDC_API_PORT=$(free_port) OIDC_WEB_PORT=$(free_port)
export OIDC_PORT OIDC_API_PORT OIDC_WEB_ORIGIN="http://127.0.0.1:$OIDC_WEB_PORT"
pushd "$API_ROOT" >/dev/null
stack_start_oidc
popd >/dev/null
pushd web >/dev/null
INVITES_API="http://127.0.0.1:$OIDC_API_PORT" INVITES_WEB_OIDC_AUTHORITY="http://127.0.0.1:$OIDC_PORT" \
  INVITES_WEB_CACHE_DIR=node_modules/.vite-oidc stack_spawn_group web-oidc npx vite --port "$OIDC_WEB_PORT" --strictPort
popd >/dev/null
wait_http web-oidc "$OIDC_WEB_ORIGIN/config.json" 60
export OIDC_WEB_URL="$OIDC_WEB_ORIGIN" OIDC_API="http://127.0.0.1:$OIDC_API_PORT" OIDC_KEY_FILE="$STACK_LOG_DIR/oidc-key.json"
# Every kind of e-mail in every language, for tests/emails.spec.ts.
export INVITES_MAILS_DIR="$STACK_LOG_DIR/mails"
(cd "$API_ROOT" && cargo run -q --locked -p send-invite-email --example render-all -- "$INVITES_MAILS_DIR")
export CHROMIUM=${CHROMIUM:-$(command -v chromium || echo /usr/bin/chromium)}
echo "== web: browser suite (chromium $("$CHROMIUM" --version 2>/dev/null | awk '{print $2}'), $WEB_URL, API $INVITES_E2E_API)"
suite_started=$SECONDS
(cd web && npx playwright test "$@")
echo "web-test: browser suite $((SECONDS - suite_started)) s, whole script $((SECONDS - started)) s"
