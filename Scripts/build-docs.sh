#!/usr/bin/env bash
# Builds the BoldSignIDV DocC catalog with the toolchain's docc, warnings as errors.
# (No swift-docc-plugin dependency: it would be resolved by every package that depends on this one.)
set -euo pipefail
cd "$(dirname "$0")/.."
swift package dump-symbol-graph --minimum-access-level public >/dev/null
symbols=.build/docs-symbols
rm -rf "$symbols" && mkdir -p "$symbols"
cp "$(swift build --show-bin-path)/../symbolgraph/"BoldSignIDV*.symbols.json "$symbols/"
docc convert Sources/BoldSignIDV/Documentation.docc \
  --additional-symbol-graph-dir "$symbols" \
  --fallback-display-name BoldSignIDV --fallback-bundle-identifier boldsign-idv.BoldSignIDV \
  --output-path .build/docs --warnings-as-errors
echo "Documentation: .build/docs"
