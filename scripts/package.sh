#!/usr/bin/env bash
# Release artifacts for Lambda: one bootstrap zip per function in
# target/lambda/<function>/bootstrap.zip, built by cargo-lambda for
# ARCH=x86_64 (default here) or ARCH=arm64, with the release profile of
# Cargo.toml (fat LTO, one codegen unit, stripped). Prints each size.
# arm64 on an x86_64 machine needs `rustup target add aarch64-unknown-linux-gnu`
# and Zig for cargo-lambda's cross linker (README, "Deploy").
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
scripts/setup.sh
ARCH=${ARCH:-x86_64}
case "$ARCH" in
  x86_64) target=(--x86-64) ;;
  arm64) target=(--arm64) ;;
  *) echo "package: ARCH must be x86_64 or arm64" >&2; exit 2 ;;
esac
packages=()
for f in functions/*/; do packages+=(-p "$(basename "$f")"); done
started=$SECONDS
PATH="$ROOT/.local/venv/bin:$PATH" cargo lambda build --release --locked "${target[@]}" --output-format zip "${packages[@]}"
echo "package: built for $ARCH in $((SECONDS - started)) s"
for f in functions/*/; do
  name=$(basename "$f")
  zip="target/lambda/$name/bootstrap.zip"
  printf '  %-20s %8s bytes zipped, %8s bytes unzipped\n' "$name" "$(stat -c %s "$zip")" \
    "$(python3 -c 'import sys, zipfile; print(sum(i.file_size for i in zipfile.ZipFile(sys.argv[1]).infolist()))' "$zip")"
done
