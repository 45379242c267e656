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
setsid bash -c "cd web && INVITES_API=http://127.0.0.1:$API_PORT WEB_PORT=$WEB_PORT npx vite --port $WEB_PORT 2>&1 | sed -u 's/^/[web] /'" &
STACK_GROUPS+=($!)

cat <<INFO

  Web UI     http://localhost:$WEB_PORT   (sign in at /signin; links in e-mails open /invite)
  API        http://localhost:$API_PORT   (routes: README "API")
  Inbox      $INVITES_SES_INBOX_URL        (e-mails sent through SES v2; JSON at /store)
  Sign in    export TOKEN=\$(make -s token SUB=user-1 EMAIL=you@example.com)
             curl -H "authorization: Bearer \$TOKEN" ...
  Dev auth   ON: tokens are checked with the local secret in .local/dev/auth-secret
  DNS        add a domain's TXT record: echo VALUE >> $INVITES_DNS_DIR/NAME   (stand-in on $INVITES_DNS_SERVER)
  Mail       queued invites are delivered to the inbox by the local pump (invites-dev pump)
  Webhooks   POST /v1/service/webhooks with a service token (target/debug/invites-dev token --service
             --sub ops); http://localhost receivers work locally; the pump delivers (README "Webhooks")

INFO
WATCH_PORT=$(free_port)
target/debug/invites-dev api-front --port "$API_PORT" --watch "http://127.0.0.1:$WATCH_PORT" &
STACK_PIDS+=($!)
PATH="$ROOT/.local/venv/bin:$PATH" cargo lambda watch --invoke-address 127.0.0.1 --invoke-port "$WATCH_PORT"
