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
PATH="$ROOT/.local/venv/bin:$PATH" "$SAM" build --parameter-overrides "Architecture=${ARCHITECTURE:-arm64}"
PATH="$ROOT/.local/venv/bin:$PATH" "$SAM" deploy \
  --stack-name "${STACK_NAME:-invites}" --region "${AWS_REGION:?}" \
  --capabilities CAPABILITY_IAM --resolve-s3 --no-fail-on-empty-changeset \
  --parameter-overrides \
    "Architecture=${ARCHITECTURE:-arm64}" "JwtIssuer=${JWT_ISSUER:-}" "JwtAudience=${JWT_AUDIENCE:-}" \
    "AcceptUrl=${ACCEPT_URL:?}" "FrontendOrigin=${FRONTEND_ORIGIN:?}" \
    "TokenKeySecretId=${TOKEN_KEY_SECRET_ID:?}" "PreviousTokenKeySecretId=${PREVIOUS_TOKEN_KEY_SECRET_ID:-}" \
    "SenderAddress=${SENDER_ADDRESS:?}" "BrandName=${BRAND_NAME:-Invites}"
"$SAM" list stack-outputs --stack-name "${STACK_NAME:-invites}" --region "$AWS_REGION" --output table
