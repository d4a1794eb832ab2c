#!/usr/bin/env bash
# Builds the transport against Debian 11's libcurl 7.74.0 — the oldest libcurl the package supports
# (Debian 11; RHEL 9 ships 7.76, Ubuntu 22.04 7.81) — and runs the transport, download, batch, retry
# and fault suites with it, over HTTP/1.1, TLS and HTTP/2.
#
# The packages come from Debian's own archive (bullseye and bullseye-security), through apt with a
# private list directory, so the machine's apt state is untouched: libcurl4 and libcurl4-openssl-dev,
# the two libraries 7.74 needs that a newer Debian no longer ships (OpenSSL 1.1, OpenLDAP 2.4), and
# Debian 11's versions of the libraries that shape its behaviour (nghttp2 1.43 for HTTP/2 above all).
# They are unpacked into the scratch folder; the headers are found through the unpacked libcurl.pc, and
# the test binary is loaded with the 7.74 library (and its OpenSSL 1.1) by the dynamic loader (below).
#
#   Scripts/test-libcurl-floor.sh                 # build and run the suites
#   Scripts/test-libcurl-floor.sh --filter Nginx  # other `swift test` arguments replace the default filter
set -euo pipefail
cd "$(dirname "$0")/.."

scratch=".build-curl774"
floor="$PWD/$scratch/libcurl-7.74"
root="$floor/root"
lib="$root/usr/lib/x86_64-linux-gnu"

if [ ! -e "$lib/libcurl.so.4" ]; then
  rm -rf "$floor"
  mkdir -p "$floor/lists/partial" "$floor/cache/archives/partial" "$floor/debs" "$root"
  cat > "$floor/sources.list" <<'EOF'
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bullseye main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian-security bullseye-security main
EOF
  apt_options=(-o "Dir::Etc::SourceList=$floor/sources.list" -o Dir::Etc::SourceParts=/dev/null
               -o "Dir::State::Lists=$floor/lists" -o "Dir::Cache=$floor/cache" -o Dir::State::status=/dev/null
               -o APT::Architecture=amd64 -o APT::Sandbox::User=root)
  apt-get "${apt_options[@]}" update
  (cd "$floor/debs" && apt-get "${apt_options[@]}" download libcurl4 libcurl4-openssl-dev libssl1.1 libldap-2.4-2 \
     libnghttp2-14 libssh2-1 libpsl5 librtmp1 libidn2-0 libbrotli1 libzstd1)
  for deb in "$floor"/debs/*.deb; do dpkg-deb -x "$deb" "$root"; done
  # The .pc names absolute /usr paths; point them into the unpacked tree.
  sed -i -e "s|^prefix=/usr|prefix=$root/usr|" -e "s|^includedir=/usr|includedir=$root/usr|" "$lib/pkgconfig/libcurl.pc"
fi
grep -q "^Version: 7.74.0" "$lib/pkgconfig/libcurl.pc"
[ -e "$lib/libnghttp2.so.14.20.1" ] || { echo "test-libcurl-floor: Debian 11's nghttp2 1.43 is missing; remove $floor" >&2; exit 1; }

if [ "$#" -eq 0 ]; then
  set -- --filter "CurlTransportTests|DownloadTests|BatchTests|BatchFormTests|SlowConsumerTests|CallbackBatchTests|RetryTests|DeadlineTests|FaultTests|HTTP2FaultTests|NginxTests|LibcurlRuntimeTests"
fi
export PKG_CONFIG_PATH="$lib/pkgconfig"

# Built against 7.74: the only code that speaks C (CCurl's shims and CurlTransport) compiles against its
# headers, so a function, option or constant newer than the floor fails here. Nothing above CurlTransport
# sees a libcurl header, so the rest of the package need not be built again for this.
swift build --scratch-path "$scratch" --target CurlTransport

# Run on 7.74: the main debug build's test binary (`swift test` builds it first), loaded with 7.74 and its
# libraries ahead of the system's. The dynamic loader's --library-path applies to this process alone, so no
# program the tests start (nginx, curl, the CLI) sees them; LibcurlRuntimeTests checks which libcurl loaded.
tests="$(swift build --show-bin-path)/boldsign-idvPackageTests.xctest"
[ -x "$tests" ] || { echo "test-libcurl-floor: build the tests first (swift build --build-tests)" >&2; exit 1; }
BOLDSIGN_EXPECT_LIBCURL=7.74.0 /lib64/ld-linux-x86-64.so.2 --library-path "$lib" "$tests" --testing-library swift-testing "$@"
