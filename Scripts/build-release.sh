#!/usr/bin/env bash
# Builds release binaries as they are benchmarked and meant to be shipped; extra arguments go to
# `swift build` (e.g. `--product boldsign-idv`, `--show-bin-path`).
#   Scripts/build-release.sh --product boldsign-idv
#   Scripts/build-release.sh --swiftc-flags     only print the link options below, one per line, for a plain swiftc
#
# Beyond `-c release --static-swift-stdlib`, link options that only shorten start-up and shrink resident
# memory, each used when this machine supports it (measured on the benchmark's 1 MiB download, one
# process at a time):
# - libstdc++ linked statically (12.7 -> 11.8 ms, -1.1 MiB peak RSS). The static Swift runtime is C++
#   and the toolchain links it against the shared libstdc++, which then costs every process its loading
#   and relocation. A directory holding only libstdc++.a, searched first, makes the toolchain's
#   `-lstdc++` pick the archive.
# - lld with packed relative relocations (DT_RELR, glibc >= 2.36; -0.25 ms, -0.8 MiB): the executable's
#   ~40,000 relative relocations take 7 KB instead of 957 KB, which the loader no longer reads in.
# - with lld, the functions a download and a batch execute laid out together (Scripts/link-order.txt,
#   made by Scripts/update-link-order.sh; -0.4 ms, 19.6 -> 17.2 MiB): they were spread over the 13 MB
#   text segment, and the kernel maps text in 64 KiB blocks around each page touched.
# - no exported symbol table (-0.3 MiB): the static runtime's link file adds `-export-dynamic`, which
#   puts ~4,200 of our modules' symbols in a 330 KB dynamic symbol table, ~310 KiB of it resident after
#   a download. Nothing looks our symbols up dynamically, and crash backtraces symbolicate the same
#   without it (they read the static symbol table).
# - no `$ORIGIN` run path (`--disable-local-rpath`; SwiftPM adds it by default): with the Swift runtime
#   linked in there is nothing to load from beside the binary, yet the loader probed that directory and
#   its hardware-capability subdirectories for every library, ~40 failed system calls per process
#   (-0.3 ms); and a libcurl.so.4 placed beside the binary would have been loaded instead of the system's.
set -euo pipefail
cd "$(dirname "$0")/.."
link=()

archive="$(cc -print-file-name=libstdc++.a 2>/dev/null || true)"
if [ -f "$archive" ]; then
  mkdir -p .build/static-libstdcxx
  ln -sfn "$archive" .build/static-libstdcxx/libstdc++.a
  link+=("-L$PWD/.build/static-libstdcxx")
fi

glibc="$(getconf GNU_LIBC_VERSION 2>/dev/null | awk '{print $2}')"
# The toolchain's own lld, found through the compiler rather than PATH, so that a `swift` that is a
# symlink or a toolchain manager's shim still leads to it.
resources="$(swiftc -print-target-info 2>/dev/null | sed -n 's/.*"runtimeResourcePath": "\(.*\)".*/\1/p' | head -n 1)"
lld="${resources%/lib/swift}/bin/ld.lld"
if [ -x "$lld" ] && [ -n "$glibc" ] && [ "$(printf '%s\n2.36\n' "$glibc" | sort -V | head -n 1)" = 2.36 ]; then
  link+=(-use-ld=lld -Xlinker -z -Xlinker pack-relative-relocs)
  # The functions a download and a batch run, laid out together (Scripts/update-link-order.sh).
  link+=(-Xlinker "--symbol-ordering-file=$PWD/Scripts/link-order.txt" -Xlinker --no-warn-symbol-ordering)
fi
# Last: `swift build` dropped this pair when it came first.
link+=(-Xlinker --no-export-dynamic)

if [ "${1:-}" = --swiftc-flags ]; then
  printf '%s\n' "${link[@]}"
  exit 0
fi
flags=(-c release --static-swift-stdlib --disable-local-rpath)
for flag in "${link[@]}"; do flags+=(-Xswiftc "$flag"); done
exec swift build "${flags[@]}" "$@"
