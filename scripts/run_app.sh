#!/usr/bin/env bash
# Install the runtime into .venv (again only when requirements.txt changed) and start the workbench
# on the embedded database. Extra arguments go to `streamlit run` (e.g. --server.port 8600).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null || PY=python3
[ -x .venv/bin/python ] || "$PY" -m venv .venv
want=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ "$(cat .venv/.requirements.sha 2>/dev/null)" != "$want" ]; then
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -r requirements.txt
  echo "$want" > .venv/.requirements.sha
fi
exec .venv/bin/streamlit run streamlit_app.py --browser.gatherUsageStats false "$@"
