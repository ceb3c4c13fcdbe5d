#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# --cgroups watched: the cgroup programs are attached to the cgroup a watched tool runs in,
# not to the whole machine; a connection they could not see (the tool moved to a cgroup
# without them) is counted as lost, not passed over; the periodic sweep follows moves and
# leaves cgroups the watched processes have left.

load helpers

setup() {
	requires_bpf
	common_setup
	CG2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
	[ -n "$CG2" ] || skip_or_fail "needs a cgroup2 hierarchy"
	CG_A="$CG2/llmwatch-test-$$-a"
	CG_B="$CG2/llmwatch-test-$$-b"
	CG_C="$CG2/llmwatch-test-$$-c"
	mkdir "$CG_A" "$CG_B" "$CG_C"
}

teardown() {
	common_teardown
	# the actor has exited (or is killed here); empty cgroups can go
	for cg in "$CG_A" "$CG_B" "$CG_C"; do
		[ -d "$cg" ] || continue
		for p in $(cat "$cg/cgroup.procs" 2>/dev/null); do kill "$p" 2>/dev/null || true; done
		retry 20 rmdir "$cg" || true
	done
}

# lw_progs_on CGROUP: how many programs of the llmwatch under test are attached to CGROUP
# itself. Its own are known by their ids, the prog_id lines of its descriptors' fdinfo
# (remembered, for the counts after it stopped): a daemon running beside the test attaches
# its own lw_cg_ programs to the root, and Debian 12's bpftool cannot list a program's
# holders (`bpftool prog show` has no pids there).
lw_progs_on() {
	local ids="$BATS_TEST_TMPDIR/lw-prog-ids"
	if [ -n "${LW_PID:-}" ]; then
		awk '$1 == "prog_id:" { print $2 }' /proc/"$LW_PID"/fdinfo/* 2>/dev/null >>"$ids" || true
	fi
	bpftool cgroup show "$1" 2>/dev/null |
		awk -v ids="$ids" 'BEGIN { while ((getline id <ids) > 0) own[id] = 1 }
			($1 in own) && $NF ~ /^lw_cg_/ { n++ } END { print n + 0 }'
}

# progs_on CGROUP OP N: wait until the count on CGROUP compares to N as test(1)'s OP says,
# counting again on each try (`retry 50 test "$(lw_progs_on X)" ...` would count once,
# before the first try); fail saying what was last counted
progs_on() {
	wait_count "llmwatch programs on ${1#"$CG2"}" "$2" "$3" lw_progs_on "$1"
}

@test "--cgroups watched attaches to the watched tool's cgroup only, and counts what it missed" {
	tool=$(make_tool ollama)
	# no sweep: it would follow the move below, and the miss is what this test is about
	LLMWATCH_CGROUP_SWEEP_MS=0 lw_start --cgroups watched
	grep -q 'cgroup_skb (on watched processes' "$ERR"
	[ "$(lw_progs_on "$CG2")" -eq 0 ]

	# the tool starts in cgroup A, connects once, moves to B (not attached), connects again
	(echo "$BASHPID" >"$CG_A/cgroup.procs" &&
		exec "$tool" "$REPO/tests/e2e/actor.py" "$BATS_TEST_TMPDIR/r.json" \
			wait-file "$BATS_TEST_TMPDIR/go1" tcp wait-file "$BATS_TEST_TMPDIR/go2" tcp) &
	apid=$!
	BG_PIDS=$apid
	progs_on "$CG_A" -ge 8
	[ "$(lw_progs_on "$CG2")" -eq 0 ]
	[ "$(lw_progs_on "$CG_B")" -eq 0 ]
	touch "$BATS_TEST_TMPDIR/go1"
	lw_wait_for type=conn_bytes pid="$apid" bytes=1000
	echo "$apid" >"$CG_B/cgroup.procs"
	touch "$BATS_TEST_TMPDIR/go2"
	wait "$apid"
	lw_wait_for type=exit pid="$apid"
	lw_stop

	[ "$(lw_count type=connect pid="$apid" ret=0)" -eq 2 ]
	# only the connection made inside A has its bytes; the other is counted as lost
	[ "$(lw_count type=conn_bytes pid="$apid")" -eq 1 ]
	grep -q '^llmwatch: lost 1 conn_bytes records (no_cgroup_hook)$' "$ERR"
	[ "$($LWQ count 0 "$OUT" kind=summary lost=1)" -eq 1 ]
}

@test "--cgroups watched follows a tool that moved, and leaves its cgroups after it exits" {
	tool=$(make_tool ollama)
	LLMWATCH_CGROUP_SWEEP_MS=200 lw_start --cgroups watched
	(echo "$BASHPID" >"$CG_A/cgroup.procs" &&
		exec "$tool" "$REPO/tests/e2e/actor.py" "$BATS_TEST_TMPDIR/r.json" \
			wait-file "$BATS_TEST_TMPDIR/go" tcp wait-file "$BATS_TEST_TMPDIR/end") &
	apid=$!
	BG_PIDS=$apid
	progs_on "$CG_A" -ge 8
	[ "$(lw_progs_on "$CG_B")" -eq 0 ]

	# moved without an exec: B is attached by a sweep; A stays, for the sockets the tool
	# made there (a socket keeps its cgroup), as long as the tool lives
	echo "$apid" >"$CG_B/cgroup.procs"
	progs_on "$CG_B" -ge 8
	# sweeps go on meanwhile, and A stays. Proof that they ran: a short-lived tool in C is
	# let go, which takes two sweeps after its exit.
	(echo "$BASHPID" >"$CG_C/cgroup.procs" &&
		exec "$tool" "$REPO/tests/e2e/actor.py" "$BATS_TEST_TMPDIR/c.json" \
			wait-file "$BATS_TEST_TMPDIR/c-end") &
	cpid=$!
	BG_PIDS="$apid $cpid"
	progs_on "$CG_C" -ge 8
	touch "$BATS_TEST_TMPDIR/c-end"
	wait "$cpid"
	BG_PIDS=$apid
	progs_on "$CG_C" -eq 0
	[ "$(lw_progs_on "$CG_A")" -ge 8 ]
	[ "$(lw_progs_on "$CG2")" -eq 0 ]
	# and its connection from B is seen whole: bytes, and nothing lost
	touch "$BATS_TEST_TMPDIR/go"
	lw_wait_for type=conn_bytes pid="$apid" bytes=1000

	# the last watched process of both exits: both are let go
	touch "$BATS_TEST_TMPDIR/end"
	wait "$apid"
	lw_wait_for type=exit pid="$apid"
	progs_on "$CG_B" -eq 0
	progs_on "$CG_A" -eq 0
	lw_stop
	grep -q '^llmwatch: [0-9]* records, 0 lost$' "$ERR"
}

@test "LLMWATCH_CGROUP_SWEEP_MS that is not a number is a usage error" {
	LLMWATCH_CGROUP_SWEEP_MS=5s run "$LLMWATCH" --cgroups watched
	[ "$status" -eq 2 ]
	[[ "$output" == *'LLMWATCH_CGROUP_SWEEP_MS="5s": a number of milliseconds'* ]]
}

@test "--cgroups watched: a tool restarted in a new cgroup of the same path is covered again" {
	tool=$(make_tool ollama)
	lw_start --cgroups watched
	for run in 1 2; do
		# as systemd does on a service restart: the old cgroup goes, a new one comes
		if [ "$run" = 2 ]; then
			retry 20 rmdir "$CG_A"
			mkdir "$CG_A"
		fi
		(echo "$BASHPID" >"$CG_A/cgroup.procs" &&
			exec "$tool" "$REPO/tests/e2e/actor.py" "$BATS_TEST_TMPDIR/r$run.json" \
				wait-file "$BATS_TEST_TMPDIR/go$run" tcp) &
		apid=$!
		BG_PIDS=$apid
		progs_on "$CG_A" -ge 8
		touch "$BATS_TEST_TMPDIR/go$run"
		wait "$apid"
		lw_wait_for type=conn_bytes pid="$apid" bytes=1000
	done
	lw_stop
	grep -q '^llmwatch: [0-9]* records, 0 lost$' "$ERR"
}

@test "--cgroups watched: a tool running before llmwatch starts has its cgroup covered at ready" {
	tool=$(make_tool ollama)
	(echo "$BASHPID" >"$CG_A/cgroup.procs" &&
		exec "$tool" "$REPO/tests/e2e/actor.py" "$BATS_TEST_TMPDIR/r.json" \
			wait-file "$BATS_TEST_TMPDIR/go" tcp) &
	apid=$!
	BG_PIDS=$apid
	# the actor is the tool (python3 under the name ollama) once its comm says so
	retry 50 grep -qx ollama "/proc/$apid/comm"
	lw_start --cgroups watched
	# --ready-file promises running tools are found: their cgroups are covered by then
	[ "$(lw_progs_on "$CG_A")" -ge 8 ]
	[ "$(lw_progs_on "$CG2")" -eq 0 ]
	touch "$BATS_TEST_TMPDIR/go"
	wait "$apid"
	lw_wait_for type=conn_bytes pid="$apid" bytes=1000
	lw_stop
}

@test "--cgroups all (the default) attaches to the root of the hierarchy" {
	lw_start
	progs_on "$CG2" -ge 8
	[ "$(lw_progs_on "$CG_A")" -eq 0 ]
	lw_stop
	progs_on "$CG2" -eq 0
}

@test "--cgroups with another value is a usage error" {
	run "$LLMWATCH" --cgroups some
	[ "$status" -eq 2 ]
	[[ "$output" == *'--cgroups "some": "all" or "watched"'* ]]
}
