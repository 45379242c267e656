#!/usr/bin/env bash
# The whole test suite: installs the local stack if needed, starts it on free
# ports, runs unit, integration and end-to-end tests, checks template.yaml
# with cfn-lint, and stops everything.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
started=$SECONDS
tree_before=$(git status --porcelain 2>/dev/null || true)

scripts/setup.sh
echo "== cfn-lint template.yaml (every condition's branch: with and without the Cognito default, the hosted web app and the host's own)"
.local/venv/bin/cfn-lint template.yaml infra/edge-waf.yaml
required=(TokenKeySecretId=arn:aws:secretsmanager:eu-central-1:123456789012:secret:k SenderAddress=invites@example.com)
.local/venv/bin/cfn-lint template.yaml --parameters "${required[@]}" \
  WebDomainName=invites.example.com WebCertificateArn=arn:aws:acm:us-east-1:123456789012:certificate/c \
  WebhookUrl=https://hooks.example.com/invites WebhookSecretId=invites/webhook WebhookEventTypes=member.joined
.local/venv/bin/cfn-lint template.yaml --parameters "${required[@]}" HostWebApp=off \
  AcceptUrl=https://app.example.com/invite FrontendOrigin=https://app.example.com JwtIssuer=https://id.example.com/ JwtAudience=app
echo "== checkov (skips and their reasons: infra/checkov-skips.txt)"
scripts/checkov.sh
echo "== sam validate --lint"
SAM_CLI_TELEMETRY=0 AWS_DEFAULT_REGION=us-east-1 .local/sam/bin/sam validate --lint --template template.yaml

echo "== build"
cargo build --workspace --all-targets --locked

echo "== gates: format, lint, unused dependencies"
scripts/lint.sh
echo "== the role catalogues: the one deployments package and the tests' own"
target/debug/invites-dev roles config/roles.json
target/debug/invites-dev roles tests/fixtures/roles.json
echo "== every language complete: screens, e-mails, role catalogues (docs/locales.md)"
node scripts/check-locales.mjs
# ...and the check notices a key removed from one language.
broken=$(mktemp -d)
mkdir -p "$broken/web/src" "$broken/functions/send-invite-email" "$broken/config" "$broken/tests/fixtures"
cp -r web/src/locales web/src/config.ts "$broken/web/src/"
cp -r functions/send-invite-email/locales "$broken/functions/send-invite-email/"
cp config/roles.json "$broken/config/"; cp tests/fixtures/roles.json "$broken/tests/fixtures/"
node -e 'const f=process.argv[1]; const s=require(f); delete s["landing.accept"]; require("fs").writeFileSync(f, JSON.stringify(s))' "$broken/web/src/locales/fr.json"
if out=$(node scripts/check-locales.mjs "$broken" 2>&1); then
  echo "the locale check passed with a key removed from fr.json"; exit 1
fi
echo "   with a key removed from fr.json it fails, as it should: $(echo "$out" | grep -m1 'is missing')"
rm -rf "$broken"

source scripts/stack.sh
stack_start

echo "== make deploy's upload of the hosted web app, against moto's S3 and CloudFront"
AWS_ENDPOINT_URL="$AWS_ENDPOINT_URL_SQS" .local/venv/bin/python tests/publish_web_test.py

# The real binaries under `cargo lambda watch`, for the end-to-end test.
export API_PORT=$(free_port) INVITES_TABLE=e2e INVITES_QUEUE_NAME=e2e-mail
source scripts/local-env.sh
# The API runs with a catalogue of three roles (a custom one, German labels,
# host permissions): the e2e test and the browser suite use it; the
# in-process tests use the default one (config/roles.json).
export INVITES_ROLES_FILE="$ROOT/tests/fixtures/roles.json"
INVITES_QUEUE_URL=$(target/debug/invites-dev init)
export INVITES_QUEUE_URL INVITES_E2E_API="http://127.0.0.1:$API_PORT"
# Webhooks on, as deployed: publish-events fans out, deliver-webhooks runs
# its sample event. (The browser suite's pump leaves the webhook queue
# alone: the contract fuzzing registers endpoints at made-up hosts.)
export INVITES_WEBHOOK_QUEUE_URL="$INVITES_QUEUE_URL-webhooks" INVITES_WEBHOOK_DLQ_URL="$INVITES_QUEUE_URL-webhooks-dlq"
stack_start_api
echo "stack: API (cargo lambda watch) on $INVITES_E2E_API"

echo "== tests"
export PATH="$ROOT/.local/venv/bin:$PATH"
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --locked --no-fail-fast
else
  cargo test --workspace --locked --no-fail-fast
fi
echo "== fuzzing the API contract (schemathesis)"
scripts/fuzz.sh

echo "== post-deploy smoke test, against the local API"
export SMOKE_INVITEE_EMAIL="smoke-$RANDOM@example.com"
SMOKE_OWNER_TOKEN=$(target/debug/invites-dev token --sub smoke-owner --email smoke-owner@example.com)
SMOKE_INVITEE_TOKEN=$(target/debug/invites-dev token --sub "smoke-invitee-$RANDOM" --email "$SMOKE_INVITEE_EMAIL")
export SMOKE_OWNER_TOKEN SMOKE_INVITEE_TOKEN
scripts/smoke.sh "$INVITES_E2E_API"

echo "== the web UI in a browser"
scripts/web-test.sh

echo "== no tokens or e-mail addresses in the function logs and the API's access log"
python3 scripts/check-logs.py "$STACK_LOG_DIR/api.log" "$STACK_LOG_DIR/api-front.log"

echo "== the run left the tree as it found it (generated files are ignored, never tracked)"
tree_after=$(git status --porcelain 2>/dev/null || true)
if [[ "$tree_before" != "$tree_after" ]]; then
  diff <(echo "$tree_before") <(echo "$tree_after") >&2 || true
  echo "test: the run changed files in the tree; ignore what tools generate" >&2
  exit 1
fi

echo "test suite finished in $((SECONDS - started)) s"
