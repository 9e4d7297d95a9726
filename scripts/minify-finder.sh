#!/usr/bin/env bash
# Writes static/finder.min.js, the finder's script as the site serves it, from static/finder.js.
# Run it after every change to static/finder.js (a test fails while the two differ).
# terser is pinned: the same version gives the same bytes, so the build stays reproducible.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x node_modules/.bin/terser ]; then
  npm install --no-save --no-audit --no-fund --silent terser@5.51.4
fi
node_modules/.bin/terser static/finder.js --compress passes=2 --mangle --comments false \
  --output static/finder.min.js
