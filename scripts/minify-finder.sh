#!/usr/bin/env bash
# Writes static/finder.min.js, the finder's script as the site serves it, from static/finder.js.
# Run it after every change to static/finder.js (a test fails while the two differ).
# terser is pinned: the same version gives the same bytes, so the build stays reproducible.
# It uses the terser that scripts/test.sh installs in node_modules, or else npx's own copy
# (a plain `npm install terser` here would remove the test tools that npm was not given).
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=5.51.4
if [ -x node_modules/.bin/terser ] && [ "$(node_modules/.bin/terser --version)" = "terser $VERSION" ]; then
  terser=(node_modules/.bin/terser)
else
  terser=(npx --yes "terser@$VERSION")
fi
"${terser[@]}" static/finder.js --compress passes=2 --mangle --comments false --output static/finder.min.js
