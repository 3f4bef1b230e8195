#!/usr/bin/env bash
# Installs what charter needs and is missing: the Debian libraries and fonts WeasyPrint
# draws with, then a .venv holding the package (and its test extras with --test).
# Safe to run again: each step is skipped when its result is already there, and then the
# script prints nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

with_tests=0
[ "${1:-}" = "--test" ] && with_tests=1

# Pango lays out text; libharfbuzz-subset0 makes font subsetting ~40x faster than the
# fontTools fallback on a CJK font; the Noto CJK and emoji fonts keep Chinese text and
# chat nicknames from turning into tofu boxes; Liberation Sans sets English text.
debs=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk fonts-noto-color-emoji fonts-liberation fontconfig)
# The tests read PDFs with poppler, drive `charter serve` in Debian's Chromium (Playwright
# cannot download a browser here, and need not: it drives the system one), and open the Word
# and Excel files charter writes in LibreOffice, headless, as an office opens them.
if [ "$with_tests" = 1 ]; then
  debs+=(poppler-utils chromium libreoffice-writer-nogui libreoffice-calc-nogui)
  # axe-core (the browser tests' accessibility check) comes from npm; Debian's npm when none is there.
  command -v npm >/dev/null || debs+=(npm)
fi

missing=()
if command -v dpkg-query >/dev/null; then
  for p in "${debs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    # Not fatal: the venv is still built, and `charter doctor` says what cannot work yet.
    echo "setup: missing Debian packages: ${missing[*]}" >&2
    echo "setup: run as root, or: sudo apt-get install ${missing[*]}" >&2
  fi
fi

python=${PYTHON:-python3}
stamp=.venv/.installed
extra=""
if [ "$with_tests" = 1 ]; then
  stamp=.venv/.installed-test
  extra="[test]"
fi
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ constraints.txt -nt "$stamp" ]; then
  echo "setup: installing charter${extra} into .venv"
  # pip's own notices (index locations it skips) are noise here; its errors still show.
  .venv/bin/python -m pip install -q --disable-pip-version-check -U pip 2> >(grep -v '^WARNING: Location' >&2)
  # the versions the tests were run with (constraints.txt), so that no release of a library whose
  # code charter patches arrives unseen on the next machine
  .venv/bin/python -m pip install -q --disable-pip-version-check -c constraints.txt -e ".${extra}" \
    2> >(grep -v '^WARNING: Location' >&2)
  touch "$stamp"
fi
axe=.venv/npm/node_modules/axe-core/axe.min.js
if [ "$with_tests" = 1 ] && [ ! -f "$axe" ] && command -v npm >/dev/null; then
  echo "setup: installing axe-core into .venv/npm"
  npm install --prefix .venv/npm --no-audit --no-fund --silent axe-core@4 >/dev/null
fi
