#!/usr/bin/env bash
# Creates .venv/ here, installs requirements.txt from PyPI and runs the tests against the image
# kushki-conformance:latest (KUSHKI_IMAGE overrides it). Arguments go to pytest.
# Exits non-zero when a test fails and when no test ran (pytest's exit code 5).
set -euo pipefail
cd "$(dirname "$0")"

if [ ! -x .venv/bin/python ]; then
  "${PYTHON:-python3}" -m venv .venv
fi
.venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt

# No registry here: testcontainers' reaper (Ryuk) image cannot be pulled. The session fixture
# stops the container itself.
export TESTCONTAINERS_RYUK_DISABLED=true

set +e
.venv/bin/pytest "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
  echo "run-tests.sh: no test ran" >&2
fi
exit "$status"
