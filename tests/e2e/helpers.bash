# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Shared helpers for the end-to-end tests: requirements that skip with a reason (and fail
# in CI, where every requirement is met on purpose), starting and stopping llmwatch, tools
# under watched names, and queries over its JSON output.

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$REPO/$BUILD" ;; esac
LLMWATCH="$BUILD/llmwatch"
PROGS="$BUILD/tests/progs"
LWQ="/usr/bin/python3 $REPO/tests/e2e/lwq.py"

# skip_or_fail REASON: outside CI a test may skip; in CI the machine is set up for every
# test, so a skip would hide a failure.
skip_or_fail() {
	if [ "${CI:-}" = true ]; then
		echo "required in CI: $1" >&2
		return 1
	fi
	skip "$1"
}

requires_root() {
	[ "$(id -u)" -eq 0 ] || skip_or_fail "needs root"
}

requires_btf() {
	[ -r /sys/kernel/btf/vmlinux ] || skip_or_fail "needs kernel BTF (/sys/kernel/btf/vmlinux)"
}

requires_bpf() {
	requires_root
	requires_btf
}

# retry N CMD...: run CMD up to N times, 0.1 s apart, until it succeeds.
retry() {
	local n=$1 i
	shift
	for ((i = 0; i < n; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# wait_count WHAT OP N CMD...: wait (up to 10 s) until the number CMD prints compares to N
# as test(1)'s OP says; otherwise fail saying what it last saw. For state the kernel changes
# after the fact: a BPF program is freed by deferred work after an RCU grace period, so a
# count taken once, right after llmwatch exits, can still include its programs.
wait_count() {
	local what=$1 op=$2 want=$3 got= i
	shift 3
	for ((i = 0; i < 100; i++)); do
		# grep -c exits 1 on a count of 0: that is a count to wait on, not a failure
		got=$("$@") || true
		test "$got" "$op" "$want" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "$what: waited 10 s for a count $op $want, last saw ${got:-nothing}" >&2
	return 1
}

# make_tool NAME [SOURCE]: a copy of SOURCE (default python3) named NAME in $TOOLDIR.
make_tool() {
	local name=$1 src=${2:-/usr/bin/python3}
	mkdir -p "$TOOLDIR"
	cp "$(readlink -f "$src")" "$TOOLDIR/$name"
	echo "$TOOLDIR/$name"
}

# lw_start [ARGS...]: start llmwatch --json in the background and wait until it is ready.
lw_start() {
	OUT="$BATS_TEST_TMPDIR/out.json"
	lw_launch "$OUT" --json "$@"
}

# lw_launch STDOUT_FILE [ARGS...]: start llmwatch with exactly ARGS, stdout to STDOUT_FILE
# and stderr to $ERR, and wait until it is ready.
lw_launch() {
	local stdout=$1
	shift
	ERR="$BATS_TEST_TMPDIR/err.txt"
	READY="$BATS_TEST_TMPDIR/ready"
	rm -f "$READY"
	"$LLMWATCH" --ready-file "$READY" "$@" >"$stdout" 2>"$ERR" &
	LW_PID=$!
	if ! retry 150 test -e "$READY"; then
		echo "llmwatch did not become ready:" >&2
		cat "$ERR" >&2
		return 1
	fi
}

# running PID: whether PID is alive and not yet a zombie
running() {
	local state
	state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$state" ] && [ "$state" != Z ]
}

# lw_stop: SIGINT, wait, and check it exited 0 (the clean-shutdown path). An llmwatch
# that does not stop within 10 s fails the test instead of hanging the suite (a thread
# that left SIGINT unblocked once took the signal away from the event loop).
lw_stop() {
	local rc=0 i
	[ -n "${LW_PID:-}" ] || return 0
	kill -INT "$LW_PID" 2>/dev/null || true
	for ((i = 0; i < 100; i++)); do
		running "$LW_PID" || break
		sleep 0.1
	done
	if running "$LW_PID"; then
		kill -KILL "$LW_PID" 2>/dev/null || true
		wait "$LW_PID" 2>/dev/null || true
		LW_PID=
		echo "llmwatch did not stop within 10 s of SIGINT:" >&2
		cat "$ERR" >&2
		return 1
	fi
	wait "$LW_PID" || rc=$?
	LW_PID=
	if [ "$rc" -ne 0 ]; then
		echo "llmwatch exited $rc:" >&2
		cat "$ERR" >&2
		return 1
	fi
}

# lw_wait_for FILTER...: wait (up to 20 s) until an output line matches the filters.
lw_wait_for() {
	retry 200 $LWQ count-min 1 "$OUT" "$@"
}

lw_count() {
	$LWQ count 0 "$OUT" "$@"
}

common_setup() {
	TOOLDIR="$BATS_TEST_TMPDIR/tools"
	mkdir -p "$TOOLDIR"
	LW_PID=
}

common_teardown() {
	if [ -n "${LW_PID:-}" ]; then
		kill -INT "$LW_PID" 2>/dev/null || true
		wait "$LW_PID" 2>/dev/null || true
	fi
	# background helpers the test started
	if [ -n "${BG_PIDS:-}" ]; then
		kill $BG_PIDS 2>/dev/null || true
	fi
	return 0
}

# report_get FILE KEY: a value from an actor.py report.
report_get() {
	/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"
}

# run_actor TOOLPATH REPORT ACTIONS...: run actor.py under a tool's name, in the foreground.
run_actor() {
	local tool=$1 rep=$2
	shift 2
	"$tool" "$REPO/tests/e2e/actor.py" "$rep" "$@"
}
