#!/usr/bin/env bash
# A real single-node Slurm (Debian's slurmctld, slurmd, slurm-client and munge) for the slurm
# test tier. Everything it makes lives under DIR: the configuration, state and spool directories,
# logs and pid files, except munged's key, socket and logs, which live in /tmp/pwemoe-munge-*
# (linked as DIR/munge: the munge user may not be able to enter DIR's parents); the daemons listen on ports picked free at
# start, so several clusters (and a system Slurm) can run on one machine side by side.
#
#   cluster.sh start DIR   bring the cluster up; wait until the node is idle (prints the time)
#   cluster.sh stop DIR    stop exactly the daemons `start` recorded in DIR/pids: TERM, then
#                          KILL after a few seconds; wait until they are gone. Always exits 0
#                          when nothing of DIR's cluster is left running.
#   cluster.sh env DIR     print `export NAME=value` lines for a client of the cluster
#                          (eval "$(cluster.sh env DIR)")
#   cluster.sh status DIR  exit 0 when every recorded daemon is alive
#
# Must run as root (slurmd starts jobs as their user; munged runs as the munge user).
# Environment for start: CLUSTER_START_TIMEOUT (seconds until the node must be idle, default
# 90); CLUSTER_CRED_EXPIRE (AuthInfo cred_expire: how long a requeued job waits before it may
# start again; Slurm's default is 120 s); CLUSTER_EXTRA_CONF (lines appended to slurm.conf).
set -uo pipefail

die() { echo "cluster.sh: $*" >&2; exit 1; }

[ $# -eq 2 ] || die "usage: cluster.sh start|stop|env|status DIR"
cmd=$1
mkdir -p "$2" 2>/dev/null || die "cannot create $2"
dir=$(cd "$2" && pwd -P)
conf=$dir/etc/slurm.conf
pids=$dir/pids

# munged's folder (see start): outside DIR, named in DIR/munge-dir.
munge_dir() { cat "$dir/munge-dir" 2>/dev/null; }

# alive PID: the process exists and is one of ours (its command line names DIR, or munged's
# folder), so a PID reused by an unrelated process after a crash is never signalled.
alive() {
  [ -r "/proc/$1/cmdline" ] || return 1
  local line m
  line=$({ tr '\0' ' ' <"/proc/$1/cmdline"; } 2>/dev/null) || return 1
  grep -qF -- "$dir/" <<<"$line" && return 0
  m=$(munge_dir)
  [ -n "$m" ] && grep -qF -- "$m/" <<<"$line"
}

# Removes munged's folder of an earlier start (only a folder this script made).
remove_munge_dir() {
  local m
  m=$(munge_dir)
  [[ "$m" == /tmp/pwemoe-munge-* ]] && rm -rf "$m"
  rm -f "$dir/munge-dir"
}

# The recorded daemons still alive, as "NAME PID" lines.
running() {
  [ -f "$pids" ] || return 0
  local name pid
  while read -r name pid; do
    [ -n "${pid:-}" ] && alive "$pid" && echo "$name $pid"
  done <"$pids"
}

print_env() {
  # Unset whatever a surrounding allocation set, so that clients talk to this cluster only.
  local v
  for v in $(env | sed -n 's/^\(SLURM_[A-Za-z0-9_]*\)=.*/\1/p; s/^\(SBATCH_[A-Za-z0-9_]*\)=.*/\1/p; s/^\(SRUN_[A-Za-z0-9_]*\)=.*/\1/p'); do
    echo "unset $v"
  done
  echo "export SLURM_CONF=$conf"
  echo "export PWEMOE_SLURM_DIR=$dir"
  # Tests run as root: Open MPI refuses root unless told (srun-launched ranks inherit this).
  echo "export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1"
}

# Job processes of this cluster: slurmstepd (it inherits slurmd's environment, which names
# DIR's slurm.conf) and job tasks (they carry SLURM_JOB_ID as well). slurmstepd outlives a
# stopped slurmd by design, so `stop` ends these itself. reap_jobs SIGNAL
job_pids() {
  local f p
  for f in $(grep -lzxF "SLURM_CONF=$conf" /proc/[0-9]*/environ 2>/dev/null); do
    p=${f#/proc/}
    p=${p%/environ}
    [ "$p" = $$ ] && continue
    if [ "$(cat "/proc/$p/comm" 2>/dev/null)" = slurmstepd ] ||
       grep -qz '^SLURM_JOB_ID=' "/proc/$p/environ" 2>/dev/null; then
      echo "$p"
    fi
  done
}
reap_jobs() {
  local list
  list=$(job_pids)
  [ -z "$list" ] && return 0
  echo "cluster.sh: ending job processes ($1): $(echo $list)" >&2
  kill -"$1" $list 2>/dev/null
  for _ in $(seq 1 30); do
    [ -z "$(job_pids)" ] && return 0
    sleep 0.1
  done
}

stop_cluster() {
  local list name pid left
  list=$(running)
  if [ -z "$list" ]; then
    rm -f "$pids"
    remove_munge_dir
    echo "cluster.sh: nothing running in $dir"
    return 0
  fi
  # Jobs first, while slurmctld can still end them; then any job process left over.
  if awk '$1 == "slurmctld"' <<<"$list" | grep -q .; then
    SLURM_CONF=$conf scancel --full --quiet --user=root 2>/dev/null
    for _ in $(seq 1 50); do
      [ -z "$(SLURM_CONF=$conf squeue -h -t R,CG,S 2>/dev/null)" ] && break
      sleep 0.1
    done
  fi
  reap_jobs TERM
  # slurmd, then slurmctld, then munged: the reverse of start.
  for name in slurmd slurmctld munged; do
    pid=$(awk -v n="$name" '$1 == n { print $2 }' <<<"$list")
    [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null
  done
  for _ in $(seq 1 50); do  # 5 s
    left=$(running)
    [ -z "$left" ] && break
    sleep 0.1
  done
  if [ -n "$left" ]; then
    echo "cluster.sh: still alive after TERM, killing: $(echo $left)" >&2
    while read -r name pid; do kill -KILL "$pid" 2>/dev/null; done <<<"$left"
    for _ in $(seq 1 50); do
      [ -z "$(running)" ] && break
      sleep 0.1
    done
  fi
  reap_jobs KILL
  left=$(running)
  [ -n "$left" ] && die "could not stop: $(echo $left)"
  rm -f "$pids"
  remove_munge_dir
  echo "cluster.sh: stopped $(echo "$list" | awk '{ printf "%s%s(%s)", sep, $1, $2; sep=" " }')"
}

log_tails() {
  local f
  for f in "$dir"/log/*; do
    [ -s "$f" ] || continue
    echo "----- $f (last 30 lines)" >&2
    tail -n 30 "$f" >&2
  done
}

# A free TCP port pair P, P+1 on every address (random in 20000-29999, checked by binding).
free_ports() {
  /usr/bin/python3 - <<'PY'
import random, socket
for _ in range(200):
    p = random.randrange(20000, 29998)
    try:
        for q in (p, p + 1):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("0.0.0.0", q))
            s.close()
    except OSError:
        continue
    print(p)
    break
else:
    raise SystemExit("no free port pair")
PY
}

start_failed() {
  echo "cluster.sh: $*" >&2
  log_tails
  stop_cluster >&2
  exit 1
}

# record NAME PID
record() { echo "$1 $2" >>"$pids"; }

# check_alive NAME PID: the daemon has not died (else report its logs and stop the others).
check_alive() { kill -0 "$2" 2>/dev/null || start_failed "$1 (pid $2) died at startup"; }

start_cluster() {
  [ "$(id -u)" -eq 0 ] || die "start must run as root"
  local b
  for b in munged mungekey slurmctld slurmd sinfo scontrol; do
    command -v "$b" >/dev/null || die "$b not found (bash scripts/install-deps.sh installs Slurm and munge)"
  done
  id munge >/dev/null 2>&1 || die "no munge user (the munge package creates it)"
  if [ -n "$(running)" ]; then
    die "a cluster is already running in $dir: $(running | tr '\n' ' ')(cluster.sh stop $dir)"
  fi
  # A stale DIR (an earlier cluster that crashed or was killed): start from scratch. Only the
  # entries this script makes are removed.
  remove_munge_dir
  rm -rf "$dir/etc" "$dir/munge" "$dir/state" "$dir/spool" "$dir/log" "$dir/run" "$dir/tmp" "$pids"
  mkdir -p "$dir/etc" "$dir/state" "$dir/spool" "$dir/log" "$dir/run" "$dir/tmp"
  local t0 node ports ctld_port d_port mdir
  t0=$(date +%s.%N)

  # munge: its own key, socket, log, pid and seed files; munged runs in the foreground as the
  # munge user (setpriv execs it, so the recorded PID is munged's own). The munge user must reach
  # them, and munged refuses a path through a directory others may write (sticky /tmp is fine),
  # but DIR may lie below a folder the munge user cannot enter (a clone under /root, a 0700
  # mktemp folder): so they live in a folder of their own under /tmp, named in DIR/munge-dir,
  # linked as DIR/munge, and removed by stop.
  mdir=$(mktemp -d /tmp/pwemoe-munge-XXXXXX) || start_failed "cannot make a munge folder in /tmp"
  echo "$mdir" >"$dir/munge-dir"
  ln -sfn "$mdir" "$dir/munge"
  dd if=/dev/urandom of="$mdir/munge.key" bs=1024 count=1 status=none
  chmod 0400 "$mdir/munge.key"
  chown -R munge:munge "$mdir"
  chmod 0755 "$mdir"  # the socket's directory must be searchable by all
  setpriv --reuid=munge --regid=munge --init-groups \
    munged --foreground --socket="$mdir/munge.socket" --key-file="$mdir/munge.key" \
    --log-file="$mdir/munged.log" --pid-file="$mdir/munged.pid" \
    --seed-file="$mdir/munged.seed" >"$dir/log/munged.out" 2>&1 &
  record munged $!
  local mpid=$!
  for _ in $(seq 1 100); do
    [ -S "$mdir/munge.socket" ] && break
    check_alive munged "$mpid"
    sleep 0.05
  done
  munge --socket="$mdir/munge.socket" -n 2>/dev/null | unmunge --socket="$mdir/munge.socket" >/dev/null 2>&1 \
    || { cp "$mdir/munged.log" "$dir/log/munged.log" 2>/dev/null; start_failed "munged does not answer on $mdir/munge.socket"; }
  # The munge directory is the munge user's; the socket itself is world-connectable.

  # slurm.conf: the node as slurmd sees it, on 127.0.0.1, with free ports.
  node=$(slurmd -C | head -n 1)
  [[ "$node" == NodeName=* ]] || start_failed "slurmd -C printed no node line: $node"
  node=$(sed 's/ *UpTime=.*//' <<<"$node")
  local nodename=${node%% *}
  nodename=${nodename#NodeName=}
  ports=$(free_ports) || start_failed "no free ports"
  ctld_port=$ports d_port=$((ports + 1))
  cat >"$conf" <<EOF
# Written by tests/slurm/cluster.sh: a single-node test cluster under $dir.
ClusterName=pwemoe-test
SlurmctldHost=$nodename(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$d_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$mdir/munge.socket${CLUSTER_CRED_EXPIRE:+,cred_expire=$CLUSTER_CRED_EXPIRE}
MpiDefault=pmix
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MailProg=/bin/true
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool/%n
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
TmpFS=$dir/tmp
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
AcctGatherEnergyType=acct_gather_energy/none
# Jobs as short as the tests' need no minimum run time before a requeue.
MinJobAge=300
$node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=test Nodes=$nodename Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
${CLUSTER_EXTRA_CONF:-}
EOF
  export SLURM_CONF=$conf
  unset $(env | sed -n 's/^\(SLURM_[A-Za-z0-9_]*\)=.*/\1/p' | grep -v '^SLURM_CONF$') 2>/dev/null

  slurmctld -D -i -f "$conf" >"$dir/log/slurmctld.out" 2>&1 &
  local cpid=$!
  record slurmctld "$cpid"
  for _ in $(seq 1 200); do  # 20 s
    scontrol ping 2>/dev/null | grep -q 'is UP' && break
    check_alive slurmctld "$cpid"
    sleep 0.1
  done
  scontrol ping 2>/dev/null | grep -q 'is UP' || start_failed "slurmctld does not answer on port $ctld_port"

  slurmd -D -f "$conf" -N "$nodename" >"$dir/log/slurmd.out" 2>&1 &
  local dpid=$!
  record slurmd "$dpid"
  local state="" limit=${CLUSTER_START_TIMEOUT:-90}
  local deadline=$(( $(date +%s) + limit ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    check_alive slurmctld "$cpid"
    check_alive slurmd "$dpid"
    state=$(sinfo -h -N -n "$nodename" -o %T 2>/dev/null | head -n 1)
    [ "$state" = idle ] && break
    sleep 0.2
  done
  [ "$state" = idle ] || start_failed "node $nodename is '${state:-unknown}', not idle, after $limit s"
  printf 'cluster.sh: %s idle in %.1f s (slurmctld port %s, slurmd port %s, pids %s)\n' \
    "$nodename" "$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')" "$ctld_port" "$d_port" "$(awk '{ printf "%s ", $2 }' "$pids")"
}

case "$cmd" in
  start) start_cluster ;;
  stop) stop_cluster ;;
  env) print_env ;;
  status) [ -f "$pids" ] && [ "$(running | wc -l)" -eq "$(wc -l <"$pids")" ] ;;
  *) die "unknown command '$cmd' (start, stop, env, status)" ;;
esac
