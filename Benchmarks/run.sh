#!/usr/bin/env bash
# Builds release binaries, starts a local server, and runs the interleaved benchmark against the curl CLI
# (and a plain C libcurl client as the yardstick).
#   Benchmarks/run.sh                  full run (5 rounds; 1 GiB, 64 MiB, 1 MiB, batches)
#   Benchmarks/run.sh --smoke          tiny sizes, one round (what CI runs)
#   Benchmarks/run.sh --rounds 9
#   BENCH_SERVER=mock Benchmarks/run.sh    serve from boldsign-mock instead of nginx
#   Benchmarks/run.sh --baseline-bin DIR   another build's boldsign-idv in every case too, interleaved (an A/B)
set -euo pipefail
cd "$(dirname "$0")/.."
# The release build as shipped (static Swift runtime: see the script).
Scripts/build-release.sh --product boldsign-idv >&2
Scripts/build-release.sh --product boldsign-mock >&2
bin="$(Scripts/build-release.sh --show-bin-path)"

# Outputs go to tmpfs when there is room, so the disk's speed does not blur the comparison.
base=/dev/shm
[ "$(df -Pk /dev/shm 2>/dev/null | awk 'NR==2 {print $4}')" -gt $((4 * 1024 * 1024)) ] 2>/dev/null || base="${TMPDIR:-/tmp}"
work="$(mktemp -d "$base/boldsign-bench.XXXXXX")"
files=""
server_pid=""
slow_url=""
tls_url=""
# The durable-files cases need a real disk: the build folder's file system, unless that is tmpfs too.
disk_work=""
if [ "$(stat -f -c %T .)" != tmpfs ]; then disk_work="$(mktemp -d "$PWD/.build/bench-disk.XXXXXX")"; fi
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work" ${files:+"$files"} ${disk_work:+"$disk_work"}; }
trap cleanup EXIT

reference=""
if command -v cc >/dev/null 2>&1; then
  cc -O2 -Wall -o "$work/reference-client" Benchmarks/reference-client.c -lcurl && reference="$work/reference-client"
fi

# The memory floor: the least any static Swift binary with libcurl (and FoundationEssentials) takes.
mapfile -t release_link < <(Scripts/build-release.sh --swiftc-flags)
swiftc -O -static-stdlib "${release_link[@]}" -I Modules/CCurl Benchmarks/floor.swift -o "$work/floor" 2> "$work/floor.log" || { cat "$work/floor.log" >&2; exit 1; }

smoke=false
for argument in "$@"; do [ "$argument" = "--smoke" ] && smoke=true; done
server="${BENCH_SERVER:-}"
if [ -z "$server" ]; then
  if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then server=nginx; else server=mock; fi
fi

if [ "$server" = nginx ]; then
  # nginx serves each document's bytes from a file with sendfile(2), one worker: the server side
  # costs almost no CPU, so the two clients are what is measured. The static module refuses the POST;
  # error_page turns that into an internal GET of the document's file. The request body is read first
  # (mirror_request_body), as the API reads its JSON (see Tests/TestSupport/NginxServer.swift).
  nginx_bin="$(command -v nginx || echo /usr/sbin/nginx)"
  files="$(mktemp -d "$base/boldsign-bench-files.XXXXXX")"
  chmod 755 "$files"   # generated benchmark bytes, readable by nginx's worker user
  if $smoke; then ids="bench-64k bench-1m"; else ids="bench-64k bench-1m bench-64m bench-1g"; fi
  for id in $ids; do
    document="$(python3 -c "import json,sys; f=json.load(open('Benchmarks/fixtures.json')); print(next(d['id'] for d in f['documents'] if d['signers'][0]['files'][0]['id']==sys.argv[1]))" "$id")"
    "$bin/boldsign-mock" generate --fixtures Benchmarks/fixtures.json --file-id "$id" > "$files/$document"
    chmod 644 "$files/$document"
  done
  free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
  # One server block: POST to the image endpoint answers with the document's file, optionally rate-limited.
  server_block() {
    cat <<EOF
  server {
    listen 127.0.0.1:$1${3:-};
    location = /v1/identityVerification/image {
      mirror /read-body;
      mirror_request_body on;
      error_page 404 405 = /files/\$arg_documentId;
    }
    location = /read-body { internal; return 204; }
    location /files/ { internal; alias $files/; default_type image/jpeg; ${2:+limit_rate $2;} }
  }
EOF
  }
  port="$(free_port)"
  slow_port="$(free_port)"
  tls_port="$(free_port)"
  certificates="$PWD/Tests/Certificates"
  cat > "$work/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
$( [ "$(id -u)" = 0 ] && echo "user root;" )
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  client_body_temp_path $work/nginx-body;
$(server_block "$port")
  # The same bodies at 256 KiB/s: the allocation count of a download that waits on the network.
$(server_block "$slow_port" 256k)
  # TLS 1.3 offering h2 and http/1.1, as BoldSign's front end does; its log counts connections per run.
  log_format connection '\$connection';
  ssl_certificate $certificates/server.pem;
  ssl_certificate_key $certificates/server.key;
  ssl_protocols TLSv1.3;
$(server_block "$tls_port" "" " ssl http2; access_log $work/tls-access.log connection")
}
EOF
  "$nginx_bin" -c "$work/nginx.conf" -e "$work/nginx-error.log" 2>> "$work/nginx-error.log" &
  server_pid=$!
  url="http://127.0.0.1:$port"
  for _ in $(seq 1 100); do curl -s -o /dev/null "$url/" && break; sleep 0.05; done
  server_name="nginx $("$nginx_bin" -v 2>&1 | cut -d/ -f2), sendfile, 1 worker"
  slow_url="http://127.0.0.1:$slow_port"
  tls_url="https://127.0.0.1:$tls_port"
else
  "$bin/boldsign-mock" --port 0 --fixtures Benchmarks/fixtures.json --rate-limit 0 --threads 2 > "$work/server.out" 2> "$work/server.err" &
  server_pid=$!
  for _ in $(seq 1 100); do [ -s "$work/server.out" ] && break; sleep 0.05; done
  url="$(head -n 1 "$work/server.out")"
  [ -n "$url" ] || { cat "$work/server.err" >&2; exit 1; }
  server_name="boldsign-mock, 2 threads"
fi

echo "# boldsign-idv vs curl $(curl --version | head -n 1 | cut -d' ' -f2), $(date -u +%Y-%m-%d), $(nproc) cores, server $url ($server_name), outputs in $base" >&2
python3 Benchmarks/bench.py --bin "$bin" --url "$url" --work "$work" --floor "$work/floor" ${reference:+--reference "$reference"} \
  ${slow_url:+--slow-url "$slow_url"} ${disk_work:+--disk-work "$disk_work"} ${tls_url:+--tls-url "$tls_url" --tls-log "$work/tls-access.log" --ca "$PWD/Tests/Certificates/ca.pem"} "$@"
