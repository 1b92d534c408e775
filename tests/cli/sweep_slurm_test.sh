#!/usr/bin/env bash
# A sweep as a Slurm job array on a real single-node Slurm (issue 16): starts munged, slurmctld and
# slurmd on localhost from a slurm.conf in a temporary folder (no system file is read or changed),
# submits `clustertwin sweep --shard $SLURM_ARRAY_TASK_ID/2` as `sbatch --array=0-1`, waits, merges
# the shard folders and checks that every case is in the merged table exactly once.
# Exit 77 (ctest SKIP_RETURN_CODE) with the reason where Slurm cannot start: not root, packages
# missing, or a daemon that does not come up (its log is printed).
# Usage: sweep_slurm_test.sh CLUSTERTWIN_EXE SOURCE_DIR
set -uo pipefail
exe="$1"
src="$2"
skip() { echo "SKIPPED: $*"; exit 77; }
fail() { echo "FAILED: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || skip "Slurm's daemons run as root here and this test is not root"
for tool in munged slurmctld slurmd sbatch squeue sinfo; do
  command -v "$tool" >/dev/null 2>&1 || skip "$tool not found (install the Debian packages slurm-wlm and munge)"
done

tmp="$(mktemp -d /tmp/clustertwin-slurm.XXXXXX)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT
mkdir -p "$tmp/state" "$tmp/spool" "$tmp/munge"
chmod 0711 "$tmp"

# munged with its own key and socket, so a system munged (if any) is left alone.
dd if=/dev/urandom of="$tmp/munge/munge.key" bs=1024 count=1 2>/dev/null
chmod 0400 "$tmp/munge/munge.key"
chmod 0711 "$tmp/munge"
munged --force --foreground --key-file="$tmp/munge/munge.key" --socket="$tmp/munge/munge.sock" \
  --pid-file="$tmp/munge/munged.pid" --log-file="$tmp/munge/munged.log" --seed-file="$tmp/munge/munged.seed" >"$tmp/munge/munged.out" 2>&1 &
pids+=($!)

host="$(hostname -s)"
cpus="$(nproc)"
# Ports from the process id, so that two runs of this test on one machine do not collide.
port=$((20000 + ($$ % 20000)))
export SLURM_CONF="$tmp/slurm.conf"
cat >"$SLURM_CONF" <<CONF
ClusterName=clustertwin-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$tmp/munge/munge.sock
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/slurmctld.log
SlurmdLogFile=$tmp/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF

for i in $(seq 50); do [ -S "$tmp/munge/munge.sock" ] && break; sleep 0.1; done
[ -S "$tmp/munge/munge.sock" ] || { cat "$tmp/munge/munged.out" 2>/dev/null; skip "munged did not start"; }
slurmctld -D -i -f "$SLURM_CONF" >"$tmp/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -f "$SLURM_CONF" >"$tmp/slurmd.out" 2>&1 &
pids+=($!)
up=0
for i in $(seq 60); do
  if sinfo -h -o "%T" 2>/dev/null | grep -qx "idle"; then up=1; break; fi
  alive=1
  for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null || alive=0; done
  [ "$alive" -eq 1 ] || break
  sleep 0.5
done
if [ "$up" -ne 1 ]; then
  tail -n 20 "$tmp/slurmctld.out" "$tmp/slurmctld.log" "$tmp/slurmd.out" "$tmp/slurmd.log" 2>/dev/null
  skip "slurmctld/slurmd did not bring the node up (stopped, or not idle within 30 s; logs above)"
fi

# Two seeds x two node types: 4 cases in 2 shards.
cat >"$tmp/sweep.json" <<JSON
{"scenario": "$src/scenarios/dgx-h100-1node.json",
 "axes": {"/seed": [1, 2], "/topology/nodes/0/type": ["DGX-H100", "HGX-H200"]}}
JSON
shards=2
cat >"$tmp/job.sh" <<JOB
#!/bin/sh
exec "$exe" sweep "$tmp/sweep.json" -q -j 1 -o "$tmp/out" --shard "\${SLURM_ARRAY_TASK_ID}/$shards"
JOB
job="$(sbatch --parsable --array=0-$((shards - 1)) --output="$tmp/job-%A_%a.log" "$tmp/job.sh")" ||
  fail "sbatch did not accept the job array"
echo "submitted job array $job"
for i in $(seq 240); do
  [ -z "$(squeue -h -j "$job" 2>/dev/null)" ] && break
  sleep 0.5
done
[ -z "$(squeue -h -j "$job" 2>/dev/null)" ] || fail "job array $job still queued or running after 120 s"
cat "$tmp"/job-*.log
for s in $(seq 0 $((shards - 1))); do
  [ -f "$tmp/out/sweep-$s-of-$shards.csv" ] || fail "shard $s wrote no table"
done
"$exe" merge "$tmp/merged" "$tmp/out" -q || fail "merge reported duplicates, gaps or failed cases"
cases="$(tail -n +2 "$tmp/merged/sweep.csv" | cut -d, -f1 | sort -n | tr '\n' ' ')"
[ "$cases" = "0 1 2 3 " ] || fail "merged cases are '$cases', expected '0 1 2 3 '"
ok="$(tail -n +2 "$tmp/merged/sweep.csv" | cut -d, -f4 | grep -cx ok)"
[ "$ok" -eq 4 ] || fail "$ok of 4 cases ok"
echo "PASSED: 4 cases in $shards array tasks, each once in the merged table"
