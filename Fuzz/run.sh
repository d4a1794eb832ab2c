#!/usr/bin/env bash
# Builds boldsign-fuzz with libFuzzer + AddressSanitizer and fuzzes every target in turn.
#   Fuzz/run.sh                 60 s per target
#   Fuzz/run.sh --seconds 5     what CI runs
#   Fuzz/run.sh --seconds 600 manifest report
# Crashers are written to Fuzz/crashes/ (git-ignored); copy one into Fuzz/Corpus/<target>/ to make
# it a regression input that every `swift test` replays.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=60
if [ "${1:-}" = "--seconds" ]; then seconds="$2"; shift 2; fi
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(error-body report headers response-head manifest webhook)

# Release: a debug build spends most of each input in swift-system's FilePath invariant checks, ~45x
# slower per input (preconditions still trap with -O).
swift build -c release --product boldsign-fuzz --sanitize=fuzzer --sanitize=address -Xswiftc -DFUZZING --disable-default-traits --scratch-path .build-fuzz 2>&1 \
  | grep -v "ld.gold: warning: Cannot export local symbol '__asan" >&2
binary=.build-fuzz/release/boldsign-fuzz
mkdir -p Fuzz/crashes
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
for target in "${targets[@]}"; do
  mkdir -p "$scratch/$target"
  echo "fuzzing $target for ${seconds}s" >&2
  set +e
  # SWIFT_BACKTRACE off: Swift's crash backtracer, reading the process's memory under ASan, was itself reported
  # (heap-use-after-free in CrashHandlerLinux) instead of the precondition that had failed.
  BOLDSIGN_FUZZ_TARGET="$target" SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0 "$binary" -max_total_time="$seconds" -max_len=4096 \
    -print_final_stats=1 -artifact_prefix="Fuzz/crashes/$target-" "$scratch/$target" "Fuzz/Corpus/$target" > "$scratch/$target.log" 2>&1
  status=$?
  set -e
  grep -E "^(Done|stat::number_of_executed_units|==[0-9]+==|SUMMARY|Fatal)|precondition|error:" "$scratch/$target.log" >&2 || true
  if [ "$status" -ne 0 ]; then
    echo "fuzz target $target failed (exit $status); the input is in Fuzz/crashes/" >&2
    exit 1
  fi
done
