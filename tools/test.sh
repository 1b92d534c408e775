#!/usr/bin/env bash
# Sets everything up, builds with warnings as errors, fuzzes every input format briefly (libFuzzer
# with ASan + UBSan, 10 s per format; FUZZ_SECONDS overrides, 0 skips) and runs every test (ctest
# prints its summary last, so a run that executed no test is visible).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh ci
fuzz_seconds="${FUZZ_SECONDS:-10}"
if [ "$fuzz_seconds" != 0 ]; then
  bash tools/fuzz.sh "$fuzz_seconds"
fi
ctest --preset ci -j "$(nproc)"
