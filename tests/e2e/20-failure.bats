#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Losses and failure: a flood through a tiny ring buffer is counted by type and reported,
# and llmwatch still exits cleanly; bad usage and missing privileges give one clear line,
# exit status 2, and leave nothing attached.

load helpers

setup() {
	common_setup
	# an earlier test's programs may still be on their way out: with no llmwatch running,
	# wait until they are gone, so that the count below holds only another llmwatch's
	if [ "$(id -u)" -eq 0 ] && ! pgrep -x llmwatch >/dev/null; then
		wait_count "llmwatch programs loaded with no llmwatch running" -eq 0 attached_programs
	fi
	PROGS_BEFORE=$(attached_programs)
}

teardown() {
	common_teardown
}

# How many llmwatch programs are loaded in the kernel right now. Compared with the count
# when the test started, so that another llmwatch running meanwhile is not taken for ours.
attached_programs() {
	bpftool prog show 2>/dev/null | grep -c " name lw_" || true
}

# nothing_left_attached: the count comes back to where it was when the test started. The
# kernel frees a program some time after its last reference goes (deferred work after an
# RCU grace period), so this waits for it.
nothing_left_attached() {
	wait_count "llmwatch programs loaded (lw_*, $PROGS_BEFORE at the test's start)" \
		-eq "$PROGS_BEFORE" attached_programs
}

@test "a flood through a tiny ring buffer is counted as lost, by type, and llmwatch exits cleanly" {
	requires_bpf
	tool=$(make_tool ollama "$PROGS/lw_actor")
	lw_start --ring-size 4096
	run "$tool" pid flood 200000
	[ "$status" -eq 0 ]
	pid=$(sed -n 's/^pid=//p' <<<"$output")
	[ -n "$pid" ]
	lw_stop
	# the JSON summary and the human one on stderr both say what was lost
	lw_wait_for kind=summary
	lost=$($LWQ get lost "$OUT" kind=summary)
	[ "$lost" -gt 0 ]
	$LWQ get losses "$OUT" kind=summary | grep -q '"type": "open", "reason": "ring_full"'
	grep -Eq "^llmwatch: lost [0-9]+ open records \(ring_full\)$" "$ERR"
	grep -Eq "^llmwatch: [0-9]+ records, [1-9][0-9]* lost$" "$ERR"
	# some records still got through, and they are whole
	[ "$(lw_count type=open pid="$pid" path=/dev/null)" -gt 0 ]
	nothing_left_attached
}

@test "not root: one line saying so, exit 2, nothing attached" {
	requires_root
	command -v setpriv >/dev/null || skip_or_fail "needs setpriv (util-linux)"
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$LLMWATCH" --duration 1
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "${lines[0]}" == "llmwatch: needs root"* ]]
	nothing_left_attached
}

@test "bad options are refused with exit 2 and a message naming the value" {
	run "$LLMWATCH" --ring-size 1000
	[ "$status" -eq 2 ]
	[[ "$output" == *'--ring-size "1000"'* ]]
	run "$LLMWATCH" --duration -3
	[ "$status" -eq 2 ]
	[[ "$output" == *'--duration "-3"'* ]]
	run "$LLMWATCH" --watch "a/b"
	[ "$status" -eq 2 ]
	run "$LLMWATCH" --watch "waytoolongname_abc"
	[ "$status" -eq 2 ]
	run "$LLMWATCH" --no-such-option
	[ "$status" -eq 2 ]
	run "$LLMWATCH" stray-argument
	[ "$status" -eq 2 ]
}

@test "--pid of a process that does not exist: exit 2" {
	requires_root
	run "$LLMWATCH" --pid 2147483646 --duration 1
	[ "$status" -eq 2 ]
	[[ "$output" == *"--pid 2147483646: no such process"* ]]
}

@test "--help and --version tell the truth and exit 0" {
	run "$LLMWATCH" --help
	[ "$status" -eq 0 ]
	[[ "$output" == Usage:* ]]
	for opt in --json --watch --pid --duration --ready-file --ring-size --version; do
		[[ "$output" == *"$opt"* ]]
	done
	run "$LLMWATCH" --version
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "llmwatch "* ]]
}

@test "SIGHUP does not stop it: events after the signal are still reported" {
	requires_bpf
	local tool rep
	lw_start
	kill -HUP "$LW_PID"
	kill -HUP "$LW_PID"
	tool=$(make_tool ollama)
	rep="$BATS_TEST_TMPDIR/rep.json"
	run_actor "$tool" "$rep" refused
	lw_wait_for type=connect tool=ollama
	running "$LW_PID"
	lw_stop
}

@test "SIGTERM stops it cleanly with a summary and nothing left attached" {
	requires_bpf
	lw_start
	kill -TERM "$LW_PID"
	wait "$LW_PID"
	LW_PID=
	lw_wait_for kind=summary lost=0
	nothing_left_attached
}

@test "without CAP_SYS_PTRACE it says what it cannot read; with it, nothing is said" {
	requires_bpf
	run setpriv --inh-caps=-sys_ptrace --bounding-set=-sys_ptrace "$LLMWATCH" --duration 0.3
	[ "$status" -eq 0 ]
	[[ "$output" == *"warning: no CAP_SYS_PTRACE: the executables, command lines"* ]]
	run "$LLMWATCH" --duration 0.3
	[ "$status" -eq 0 ]
	[[ "$output" != *"CAP_SYS_PTRACE"* ]]
	nothing_left_attached
}
