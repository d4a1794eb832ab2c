#!/usr/bin/env bash
# Builds the consumer package and checks that only the client's dependencies were resolved.
set -euo pipefail
cd "$(dirname "$0")"
scratch=".build-linkage"
swift build --scratch-path "$scratch"
"$scratch/debug/LinkageCheck"
swift package --scratch-path "$scratch" show-dependencies --format json > "$scratch/dependencies.json"
if grep -qiE '"identity" *: *"swift-nio' "$scratch/dependencies.json"; then
  echo "LinkageTest: swift-nio is in the resolved graph of a consumer with traits: []" >&2
  exit 1
fi
for unwanted in swift-nio swift-nio-ssl swift-nio-http2; do
  if [ -d "$scratch/checkouts/$unwanted" ]; then
    echo "LinkageTest: $unwanted was fetched for a consumer with traits: []" >&2
    exit 1
  fi
done
echo "LinkageTest: OK (resolved only: $(ls "$scratch/checkouts" | tr '\n' ' '))"
