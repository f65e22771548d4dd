#!/usr/bin/env bash
# Install runtime + test dependencies into .venv (again only when a requirements file changed) and run
# the whole test suite (offline). Records the requirements hash that run_app.sh checks, so the app does
# not reinstall afterwards. Chromium for the browser test comes from Debian (never `playwright install`);
# without root or apt it is skipped and the browser test says why.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null || PY=python3
[ -x .venv/bin/python ] || "$PY" -m venv .venv
want=$(cat requirements.txt requirements-dev.txt | sha256sum | cut -d' ' -f1)
if [ "$(cat .venv/.requirements-dev.sha 2>/dev/null)" != "$want" ]; then
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -r requirements-dev.txt
  echo "$want" > .venv/.requirements-dev.sha
  # requirements-dev.txt includes requirements.txt: the runtime is installed too (what run_app.sh checks)
  sha256sum requirements.txt | cut -d' ' -f1 > .venv/.requirements.sha
fi
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  (apt-get install -y -q chromium >/dev/null 2>&1 || (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium >/dev/null 2>&1)) \
    || echo "warning: could not install chromium; browser tests will skip"
fi
# Orthanc with its DICOMweb plugin (the PACS tests' server) comes from Debian the same way; the tests start and stop
# it themselves. (Dropped by mistake on 2026-12-01 with the requirements-hash change; without it the PACS tests skip.)
if [ ! -f /usr/share/orthanc/plugins/libOrthancDicomWeb.so ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  (apt-get install -y -q orthanc orthanc-dicomweb >/dev/null 2>&1 || (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q orthanc orthanc-dicomweb >/dev/null 2>&1)) \
    || echo "warning: could not install orthanc; PACS tests will skip"
  # The package's own service is not used (the tests run their own Orthanc): stop it where systemd started it.
  if command -v systemctl >/dev/null && systemctl is-active --quiet orthanc 2>/dev/null; then
    systemctl disable --now orthanc >/dev/null 2>&1 || true
  fi
fi
.venv/bin/ruff check .
exec .venv/bin/python -m pytest "$@"
