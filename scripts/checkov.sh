#!/usr/bin/env bash
# checkov (pinned in infra/local/checkov-requirements.txt) over the templates,
# with the skip list of infra/checkov-skips.txt: every skip names its reason,
# and any other finding fails. Run by scripts/test.sh.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
skips=$(grep -v '^#' infra/checkov-skips.txt | awk 'NF { if (NF < 3) { print "checkov: no reason for " $1 > "/dev/stderr"; exit 1 } print $1 }' | paste -sd, -)
report=$(mktemp)
trap 'rm -f "$report"' EXIT
BC_SKIP_MAPPING=TRUE .local/checkov/bin/checkov --skip-download --quiet --framework cloudformation \
  --skip-check "$skips" -f template.yaml -f infra/edge-waf.yaml -o json > "$report" || true
# Fails on any finding, and on a template checkov could not read (which it
# would otherwise pass).
python3 - "$report" <<'PY'
import json, sys
runs = json.load(open(sys.argv[1]))
runs = runs if isinstance(runs, list) else [runs]
failed = [f for r in runs for f in r["results"]["failed_checks"]]
summary = [r["summary"] for r in runs]
parse_errors = sum(s["parsing_errors"] for s in summary)
passed = sum(s["passed"] for s in summary)
for f in failed:
    print(f"checkov: {f['check_id']} {f['resource']}: {f['check_name']} ({f['file_path']}:{f['file_line_range'][0]})")
if failed or parse_errors or passed == 0:
    print(f"checkov: {len(failed)} failed, {parse_errors} templates unreadable, {passed} passed", file=sys.stderr)
    sys.exit(1)
print(f"checkov: {passed} passed, 0 failed")
PY
# What the CKV_AWS_27 skip relies on: every queue encrypts at rest.
queues=$(grep -c 'Type: AWS::SQS::Queue' template.yaml)
encrypted=$(grep -c 'SqsManagedSseEnabled: true' template.yaml)
if [[ "$queues" != "$encrypted" ]]; then
  echo "checkov: $queues queues but $encrypted with SqsManagedSseEnabled: true" >&2
  exit 1
fi
echo "checkov: 0 failed ($(grep -vc '^#' infra/checkov-skips.txt) checks skipped, each with its reason in infra/checkov-skips.txt); $queues queues encrypted"
