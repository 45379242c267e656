#!/usr/bin/env bash
# Runs the service locally: the local AWS stack, the table and queues from
# template.yaml, `cargo lambda watch` with the real API paths behind the
# local API's front door (invites-dev api-front, which passes bodies that are
# not UTF-8 as API Gateway does) on http://localhost:$API_PORT (default
# 9000), the mail pump, and the web UI on
# http://localhost:5173. Ctrl-C stops everything.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
scripts/setup.sh
source scripts/local-env.sh
source scripts/stack.sh
# Resources, invites and members survive a restart (`make reset` starts clean).
export DDB_DATA_DIR=${DDB_DATA_DIR:-$ROOT/.local/data/dynamodb}
# TXT records of the DNS stand-in (domain verification) are kept too.
export INVITES_DNS_DIR=${INVITES_DNS_DIR:-$ROOT/.local/data/dns}
stack_start

cargo build -q -p invites-devtools
INVITES_QUEUE_URL=$(target/debug/invites-dev init)
# Webhooks: the queue of deliveries beside the mail queue (init makes both);
# endpoints may be plain http locally (a receiver on localhost).
export INVITES_QUEUE_URL INVITES_WEBHOOK_QUEUE_URL="$INVITES_QUEUE_URL-webhooks" \
  INVITES_WEBHOOK_DLQ_URL="$INVITES_QUEUE_URL-webhooks-dlq" INVITES_WEBHOOK_ALLOW_HTTP=true
# Lambda's SQS trigger, locally: queue -> send-invite-email -> SES emulator.
target/debug/invites-dev pump 2>&1 | sed -u 's/^/[mail] /' &
STACK_PIDS+=($!)

# The web UI (landing page, admin screens, dev sign-in) on :5173, the
# default accept URL, with the API proxied under /v1.
WEB_PORT=${WEB_PORT:-5173}
# OIDC=1: the production sign-in path instead of the dev sign-in: a real
# OpenID Connect provider on :$OIDC_PORT (default 9400), the functions
# without dev auth behind a stand-in for API Gateway's JWT authorizer.
WEB_OIDC=()
if [[ "${OIDC:-}" == 1 ]]; then
  export OIDC_PORT=${OIDC_PORT:-9400} OIDC_WEB_ORIGIN="http://localhost:$WEB_PORT"
  stack_spawn_group oidc node scripts/oidc-provider.mjs "$OIDC_PORT" "$OIDC_WEB_ORIGIN" "$STACK_LOG_DIR/oidc-key.json"
  wait_http oidc "http://127.0.0.1:$OIDC_PORT/.well-known/openid-configuration" 30
  WEB_OIDC=(INVITES_WEB_OIDC_AUTHORITY="http://127.0.0.1:$OIDC_PORT")
  unset INVITES_DEV_AUTH_SECRET
fi
DEV_AUTH="ON: tokens are checked with the local secret in .local/dev/auth-secret"
if [[ "${OIDC:-}" == 1 ]]; then
  DEV_AUTH="OFF (OIDC=1): sign in at the OpenID Connect provider, http://127.0.0.1:$OIDC_PORT (any e-mail as the
             login, any password); the API checks its RS256 tokens as API Gateway's JWT authorizer does"
fi
setsid env "${WEB_OIDC[@]}" bash -c "cd web && INVITES_API=http://127.0.0.1:$API_PORT WEB_PORT=$WEB_PORT npx vite --port $WEB_PORT 2>&1 | sed -u 's/^/[web] /'" &
STACK_GROUPS+=($!)

cat <<INFO

  Web UI     http://localhost:$WEB_PORT   (sign in at /signin; links in e-mails open /invite)
  API        http://localhost:$API_PORT   (routes: README "API")
  Inbox      $INVITES_SES_INBOX_URL        (e-mails sent through SES v2; JSON at /store)
  Sign in    export TOKEN=\$(make -s token SUB=user-1 EMAIL=you@example.com)
             curl -H "authorization: Bearer \$TOKEN" ...
  Dev auth   $DEV_AUTH
  DNS        add a domain's TXT record: echo VALUE >> $INVITES_DNS_DIR/NAME   (stand-in on $INVITES_DNS_SERVER)
  Mail       queued invites are delivered to the inbox by the local pump (invites-dev pump)
  Webhooks   POST /v1/service/webhooks with a service token (target/debug/invites-dev token --service
             --sub ops); http://localhost receivers work locally; the pump delivers (README "Webhooks")

INFO
WATCH_PORT=$(free_port)
JWT=()
[[ "${OIDC:-}" == 1 ]] && JWT=(--jwt-issuer "http://127.0.0.1:$OIDC_PORT" --jwt-audience invites-web)
target/debug/invites-dev api-front --port "$API_PORT" --watch "http://127.0.0.1:$WATCH_PORT" "${JWT[@]}" &
STACK_PIDS+=($!)
PATH="$ROOT/.local/venv/bin:$PATH" cargo lambda watch --invoke-address 127.0.0.1 --invoke-port "$WATCH_PORT"
