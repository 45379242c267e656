#!/usr/bin/env bash
# The whole test suite: installs the local stack if needed, starts it on free
# ports, runs unit, integration and end-to-end tests, checks template.yaml
# with cfn-lint, and stops everything.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
started=$SECONDS

scripts/setup.sh
echo "== cfn-lint template.yaml"
.local/venv/bin/cfn-lint template.yaml

echo "== build"
cargo build --workspace --all-targets --locked

source scripts/stack.sh
stack_start

echo "== tests"
export PATH="$ROOT/.local/venv/bin:$PATH"
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --locked --no-fail-fast
else
  cargo test --workspace --locked --no-fail-fast
fi
echo "test suite finished in $((SECONDS - started)) s"
