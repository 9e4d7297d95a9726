#!/usr/bin/env bash
# Installs the generator's dependencies and builds the site into site/ (arguments go to build.py).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install --quiet --disable-pip-version-check -e .
python3 build.py build "$@"
