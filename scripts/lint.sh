#!/usr/bin/env bash
# The code gates `make test` runs first: formatting (rustfmt.toml), clippy
# with warnings as errors on every target, and no unused dependencies
# (cargo-machete, pinned and installed by scripts/setup.sh).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
echo "== cargo fmt --check"
cargo fmt --all --check
echo "== cargo clippy -D warnings"
cargo clippy --workspace --all-targets --locked --quiet -- -D warnings
echo "== unused dependencies (cargo-machete)"
"$ROOT/.local/cargo/bin/cargo-machete"
