#!/usr/bin/env bash
# Configuration of a local run, sourced by dev.sh and dev-token.sh. The dev
# secrets are made once per checkout and kept in .local/dev/ (ignored).
LOCAL_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mkdir -p "$LOCAL_ROOT/.local/dev"
for f in auth-secret token-key; do
  [[ -s "$LOCAL_ROOT/.local/dev/$f" ]] || head -c 32 /dev/urandom | base64 > "$LOCAL_ROOT/.local/dev/$f"
done
export INVITES_DEV_AUTH_SECRET="$(cat "$LOCAL_ROOT/.local/dev/auth-secret")"
export INVITES_TOKEN_KEY="$(cat "$LOCAL_ROOT/.local/dev/token-key")"
export INVITES_TABLE=${INVITES_TABLE:-invites}
export INVITES_QUEUE_NAME=${INVITES_QUEUE_NAME:-invites-mail}
# Lifecycle events land on this bus (moto) and, through its one rule, in the
# queue <bus>-seen that `invites-dev events` reads.
export INVITES_EVENT_BUS=${INVITES_EVENT_BUS:-$INVITES_TABLE-events}
export INVITES_ACCEPT_URL=${INVITES_ACCEPT_URL:-http://localhost:5173/invite}
export INVITES_SENDER=${INVITES_SENDER:-invites@example.com}
# An invite's redirectUrl may point back into the local web UI.
export INVITES_REDIRECT_ORIGINS=${INVITES_REDIRECT_ORIGINS:-http://localhost:5173}
export API_PORT=${API_PORT:-9000}
# The dev pump sweeps every 15 s; an e-mail not out 30 s after it was
# queued is queued again (deployed: 600 s, swept every 5 minutes).
export INVITES_REQUEUE_AFTER_SECS=${INVITES_REQUEUE_AFTER_SECS:-30}
