#!/usr/bin/env bash
# Fails on a floating-point value converted to an integer in library code by a trapping initializer
# (`Int64(x * 1000)` traps when x is huge, infinite or NaN — one server header once did exactly that).
# Such conversions go through `Duration.seconds(_:rounding:)` (DurationConversions.swift), which clamps,
# or a non-trapping form (`Int64(exactly:)`). A line that is safe for a reason grep cannot see says so with
# a trailing `// checked: <why>`.
set -euo pipefail
cd "$(dirname "$0")/.."
conversion='\b(U?Int(8|16|32|64)?|off_t|curl_off_t|time_t|CInt|CLong)\((?!exactly:|clamping:|truncatingIfNeeded:|bitPattern:)'
floating='Double|Float|\.rounded|timeInterval|\.seconds\b|\* ?1_?000\b|[0-9]e[0-9]|[0-9]\.[0-9]'
found=$(grep -rnP "$conversion" Sources/BoldSignIDV Sources/CurlTransport Sources/BatchManifest \
  | grep -P "$floating" | grep -v '// checked:' || true)
if [ -n "$found" ]; then
  echo "A floating-point value converted by a trapping integer initializer in library code:" >&2
  echo "$found" >&2
  echo "Use Duration.seconds(_:rounding:) or Int64(exactly:), or justify the line with '// checked: <why>'." >&2
  exit 1
fi
echo "numeric conversions: none that can trap on a floating-point value"
