#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# How the syscalls are hooked (issue 18 item 4): --syscall-hooks auto takes fexit on the
# syscalls' entry points where the kernel lets it attach (no syscall tracepoint, which would
# tax every syscall of the machine) and the tracepoints elsewhere; fexit forced where it is
# refused fails with one clear line. Both ways run the kernel matrix's scenarios on Debian's
# kernels (tools/kernel-matrix.sh); here, the choice on this kernel, the option's checking,
# and the kernel matrix benchmark's table (tools/kernel-bench-table.awk) from known lines.

load helpers

setup() {
	common_setup
}

teardown() {
	common_teardown
}

@test "syscall-hooks: a value other than auto, fexit or tracepoints is refused" {
	run "$LLMWATCH" --syscall-hooks kprobe --duration 0.1
	[ "$status" -eq 2 ]
	[[ "$output" == *'--syscall-hooks "kprobe": "auto", "fexit" or "tracepoints"'* ]]
}

@test "syscall-hooks: auto takes what --version promises; forced tracepoints are tracepoints" {
	requires_bpf
	run "$LLMWATCH" --version
	[ "$status" -eq 0 ]
	line=$(grep '^syscall hooks: ' <<<"$output")
	lw_start
	if [[ "$line" == "syscall hooks: fexit"* ]]; then
		grep -q 'hooks: .*fexit on the syscalls (__x64_sys_\*; no syscall tracepoint' "$ERR"
	else
		[[ "$line" == "syscall hooks: tracepoints, which every syscall of the machine pays for (fexit on __x64_sys_*: "* ]]
		grep -q 'hooks: .*syscall exit tracepoints\|hooks: .*syscall enter+exit tracepoints' "$ERR"
		! grep -q 'no syscall tracepoint' "$ERR"
	fi
	lw_stop
	lw_start --syscall-hooks tracepoints
	grep -q 'hooks: .*syscall e[a-z+]* tracepoints' "$ERR"
	! grep -q 'no syscall tracepoint' "$ERR"
	lw_stop
}

@test "syscall-hooks: fexit forced where the kernel refuses it fails, saying why" {
	requires_bpf
	run "$LLMWATCH" --version
	[[ "$output" == *"syscall hooks: tracepoints"* ]] || skip "fexit attaches here"
	run "$LLMWATCH" --syscall-hooks fexit --duration 0.1
	[ "$status" -eq 2 ]
	[[ "$output" == *"--syscall-hooks fexit: fexit does not attach to the syscalls' entry points on this kernel ("*"); use auto or tracepoints"* ]]
}

@test "kernel bench table: each ratio against its own repetition's base, median and range" {
	cat >"$BATS_TEST_TMPDIR/guest.log" <<'LOG'
noise before
LWBENCH kernel 6.1.0-test
LWBENCH row 1 base getppid 120 100 100
LWBENCH row 1 floor-fexit getppid 130 103 102
LWBENCH row 1 watched-tracepoints getppid 150 130 125
LWBENCH row 2 base getppid 120 110 110
LWBENCH row 2 floor-fexit getppid 130 111 110
LWBENCH row 2 watched-tracepoints getppid 150 140 132
LWBENCH row 3 base getppid 120 90 90
LWBENCH row 3 floor-fexit getppid 130 100 99
LWBENCH row 3 watched-tracepoints getppid 150 120 117
LWBENCH row 1 base open 2000 1500 1000
LWBENCH fail watched-fexit: did not start
LWBENCH done
LOG
	run awk -f "$REPO/tools/kernel-bench-table.awk" "$BATS_TEST_TMPDIR/guest.log"
	[ "$status" -eq 0 ]
	echo "$output"
	# base: median of 100, 110, 90; floor-fexit: 1.02, 1.00, 1.10; watched: 1.25, 1.20, 1.30
	[[ "$output" == *"| 6.1.0-test | getppid (untraced) | 100 | - | - | **1.25x** (1.20-1.30) | **1.02x** (1.00-1.10) | - | - |"* ]]
	[[ "$output" == *"| 6.1.0-test | openat+close | 1000 | - | - | - | - | - | - |"* ]]
	[[ "$output" == *"6.1.0-test:"*"failed:"*"watched-fexit: did not start"* ]]
}
