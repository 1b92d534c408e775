#!/usr/bin/env bash
# Sets everything up and simulates a bundled scenario (default: one DGX H100 SuperPOD scalable
# unit; the results go to scenarios/results/<name>/). Usage: tools/demo.sh [scenario.json]
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh release
scenario="${1:-scenarios/superpod-su-h100-256.json}"
./build/release/tools/clustertwin run "$scenario"
