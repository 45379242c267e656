#!/usr/bin/env bash
# Post-deploy smoke test: a short black-box story against a deployed API
# (or the local one): register a resource, invite, look the link up, accept
# as a second user, revoke another invite, read the audit trail.
#
#   scripts/smoke.sh https://abc123.execute-api.eu-central-1.amazonaws.com
#
# Needs two signed-in users' bearer tokens (ID tokens from your identity
# provider, or the Cognito default), with verified e-mails:
#   SMOKE_OWNER_TOKEN     the owner of the new resource
#   SMOKE_INVITEE_TOKEN   the invitee, whose verified e-mail is SMOKE_INVITEE_EMAIL
# It leaves one resource named "smoke <time>" behind (there is no delete route).
set -euo pipefail
API=${1:?usage: scripts/smoke.sh API_URL}
API=${API%/}
: "${SMOKE_OWNER_TOKEN:?}" "${SMOKE_INVITEE_TOKEN:?}" "${SMOKE_INVITEE_EMAIL:?}"
step=0
fail() { echo "smoke: FAILED at step $step: $*" >&2; exit 1; }
call() { # method path token [json] -> sets STATUS and BODY
  local args=(-s -o /tmp/smoke.$$ -w '%{http_code}' -X "$1" "$API$2" -H 'content-type: application/json')
  [[ -n "$3" ]] && args+=(-H "authorization: Bearer $3")
  [[ -n "${4:-}" ]] && args+=(-d "$4")
  STATUS=$(curl "${args[@]}") || fail "cannot reach $API"
  BODY=$(cat /tmp/smoke.$$); rm -f /tmp/smoke.$$
}
field() { python3 -c 'import json,sys; v=json.load(sys.stdin)
for k in sys.argv[1].split("."): v=v[int(k)] if isinstance(v,list) else v[k]
print(v)' "$1" <<<"$BODY"; }
expect() { [[ "$STATUS" == "$1" ]] || fail "expected $1, got $STATUS: $BODY"; }
ok() { step=$((step + 1)); echo "smoke: $step. $*"; }

call POST /v1/resources "$SMOKE_OWNER_TOKEN" "{\"name\":\"smoke $(date -u +%FT%TZ)\"}"; expect 201
RID=$(field id); ok "resource $RID registered"
call POST "/v1/resources/$RID/invites" "$SMOKE_OWNER_TOKEN" "{\"email\":\"$SMOKE_INVITEE_EMAIL\",\"role\":\"read_only\"}"; expect 201
URL=$(field url); TOKEN=${URL##*#token=}; [[ "$URL" == *"#token="* ]] || fail "the link carries no #token= fragment: $URL"
ok "invite created, e-mail queued: $(field emailQueued)"
call POST /v1/invites/lookup "" "{\"token\":\"$TOKEN\"}"; expect 200
[[ "$(field status)" == pending ]] || fail "lookup says $(field status)"; ok "lookup shows a pending invite for $(field email)"
call POST /v1/invites/accept "$SMOKE_INVITEE_TOKEN" "{\"token\":\"$TOKEN\"}"; expect 200
ok "the invitee accepted as $(field role)"
call POST "/v1/resources/$RID/invites" "$SMOKE_OWNER_TOKEN" '{"email":"smoke-revoked@example.com","role":"admin"}'; expect 201
IID=$(field invite.id); SECOND=$(field url); SECOND=${SECOND##*#token=}
call DELETE "/v1/resources/$RID/invites/$IID" "$SMOKE_OWNER_TOKEN"; expect 204
call POST /v1/invites/lookup "" "{\"token\":\"$SECOND\"}"; expect 200
[[ "$(field status)" == revoked ]] || fail "a revoked invite reads $(field status)"; ok "a second invite revoked; its link reads revoked"
call GET "/v1/resources/$RID/audit" "$SMOKE_OWNER_TOKEN"; expect 200
ACTIONS=$(python3 -c 'import json,sys; print(" ".join(sorted({i["action"] for i in json.load(sys.stdin)["items"]})))' <<<"$BODY")
for a in resource.created invite.created invite.accepted invite.revoked; do
  [[ " $ACTIONS " == *" $a "* ]] || fail "the audit trail lacks $a: $ACTIONS"
done
ok "the audit trail shows: $ACTIONS"
echo "smoke: passed ($step steps) against $API"
