#!/usr/bin/env bash
# Creates or updates the two environments: .venv (Python 3.11, the app) and .venv-rasa (Python 3.10,
# rasa==3.6.21 only). Each is reinstalled only when its requirement file changed (stamp = file hash).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

version_ok() { "$1" -c "import sys; sys.exit(0 if sys.version_info[:2] == ($2) else 1)" 2>/dev/null; }

find_python() {  # $1 = "3, 10"; $2 = explicit setting; $3 = name on PATH; $4 = pyenv prefix
  local want="$1" explicit="$2" name="$3" prefix="$4" candidate
  if [ -n "$explicit" ]; then
    version_ok "$explicit" "$want" && { echo "$explicit"; return; }
    die "$explicit is not Python ${want/, /.}"
  fi
  for candidate in "$name" "python3"; do
    if command -v "$candidate" >/dev/null && version_ok "$(command -v "$candidate")" "$want"; then
      command -v "$candidate"; return
    fi
  done
  if command -v pyenv >/dev/null; then
    for candidate in "$(pyenv root)"/versions/"$prefix".*/bin/python; do
      [ -x "$candidate" ] && version_ok "$candidate" "$want" && { echo "$candidate"; return; }
    done
  fi
  return 1
}

stamp_ok() { [ -f "$1/.stamp" ] && [ "$(cat "$1/.stamp")" = "$2" ]; }

APP_PY=$(find_python "3, 11" "${APP_PYTHON:-}" python3.11 3.11) || die "Python 3.11 not found.
  Install it (e.g. 'pyenv install 3.11' or 'apt-get install python3.11') or set APP_PYTHON=/path/to/python3.11."
RASA_PY=$(find_python "3, 10" "${RASA_PYTHON:-}" python3.10 3.10) || die "Python 3.10 not found; Rasa 3.6 needs Python 3.8-3.10.
  Install it (e.g. 'pyenv install 3.10.13') or set RASA_PYTHON=/path/to/python3.10."

app_hash=$(cat pyproject.toml | sha256sum | cut -c1-16)
if ! stamp_ok .venv "$app_hash"; then
  say "Installing the app environment (.venv, $("$APP_PY" --version)); the first time takes a few minutes"
  [ -x .venv/bin/python ] || "$APP_PY" -m venv .venv
  .venv/bin/pip install --quiet --upgrade pip wheel
  # torch first and pinned: this spec resolves to the CPU build (anything else pulls a CUDA build).
  .venv/bin/pip install --quiet --progress-bar on "torch==2.13.0"
  .venv/bin/pip install --quiet --progress-bar on -e ".[test,bench]"
  echo "$app_hash" > .venv/.stamp
fi

rasa_hash=$(cat requirements-rasa.txt | sha256sum | cut -c1-16)
if ! stamp_ok .venv-rasa "$rasa_hash"; then
  say "Installing the Rasa environment (.venv-rasa, $("$RASA_PY" --version)); the first time takes several minutes"
  [ -x .venv-rasa/bin/python ] || "$RASA_PY" -m venv .venv-rasa
  .venv-rasa/bin/pip install --quiet --upgrade pip wheel
  .venv-rasa/bin/pip install --quiet --progress-bar on -r requirements-rasa.txt
  echo "$rasa_hash" > .venv-rasa/.stamp
fi

if [ -f api/web/package.json ]; then
  web_hash=$(cat api/web/package.json api/web/package-lock.json 2>/dev/null | sha256sum | cut -c1-16)
  if ! stamp_ok api/web/node_modules "$web_hash"; then
    command -v npm >/dev/null || die "npm not found: install Node.js 18+ (apt-get install nodejs npm)."
    say "Installing the chat widget's browser libraries (npm)"
    (cd api/web && npm ci --no-audit --no-fund --silent)
    echo "$web_hash" > api/web/node_modules/.stamp
  fi
fi
