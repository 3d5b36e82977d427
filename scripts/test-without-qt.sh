#!/usr/bin/env bash
# The engine's tests in a venv where PySide6 is not installed at all (.venv-noqt): proves the
# request -> PDF path, the CLI and the EHR hand-off work without Qt (as a server or an
# integration engine would run them). `make lint` checks the same boundary statically.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"
V=.venv-noqt
[ -x "$V/bin/python" ] || { echo "Setting up $V (engine tests without Qt)..."; "$PY" -m venv "$V"; }
stamp="$V/.setup-stamp"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  "$V/bin/python" -m pip install -q --disable-pip-version-check --upgrade "pip>=25.1" >/dev/null
  # The project and its test group less Qt (PySide6, pytest-qt), read from pyproject.toml:
  # Qt is never downloaded or unpacked here (installing it to uninstall it cost the most).
  reqs="$V/requirements-noqt.txt"
  "$V/bin/python" - >"$reqs" <<'PY'
import re
import tomllib

with open("pyproject.toml", "rb") as f:
    meta = tomllib.load(f)
for req in [*meta["project"]["dependencies"], *meta["dependency-groups"]["test"]]:
    name = re.match(r"[A-Za-z0-9._-]+", req).group().lower()
    if not name.startswith(("pyside6", "shiboken6", "pytest-qt")):
        print(req)
PY
  "$V/bin/python" -m pip install -q --disable-pip-version-check --progress-bar off -r "$reqs"
  "$V/bin/python" -m pip install -q --disable-pip-version-check --no-deps -e .
  touch "$stamp"
fi
if "$V/bin/python" -c "import PySide6" 2>/dev/null; then
  echo "PySide6 is still importable in $V; the Qt-less check would prove nothing." >&2; exit 1
fi
echo "Engine tests without PySide6 installed:"
# on every core, as make test (tests/conftest.py hands out the matrix cases)
"$V/bin/python" -m pytest -q -p no:cacheprovider -n auto --dist loadgroup \
  tests/test_engine.py tests/test_request.py \
  tests/test_cli.py tests/test_output.py tests/test_templating.py tests/test_textio.py \
  tests/test_ehr_context.py tests/test_ehr_outbox.py tests/test_archive.py "$@"
