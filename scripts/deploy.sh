#!/usr/bin/env bash
# Builds and deploys the stack with SAM CLI (pinned, installed on first use
# into .local/sam), with the parameters from deploy.env (see
# infra/deploy.example.env). DEPLOY_ENV=path picks another file.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
CONFIG=${DEPLOY_ENV:-deploy.env}
[[ -f "$CONFIG" ]] || { echo "deploy: $CONFIG not found; copy infra/deploy.example.env to deploy.env and fill it in" >&2; exit 2; }
set -a; source "$CONFIG"; set +a
scripts/setup.sh
SAM="$ROOT/.local/sam/bin/sam"
export SAM_CLI_TELEMETRY=0
STACK="${STACK_NAME:-invites}"
if [[ -n "${SECRETS_EXTENSION_LAYER_ARN:-}" ]]; then
  # The functions' IAM policy names the secrets, so they must be ARNs here.
  for id in "${TOKEN_KEY_SECRET_ID:?}" ${PREVIOUS_TOKEN_KEY_SECRET_ID:-}; do
    [[ "$id" == arn:* ]] || { echo "deploy: with SECRETS_EXTENSION_LAYER_ARN, give the secret's ARN, not '$id' (aws secretsmanager describe-secret --secret-id '$id' --query ARN)" >&2; exit 2; }
  done
fi
EDGE_WEB_ACL_ARN=${EDGE_WEB_ACL_ARN:-}
if [[ "${EDGE:-off}" == on && ( -z "${EDGE_DOMAIN_NAME:-}" || -z "${EDGE_CERTIFICATE_ARN:-}" ) ]]; then
  echo "deploy: EDGE=on needs EDGE_DOMAIN_NAME and EDGE_CERTIFICATE_ARN (an ACM certificate in us-east-1 for it)" >&2
  exit 2
fi
if [[ "${EDGE:-off}" == on && -z "$EDGE_WEB_ACL_ARN" ]]; then
  # A web ACL for CloudFront lives in us-east-1, whatever the stack's region.
  "$SAM" deploy --template-file infra/edge-waf.yaml --stack-name "$STACK-edge" --region us-east-1 \
    --no-fail-on-empty-changeset --parameter-overrides \
      "RequestsPerIp=${EDGE_REQUESTS_PER_IP:-600}" "AnonymousRequestsPerIp=${EDGE_ANONYMOUS_REQUESTS_PER_IP:-60}"
  EDGE_WEB_ACL_ARN=$("$SAM" list stack-outputs --stack-name "$STACK-edge" --region us-east-1 --output json |
    python3 -c 'import json,sys; print(next(o["OutputValue"] for o in json.load(sys.stdin) if o["OutputKey"] == "WebAclArn"))')
fi
PATH="$ROOT/.local/venv/bin:$PATH" "$SAM" build --parameter-overrides "Architecture=${ARCHITECTURE:-arm64}"
PATH="$ROOT/.local/venv/bin:$PATH" "$SAM" deploy \
  --stack-name "$STACK" --region "${AWS_REGION:?}" \
  --capabilities CAPABILITY_IAM --resolve-s3 --no-fail-on-empty-changeset \
  --parameter-overrides \
    "Architecture=${ARCHITECTURE:-arm64}" "JwtIssuer=${JWT_ISSUER:-}" "JwtAudience=${JWT_AUDIENCE:-}" \
    "HostWebApp=${HOST_WEB_APP:-on}" "WebDomainName=${WEB_DOMAIN_NAME:-}" "WebCertificateArn=${WEB_CERTIFICATE_ARN:-}" \
    "AcceptUrl=${ACCEPT_URL:-}" "FrontendOrigin=${FRONTEND_ORIGIN:-}" \
    "TokenKeySecretId=${TOKEN_KEY_SECRET_ID:?}" "PreviousTokenKeySecretId=${PREVIOUS_TOKEN_KEY_SECRET_ID:-}" \
    "SecretsExtensionLayerArn=${SECRETS_EXTENSION_LAYER_ARN:-}" "EdgeWebAclArn=$EDGE_WEB_ACL_ARN" \
    "EdgeDomainName=${EDGE_DOMAIN_NAME:-}" "EdgeCertificateArn=${EDGE_CERTIFICATE_ARN:-}" \
    "DeploymentDailyEmailLimit=${DEPLOYMENT_DAILY_EMAIL_LIMIT:-5000}" "DefaultLocale=${DEFAULT_LOCALE:-en}" \
    "SenderAddress=${SENDER_ADDRESS:?}" "BrandName=${BRAND_NAME:-Invites}" \
    "RedirectOrigins=${REDIRECT_ORIGINS:-}" "NotificationChannel=${NOTIFICATION_CHANNEL:-ses}" \
    "WebhookUrl=${WEBHOOK_URL:-}" "WebhookSecretId=${WEBHOOK_SECRET_ID:-}" "WebhookEventTypes=${WEBHOOK_EVENT_TYPES:-}" \
    "WebhookServicePrincipals=${WEBHOOK_SERVICE_PRINCIPALS:-}"
outputs=$(mktemp)
trap 'rm -f "$outputs"' EXIT
"$SAM" list stack-outputs --stack-name "$STACK" --region "$AWS_REGION" --output json > "$outputs"
if [[ "${HOST_WEB_APP:-on}" == on ]]; then
  # The hosted web app: built here, uploaded with its config.json written
  # from the outputs, the distribution's cached pages invalidated.
  (cd web && npm ci --no-audit --no-fund --loglevel=error && npm run -s build)
  "$ROOT/.local/sam/bin/python" scripts/publish-web.py "$outputs" web/dist
fi
python3 -c 'import json,sys; [print(o["OutputKey"].ljust(28), o["OutputValue"]) for o in json.load(open(sys.argv[1]))]' "$outputs"
