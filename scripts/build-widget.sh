#!/usr/bin/env bash
# Builds the chat widget (web/widget) into backend/web/static/dist/ with esbuild.
# `npm ci` runs only when node_modules is missing or package.json / package-lock.json changed.
# The bundle is not committed; `make widget` (part of `make run` and `make test`) rebuilds it.
set -euo pipefail
cd "$(dirname "$0")/.."
w=web/widget
out=backend/web/static/dist
command -v node >/dev/null && command -v npm >/dev/null || {
  echo "widget: Node.js and npm are needed to build the chat widget (e.g. 'apt-get install nodejs npm')." >&2
  exit 1
}
lockhash=$(cat "$w/package.json" "$w/package-lock.json" | sha256sum | cut -c1-16)
if [ ! -x "$w/node_modules/.bin/esbuild" ] || [ "$(cat "$w/node_modules/.kg-lock-hash" 2>/dev/null)" != "$lockhash" ]; then
  echo "widget: installing npm packages (npm ci) …"
  (cd "$w" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$lockhash" > "$w/node_modules/.kg-lock-hash"
fi
mkdir -p "$out"
# Rebuild only when a source file is newer than the bundle (or the bundle is missing).
if [ -f "$out/klagomalsguiden.js" ] && [ -z "$(find "$w/src" "$w/package-lock.json" scripts/build-widget.sh -newer "$out/klagomalsguiden.js" -print -quit)" ]; then
  echo "widget: bundle is up to date ($out/klagomalsguiden.js)"
  exit 0
fi
"$w/node_modules/.bin/esbuild" "$w/src/widget.js" \
  --bundle --minify --format=iife --target=es2020 \
  --loader:.css=text --sourcemap=linked --legal-comments=linked \
  --log-level=warning --outfile="$out/klagomalsguiden.js"
echo "widget: built $out/klagomalsguiden.js ($(wc -c < "$out/klagomalsguiden.js") bytes)"
