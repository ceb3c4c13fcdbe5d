#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The kernel matrix's choice of accelerator (tools/qemu-accel.sh) is made by trying: KVM
# with the first CPU model whose guest reaches /init, TCG when none does, and KERNEL_ACCEL
# forces one. A stand-in QEMU plays the hosts seen so far: KVM that refuses -cpu max and
# -cpu host (MSR 0x10a), KVM that works, no KVM at all. The real QEMU, on this host, is
# exercised by the kernel matrix itself, whose table names each row's accelerator.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	common_setup
	# the caller's choice (make test with KERNEL_ACCEL=tcg, say) is not this test's
	unset KERNEL_ACCEL KERNEL_KVM_CPUS QEMU_PROBE_TIMEOUT
	# the modules this host has loaded are not this test's either: none, unless a test says
	MODS="$BATS_TEST_TMPDIR/modules"
	mkdir -p "$MODS"
	export QEMU_ACCEL_SYSMODULE="$MODS"
	FAKE="$BATS_TEST_TMPDIR/qemu"
	CALLS="$BATS_TEST_TMPDIR/calls"
	: >"$CALLS"
	: >"$BATS_TEST_TMPDIR/vmlinuz"
	: >"$BATS_TEST_TMPDIR/initrd"
	# FAKE_KVM: none (no KVM here), msr (KVM refuses max and host), ok (KVM takes anything)
	cat >"$FAKE" <<'EOF'
#!/usr/bin/env bash
echo "$*" >>"$CALLS"
accel= cpu= append=
while [ $# -gt 0 ]; do
	case $1 in
	-accel) accel=$2; shift ;;
	-cpu) cpu=$2; shift ;;
	-append) append=$2; shift ;;
	esac
	shift
done
[[ "$append" == *lw.probe* ]] || { echo "not a probe boot" >&2; exit 3; }
if [ "$accel" = kvm ]; then
	case "$FAKE_KVM:$cpu" in
	none:*)
		echo "Could not access KVM kernel module: No such file or directory" >&2
		echo "qemu-system-x86_64: failed to initialize kvm: No such file or directory" >&2
		exit 1 ;;
	msr:max | msr:host*)
		[[ "$cpu" == *-arch-capabilities* ]] || {
			echo "qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69" >&2
			exit 134
		} ;;
	esac
fi
printf 'Linux version 6.1.0\r\nLWTEST alive\r\n'
EOF
	chmod +x "$FAKE"
	export QEMU="$FAKE" CALLS
}

teardown() {
	common_teardown
}

accel() {
	run --separate-stderr "$REPO/tools/qemu-accel.sh" "$BATS_TEST_TMPDIR/vmlinuz" \
		"$BATS_TEST_TMPDIR/initrd"
}

@test "qemu-accel: KVM that refuses -cpu max gets the next model that boots, and says why" {
	FAKE_KVM=msr accel
	[ "$status" -eq 0 ]
	[ "$output" = "kvm max,-arch-capabilities" ]
	[[ "$stderr" == *"kvm with -cpu max: refused (exit 134): qemu-system-x86_64: error: failed to set MSR 0x10a"* ]]
	[ "$(wc -l <"$CALLS")" -eq 2 ]
}

@test "qemu-accel: KVM that works is used with -cpu max, after one boot" {
	FAKE_KVM=ok accel
	[ "$status" -eq 0 ]
	[ "$output" = "kvm max" ]
	[ "$(wc -l <"$CALLS")" -eq 1 ]
}

@test "qemu-accel: no KVM guest starts: TCG, after trying every model" {
	FAKE_KVM=none accel
	[ "$status" -eq 0 ]
	[ "$output" = "tcg max" ]
	[[ "$stderr" == *"Could not access KVM kernel module"* ]]
	[ "$(wc -l <"$CALLS")" -eq 4 ]
	[ "$(grep -c -- '-accel kvm' "$CALLS")" -eq 4 ]
}

@test "qemu-accel: KERNEL_ACCEL=kvm fails, saying so, when no KVM guest starts" {
	FAKE_KVM=none KERNEL_ACCEL=kvm accel
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[[ "$stderr" == *"KERNEL_ACCEL=kvm, but no KVM guest started"* ]]
}

@test "qemu-accel: KERNEL_ACCEL=tcg tries nothing; another value is refused" {
	FAKE_KVM=ok KERNEL_ACCEL=tcg accel
	[ "$status" -eq 0 ]
	[ "$output" = "tcg max" ]
	[ ! -s "$CALLS" ]
	FAKE_KVM=ok KERNEL_ACCEL=hvf accel
	[ "$status" -eq 2 ]
	[[ "$stderr" == *'KERNEL_ACCEL="hvf": auto, kvm or tcg'* ]]
}

@test "qemu-accel: a guest that never reaches /init is a refusal, bounded by the timeout" {
	cat >"$FAKE" <<'EOF'
#!/usr/bin/env bash
echo "$*" >>"$CALLS"
echo "Linux version 6.1.0"
exec sleep 30
EOF
	FAKE_KVM=ok KERNEL_KVM_CPUS=max QEMU_PROBE_TIMEOUT=1 accel
	[ "$status" -eq 0 ]
	[ "$output" = "tcg max" ]
	[[ "$stderr" == *"kvm with -cpu max: refused (exit 124): no /init within 1 s (Linux version 6.1.0)"* ]]
}

@test "qemu-accel: KVM that is PVM (kvm_pvm alone) is not tried: TCG at once, saying why" {
	mkdir "$MODS/kvm" "$MODS/kvm_pvm"
	FAKE_KVM=ok accel
	[ "$status" -eq 0 ]
	[ "$output" = "tcg max" ]
	[[ "$stderr" == *"KVM here is PVM (kvm_pvm loaded, no kvm_amd or kvm_intel)"* ]]
	[ ! -s "$CALLS" ]
	# KERNEL_ACCEL=kvm tries anyway
	FAKE_KVM=ok KERNEL_ACCEL=kvm accel
	[ "$status" -eq 0 ]
	[ "$output" = "kvm max" ]
	[ "$(wc -l <"$CALLS")" -eq 1 ]
}

@test "qemu-accel: kvm_pvm beside kvm_amd is tried as any KVM" {
	mkdir "$MODS/kvm" "$MODS/kvm_pvm" "$MODS/kvm_amd"
	FAKE_KVM=ok accel
	[ "$status" -eq 0 ]
	[ "$output" = "kvm max" ]
	[ "$(wc -l <"$CALLS")" -eq 1 ]
}
