#!/usr/bin/env bash
# Installs the Debian 12 packages clustertwin needs (when missing), then configures and builds
# with the given CMake preset (default: release). Used by tools/demo.sh, tools/test.sh and CI.
# Run as root on a fresh machine, or as a user who already has the packages.
set -euo pipefail
preset="${1:-release}"
cd "$(dirname "$0")/.."

packages=(cmake make g++ pkg-config libsimgrid-dev libboost-graph-dev nlohmann-json3-dev libfmt-dev
          libcli11-dev libgtest-dev libgmock-dev libprotobuf-dev protobuf-compiler qt6-base-dev qt6-charts-dev libqt6opengl6-dev xvfb xauth)
# The test path (tools/test.sh, CI) starts a single-node Slurm for the job-array sweep test.
if [ "$preset" = ci ]; then
  packages+=(slurm-wlm munge)
fi
if [ "$preset" = fuzz ]; then
  packages+=(clang libclang-rt-14-dev)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: these Debian packages are missing and installing them needs root: ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j "$(nproc)"
