#!/usr/bin/env bash
# Prints a dev token for `make dev`: dev-token.sh --sub USER [--email ADDRESS] [--name NAME]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/local-env.sh
cargo build -q -p invites-devtools
exec target/debug/invites-dev token "$@"
