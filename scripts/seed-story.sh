#!/usr/bin/env bash
# The seed story against a running `make dev` (another terminal):
# the owner registers a resource, invites an admin and a read-only user,
# resends one, copies a link, changes a role; the invitees list their
# invitations, accept and decline; one leaves, the owner removes another;
# the audit trail shows all of it. The same story is the test `seed_story`.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
API=${API:-http://localhost:${API_PORT:-9000}}
token() { "$ROOT/scripts/dev-token.sh" --sub "$1" --email "$2" --name "$3"; }
field() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1"; }
call() { # method path token [json]
  local args=(-s -X "$1" "$API$2" -H "authorization: Bearer $3")
  [[ $# -ge 4 ]] && args+=(-H 'content-type: application/json' -d "$4")
  curl "${args[@]}"
}
say() { printf '\n== %s\n' "$*"; }

OWNER=$(token owner-1 owner@example.com "Site Owner")
ADMIN=$(token admin-1 admin@example.com "Ann Admin")
READER=$(token reader-1 reader@example.com "Rita Reader")
GUEST=$(token guest-1 guest@example.com "Gus Guest")

say "owner registers a resource"
RID=$(call POST /v1/resources "$OWNER" '{"name":"Marketing site"}' | field 'd["id"]'); echo "resource $RID"
say "owner invites an admin, a read-only user and a guest"
A=$(call POST /v1/resources/$RID/invites "$OWNER" '{"email":"admin@example.com","role":"admin"}')
R=$(call POST /v1/resources/$RID/invites "$OWNER" '{"email":"reader@example.com","role":"read_only","locale":"de"}')
G=$(call POST /v1/resources/$RID/invites "$OWNER" '{"email":"guest@example.com","role":"read_only"}')
R_ID=$(echo "$R" | field 'd["invite"]["id"]'); A_ID=$(echo "$A" | field 'd["invite"]["id"]')
say "owner resends the reader's invite (same link)"; call POST /v1/resources/$RID/invites/$R_ID/resend "$OWNER" '{}' | field 'd["url"]'
say "owner copies the admin's link"; call POST /v1/resources/$RID/invites/$A_ID/link "$OWNER" | field 'd["url"]'
say "owner makes the reader's invite an admin invite"; call PATCH /v1/resources/$RID/invites/$R_ID "$OWNER" '{"role":"admin"}' | field 'd["role"]'
say "invitees list their invitations"
for t in "$ADMIN" "$READER" "$GUEST"; do call GET /v1/me/invites "$t" | field '[(i["resource"]["name"], i["role"]) for i in d["items"]]'; done
say "admin and reader accept (token from their list), the guest declines"
for t in "$ADMIN" "$READER"; do
  TOK=$(call GET /v1/me/invites "$t" | field 'd["items"][0]["token"]')
  call POST /v1/invites/accept "$t" "{\"token\":\"$TOK\"}" | field 'd["role"]'
done
TOK=$(call GET /v1/me/invites "$GUEST" | field 'd["items"][0]["token"]')
curl -s -o /dev/null -w 'decline: %{http_code}\n' -X POST $API/v1/invites/decline -H 'content-type: application/json' -d "{\"token\":\"$TOK\"}"
say "members"; call GET /v1/resources/$RID/members "$OWNER" | field '[(m["userId"], m["role"]) for m in d["items"]]'
say "the reader leaves, the owner removes the admin"
curl -s -o /dev/null -w 'leave: %{http_code}\n' -X DELETE $API/v1/me/resources/$RID -H "authorization: Bearer $READER"
curl -s -o /dev/null -w 'remove: %{http_code}\n' -X DELETE $API/v1/resources/$RID/members/admin-1 -H "authorization: Bearer $OWNER"
say "audit trail (oldest first)"
call GET /v1/resources/$RID/audit "$OWNER" | field '"\n".join(a["at"] + "  " + a["action"].ljust(20) + " by " + a["actor"] for a in d["items"][::-1])'
