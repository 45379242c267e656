#!/usr/bin/env bash
# Schemathesis against the locally served API (cargo lambda watch), signed in
# with a dev token: every operation of openapi.yaml, positive and negative
# examples. Pass = no 5xx, every status code documented, every body matches
# its schema. Runs twice: once with random ids (the 404 paths) and once with
# ids of a real resource and invite, so generated requests reach the logic.
# Needs: API_PORT, INVITES_DEV_AUTH_SECRET and the local stack (test.sh sets them).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
API="http://127.0.0.1:$API_PORT"
EXAMPLES=${FUZZ_EXAMPLES:-40}
OUT=${STACK_LOG_DIR:-$ROOT/.local/run}/fuzz
mkdir -p "$OUT"
TOKEN=$("$ROOT/target/debug/invites-dev" token --sub fuzz-owner --email fuzz-owner@example.com --name Fuzzer)
JSON=(-H "authorization: Bearer $TOKEN" -H "content-type: application/json")
RID=$(curl -s -X POST "$API/v1/resources" "${JSON[@]}" -d '{"name":"Fuzz"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
IID=$(curl -s -X POST "$API/v1/resources/$RID/invites" "${JSON[@]}" -d '{"email":"fuzz-invitee@example.com","role":"admin"}' \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["invite"]["id"])')

# A copy of the contract whose ids are the real ones.
"$ROOT/.local/venv/bin/python" - "$ROOT/openapi.yaml" "$OUT/openapi-real-ids.yaml" "$RID" "$IID" <<'PY'
import sys, yaml
src, dst, rid, iid = sys.argv[1:]
spec = yaml.safe_load(open(src))
spec["components"]["parameters"]["rid"]["schema"] = {"type": "string", "enum": [rid]}
spec["components"]["parameters"]["id"]["schema"] = {"type": "string", "enum": [iid]}
yaml.safe_dump(spec, open(dst, "w"))
PY

export SCHEMATHESIS_HOOKS=fuzz_hooks PYTHONPATH="$ROOT/tests${PYTHONPATH:+:$PYTHONPATH}"
run() { # spec label
  echo "== schemathesis ($2, up to $EXAMPLES examples per operation)"
  "$ROOT/.local/venv/bin/schemathesis" run "$1" --url "$API" \
    -H "authorization: Bearer $TOKEN" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --max-examples "$EXAMPLES" --seed 1 --no-color --generation-codec utf-8 \
    --phases examples,coverage,fuzzing \
    --report junit --report-dir "$OUT/$2"
}
run "$ROOT/openapi.yaml" random-ids
run "$OUT/openapi-real-ids.yaml" real-ids
