#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Stopping (issue 18): the programs are detached first, all at once, and then the ring
# buffer is drained, so a SIGTERM right after a burst loses nothing of it; a connection
# still open is reported at the stop (or at its owner's exit: once, even when it closes
# while that flush runs); the capture is sealed; and LLMWATCH_TIMING says where the stop's
# time went.

load helpers

setup() {
	common_setup
	CAP="$BATS_TEST_TMPDIR/run.lwc"
}

teardown() {
	common_teardown
}

# term_and_wait: SIGTERM to llmwatch (as systemd stops it), then its exit, bounded.
term_and_wait() {
	local rc=0
	kill -TERM "$LW_PID"
	retry 100 bash -c "! kill -0 $LW_PID 2>/dev/null || grep -q ' Z ' /proc/$LW_PID/stat"
	wait "$LW_PID" || rc=$?
	LW_PID=
	[ "$rc" -eq 0 ]
}

@test "SIGTERM right after a burst: every open, the exit, the open connection and the seal are there" {
	requires_bpf
	flood=$(make_tool lwflood "$PROGS/lw_actor")
	holder=$(make_tool lwhold)
	LLMWATCH_TIMING=1 lw_start --watch lwflood --watch lwhold --capture "$CAP"
	# a connection that is still open when llmwatch stops: 1000 bytes sent, then held
	"$holder" -c '
import socket, sys, time
srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen(1)
c = socket.create_connection(srv.getsockname()); peer, _ = srv.accept()
c.sendall(b"x" * 1000)
got = b""
while len(got) < 1000: got += peer.recv(4096)
open(sys.argv[1], "w").write("%d %d\n" % (srv.getsockname()[1], __import__("os").getpid()))
time.sleep(120)' "$BATS_TEST_TMPDIR/held" &
	BG_PIDS=$!
	retry 100 test -s "$BATS_TEST_TMPDIR/held"
	read -r port hpid <"$BATS_TEST_TMPDIR/held"
	# the burst, and the signal as soon as it has exited: its records wait in the ring
	"$flood" pid flood 5000 >"$BATS_TEST_TMPDIR/flood.out"
	term_and_wait
	fpid=$(sed -n 's/^pid=//p' "$BATS_TEST_TMPDIR/flood.out")
	[ "$(lw_count type=open pid="$fpid" path=/dev/null)" -eq 5000 ]
	[ "$(lw_count type=exit pid="$fpid")" -eq 1 ]
	# the held connection, reported at the stop with what was sent
	[ "$(lw_count type=conn_bytes pid="$hpid" daddr=127.0.0.1 dport="$port" bytes=1000)" -eq 1 ]
	grep -Eq '^llmwatch: [0-9]+ records, 0 lost$' "$ERR"
	grep -Eq "^llmwatch: capture $CAP: [1-9][0-9]* records in [1-9][0-9]* blocks, sealed; 0 blocks \(0 records\) lost$" "$ERR"
	# LLMWATCH_TIMING: the stop's steps, detach before the final drain
	detach=$(grep -n 'timing: stop: links detached' "$ERR" | cut -d: -f1)
	drain=$(grep -n 'timing: stop: final drain' "$ERR" | cut -d: -f1)
	[ -n "$detach" ] && [ -n "$drain" ] && [ "$detach" -lt "$drain" ]
	grep -q 'timing: stop: BPF object closed' "$ERR"
	grep -q 'timing: start: programs attached' "$ERR"
	! grep -q 'warning: detaching' "$ERR"

	# the capture holds the same: every open of the burst, sealed
	run "$LLMWATCH" replay "$CAP" --no-default-rules --output "json:$BATS_TEST_TMPDIR/replay.json"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"chain intact; sealed (a clean stop)"* ]]
	OUT="$BATS_TEST_TMPDIR/replay.json"
	[ "$(lw_count type=open pid="$fpid" path=/dev/null)" -eq 5000 ]
	[ "$(lw_count type=conn_bytes pid="$hpid" dport="$port" bytes=1000)" -eq 1 ]
}

@test "connections aborted while their owner's exit is flushed: each reported once, whole" {
	# a child aborts the owner's 500 connections one every 100 us while the owner exits:
	# some close while llmwatch flushes the owner's entries, and an entry both sides read
	# must be reported by whichever of them removes it, and only by that one
	requires_bpf
	actor=$(make_tool ollama "$PROGS/lw_actor")
	lw_start
	run "$actor" pid tcp-abort-child 500
	[ "$status" -eq 0 ]
	pid=$(sed -n 's/^pid=//p' <<<"$output")
	port=$(sed -n 's/^abort_port=//p' <<<"$output")
	child=$(sed -n 's/^abort_child=//p' <<<"$output")
	[ -n "$pid" ] && [ -n "$port" ] && [ -n "$child" ]
	lw_wait_for type=exit pid="$child"
	lw_stop
	[ "$(lw_count type=connect pid="$pid" dport="$port")" -eq 500 ]
	[ "$(lw_count type=conn_bytes pid="$pid" dport="$port")" -eq 500 ]
	[ "$(lw_count type=conn_bytes pid="$pid" dport="$port" bytes=100)" -eq 500 ]
	grep -Eq '^llmwatch: [0-9]+ records, 0 lost$' "$ERR"
}

@test "without LLMWATCH_TIMING nothing of the steps is said" {
	requires_bpf
	lw_start
	term_and_wait
	! grep -q 'timing:' "$ERR"
}
