#!/usr/bin/env bash
# Installs what charter needs and is missing: the Debian libraries and fonts WeasyPrint
# draws with, then a .venv holding the package (and its test extras with --test).
# Safe to run again: each step is skipped when its result is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

with_tests=0
[ "${1:-}" = "--test" ] && with_tests=1

# Pango lays out text; libharfbuzz-subset0 makes font subsetting ~40x faster than the
# fontTools fallback on a CJK font; the Noto CJK and emoji fonts keep Chinese text and
# chat nicknames from turning into tofu boxes; Liberation Sans sets English text.
debs=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk fonts-noto-color-emoji fonts-liberation fontconfig)
# The tests read PDFs with poppler and drive `charter serve` in Debian's Chromium (Playwright
# cannot download a browser here, and need not: it drives the system one).
[ $with_tests = 1 ] && debs+=(poppler-utils chromium)

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
    echo "setup: missing Debian packages: ${missing[*]}" >&2
    echo "setup: run as root, or: sudo apt-get install ${missing[*]}" >&2
  fi
fi

python=${PYTHON:-python3}
stamp=.venv/.installed$([ $with_tests = 1 ] && echo -test)
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --disable-pip-version-check -U pip
  extra=$([ $with_tests = 1 ] && echo "[test]" || true)
  .venv/bin/python -m pip install -q --disable-pip-version-check -e ".${extra}"
  touch "$stamp"
fi
