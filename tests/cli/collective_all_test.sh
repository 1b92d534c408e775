#!/usr/bin/env bash
# Issue 18's "done when": `clustertwin collective -g all` completes on every bundled scenario (the
# all-GPU group, one 1 MiB all-reduce per algorithm NCCL would pick; --auto-only keeps it to the
# auto choice). Fails when any scenario exits non-zero or prints no result line; prints the wall
# time of each (for the log, never asserted).
# Usage: collective_all_test.sh CLUSTERTWIN_EXE SOURCE_DIR [PATTERN]  (PATTERN: a glob of names)
set -uo pipefail
exe="$1"
src="$2"
pattern="${3:-*}"
failed=0
count=0
for s in "$src"/scenarios/$pattern.json; do
  name="$(basename "$s" .json)"
  start=$(date +%s%N)
  out="$("$exe" collective "$s" --op all_reduce -g all -b 1MiB -e 1MiB --auto-only 2>&1)"
  rc=$?
  wall_ms=$((($(date +%s%N) - start) / 1000000))
  count=$((count + 1))
  if [ "$rc" -ne 0 ] || ! grep -q "^ *1048576 " <<<"$out"; then
    echo "FAILED: $name (exit $rc)"
    echo "$out" | tail -5
    failed=$((failed + 1))
  else
    printf '%-45s ok  %d.%03d s\n' "$name" $((wall_ms / 1000)) $((wall_ms % 1000))
  fi
done
[ "$count" -gt 0 ] || { echo "FAILED: no scenario matched $pattern"; exit 1; }
echo "$count scenarios, $failed failed"
[ "$failed" -eq 0 ]
