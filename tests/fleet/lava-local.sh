#!/usr/bin/env bash
# lava-local.sh — `./run.sh test-fleet`: the lab as a LAVA job, end to end,
# on this machine.  A private LAVA 2023.01 instance (Debian's lava-server,
# lava-dispatcher, lavacli; PostgreSQL started here) with one worker and one
# `ssh` device that reaches this machine over 127.0.0.1; the job of
# `./run.sh lava-job` submitted with lavacli and waited for; its results
# read back through LAVA's REST API and `./run.sh fetch-lava`, merged with a
# second, local run of the lab, and the merged report checked.
#
# Everything it starts lives under one temporary directory and on ports
# chosen free at start: its own PostgreSQL cluster (initdb), the server
# settings passed in the environment (DATABASE_URL, LAVA_JSON_SETTINGS:
# nothing written under /etc), gunicorn, lava-publisher, lava-scheduler,
# lava-worker and an sshd with its own config, host key and a temporary
# client key (root's ~/.ssh and /etc/ssh are not touched).  On exit — pass,
# fail, the time limit (FLEET_TIMEOUT, default 900 s), SIGINT, SIGTERM or
# SIGHUP — every process it started is killed by process group, the
# overlay LAVA unpacks on the target (/lava-<job>, and its tarball) and the temporary
# directory are removed, and /run/sshd goes if this script made it.
#
# Needs root (it installs the packages when missing: about 190, 64 MB);
# without root it prints SKIP.  Exit: 0 all checks passed, 1 a check
# failed, 2 environment error (a package that cannot be installed, a
# service that does not start), 4 the time limit, 130 interrupted.
set -u
cd "$(dirname "$0")/../.." || exit 2
REPO=$(pwd)
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin  # a python3 earlier in PATH breaks Django
export DEBIAN_FRONTEND=noninteractive
LIMIT=${FLEET_TIMEOUT:-900}
PASSED=0 FAILED=0
ok()   { PASSED=$((PASSED + 1)); echo "ok - $1"; }
fail() { FAILED=$((FAILED + 1)); echo "not ok - $1"; }
expect() { local what=$1; shift; if "$@"; then ok "$what"; else fail "$what"; fi; }
say() { echo "# $(date -u +%T) $*"; }
die() {  # the reason, then the end of every log of this run (they go with the clean-up)
	echo "test-fleet: $1" >&2
	for f in "${W:-/nonexistent}"/log/*; do
		[ -s "$f" ] && { echo "# --- $f"; tail -n 8 "$f"; } >&2
	done
	exit "${2:-2}"
}

if [ "$(id -u)" != 0 ]; then
	echo "SKIP: test-fleet needs root (packages, PostgreSQL, sshd on a private port)"
	echo "0 passed, 0 failed"
	exit 0
fi

PKGS="lava-server lava-dispatcher lavacli postgresql openssh-server"
t0=$(date +%s)
if ! dpkg-query -W -f='${Status}\n' $PKGS 2>/dev/null | grep -vq 'install ok installed' &&
   [ "$(dpkg-query -W -f='${Status}\n' $PKGS 2>/dev/null | wc -l)" = 5 ]; then
	say "packages already installed"
else
	say "installing $PKGS"
	apt-get install -y -q --no-install-recommends $PKGS >/tmp/entrylab-fleet-apt.$$ 2>&1 ||
		{ tail -5 /tmp/entrylab-fleet-apt.$$; rm -f /tmp/entrylab-fleet-apt.$$;
		  die "apt-get install $PKGS failed (run apt-get update?)"; }
	rm -f /tmp/entrylab-fleet-apt.$$
	say "installed in $(( $(date +%s) - t0 )) s"
fi
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$PGBIN/initdb" ] || die "no PostgreSQL initdb under /usr/lib/postgresql"

W=$(mktemp -d /tmp/entrylab-fleet.XXXXXX) || die "cannot create a temporary directory"
chmod 755 "$W"
PGROUPS=() JOBS=() MADE_RUN_SSHD=0
# Every process this test starts, and everything they start in turn (the
# worker's lava-run, the commands the job runs through sshd, even in
# sessions of their own), goes into one cgroup (v2) of its own, so that the
# clean-up finds them all: cgroup.kill.  Without a writable cgroup2 mount,
# process groups only.
CG=""
CGROOT=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
if [ -n "$CGROOT" ] && mkdir "$CGROOT/entrylab-fleet-$$" 2>/dev/null; then
	CG=$CGROOT/entrylab-fleet-$$
	[ -e "$CG/cgroup.kill" ] || { rmdir "$CG"; CG=""; }
fi
[ -n "$CG" ] || echo "# no writable cgroup2 with cgroup.kill: clean-up by process groups only"
cleanup() {
	trap '' INT TERM HUP USR1
	for g in "${PGROUPS[@]}"; do kill -TERM -- "-$g" 2>/dev/null; done
	sleep 1
	for g in "${PGROUPS[@]}"; do kill -KILL -- "-$g" 2>/dev/null; done
	[ -s "$W/pg/data/postmaster.pid" ] &&
		su postgres -s /bin/sh -c "$PGBIN/pg_ctl -D '$W/pg/data' -m immediate stop" >/dev/null 2>&1
	if [ -n "$CG" ]; then
		local i
		for i in $(seq 50); do
			[ -n "$(cat "$CG/cgroup.procs" 2>/dev/null)" ] || break  # (its size reads 0)
			echo 1 >"$CG/cgroup.kill"
			sleep 0.2
		done
		rmdir "$CG" 2>/dev/null || echo "test-fleet: warning: $CG still holds $(tr '\n' ' ' <"$CG/cgroup.procs")" >&2
	fi
	[ -n "${WATCHDOG:-}" ] && kill -TERM -- "-$WATCHDOG" 2>/dev/null
	for j in "${JOBS[@]}"; do rm -rf "/lava-$j" "/lava-$j"-overlay-*.tar.gz; done
	[ "$MADE_RUN_SSHD" = 1 ] && rmdir /run/sshd 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
trap 'echo "test-fleet: interrupted: stopping everything it started" >&2; exit 130' INT TERM HUP
trap 'echo "test-fleet: time limit of $LIMIT s reached (FLEET_TIMEOUT): stopping everything it started" >&2; exit 4' USR1
# The time limit: SIGUSR1 to this script, whose trap cleans up.
setsid bash -c "sleep $LIMIT; kill -USR1 $$" &
WATCHDOG=$!

# in_cg COMMAND...: run it inside the test's cgroup (above).
in_cg() { sh -c '[ -z "$0" ] || echo $$ >"$0/cgroup.procs"; exec "$@"' "$CG" "$@"; }
# start NAME COMMAND...: in a session of its own and the cgroup, logs in $W/log.
start() {
	local name=$1; shift
	setsid sh -c '[ -z "$0" ] || echo $$ >"$0/cgroup.procs"; exec "$@"' "$CG" "$@" \
		>"$W/log/$name.out" 2>&1 </dev/null &
	PGROUPS+=($!)
	disown $!
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_for() {  # wait_for SECONDS WHAT COMMAND...
	local end=$(( $(date +%s) + $1 )) what=$2; shift 2
	until "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -lt "$end" ] || die "$what did not come up in time (logs: $W/log)"
		sleep 0.5
	done
}
mkdir -p "$W/log" "$W/pg" "$W/media" "$W/devices" "$W/health" "$W/dispatcher.d" "$W/ssh" "$W/device"
PG_PORT=$(free_port) HTTP_PORT=$(free_port) WS_PORT=$(free_port) EV_PORT=$(free_port) SSH_PORT=$(free_port)

# ---------------------------------------------------------------- PostgreSQL
chown postgres "$W/pg"
su postgres -s /bin/sh -c "$PGBIN/initdb -N -A trust -U postgres -D '$W/pg/data'" >"$W/log/initdb" 2>&1 ||
	die "initdb failed: $(tail -1 "$W/log/initdb")"
in_cg su postgres -s /bin/sh -c "$PGBIN/pg_ctl -D '$W/pg/data' -l '$W/pg/log' -w -t 60 \
	-o \"-p $PG_PORT -k '$W/pg' -c listen_addresses=127.0.0.1\" start" >/dev/null 2>&1 ||
	die "PostgreSQL did not start: $(tail -2 "$W/pg/log" 2>/dev/null)"
PW=$(head -c 12 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
psql -q -h "$W/pg" -p "$PG_PORT" -U postgres -c "CREATE USER lavaserver PASSWORD '$PW'" \
	-c "CREATE DATABASE lavaserver OWNER lavaserver" >"$W/log/psql" 2>&1 ||
	die "cannot create the LAVA database: $(tail -1 "$W/log/psql")"

# ---------------------------------------------------------------- LAVA server
export DJANGO_SETTINGS_MODULE=lava_server.settings.prod
export DATABASE_URL="postgres://lavaserver:$PW@127.0.0.1:$PG_PORT/lavaserver"
export SECRET_KEY
SECRET_KEY=$(head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
LAVA_JSON_SETTINGS=$(python3 - "$W" "$EV_PORT" <<'EOF'
import base64, json, sys
w, ev = sys.argv[1], sys.argv[2]
print(base64.b64encode(json.dumps({
    "MEDIA_ROOT": w + "/media/", "DJANGO_LOGFILE": w + "/log/django.log",
    "DEVICES_PATH": w + "/devices", "HEALTH_CHECKS_PATH": w + "/health",
    "DISPATCHER_CONFIG_PATH": w + "/dispatcher.d",
    "EVENT_NOTIFICATION": True, "INTERNAL_EVENT_SOCKET": "ipc://" + w + "/lava.events",
    "EVENT_SOCKET": "tcp://127.0.0.1:" + ev,
}).encode()).decode())
EOF
)
export LAVA_JSON_SETTINGS
chown -R lavaserver:lavaserver "$W/media" "$W/log" "$W/devices" "$W/health" "$W/dispatcher.d"
manage() { lava-server manage "$@"; }
say "migrating the LAVA database"
manage migrate --noinput >"$W/log/migrate" 2>&1 || die "lava-server manage migrate failed: $(tail -1 "$W/log/migrate")"
# Job ids start at a random number: the ssh deploy unpacks its overlay as
# /lava-<job> on the target (this machine's root), so two instances never
# share a path there.
psql -q -h "$W/pg" -p "$PG_PORT" -U postgres -d lavaserver \
	-c "ALTER SEQUENCE lava_scheduler_app_testjob_id_seq RESTART WITH $(( 100000 + RANDOM * 27 + RANDOM % 27 ))" \
	>>"$W/log/psql" 2>&1 || die "cannot set the first job id: $(tail -1 "$W/log/psql")"
manage users add --superuser --staff --passwd "$PW" fleet >/dev/null 2>&1 || die "cannot add the LAVA user"
TOKEN=$(manage tokens add --user fleet 2>/dev/null | tail -1)
WTOKEN=$(manage workers add fleet-worker 2>/dev/null | sed -n 's/^Token: //p')
[ -n "$TOKEN" ] && [ -n "$WTOKEN" ] || die "cannot create the user's or the worker's token"
manage device-types add ssh >/dev/null 2>&1 || die "cannot add the ssh device type"
manage devices add --device-type ssh --worker fleet-worker fleet-ssh >/dev/null 2>&1 ||
	die "cannot add the ssh device"
cat >"$W/devices/fleet-ssh.jinja2" <<EOF
{% extends 'ssh.jinja2' %}
{% set ssh_host = '127.0.0.1' %}
{% set ssh_port = $SSH_PORT %}
{% set ssh_user = 'root' %}
{% set ssh_identity_file = '$W/ssh/id' %}
EOF
# the manage commands above ran as root; the services write as lavaserver
chown -R lavaserver:lavaserver "$W/media" "$W/log" "$W/devices" "$W/health" "$W/dispatcher.d"

start gunicorn gunicorn3 lava_server.wsgi --bind "127.0.0.1:$HTTP_PORT" -u lavaserver -g lavaserver \
	--workers 2 --timeout 120 --log-file "$W/log/gunicorn.log"
start publisher lava-server manage lava-publisher --host 127.0.0.1 --port "$WS_PORT" \
	--log-file "$W/log/publisher.log" --level INFO
start scheduler lava-server manage lava-scheduler --event-url "tcp://127.0.0.1:$EV_PORT" \
	--log-file "$W/log/scheduler.log" --level INFO
URI="http://fleet:$TOKEN@127.0.0.1:$HTTP_PORT/RPC2"
wait_for 120 "the LAVA server (gunicorn on :$HTTP_PORT)" lavacli --uri "$URI" system version
start worker lava-worker --name fleet-worker --url "http://127.0.0.1:$HTTP_PORT/" \
	--ws-url "http://127.0.0.1:$WS_PORT/ws/" --token "$WTOKEN" --worker-dir "$W/worker" \
	--log-file "$W/log/worker.log" --ping-interval 2 --level INFO

# ---------------------------------------------------------------- sshd (the device)
[ -d /run/sshd ] || { mkdir -p /run/sshd && MADE_RUN_SSHD=1; }
ssh-keygen -q -t ed25519 -N '' -f "$W/ssh/host_key" && ssh-keygen -q -t ed25519 -N '' -f "$W/ssh/id" ||
	die "ssh-keygen failed"
cp "$W/ssh/id.pub" "$W/ssh/authorized_keys"
cat >"$W/ssh/sshd_config" <<EOF
Port $SSH_PORT
ListenAddress 127.0.0.1
HostKey $W/ssh/host_key
PidFile $W/ssh/sshd.pid
AuthorizedKeysFile $W/ssh/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
Subsystem sftp /usr/lib/openssh/sftp-server
EOF
start sshd /usr/sbin/sshd -D -f "$W/ssh/sshd_config" -E "$W/log/sshd.log"
wait_for 30 "the device's sshd on :$SSH_PORT" ssh -p "$SSH_PORT" -i "$W/ssh/id" -o BatchMode=yes \
	-o UserKnownHostsFile=/dev/null -o StrictHostKeyChecking=no root@127.0.0.1 true
wait_for 60 "the worker (online)" sh -c "lavacli --uri '$URI' workers show fleet-worker | grep -q 'state *: Online'"
say "LAVA up in $(( $(date +%s) - t0 )) s (server :$HTTP_PORT, device sshd :$SSH_PORT)"

# ---------------------------------------------------------------- the job
./run.sh lava-job --variants pcsa,fsac,floor --bench getpid,yield --samples 3 --mode tcg \
	--repo "$REPO" --revision HEAD --workdir "$W/device" --timeout 15 --out "$W/job" >"$W/log/lava-job" 2>&1
expect "./run.sh lava-job wrote the job and the test definition" \
	test -s "$W/job/job.yaml" -a -s "$W/job/entrylab-test.yaml"
t1=$(date +%s)
JOB=$(lavacli --uri "$URI" jobs submit "$W/job/job.yaml" 2>"$W/log/submit")
if ! [[ $JOB =~ ^[0-9]+$ ]]; then
	fail "lavacli jobs submit: $(echo "$JOB" | head -c 600) $(head -c 600 "$W/log/submit")"
	echo "$PASSED passed, $FAILED failed"; exit 1
fi
JOBS+=("$JOB")
ok "job $JOB submitted with lavacli"
# A second job, cancelled while it waits for the busy device: fetch-lava
# must name it and go on with the rest.
JOB2=$(lavacli --uri "$URI" jobs submit "$W/job/job.yaml" 2>>"$W/log/submit")
[[ $JOB2 =~ ^[0-9]+$ ]] && JOBS+=("$JOB2") && lavacli --uri "$URI" jobs cancel "$JOB2" >/dev/null 2>&1
expect "a second job $JOB2 submitted and cancelled" grep -Eqx '[0-9]+' <<<"$JOB2"
state=""
while :; do
	state=$(lavacli --uri "$URI" jobs show "$JOB" 2>/dev/null | sed -n 's/^state *: //p')
	[ "$state" = Finished ] && break
	[ $(( $(date +%s) - t1 )) -lt $(( LIMIT - 60 )) ] || break
	sleep 1
done
health=$(lavacli --uri "$URI" jobs show "$JOB" 2>/dev/null | sed -n 's/^Health *: //p')
say "job $JOB: $state, health $health, $(( $(date +%s) - t1 )) s from submission"
expect "job $JOB finished with health Complete (was: $state/$health)" test "$health" = Complete
[ "$health" = Complete ] || lavacli --uri "$URI" jobs logs "$JOB" 2>&1 | tail -n 40
rm -rf "/lava-$JOB" "/lava-$JOB"-overlay-*.tar.gz

# The test cases as LAVA stored them (REST API, measurements as strings).
curl -sf -H "Authorization: Token $TOKEN" \
	"http://127.0.0.1:$HTTP_PORT/api/v0.2/jobs/$JOB/tests/?limit=1000" >"$W/tests.json"
expect "REST API gives the job's test cases" test -s "$W/tests.json"

# ---------------------------------------------------------------- a second, local run, and the merge
"$REPO/build/host/entrylab" matrix --variants pcsa,fsac,floor --bench getpid,yield --samples 3 \
	--mode tcg --results-dir "$W/local" --run-id local-run >"$W/log/local" 2>&1
expect "the second, local run of the lab" test -s "$W/local/local-run/summary.json"
for i in $(seq 60); do
	lavacli --uri "$URI" jobs show "$JOB2" 2>/dev/null | grep -q '^state *: Finished' && break
	sleep 1
done
./run.sh fetch-lava --uri "$URI" --keep "$W/fetched" --out "$W/merged-both" --no-plots \
	--also "$W/local/local-run" "$JOB" "$JOB2" >"$W/fetch2.out" 2>&1
st=$?
expect "fetch-lava of a completed and a cancelled job: exit 1 (was $st)" test "$st" = 1
expect "fetch-lava names the cancelled job in one line and leaves it out" \
	grep -q "^fetch-lava: job $JOB2: Finished, health Canceled .*left out" "$W/fetch2.out"
expect "the rest is merged: the completed job and the local run" \
	grep -q "^| lava-$JOB | " "$W/merged-both/report.md"
./run.sh fetch-lava --uri "http://fleet:SECRET@127.0.0.1:$(free_port)/RPC2" 1 >"$W/fetch3.out" 2>&1
st=$?
expect "fetch-lava from a server that cannot be reached: exit 2 (was $st)" test "$st" = 2
expect "one line naming the URL, its token hidden" \
	sh -c "[ \$(wc -l <'$W/fetch3.out') = 1 ] && grep -q 'cannot reach the LAVA server at http://fleet:<token>@127.0.0.1:' '$W/fetch3.out' && ! grep -q SECRET '$W/fetch3.out'"
./run.sh fetch-lava --uri "$URI" --keep "$W/fetched" --out "$W/merged" --also "$W/local/local-run" \
	"$JOB" >"$W/fetch.out" 2>&1
st=$?
expect "./run.sh fetch-lava $JOB (merged with the local run) exit 0 (was $st: $(tail -2 "$W/fetch.out" | tr '\n' ' '))" \
	test "$st" = 0

python3 - "$W" "$JOB" <<'EOF' >"$W/checks" 2>&1
import csv, json, sys
w, job = sys.argv[1], sys.argv[2]
def say(ok, what): print(('ok ' if ok else 'FAIL ') + what)
tests = json.load(open(w + '/tests.json'))['results']
lava = {t['name']: t for t in tests}
local = json.load(open(w + '/local/local-run/summary.json'))
say(lava.get('accel.tcg-icount', {}).get('result') == 'pass', 'LAVA holds the accelerator decision accel.tcg-icount')
say(any(n.startswith('cpu.') for n in lava), 'LAVA holds the CPU model as cpu.<model>')
for v in local['variants']:
    say(lava.get(v['short'], {}).get('result') == 'pass', 'LAVA: conformance of %s pass' % v['short'])
    for b, st in v['stats'].items():
        t = lava.get('%s.%s' % (v['short'], b), {})
        m = t.get('measurement')
        say(m is not None and float(m) == st['median'] and t.get('unit') == local['unit'],
            'LAVA: %s.%s measurement %s %s equals the local run (%g)' % (v['short'], b, m, t.get('unit'), st['median']))
say(lava.get('matrix', {}).get('result') == 'pass', 'LAVA: matrix pass')
rows = list(csv.DictReader(open(w + '/merged/machines.csv')))
say(len(rows) == 2 and rows[0]['label'] == 'lava-' + job and rows[1]['label'] == 'local-run',
    'merged machines.csv: lava-%s and local-run' % job)
med = list(csv.DictReader(open(w + '/merged/medians.csv')))
for v in local['variants']:
    for b, st in v['stats'].items():
        got = {r['label']: float(r['median']) for r in med
               if r['variant'] == v['short'] and r['bench'] == b and r['median']}
        say(got.get('lava-' + job) == st['median'] == got.get('local-run'),
            'merged %s %s: LAVA run %s, local run %s' % (v['short'], b, got.get('lava-' + job), got.get('local-run')))
rep = open(w + '/merged/report.md').read()
say('| lava-%s | ' % job in rep and '| local-run | ' in rep, 'merged report.md has both machines')
EOF
while read -r verdict what; do
	if [ "$verdict" = ok ]; then ok "$what"; else fail "$verdict $what"; fi
done <"$W/checks"
expect "the fetched results directory came back whole from the job log" \
	test -s "$W/fetched/lava-$JOB/meta.json"
say "round trip (submission to merged report): $(( $(date +%s) - t1 )) s; whole test $(( $(date +%s) - t0 )) s"
if [ "$FAILED" != 0 ]; then
	echo "# logs of the failed run:"; tail -n 20 "$W"/log/worker.log "$W/fetch.out" 2>/dev/null
fi
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
