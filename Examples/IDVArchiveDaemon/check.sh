#!/usr/bin/env bash
# CI for the reference daemon: builds it and boldsign-mock, runs the end-to-end test, and has systemd check
# the unit. Run from anywhere; builds into this package's .build and the root package's .build.
set -euo pipefail
cd "$(dirname "$0")"
swift build --product IDVArchiveDaemon
(cd ../.. && swift build --product boldsign-mock)
mock="$(cd ../.. && swift build --show-bin-path)/boldsign-mock"
daemon="$(swift build --show-bin-path)/IDVArchiveDaemon"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 Tests/end_to_end.py "$mock" "$daemon" "$work/end-to-end"
python3 Tests/idle_connections.py "$mock" "$daemon" "$work/idle"

# systemd-analyze verify checks that ExecStart's binary exists: point a copy of the unit at the one just built.
sed "s|/usr/local/bin/idv-archive-daemon|$daemon|" deploy/idv-archive-daemon.service > "$work/idv-archive-daemon.service"
systemd-analyze verify "$work/idv-archive-daemon.service"
echo "IDVArchiveDaemon: OK"
