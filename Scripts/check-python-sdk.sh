#!/usr/bin/env bash
# BoldSign's Python SDK against boldsign-mock, as a user of another language would meet it: installs
# boldsign==3.3.4 from PyPI into a virtual environment under .build-python, starts the debug mock on a
# free port and runs Scripts/check-python-sdk.py against it.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=".build-python"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check boldsign==3.3.4

swift build --product boldsign-mock
mock="$(swift build --show-bin-path)/boldsign-mock"
output="$(mktemp)"
"$mock" --port 0 > "$output" &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; rm -f "$output"' EXIT
for _ in $(seq 100); do
  [ -s "$output" ] && break
  sleep 0.1
done
"$venv/bin/python" Scripts/check-python-sdk.py "$(head -n 1 "$output")"
