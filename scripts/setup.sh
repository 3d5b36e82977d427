#!/usr/bin/env bash
# Set up a development environment in .venv: Python packages, and on Debian/Ubuntu the
# system libraries headless Qt needs (installed with apt-get when run as root, otherwise
# printed with the command to run).  Usage: scripts/setup.sh [app|test|dev]
set -euo pipefail
cd "$(dirname "$0")/.."
extra="${1:-test}"
PY="${PYTHON:-python3}"

if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "Discharge Desk needs Python 3.11 or newer; install it and run this again." >&2
  exit 1
fi

# Debian packages for PySide6 (also offscreen) and for looking at PDFs (pdftoppm).
QT_DEBS="libgl1 libegl1 libopengl0 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libfreetype6 libdbus-1-3 libglib2.0-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0 libxcb-randr0 libxcb-render-util0 libxcb-image0"
if command -v dpkg >/dev/null 2>&1; then
  missing=""
  for p in $QT_DEBS; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
  if [ -n "$missing" ]; then
    if [ "$(id -u)" = 0 ]; then
      echo "Installing system libraries for Qt (apt-get):$missing"
      (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing) >/dev/null
    else
      echo "Qt needs these system libraries; install them with:" >&2
      echo "  sudo apt-get install$missing" >&2
    fi
  fi
fi

if [ ! -x .venv/bin/python ]; then
  echo "Setting up .venv (first run only; it downloads Qt and the PDF libraries, about a minute)..."
  "$PY" -m venv .venv
fi
# app: the product alone; test / dev: plus the dependency groups in pyproject.toml (PEP 735).
case "$extra" in
  app) pip_args=(-e .) ;;
  *) pip_args=(-e . --group "$extra") ;;
esac
stamp=".venv/.setup-stamp-$extra"
fresh() { [ -f "$1" ] && [ ! pyproject.toml -nt "$1" ]; }
# dev includes test, and both include app: `make lint` then `make test` (CI) installs once
covered=false
case "$extra" in
  app) fresh .venv/.setup-stamp-test || fresh .venv/.setup-stamp-dev && covered=true ;;
  test) fresh .venv/.setup-stamp-dev && covered=true ;;
esac
if ! fresh "$stamp" && [ "$covered" = false ]; then
  echo "Installing Python packages into .venv ($extra)..."
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade "pip>=25.1" >/dev/null
  .venv/bin/python -m pip install -q --disable-pip-version-check --progress-bar off "${pip_args[@]}"
  touch "$stamp"
  echo "Python packages ready."
fi
