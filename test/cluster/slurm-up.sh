#!/usr/bin/env bash
# Brings up a one-node Slurm cluster on this machine for the cluster tests (as root): munged, then
# slurmctld and slurmd with a generated slurm.conf, and waits until the node is idle.
# Everything it starts or writes is recorded in $LGG_SLURM_STATE (default /run/lgg-slurm) so that
# test/cluster/slurm-down.sh stops exactly that (by pid) and restores any configuration it replaced.
# Idempotent: a cluster this script already brought up is reused.
set -euo pipefail

STATE=${LGG_SLURM_STATE:-/run/lgg-slurm}
CONF_DIR=/etc/slurm
MARK='# written by LGG Lab test/cluster/slurm-up.sh'
say() { echo "slurm-up: $*" >&2; }
die() { say "$*"; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (slurmd and a SlurmUser=root cluster)"
for b in munged slurmctld slurmd sinfo scontrol; do
  command -v "$b" >/dev/null || [ -x "/usr/sbin/$b" ] || die "$b is missing: apt-get install slurm-wlm munge"
done
mkdir -p "$STATE"
HOST=$(hostname -s)
CPUS=$(nproc)
MEM_MB=$(awk '/MemTotal/ { printf "%d", $2 / 1024 * 0.9 }' /proc/meminfo)

# Started by this script before and still alive: nothing to do.
if [ -f "$STATE/slurmd.pid" ] && kill -0 "$(cat "$STATE/slurmd.pid")" 2>/dev/null \
  && sinfo -h -o %T 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then
  say "already up (node $HOST)"
  exit 0
fi

# munge: a key readable by munge only, and munged running as munge.
if ! pgrep -x munged >/dev/null; then
  if [ ! -s /etc/munge/munge.key ]; then
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none
    echo /etc/munge/munge.key >>"$STATE/created"
  fi
  chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
  install -d -o munge -g munge -m 755 /run/munge
  install -d -o munge -g munge -m 700 /var/lib/munge /var/log/munge
  runuser -u munge -- /usr/sbin/munged --pid-file=/run/munge/munged.pid
  for _ in $(seq 50); do [ -s /run/munge/munged.pid ] && break; sleep 0.1; done
  cp /run/munge/munged.pid "$STATE/munged.pid"
fi
munge -n | unmunge >/dev/null || die "munge does not work (see /var/log/munge/munged.log)"

# Configuration: replaced files are kept beside ours and put back by slurm-down.sh.
mkdir -p "$CONF_DIR" "$STATE/spool" "$STATE/ctld" "$STATE/log"
write_conf() { # file, content
  if [ -f "$1" ] && ! grep -qF "$MARK" "$1"; then cp -p "$1" "$STATE/$(basename "$1").orig"; fi
  printf '%s\n%s\n' "$MARK" "$2" >"$1"
}
write_conf "$CONF_DIR/slurm.conf" "ClusterName=lgglab
SlurmctldHost=$HOST
SlurmUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
StateSaveLocation=$STATE/ctld
SlurmdSpoolDir=$STATE/spool
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
SlurmctldLogFile=$STATE/log/slurmctld.log
SlurmdLogFile=$STATE/log/slurmd.log
SlurmctldPort=6817
SlurmdPort=6818
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
MpiDefault=none
KillWait=30
MinJobAge=600
SchedulerParameters=defer_batch=0
NodeName=$HOST CPUs=$CPUS RealMemory=$MEM_MB State=UNKNOWN
PartitionName=lab Nodes=$HOST Default=YES MaxTime=INFINITE State=UP"
write_conf "$CONF_DIR/cgroup.conf" "CgroupPlugin=cgroup/v1
IgnoreSystemd=yes"

/usr/sbin/slurmctld -i
/usr/sbin/slurmd
# The daemons write their pid files once they are up.
for _ in $(seq 100); do
  [ -s "$STATE/slurmctld.pid" ] && [ -s "$STATE/slurmd.pid" ] && break
  sleep 0.1
done
for _ in $(seq 120); do
  state=$(sinfo -h -n "$HOST" -o %T 2>/dev/null || true)
  case "$state" in
    idle | mixed | allocated) say "up: node $HOST ($CPUS CPUs) is $state"; exit 0 ;;
  esac
  sleep 0.5
done
say "the node did not become idle (sinfo: ${state:-no answer}); logs in $STATE/log:"
tail -n 20 "$STATE/log/slurmctld.log" "$STATE/log/slurmd.log" >&2 || true
exit 1
