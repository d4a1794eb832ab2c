#!/usr/bin/env bash
# Builds the consumer package and checks that only the client's dependencies were resolved.
#
# With `traits: []` a consumer resolves exactly: swift-system, swift-log, swift-metrics,
# swift-distributed-tracing (the tracing API, a no-op unless bootstrapped) and swift-argument-parser (the
# command-line tools' parser: resolved, as every unconditional dependency is, but not built for the library).
# Not swift-nio, swift-nio-ssl, swift-nio-http2 (MockServer trait), swift-crypto (Webhooks), nor
# swift-service-lifecycle, swift-async-algorithms and swift-collections (ServiceLifecycle).
set -euo pipefail
cd "$(dirname "$0")"
scratch=".build-linkage"
swift build --scratch-path "$scratch"
"$scratch/debug/LinkageCheck"
swift package --scratch-path "$scratch" show-dependencies --format json > "$scratch/dependencies.json"
expected="swift-argument-parser swift-distributed-tracing swift-log swift-metrics swift-system"
resolved="$(ls "$scratch/checkouts" | sort | tr '\n' ' ' | sed 's/ $//')"
if [ "$resolved" != "$expected" ]; then
  echo "LinkageTest: a consumer with traits: [] resolved [$resolved], expected [$expected]" >&2
  exit 1
fi
if grep -qiE '"identity" *: *"swift-(nio|crypto|service-lifecycle)' "$scratch/dependencies.json"; then
  echo "LinkageTest: a trait-only dependency is in the resolved graph of a consumer with traits: []" >&2
  exit 1
fi
echo "LinkageTest: OK (resolved only: $resolved)"
