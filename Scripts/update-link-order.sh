#!/usr/bin/env bash
# Regenerates Scripts/link-order.txt: the functions of boldsign-idv that an `image` download and a
# `batch` run execute, as recorded by valgrind's callgrind against a local boldsign-mock. The release
# build (Scripts/build-release.sh) hands the file to lld, which lays those functions out together, so
# a run maps far fewer pages of the 13 MB text segment (measured on a 1 MiB download: 5.3 -> 3.2 MiB
# of text resident, 19.6 -> 17.2 MiB peak). Names the code no longer has are ignored; re-run this
# after larger changes or a toolchain update. Needs valgrind.
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/build-release.sh --product boldsign-idv >&2
Scripts/build-release.sh --product boldsign-mock >&2
bin="$(Scripts/build-release.sh --show-bin-path)"
work="$(mktemp -d)"
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

"$bin/boldsign-mock" --port 0 --fixtures Benchmarks/fixtures.json --rate-limit 0 > "$work/server.out" 2> "$work/server.err" &
server_pid=$!
for _ in $(seq 1 100); do [ -s "$work/server.out" ] && break; sleep 0.05; done
url="$(head -n 1 "$work/server.out")"
[ -n "$url" ] || { cat "$work/server.err" >&2; exit 1; }

# valgrind 3.19 cannot read the DWARF 5 the Swift toolchain emits: profile a copy without debug info.
objcopy --strip-debug "$bin/boldsign-idv" "$work/boldsign-idv"
export BOLDSIGN_API_KEY=bench-api-key
profile() {
  valgrind --tool=callgrind --demangle=no --callgrind-out-file="$work/$1.callgrind" "$work/boldsign-idv" "${@:2}" \
    > "$work/$1.log" 2>&1 || { echo "profiling '$1' failed:" >&2; cat "$work/$1.log" >&2; exit 1; }
}
profile image image --base-url "$url" --document-id b3c4d5e6-0000-4000-8000-000000000001 --email bench@example.com \
  --file-id bench-1m --output "$work/one.jpg" --quiet
for i in $(seq 0 19); do
  echo "{\"documentId\": \"b3c4d5e6-0000-4000-8000-000000000064\", \"emailId\": \"bench@example.com\", \"fileId\": \"bench-64k\", \"output\": \"$i.jpg\"}"
done > "$work/manifest.jsonl"
profile batch-1 batch "$work/manifest.jsonl" --base-url "$url" --output-dir "$work/one" --concurrency 1 --quiet
profile batch-8 batch "$work/manifest.jsonl" --base-url "$url" --output-dir "$work/eight" --concurrency 8 --quiet

# The image download's functions first (one process's start-up is where pages cost most), then what
# the batches add; each function once.
python3 - "$work" > "$work/link-order.txt" <<'PYTHON'
import re, sys
seen = set()
for run in ("image", "batch-1", "batch-8"):
    objects, functions, current, called = {}, {}, None, None
    executed = []
    for line in open(f"{sys.argv[1]}/{run}.callgrind"):
        match = re.match(r"^(ob|cob|fn|cfn)=\((\d+)\)(?: (.*))?$", line.rstrip("\n"))
        if not match:
            continue
        kind, key, name = match.groups()
        table = objects if kind in ("ob", "cob") else functions
        if name:
            table[key] = name
        if kind == "ob":
            current = key
        elif kind == "cob":
            called = key
        else:
            executed.append((current if kind == "fn" else (called or current), key))
            if kind == "fn":
                called = None
    for obj, fn in executed:
        # callgrind marks recursion levels with 'N and names code without a symbol by its address.
        name = re.sub(r"'\d+$", "", functions.get(fn, "0x"))
        if objects.get(obj, "").endswith("/boldsign-idv") and not name.startswith("0x") and name not in seen:
            seen.add(name)
            print(name)
PYTHON
mv "$work/link-order.txt" Scripts/link-order.txt
wc -l Scripts/link-order.txt >&2
# SwiftPM does not know the link depends on this file: remove the executables so the next build links
# them with the new order.
rm -f "$bin/boldsign-idv" "$bin/boldsign-mock" "$bin/boldsign-soak"
