#!/usr/bin/env bash
# Stops what test/cluster/slurm-up.sh started (by the pids it recorded), after cancelling the jobs of
# that cluster, and puts back any Slurm configuration it replaced.
set -uo pipefail

STATE=${LGG_SLURM_STATE:-/run/lgg-slurm}
CONF_DIR=/etc/slurm
MARK='# written by LGG Lab test/cluster/slurm-up.sh'
say() { echo "slurm-down: $*" >&2; }
[ -d "$STATE" ] || { say "nothing to stop ($STATE does not exist)"; exit 0; }

# Jobs of this cluster only: its slurmctld is the one the recorded pid names.
if [ -s "$STATE/slurmctld.pid" ] && kill -0 "$(cat "$STATE/slurmctld.pid")" 2>/dev/null; then
  scancel --quiet $(squeue -h -o %A 2>/dev/null) 2>/dev/null || true
  for _ in $(seq 50); do [ -z "$(squeue -h 2>/dev/null)" ] && break; sleep 0.2; done
fi

stop() { # pid file
  [ -s "$1" ] || return 0
  local pid
  pid=$(cat "$1")
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid"
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  say "pid $pid did not stop on TERM: killing it"
  kill -KILL "$pid" 2>/dev/null || true
}
stop "$STATE/slurmd.pid"
stop "$STATE/slurmctld.pid"
stop "$STATE/munged.pid"

for f in slurm.conf cgroup.conf; do
  if [ -f "$STATE/$f.orig" ]; then
    cp -p "$STATE/$f.orig" "$CONF_DIR/$f"
  elif [ -f "$CONF_DIR/$f" ] && grep -qF "$MARK" "$CONF_DIR/$f"; then
    rm -f "$CONF_DIR/$f"
  fi
done
if [ -f "$STATE/created" ]; then
  while read -r f; do rm -f "$f"; done <"$STATE/created"
fi
rm -rf "$STATE"
say "stopped"
