#!/usr/bin/env bash
# The web components as a package, the way a host product gets them: builds
# the library (web/lib: ES modules, type declarations, the Custom Elements
# Manifest), packs it with npm pack (the version must be the workspace's),
# checks what the tarball holds, installs it into fresh copies of the
# consumer fixtures (web/consumers: a plain HTML page and a React 19 app,
# both built with Vite) and builds them, and calls the API with the typed
# client entry from Node as a backend would. Run by scripts/web-test.sh,
# which then opens an e-mailed link in each app (web/tests/consumers.spec.ts).
#
#   CONSUMERS_DIR   where the apps are built (default .local/run/consumers)
#   INVITES_E2E_API the local API, for the typed client's call
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
OUT=${CONSUMERS_DIR:-$ROOT/.local/run/consumers}
rm -rf "$OUT"
mkdir -p "$OUT"

workspace=$(sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"/\1/p' Cargo.toml)
package=$(node -p "require('./web/package.json').version")
if [[ "$workspace" != "$package" ]]; then
  echo "web-consumers: web/package.json is $package, the workspace (Cargo.toml) is $workspace" >&2
  exit 1
fi

(cd web && npm run -s build:lib >/dev/null && npm pack --silent --pack-destination "$OUT" >/dev/null)
tarball="$OUT/invites-components-$package.tgz"
contents=$(tar tzf "$tarball")
for f in lib/index.js lib/client.js lib/types/index.d.ts lib/types/api/typed-client.d.ts lib/custom-elements.json package.json; do
  grep -qx "package/$f" <<<"$contents" || { echo "web-consumers: $f is not in the package" >&2; exit 1; }
done
if grep -qE '^package/(src|tests|consumers)/|__dev/|Dev sign-in' <<<"$contents" || tar xzOf "$tarball" | grep -q '__dev/token'; then
  echo "web-consumers: the package holds sources, tests or dev-only code" >&2
  exit 1
fi
echo "web-consumers: invites-components-$package.tgz, $(wc -c <"$tarball") bytes, $(grep -c . <<<"$contents") files"

for app in html react; do
  cp -r "web/consumers/$app" "$OUT/$app"
  (
    cd "$OUT/$app"
    npm ci --no-audit --no-fund --loglevel=error
    npm install --no-save --no-audit --no-fund --loglevel=error "$tarball"
    npx vite build --logLevel warn
  )
  echo "web-consumers: $app built with the package ($OUT/$app/dist)"
done

if [[ -n "${INVITES_E2E_API:-}" ]]; then
  # A backend's call through the typed client entry (Node's fetch).
  (cd "$OUT/html" && node --input-type=module -e "
    import { createInvitesClient, ok } from 'invites-components/client';
    const api = createInvitesClient({ baseUrl: process.env.INVITES_E2E_API });
    const catalogue = await ok(api.GET('/v1/roles'));
    if (!catalogue.roles?.length) throw new Error('no roles');
    console.log('web-consumers: the typed client from Node: GET /v1/roles, ' + catalogue.roles.length + ' roles besides the owner');
  ")
fi
