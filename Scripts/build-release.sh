#!/usr/bin/env bash
# Builds release binaries as they are benchmarked and meant to be shipped; extra arguments go to
# `swift build` (e.g. `--product boldsign-idv`, `--show-bin-path`).
#   Scripts/build-release.sh --product boldsign-idv
#   Scripts/build-release.sh --swiftc-flags     only print the link options below, one per line, for a plain swiftc
#
# - `--static-swift-stdlib`: the Swift runtime linked in, so the binary needs only glibc and libcurl
#   (no Swift toolchain) where it runs.
# - `--disable-local-rpath`: no `$ORIGIN` run path. With the runtime linked in there is nothing to load
#   from beside the binary, and a libcurl.so.4 placed there would otherwise be loaded instead of the system's.
# - `--no-export-dynamic`: the static runtime's link file asks for `-export-dynamic`, which would put our
#   modules' symbols in a dynamic symbol table nobody looks them up in (crash backtraces read the static one).
# - `--disable-default-traits --traits MockServer`: the command-line tools use neither webhook verification
#   nor the service lifecycle, so their release build leaves out swift-crypto (a second BoringSSL) and
#   swift-service-lifecycle: 20 MB less binary and less resident memory per process. A boldsign-mock built
#   here therefore cannot send webhooks; `swift build` (default traits) builds one that can.
set -euo pipefail
cd "$(dirname "$0")/.."
link=(-Xlinker --no-export-dynamic)
if [ "${1:-}" = --swiftc-flags ]; then
  printf '%s\n' "${link[@]}"
  exit 0
fi
flags=(-c release --static-swift-stdlib --disable-local-rpath --disable-default-traits --traits MockServer)
for flag in "${link[@]}"; do flags+=(-Xswiftc "$flag"); done
exec swift build "${flags[@]}" "$@"
