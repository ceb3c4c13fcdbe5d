#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Datagrams aggregated in the kernel (issue 18): a watched process's unconnected datagrams
# to one destination from one socket are one flow, reported as its first send (flow_first)
# and one conn_bytes record (protocol udp) with the flow's datagrams and bytes, when the
# socket closes, the process exits or llmwatch stops. io_uring's datagrams and sockets made
# before the process was watched are flows too; DNS stays per message (40-lab.bats).

load helpers

setup() {
	requires_bpf
	common_setup
}

teardown() {
	common_teardown
}

# flow_field FIELD FILTER...: FIELD of the first conn_bytes line of a UDP flow matching
flow_field() {
	local field=$1
	shift
	$LWQ get "$field" "$OUT" type=conn_bytes protocol=udp "$@"
}

# flows_once PID PORT...: each port's flow of PID reported once (one conn_bytes, one send),
# and the summary counts nothing lost
flows_once() {
	local pid=$1 port
	shift
	for port in "$@"; do
		[ "$(lw_count type=conn_bytes pid="$pid" dport="$port")" -eq 1 ] || return 1
		[ "$(lw_count type=send pid="$pid" dport="$port")" -eq 1 ] || return 1
	done
	lw_wait_for kind=summary
	[ "$($LWQ get lost "$OUT" kind=summary)" -eq 0 ]
}

# actor_waiting PATH: the pid of the actor (run in the background) once it waits for PATH
actor_waiting() {
	retry 200 test -s "$1.waiting"
	cat "$1.waiting"
}

# actor_release PATH: let the actor waiting for PATH go on, and wait until it has ended
actor_release() {
	touch "$1"
	wait "$BG_PIDS"
	BG_PIDS=
}

@test "10,000 datagrams to one host: one send event and one flow with packets=10000, bytes=640000" {
	tool=$(make_tool ollama)
	lw_start
	run_actor "$tool" "$BATS_TEST_TMPDIR/r.json" udp-flood 10000
	pid=$(report_get "$BATS_TEST_TMPDIR/r.json" pid)
	port=$(report_get "$BATS_TEST_TMPDIR/r.json" udp-flood_port)
	lw_wait_for type=exit pid="$pid"
	lw_wait_for type=conn_bytes pid="$pid" dport="$port"
	lw_stop

	# the first datagram, as a send, says its flow counts it; where no sendmsg hook is
	# attached the egress program reports it, without a syscall's result
	[ "$(lw_count type=send pid="$pid" dport="$port")" -eq 1 ]
	lw_wait_for type=send pid="$pid" daddr=127.0.0.1 dport="$port" bytes=64 \
		sock_type=dgram flow_first=true tool=ollama comm=ollama
	# the flow: every datagram, the first included, reported once, when the socket closed
	[ "$(lw_count type=conn_bytes pid="$pid" dport="$port")" -eq 1 ]
	[ "$(flow_field packets pid="$pid" dport="$port")" -eq 10000 ]
	[ "$(flow_field bytes pid="$pid" dport="$port")" -eq 640000 ]
	[ "$(flow_field reason pid="$pid" dport="$port")" = socket_closed ]
	[ "$(flow_field daddr pid="$pid" dport="$port")" = 127.0.0.1 ]
	[ "$(flow_field cookie pid="$pid" dport="$port")" = \
		"$($LWQ get cookie "$OUT" type=send pid="$pid" dport="$port")" ]
	# nothing lost on the way
	lw_wait_for kind=summary
	[ "$($LWQ get lost "$OUT" kind=summary)" -eq 0 ]
}

@test "a flow whose socket is open when its process exits is reported at the exit" {
	tool=$(make_tool ollama)
	lw_start
	run_actor "$tool" "$BATS_TEST_TMPDIR/r.json" udp-keep 500
	pid=$(report_get "$BATS_TEST_TMPDIR/r.json" pid)
	port=$(report_get "$BATS_TEST_TMPDIR/r.json" udp-keep_port)
	lw_wait_for type=exit pid="$pid"
	# the exit closes the socket (socket_closed), or user space flushes the flow (exit)
	lw_wait_for type=conn_bytes pid="$pid" dport="$port" protocol=udp packets=500 bytes=32000
	lw_stop
	reason=$(flow_field reason pid="$pid" dport="$port")
	[ "$reason" = socket_closed ] || [ "$reason" = exit ]
	[ "$(lw_count type=send pid="$pid" dport="$port")" -eq 1 ]
}

@test "a flow still open when llmwatch stops is reported at the stop" {
	tool=$(make_tool ollama)
	go="$BATS_TEST_TMPDIR/go"
	lw_start
	run_actor "$tool" "$BATS_TEST_TMPDIR/r.json" udp-keep 300 wait-file "$go" &
	BG_PIDS=$!
	retry 200 test -e "$go.waiting"
	lw_wait_for type=send comm=ollama flow_first=true
	lw_stop
	port=$($LWQ get dport "$OUT" type=send comm=ollama flow_first=true)
	actor_release "$go"
	[ "$(flow_field packets dport="$port")" -eq 300 ]
	[ "$(flow_field bytes dport="$port")" -eq 19200 ]
	[ "$(flow_field reason dport="$port")" = end ]
}

@test "connected datagram sockets are reported at their close, while their owner lives on" {
	tool=$(make_tool ollama)
	go="$BATS_TEST_TMPDIR/go"
	lw_start
	run_actor "$tool" "$BATS_TEST_TMPDIR/r.json" udp-connected 3 wait-file "$go" &
	BG_PIDS=$!
	pid=$(actor_waiting "$go")
	lw_wait_for type=connect pid="$pid" sock_type=dgram
	port=$($LWQ get dport "$OUT" type=connect pid="$pid" sock_type=dgram)
	# each socket's record at its close, with its datagram: not left for the owner's exit
	retry 100 $LWQ count-min 3 "$OUT" type=conn_bytes pid="$pid" dport="$port" \
		reason=socket_closed packets=1 bytes=64
	[ "$(lw_count type=connect pid="$pid" dport="$port")" -eq 3 ]
	actor_release "$go"
	lw_wait_for type=exit pid="$pid"
	lw_stop
	[ "$(lw_count type=conn_bytes pid="$pid" dport="$port")" -eq 3 ]
}

@test "one socket, two destinations in turn: each flow reported once, whole, at the close" {
	# the first flow's count may be kept in the socket's own storage, the second's in the
	# flow map: both must come out whole, once
	actor=$(make_tool ollama "$PROGS/lw_actor")
	lw_start
	run "$actor" pid udp-flows 300
	[ "$status" -eq 0 ]
	pid=$(sed -n 's/^pid=//p' <<<"$output")
	ports=$(sed -n 's/^udp_flow_ports=//p' <<<"$output")
	[ -n "$ports" ]
	for port in ${ports%,*} ${ports#*,}; do
		lw_wait_for type=conn_bytes pid="$pid" dport="$port" protocol=udp packets=300 \
			bytes=19200 reason=socket_closed
	done
	lw_stop
	flows_once "$pid" ${ports%,*} ${ports#*,}
}

@test "one socket, six destinations: each flow reported once, whole (two past the socket's list of four)" {
	tool=$(make_tool ollama)
	lw_start
	# the first round starts six flows (the socket lists four); the later rounds go in
	# reverse, so the unlisted flows are the first to ask for the socket's storage
	"$tool" -c '
import os, socket
rs = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(6)]
for r in rs:
    r.bind(("127.0.0.1", 0))
dst = [("127.0.0.1", r.getsockname()[1]) for r in rs]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(50):
    for d in (dst if i == 0 else dst[::-1]):
        s.sendto(b"m" * 64, d)
s.close()
print(os.getpid(), " ".join(str(p) for _, p in dst))' >"$BATS_TEST_TMPDIR/six"
	read -r pid ports <"$BATS_TEST_TMPDIR/six"
	lw_wait_for type=exit pid="$pid"
	lw_stop
	for port in $ports; do
		[ "$(lw_count type=conn_bytes pid="$pid" dport="$port" protocol=udp packets=50 bytes=3200)" -eq 1 ]
	done
	flows_once "$pid" $ports
}

@test "a flow whose socket a child holds past its owner's exit is reported whole at the child's close" {
	actor=$(make_tool ollama "$PROGS/lw_actor")
	lw_start
	run "$actor" pid udp-child 200 1500
	[ "$status" -eq 0 ]
	pid=$(sed -n 's/^pid=//p' <<<"$output")
	port=$(sed -n 's/^udp_child_port=//p' <<<"$output")
	kid=$(sed -n 's/^udp_child=//p' <<<"$output")
	[ -n "$port" ] && [ -n "$kid" ]
	lw_wait_for type=exit pid="$kid"
	lw_wait_for type=conn_bytes pid="$pid" dport="$port" protocol=udp
	lw_stop
	# one record, every datagram in it: the owner's exit did not report a part of the count
	[ "$(lw_count type=conn_bytes pid="$pid" dport="$port")" -eq 1 ]
	[ "$(flow_field packets pid="$pid" dport="$port")" -eq 200 ]
	[ "$(flow_field bytes pid="$pid" dport="$port")" -eq 12800 ]
	lw_wait_for kind=summary
	[ "$($LWQ get lost "$OUT" kind=summary)" -eq 0 ]
}

@test "a flow whose socket only an unwatched process holds at the stop is reported partial and counted lost" {
	# the watched tool hands its socket over a unix socket to an unwatched holder and
	# exits: the stop cannot reach the count kept in the socket's storage, and says so
	tool=$(make_tool ollama)
	sock="$BATS_TEST_TMPDIR/pass.sock"
	python3 -c 'import os, socket, sys, time
p = sys.argv[1]
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(p)
srv.listen(1)
open(p + ".ready", "w").close()
c, _ = srv.accept()
msg, fds, _, _ = socket.recv_fds(c, 16, 1)
open(p + ".got", "w").close()
while not os.path.exists(p + ".go"):
    time.sleep(0.05)' "$sock" &
	BG_PIDS=$!
	retry 200 test -e "$sock.ready"
	lw_start
	port=$("$tool" -c 'import socket, sys
r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
r.bind(("127.0.0.1", 0))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(100):
    s.sendto(b"p" * 64, r.getsockname())
    r.recv(64)
u = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
u.connect(sys.argv[1])
socket.send_fds(u, [b"s"], [s.fileno()])
print(r.getsockname()[1])' "$sock")
	retry 200 test -e "$sock.got"
	lw_wait_for type=exit comm=ollama
	lw_stop
	touch "$sock.go"
	wait "$BG_PIDS"
	BG_PIDS=
	[ "$(lw_count type=conn_bytes dport="$port")" -eq 1 ]
	[ "$(flow_field reason dport="$port")" = end ]
	[ "$(flow_field packets dport="$port")" -lt 100 ]
	flow_field flags_seen dport="$port" | grep -q read_failed
	lw_wait_for kind=summary
	$LWQ get losses "$OUT" kind=summary |
		grep -qF '{"type": "conn_bytes", "reason": "read_failed", "count": 1}'
	# the record is there: part of its count is what was lost
	grep -q '^llmwatch: lost part of 1 conn_bytes records (read_failed)$' "$ERR"
}

@test "a socket made before the process was watched (--pid) still has its flow reported" {
	other=$(make_tool someother)
	go="$BATS_TEST_TMPDIR/go"
	run_actor "$other" "$BATS_TEST_TMPDIR/o.json" udp-socket wait-file "$go" udp-keep 200 &
	BG_PIDS=$!
	bg=$BG_PIDS
	retry 200 test -e "$go.waiting"
	lw_start --pid "$bg"
	touch "$go"
	wait "$bg"
	BG_PIDS=
	pid=$(report_get "$BATS_TEST_TMPDIR/o.json" pid)
	port=$(report_get "$BATS_TEST_TMPDIR/o.json" udp-keep_port)
	lw_wait_for type=conn_bytes pid="$pid" dport="$port" protocol=udp packets=200
	lw_stop
	lw_wait_for type=send pid="$pid" dport="$port" flow_first=true tool="pid:$bg"
	[ "$(flow_field bytes pid="$pid" dport="$port")" -eq 12800 ]
}

@test "a socket made before an exec into a tool: marked when llmwatch reads the exec, its flow counted" {
	other=$(make_tool someother)
	tool=$(make_tool ollama)
	go="$BATS_TEST_TMPDIR/go"
	rep="$BATS_TEST_TMPDIR/r.json"
	lw_start
	run_actor "$other" "$rep" udp-receiver udp-socket exec "$tool" wait-file "$go" udp-keep 100 &
	BG_PIDS=$!
	pid=$(actor_waiting "$go")
	# the exec is shown after the socket it kept was marked
	lw_wait_for type=exec pid="$pid" tool=ollama
	actor_release "$go"
	port=$(report_get "$rep" udp_receiver_port)
	lw_wait_for type=conn_bytes pid="$pid" dport="$port" protocol=udp packets=100 bytes=6400
	lw_stop
	[ "$(lw_count type=send pid="$pid" dport="$port")" -eq 1 ]
	lw_wait_for type=send pid="$pid" dport="$port" flow_first=true tool=ollama
}

@test "datagrams on a socket made before an exec into a tool, sent before llmwatch reads the exec: each reported by its send exit" {
	other=$(make_tool someother)
	tool=$(make_tool ollama)
	go="$BATS_TEST_TMPDIR/go"
	rep="$BATS_TEST_TMPDIR/r.json"
	lw_start
	# llmwatch reads nothing until the datagrams are out: the kernel alone must see them
	kill -STOP "$LW_PID"
	run_actor "$other" "$rep" udp-receiver udp-socket exec "$tool" udp-keep 50 wait-file "$go" &
	BG_PIDS=$!
	pid=$(actor_waiting "$go")
	kill -CONT "$LW_PID"
	lw_wait_for type=exec pid="$pid" tool=ollama
	actor_release "$go"
	port=$(report_get "$rep" udp_receiver_port)
	retry 200 $LWQ count-min 50 "$OUT" type=send pid="$pid" dport="$port" bytes=64
	lw_stop
	[ "$(lw_count type=send pid="$pid" dport="$port")" -eq 50 ]
	[ "$(lw_count type=send pid="$pid" dport="$port" flow_first=true)" -eq 0 ]
	[ "$(lw_count type=conn_bytes pid="$pid" dport="$port")" -eq 0 ]
}

@test "a rejected candidate's socket kept across its exec into a tool: the tool's datagrams on it are one new flow" {
	stray=$(make_tool chat)
	tool=$(make_tool ollama)
	go="$BATS_TEST_TMPDIR/go"
	go2="$BATS_TEST_TMPDIR/go2"
	rep="$BATS_TEST_TMPDIR/r.json"
	lw_start
	# the stray's flow is in its socket's storage before llmwatch rejects it
	kill -STOP "$LW_PID"
	run_actor "$stray" "$rep" udp-receiver udp-socket udp-keep 5 wait-file "$go" \
		exec "$tool" wait-file "$go2" udp-keep 20 &
	BG_PIDS=$!
	pid=$(actor_waiting "$go")
	kill -CONT "$LW_PID"
	# a tool started now: once its exec shows, the stray's (earlier in the ring) was read
	marker=$("$tool" -c 'import os; print(os.getpid())')
	lw_wait_for type=exec pid="$marker"
	touch "$go"
	retry 200 test -s "$go2.waiting"
	lw_wait_for type=exec pid="$pid" tool=ollama
	actor_release "$go2"
	port=$(report_get "$rep" udp_receiver_port)
	lw_wait_for type=conn_bytes pid="$pid" dport="$port" protocol=udp packets=20 bytes=1280
	lw_stop
	[ "$(lw_count type=send pid="$pid" dport="$port")" -eq 1 ]
	[ "$(lw_count type=conn_bytes pid="$pid" dport="$port")" -eq 1 ]
}

@test "a datagram sent through io_uring is reported, with its flow" {
	actor=$(make_tool ollama "$PROGS/lw_actor")
	lw_start
	run "$actor" pid uring-udp
	[ "$status" -eq 0 ]
	pid=$(sed -n 's/^pid=//p' <<<"$output")
	port=$(sed -n 's/^uring_udp_port=//p' <<<"$output")
	[ -n "$port" ]
	lw_wait_for type=conn_bytes pid="$pid" dport="$port" protocol=udp packets=1 bytes=64
	lw_stop
	# no syscall tracepoint saw it: the cgroup hook reported the first datagram
	lw_wait_for type=send pid="$pid" daddr=127.0.0.1 dport="$port" via=cgroup flow_first=true
}

@test "a failed datagram send is reported by the syscall's exit, with its error" {
	tool=$(make_tool ollama)
	lw_start
	# a broadcast address without SO_BROADCAST: the kernel refuses it before any packet
	"$tool" -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
try:
    s.sendto(b"z" * 10, ("255.255.255.255", 9))
except PermissionError:
    pass'
	lw_wait_for type=send daddr=255.255.255.255 dport=9 error=EACCES comm=ollama
	lw_stop
	[ "$(lw_count type=conn_bytes daddr=255.255.255.255)" -eq 0 ]
}

@test "llmwatch started after a tool made its UDP socket: the socket is marked, its flow counted" {
	tool=$(make_tool ollama)
	go="$BATS_TEST_TMPDIR/go"
	run_actor "$tool" "$BATS_TEST_TMPDIR/r.json" udp-socket wait-file "$go" udp-keep 100 &
	BG_PIDS=$!
	retry 200 test -e "$go.waiting"
	# found by the start-up scan, with the socket it already holds
	lw_start
	actor_release "$go"
	pid=$(report_get "$BATS_TEST_TMPDIR/r.json" pid)
	port=$(report_get "$BATS_TEST_TMPDIR/r.json" udp-keep_port)
	lw_wait_for type=conn_bytes pid="$pid" dport="$port" protocol=udp packets=100 bytes=6400
	lw_stop
	lw_wait_for type=send pid="$pid" dport="$port" flow_first=true tool=ollama
}

@test "the text output shows the flow's first send and its count" {
	tool=$(make_tool ollama)
	out="$BATS_TEST_TMPDIR/text.out"
	lw_launch "$out"
	run_actor "$tool" "$BATS_TEST_TMPDIR/r.json" udp-flood 50
	port=$(report_get "$BATS_TEST_TMPDIR/r.json" udp-flood_port)
	retry 200 grep -q "conn_bytes.*:$port sent=3200 packets=50 udp-flow (socket_closed)" "$out"
	lw_stop
	grep -q "send.*:$port dgram bytes=64 flow-first" "$out"
}

@test "where flows start in the sendmsg hooks (5.10; LLMWATCH_SENDMSG_HOOKS=1): the same flow, io_uring's too" {
	tool=$(make_tool ollama)
	actor=$(make_tool ollama-c "$PROGS/lw_actor")
	LLMWATCH_SENDMSG_HOOKS=1 lw_start --watch ollama-c
	grep -q 'datagrams: sendmsg4/6 + egress' "$ERR"
	run_actor "$tool" "$BATS_TEST_TMPDIR/r.json" udp-flood 1000
	pid=$(report_get "$BATS_TEST_TMPDIR/r.json" pid)
	port=$(report_get "$BATS_TEST_TMPDIR/r.json" udp-flood_port)
	run "$actor" pid uring-udp
	[ "$status" -eq 0 ]
	upid=$(sed -n 's/^pid=//p' <<<"$output")
	uport=$(sed -n 's/^uring_udp_port=//p' <<<"$output")
	lw_wait_for type=conn_bytes pid="$pid" dport="$port" protocol=udp packets=1000 bytes=64000
	lw_wait_for type=conn_bytes pid="$upid" dport="$uport" protocol=udp packets=1
	lw_stop
	# here the syscall's exit reports the first datagram, with its result
	lw_wait_for type=send pid="$pid" dport="$port" bytes=64 ret=64 flow_first=true
	[ "$(lw_count type=send pid="$pid" dport="$port")" -eq 1 ]
	lw_wait_for type=send pid="$upid" dport="$uport" via=cgroup flow_first=true
}
