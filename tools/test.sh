#!/usr/bin/env bash
# Sets everything up, builds with warnings as errors and runs every test (ctest prints its
# summary, so a run that executed no test is visible).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh ci
ctest --preset ci -j "$(nproc)"
