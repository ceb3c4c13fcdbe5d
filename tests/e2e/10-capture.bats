#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Core capture: a real program under a watched name is seen doing each kind of call, with
# the right pid, tool, address, port, path and result; its children are attributed to it;
# an unwatched program doing the same is not seen.

load helpers

setup() {
	requires_bpf
	common_setup
}

teardown() {
	common_teardown
}

# every kind of call by a watched tool, with llmwatch started with ARGS
capture_every_kind() {
	tool=$(make_tool ollama)
	echo secret >"$BATS_TEST_TMPDIR/data.txt"
	lw_start "$@"
	run_actor "$tool" "$BATS_TEST_TMPDIR/r.json" tcp refused tcp6 unix bind-any bind-lo udp \
		open "$BATS_TEST_TMPDIR/data.txt" open-missing open-create "$BATS_TEST_TMPDIR/new.txt"
	pid=$(report_get "$BATS_TEST_TMPDIR/r.json" pid)
	tcp=$(report_get "$BATS_TEST_TMPDIR/r.json" tcp_port)
	refused=$(report_get "$BATS_TEST_TMPDIR/r.json" refused_port)
	tcp6=$(report_get "$BATS_TEST_TMPDIR/r.json" tcp6_port)
	any=$(report_get "$BATS_TEST_TMPDIR/r.json" bind-any_port)
	lo=$(report_get "$BATS_TEST_TMPDIR/r.json" bind-lo_port)
	udp=$(report_get "$BATS_TEST_TMPDIR/r.json" udp_port)
	unix=$(report_get "$BATS_TEST_TMPDIR/r.json" unix_path)
	lw_wait_for type=exit pid="$pid"
	lw_stop

	lw_wait_for type=exec pid="$pid" tool=ollama exe="$tool"
	lw_wait_for type=connect pid="$pid" tool=ollama daddr=127.0.0.1 dport="$tcp" family=ipv4 ret=0 comm=ollama
	lw_wait_for type=connect pid="$pid" daddr=127.0.0.1 dport="$refused" ret=-111 error=ECONNREFUSED
	lw_wait_for type=connect pid="$pid" daddr=::1 dport="$tcp6" family=ipv6 ret=0
	lw_wait_for type=connect pid="$pid" family=unix unix_path="$unix" ret=0
	lw_wait_for type=bind pid="$pid" addr=0.0.0.0 port=0 ret=0
	lw_wait_for type=listen pid="$pid" addr=0.0.0.0 port="$any" ret=0
	lw_wait_for type=listen pid="$pid" addr=127.0.0.1 port="$lo" ret=0
	# the first datagram of its flow: the egress program reports it (no syscall result)
	lw_wait_for type=send pid="$pid" daddr=127.0.0.1 dport="$udp" bytes=64 sock_type=dgram flow_first=true
	lw_wait_for type=open pid="$pid" path="$BATS_TEST_TMPDIR/data.txt" access=read ret~""
	[ "$($LWQ get ret "$OUT" type=open pid="$pid" path="$BATS_TEST_TMPDIR/data.txt")" -ge 0 ]
	lw_wait_for type=open pid="$pid" path=/nonexistent/llmwatch-test ret=-2 error=ENOENT
	lw_wait_for type=open pid="$pid" path="$BATS_TEST_TMPDIR/new.txt" access=write
	# bytes per connection: the 1000-byte payload, reported when the connection closed
	lw_wait_for type=conn_bytes pid="$pid" daddr=127.0.0.1 dport="$tcp" bytes=1000
	# every line has the documented common fields
	[ "$(lw_count ts~T pid~ ppid~ comm~ exe~ tool~ kind=event)" -eq "$(lw_count kind=event)" ]
}

@test "a watched tool's connect, bind, listen, UDP send and opens are all seen" {
	capture_every_kind
}

@test "the same with the arguments saved at enter tracepoints (kernels before 5.15)" {
	capture_every_kind --enter-tracepoints
	grep -q 'hooks: .*syscall enter+exit tracepoints' "$ERR"
}

@test "a child the tool forks and execs is attributed to the tool" {
	tool=$(make_tool ollama)
	lw_start
	run_actor "$tool" "$BATS_TEST_TMPDIR/r.json" child
	pid=$(report_get "$BATS_TEST_TMPDIR/r.json" pid)
	child=$(report_get "$BATS_TEST_TMPDIR/r.json" child_pid)
	lw_wait_for type=exit pid="$pid"
	lw_stop
	lw_wait_for type=fork pid="$child" ppid="$pid" tool=ollama
	lw_wait_for type=exec pid="$child" ppid="$pid" tool=ollama filename=/bin/cat
	lw_wait_for type=open pid="$child" tool=ollama path=/etc/hostname comm=cat
	lw_wait_for type=exit pid="$child" tool=ollama exit_code=0
}

@test "a tool whose main thread ends stays watched until its last thread does" {
	tool=$(make_tool ollama "$PROGS/lw_actor")
	echo late >"$BATS_TEST_TMPDIR/late.txt"
	lw_start
	"$tool" pid leader-exits "$BATS_TEST_TMPDIR/late.txt" >"$BATS_TEST_TMPDIR/a.out"
	pid=$(sed -n 's/^pid=//p' "$BATS_TEST_TMPDIR/a.out")
	lw_wait_for type=exit pid="$pid"
	lw_stop
	# the thread left behind is still the tool's, and the process ends once, with it
	lw_wait_for type=open pid="$pid" tool=ollama path="$BATS_TEST_TMPDIR/late.txt" ret~""
	[ "$(lw_count type=exit pid="$pid")" -eq 1 ]
	lw_wait_for type=exit pid="$pid" exit_code=0
	[ "$($LWQ get tid "$OUT" type=exit pid="$pid")" != "$pid" ]
}

@test "an unwatched program doing the same produces nothing" {
	tool=$(make_tool notwatched)
	lw_start
	run_actor "$tool" "$BATS_TEST_TMPDIR/r.json" tcp refused udp bind-any child open /etc/hostname
	pid=$(report_get "$BATS_TEST_TMPDIR/r.json" pid)
	child=$(report_get "$BATS_TEST_TMPDIR/r.json" child_pid)
	# a watched program run afterwards proves llmwatch was still reading
	marker=$(make_tool ollama)
	run_actor "$marker" "$BATS_TEST_TMPDIR/m.json" udp
	mpid=$(report_get "$BATS_TEST_TMPDIR/m.json" pid)
	lw_wait_for type=exit pid="$mpid"
	lw_stop
	[ "$(lw_count pid="$pid")" -eq 0 ]
	[ "$(lw_count pid="$child")" -eq 0 ]
	[ "$(lw_count comm=notwatched)" -eq 0 ]
}

@test "a tool started before llmwatch is found, with its children" {
	tool=$(make_tool ollama)
	go="$BATS_TEST_TMPDIR/go"
	run_actor "$tool" "$BATS_TEST_TMPDIR/r.json" wait-file "$go" udp child &
	BG_PIDS=$!
	# running under its name and in its wait loop before llmwatch starts
	retry 100 test -e "$go.waiting"
	lw_start
	touch "$go"
	wait "$BG_PIDS"
	BG_PIDS=
	pid=$(report_get "$BATS_TEST_TMPDIR/r.json" pid)
	child=$(report_get "$BATS_TEST_TMPDIR/r.json" child_pid)
	lw_wait_for type=exit pid="$pid"
	lw_stop
	lw_wait_for type=send pid="$pid" tool=ollama
	lw_wait_for type=exec pid="$child" tool=ollama ppid="$pid"
	grep -q "1 running processes\|[1-9][0-9]* running processes" "$ERR"
}

@test "renaming itself with prctl(PR_SET_NAME) does not shake a tool off" {
	tool=$(make_tool ollama)
	lw_start
	run_actor "$tool" "$BATS_TEST_TMPDIR/r.json" prctl udp
	pid=$(report_get "$BATS_TEST_TMPDIR/r.json" pid)
	lw_wait_for type=exit pid="$pid"
	lw_stop
	lw_wait_for type=send pid="$pid" tool=ollama comm=innocent
}

@test "a connect submitted through io_uring is seen" {
	tool=$(make_tool ollama "$PROGS/uring_connect")
	lw_start
	run "$tool"
	[ "$status" -eq 0 ]
	read -r pid port <<<"$output"
	lw_wait_for type=exit pid="$pid"
	lw_stop
	lw_wait_for type=connect pid="$pid" tool=ollama daddr=127.0.0.1 dport="$port" via=cgroup
}

@test "GPT4All's 'chat' is confirmed by its install path, a stray 'chat' is not" {
	mkdir -p "$TOOLDIR/gpt4all/bin"
	real=$(make_tool gpt4all/bin/chat)
	stray=$(make_tool chat)
	lw_start
	run_actor "$stray" "$BATS_TEST_TMPDIR/s.json" udp
	run_actor "$real" "$BATS_TEST_TMPDIR/r.json" udp
	spid=$(report_get "$BATS_TEST_TMPDIR/s.json" pid)
	rpid=$(report_get "$BATS_TEST_TMPDIR/r.json" pid)
	lw_wait_for type=exit pid="$rpid"
	lw_stop
	lw_wait_for type=send pid="$rpid" tool=gpt4all exe="$real"
	[ "$(lw_count pid="$spid")" -eq 0 ]
	lw_wait_for kind=summary rejected_candidates=1
}

@test "--watch NAME and --pid PID add process trees" {
	named=$(make_tool mytool)
	other=$(make_tool someother)
	go="$BATS_TEST_TMPDIR/go"
	run_actor "$other" "$BATS_TEST_TMPDIR/o.json" wait-file "$go" udp &
	BG_PIDS=$!
	bg=$BG_PIDS
	lw_start --watch mytool --pid "$bg"
	run_actor "$named" "$BATS_TEST_TMPDIR/n.json" udp
	touch "$go"
	wait "$bg"
	BG_PIDS=
	npid=$(report_get "$BATS_TEST_TMPDIR/n.json" pid)
	opid=$(report_get "$BATS_TEST_TMPDIR/o.json" pid)
	lw_wait_for type=exit pid="$opid"
	lw_stop
	lw_wait_for type=send pid="$npid" tool=watch:mytool
	# the tree is named after the pid given; the actor is a descendant of it
	lw_wait_for type=send pid="$opid" tool="pid:$bg"
}

@test "hostile names and paths reach the terminal escaped, one line per event" {
	tool=$(make_tool ollama)
	out="$BATS_TEST_TMPDIR/text.out"
	lw_launch "$out"
	# a file name with a terminal escape, a newline that would forge a line, and a bidi
	# override; and a thread name with an escape of its own
	"$tool" -c '
import ctypes, os, sys
libc = ctypes.CDLL(None)
libc.prctl(15, b"\x1b[31mred", 0, 0, 0)
name = sys.argv[1] + "/evil\x1b[2J\nFAKE LINE \u202e.txt"
try:
    open(name, "rb")
except OSError:
    pass
print(os.getpid())
' "$BATS_TEST_TMPDIR" >"$BATS_TEST_TMPDIR/pid"
	pid=$(cat "$BATS_TEST_TMPDIR/pid")
	retry 50 grep -q "pid=$pid .* exit " "$out"
	lw_stop
	# no raw ESC or bidi bytes anywhere, and the forged line never starts a line ("! grep"
	# would not fail a bats test: count instead)
	[ "$(grep -c $'\x1b' "$out")" -eq 0 ]
	[ "$(grep -c $'\xe2\x80\xae' "$out")" -eq 0 ]
	[ "$(grep -c '^FAKE LINE' "$out")" -eq 0 ]
	grep -q "open $BATS_TEST_TMPDIR/evil\\\\x1b\[2J\\\\nFAKE LINE \\\\xe2\\\\x80\\\\xae.txt " "$out"
	grep -q 'comm=\\x1b\[31mred ' "$out"
}

# tgid's filter byte in the running llmwatch (bpf/common.bpf.h, track_filter)
filter_byte() {
	"$REPO/tests/e2e/track_filter.py" "$LW_PID" byte "$1"
}

@test "the tracked map's filter marks exactly the watched processes, set before and cleared after" {
	tool=$(make_tool ollama)
	other=$(make_tool someother)
	go="$BATS_TEST_TMPDIR/go"
	# tracked by llmwatch itself (--pid) and by the kernel (an exec under a watched name)
	run_actor "$other" "$BATS_TEST_TMPDIR/o.json" wait-file "$go" &
	BG_PIDS=$!
	bg=$BG_PIDS
	retry 100 test -e "$go.waiting"
	lw_start --pid "$bg"
	"$tool" "$REPO/tests/e2e/actor.py" "$BATS_TEST_TMPDIR/r.json" wait-file "$go" &
	BG_PIDS="$BG_PIDS $!"
	tpid=$!
	retry 100 test "$(filter_byte "$tpid")" = 1
	[ "$(filter_byte "$bg")" = 1 ]
	# an unwatched process: its syscalls are answered by the filter alone
	[ "$(filter_byte $$)" = 0 ]
	"$REPO/tests/e2e/track_filter.py" "$LW_PID" tracked | grep -qx "$tpid"
	"$REPO/tests/e2e/track_filter.py" "$LW_PID" consistent
	# both exit: both bytes are cleared (by the exit program, after it deletes the entry)
	touch "$go"
	wait $BG_PIDS
	BG_PIDS=
	lw_wait_for type=exit pid="$tpid"
	retry 100 test "$(filter_byte "$tpid")" = 0
	retry 100 test "$(filter_byte "$bg")" = 0
	"$REPO/tests/e2e/track_filter.py" "$LW_PID" consistent
	lw_stop
}

# wakeups_per_s PID: voluntary context switches of all PID's threads over one second
wakeups_per_s() {
	local before=0 after=0 n t
	for t in /proc/"$1"/task/*/status; do
		n=$(awk '/^voluntary_ctxt_switches/ { print $2 }' "$t" 2>/dev/null) || continue
		before=$((before + ${n:-0}))
	done
	sleep 1 # the window the rate is taken over, not a wait for a condition
	for t in /proc/"$1"/task/*/status; do
		n=$(awk '/^voluntary_ctxt_switches/ { print $2 }' "$t" 2>/dev/null) || continue
		after=$((after + ${n:-0}))
	done
	echo $((after - before))
}

idle_wakeups_below() {
	local got
	got=$(wakeups_per_s "$LW_PID")
	echo "llmwatch woke $got times in a second" >&2
	[ "$got" -lt "$1" ]
}

@test "an idle llmwatch drains every 100 ms, not 10, and still sees the next event" {
	tool=$(make_tool ollama)
	lw_start
	# idle after 5 s without a record: about 10 wakeups a second, plus the runtime scan's
	retry 20 idle_wakeups_below 30
	run_actor "$tool" "$BATS_TEST_TMPDIR/r.json" udp
	pid=$(report_get "$BATS_TEST_TMPDIR/r.json" pid)
	lw_wait_for type=exit pid="$pid"
	lw_wait_for type=send pid="$pid" sock_type=dgram
	lw_stop
}
