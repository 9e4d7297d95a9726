#!/usr/bin/env bash
# Installs what the tests need (Python packages, Debian's Chromium and Java, axe-core, the Nu HTML Checker,
# the servers and tools of the publishing tests) and runs them all. Safe to run again: it installs only
# what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# --upgrade-strategy eager: every dependency at the newest version the ranges allow, so that the
# main run below tests the top of each range (the lowest versions are tested at the end).
python3 -m pip install --quiet --disable-pip-version-check --upgrade --upgrade-strategy eager -e ".[test]"
# uv makes the environment of the lowest versions allowed (below); the release tried here.
python3 -m pip install --quiet --disable-pip-version-check "uv>=0.13,<1"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# Publishing tests: a real sshd and rsync on 127.0.0.1, lftp for FTP(S); shellcheck for actionlint.
missing=()
[ -x /usr/sbin/sshd ] || missing+=(openssh-server)
command -v ssh-keygen >/dev/null 2>&1 || missing+=(openssh-client)
command -v rsync >/dev/null 2>&1 || missing+=(rsync)
command -v lftp >/dev/null 2>&1 || missing+=(lftp)
command -v shellcheck >/dev/null 2>&1 || missing+=(shellcheck)
if [ "${#missing[@]}" -gt 0 ]; then
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# sshd refuses to start without its privilege separation folder, which the service (not run here) makes.
[ -d /run/sshd ] || as_root mkdir -p -m 0755 /run/sshd

if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
fi

if ! command -v java >/dev/null 2>&1; then   # runs the Nu HTML Checker (vnu.jar)
  if [ "$(id -u)" = 0 ]; then
    mkdir -p /usr/share/man/man1   # slim images lack it and the JRE's setup fails without it
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null
  else
    sudo mkdir -p /usr/share/man/man1
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null
  fi
fi

# One npm command for both: `npm install --no-save` removes the packages it was not given.
# --ignore-scripts: vnu-jar's install step would download a Java runtime; the machine's Java runs it.
# terser checks that static/finder.min.js is up to date (scripts/minify-finder.sh writes it).
if [ ! -f node_modules/axe-core/axe.min.js ] || [ ! -f node_modules/vnu-jar/build/dist/vnu.jar ] \
   || [ ! -x node_modules/.bin/terser ]; then
  npm install --no-save --no-audit --no-fund --ignore-scripts --silent axe-core@4 vnu-jar@26.9.27 terser@5.51.4
fi

python3 -m pytest "$@"

# The whole suite (no arguments) runs again at the lowest versions pyproject.toml allows, the
# project's dependencies and the test tools alike (uv's lowest-direct resolution), in a virtual
# environment of its own: a floor declared is a floor tested. All but the browser tests of the
# pages and the finder, which ran above and test what Chromium shows, not the Python libraries
# (the preview's browser test, which runs livereload and Tornado, stays).
if [ "$#" -eq 0 ]; then
  lowest="${XDG_CACHE_HOME:-$HOME/.cache}/activitycr-test/lowest"
  python3 -m uv venv --quiet --clear --python "$(command -v python3)" "$lowest"
  python3 -m uv pip install --quiet --python "$lowest/bin/python" --resolution lowest-direct -e ".[test]"
  echo "Again at the lowest versions allowed (without tests/test_pages_browser.py and tests/test_finder_browser.py):"
  "$lowest/bin/python" -m pytest -q --ignore=tests/test_pages_browser.py --ignore=tests/test_finder_browser.py
fi
