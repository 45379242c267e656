#!/usr/bin/env bash
# Replays a sample event against `make dev`: dev-invoke.sh create-invite (or a path to an event file)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
[[ -n "${1:-}" ]] || { echo "usage: make invoke EVENT=<name in events/, e.g. create-invite>" >&2; exit 2; }
source scripts/local-env.sh
cargo build -q -p invites-devtools
exec target/debug/invites-dev invoke "$1"
