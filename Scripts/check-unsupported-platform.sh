#!/usr/bin/env bash
# Simulates a build on an unsupported platform: the manifest's platform check, forced, must stop the
# build with its one message and nothing else.
set -uo pipefail
cd "$(dirname "$0")/.."
output="$(swift package --scratch-path .build-platform-check -Xbuild-tools-swiftc -DBOLDSIGN_SIMULATE_UNSUPPORTED_PLATFORM describe 2>&1)"
status=$?
# SwiftPM wraps a manifest that does not compile in lines of its own; the compiler's diagnostics name the file.
errors="$(grep -cE "Package\.swift:[0-9]+:[0-9]+: error:" <<< "$output")"
if [ "$status" -eq 0 ] || [ "$errors" -ne 1 ] || ! grep -q "boldsign-idv supports Linux only" <<< "$output"; then
  echo "check-unsupported-platform: expected exactly one error, the platform message; got (exit $status):" >&2
  echo "$output" >&2
  exit 1
fi
echo "check-unsupported-platform: OK ($(grep -E "Package\.swift:[0-9]+:[0-9]+: error:" <<< "$output" | head -c 160)...)"
