#!/usr/bin/env bash
# Builds the libFuzzer targets and the SimGrid-free unit tests (preset "fuzz": clang, ASan + UBSan),
# runs those unit tests under the sanitizers, then runs each fuzz target for a fixed time with the
# bundled files as seed corpus. Any crash, sanitizer report, uncaught exception other than
# twin::InputError, hang (-timeout) or runaway allocation (-rss_limit_mb, -malloc_limit_mb) fails
# the script and leaves the input that did it in build/fuzz/findings/.
# Usage: tools/fuzz.sh [seconds per target (default 10)] [target ...]
#   targets: json scenario trace chakra catalog workload report sweep checks chakra_et serving_requests
#            floorplan prices schedule (default: all)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-10}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(json scenario trace chakra catalog workload report sweep checks chakra_et serving_requests
                                     floorplan prices schedule)

bash tools/setup.sh fuzz >/dev/null
# The core, topology and models unit tests under ASan + UBSan (set FUZZ_UNIT_TESTS=0 to skip).
if [ "${FUZZ_UNIT_TESTS:-1}" != 0 ]; then
  if ! UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --test-dir build/fuzz -j "$(nproc)" \
      --output-on-failure > build/fuzz/unit_tests.log 2>&1; then
    tail -n 80 build/fuzz/unit_tests.log
    echo "fuzz: a unit test failed under ASan + UBSan (build/fuzz/unit_tests.log)" >&2
    exit 1
  fi
  grep -E "tests passed" build/fuzz/unit_tests.log | sed 's/^/sanitized unit tests: /'
fi

# Seeds: small bundled files only (a 100k-GPU scenario takes seconds per run under ASan).
small_scenarios=(dgx-h100-1node gb200-nvl72-rack chakra-small-dgx-h100 chakra-et-gpt-dgx-h100 llama3-70b-serving-8xh100 superpod-su-h100-256 cluster-1024-oversub
                 llama3-70b-inference-8xh100 superpod-4su-h100-ndr superpod-4su-h100-spectrumx llama3-70b-superpod
                 gpt3-175b-superpod b200-air-hall-throttle b200-air-hall-day llama3-8b-storage-dgx-h100
                 gb300-nvl72-fp4-inference)
seeds_of() {
  case "$1" in
    json) echo topology/catalog/builtin.json scenarios/*.json scenarios/traces/*.json ;;
    # tests/fuzz/seeds/scenario: sections no small bundled scenario has (a campaign).
    scenario) for s in "${small_scenarios[@]}"; do echo "scenarios/$s.json"; done; echo tests/fuzz/seeds/scenario/*.json ;;
    trace) echo scenarios/traces/*.json ;;
    chakra) echo scenarios/traces/chakra-small/*.json ;;
    serving_requests) echo scenarios/traces/serving-bursty-600.jsonl ;;
    chakra_et) echo scenarios/traces/chakra-et-gpt/rank0.et scenarios/traces/chakra-et-gpt/rank7.et ;;
    catalog) echo topology/catalog/builtin.json ;;
    workload) echo tests/fuzz/seeds/workload/*.json ;;
    report) for s in "${small_scenarios[@]}"; do echo "tests/golden/$s.report.json"; done ;;
    sweep) echo scenarios/sweeps/network-gpu.json ;;
    checks) echo scenarios/sweeps/network-gpu.checks.json ;;
    floorplan) echo tests/fuzz/seeds/floorplan/*.json ;;
    prices) echo buildout/examples/prices-illustrative.json ;;
    schedule) echo buildout/examples/schedule-example.json ;;
  esac
}

work="build/fuzz/work"
findings="build/fuzz/findings"
mkdir -p "$findings"
for t in "${targets[@]}"; do
  corpus="$work/$t"
  rm -rf "$corpus" && mkdir -p "$corpus"
  # shellcheck disable=SC2046
  cp $(seeds_of "$t") "$corpus/"
  echo "fuzz: $t for ${seconds} s"
  if ! ./build/fuzz/tests/fuzz/fuzz_"$t" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 \
      -malloc_limit_mb=2048 -max_len=16384 -print_final_stats=0 -artifact_prefix="$findings/$t-" \
      "$corpus" > "$work/$t.log" 2>&1; then
    tail -n 60 "$work/$t.log"
    echo "fuzz: $t FAILED; the input is in $findings/" >&2
    exit 1
  fi
  grep -E "^Done|DONE" "$work/$t.log" | tail -n 1 || true
done
echo "fuzz: no crash, hang or runaway allocation in ${#targets[@]} target(s)"
