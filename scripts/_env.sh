# Shared by scripts/demo.sh and scripts/test.sh: a virtual environment with the pinned versions.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"
VENV="${FAIRSITE_VENV:-$ROOT/.venv}"
if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi
STAMP="$VENV/.fairsite-installed"
if [ ! -f "$STAMP" ] || [ pyproject.toml -nt "$STAMP" ] || [ constraints.txt -nt "$STAMP" ]; then
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  "$VENV/bin/python" -m pip install --quiet -c constraints.txt -e ".[dev]"
  touch "$STAMP"
fi
export PATH="$VENV/bin:$PATH"
# Compiled translations are build output; make them when msgfmt is available.
if command -v msgfmt >/dev/null 2>&1; then
  python manage.py compilemessages --ignore ".venv" -v0 >/dev/null
fi
