#!/usr/bin/env bash
# Builds release binaries, starts the mock server, and runs the interleaved benchmark against the curl CLI.
#   Benchmarks/run.sh            full run (5 rounds; 1 GiB, 64 MiB, 1 MiB, batches)
#   Benchmarks/run.sh --smoke    tiny sizes, one round (what CI runs)
#   Benchmarks/run.sh --rounds 9
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --static-swift-stdlib --product boldsign-idv >&2
swift build -c release --static-swift-stdlib --product boldsign-mock >&2
bin="$(swift build -c release --static-swift-stdlib --show-bin-path)"

# Outputs go to tmpfs when there is room, so the disk's speed does not blur the comparison.
base=/dev/shm
[ "$(df -Pk /dev/shm 2>/dev/null | awk 'NR==2 {print $4}')" -gt $((3 * 1024 * 1024)) ] 2>/dev/null || base="${TMPDIR:-/tmp}"
work="$(mktemp -d "$base/boldsign-bench.XXXXXX")"
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

"$bin/boldsign-mock" --port 0 --fixtures Benchmarks/fixtures.json --rate-limit 0 --threads 2 > "$work/server.out" 2> "$work/server.err" &
server_pid=$!
for _ in $(seq 1 100); do [ -s "$work/server.out" ] && break; sleep 0.05; done
url="$(head -n 1 "$work/server.out")"
[ -n "$url" ] || { cat "$work/server.err" >&2; exit 1; }

echo "# boldsign-idv vs curl $(curl --version | head -n 1 | cut -d' ' -f2), $(date -u +%Y-%m-%d), $(nproc) cores, server $url (boldsign-mock), outputs in $base" >&2
python3 Benchmarks/bench.py --bin "$bin" --url "$url" --work "$work" "$@"
