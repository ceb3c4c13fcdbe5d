#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# How the kernel matrix runs QEMU on this host, decided by trying (tools/kernel-matrix.sh):
#
#   tools/qemu-accel.sh KERNEL INITRD
#
# prints one line, "kvm CPU" or "tcg CPU", and the tries on stderr. A writable /dev/kvm
# proves nothing: on some hosts KVM works but refuses `-cpu max` and `-cpu host` (QEMU
# aborts setting MSR 0x10a, IA32_ARCH_CAPABILITIES, before the guest runs a single
# instruction), so each CPU model in turn boots KERNEL with INITRD under KVM, and the first
# whose guest reaches its /init (which prints "LWTEST alive" and powers off when the kernel
# command line has lw.probe) is the one used. When none does, TCG.
#
# One KVM is known not to boot them at all: PVM (module kvm_pvm, "Pagetable-based Virtual
# Machine", virt-pvm/linux), a software KVM for hosts that are themselves guests without
# nested virtualisation, runs only kernels built as PVM guests, which Debian's are not (a
# Debian kernel hangs in its decompressor). With kvm_pvm loaded and neither kvm_amd nor
# kvm_intel, auto takes TCG at once and says why, instead of three timeouts.
#
# Environment: KERNEL_ACCEL (auto, the default; kvm: fail when no KVM guest starts, tried
# even under PVM; tcg: no KVM tries), KERNEL_KVM_CPUS (the models to try, in order), QEMU
# (the binary), QEMU_PROBE_TIMEOUT (seconds per try, default 60: a KVM boot to /init takes
# a few), QEMU_ACCEL_SYSMODULE (where the loaded modules are listed, default /sys/module).
# Exit 0 with a choice, 1 when KERNEL_ACCEL=kvm and no KVM guest started, 2 on bad usage.
set -uo pipefail
QEMU=${QEMU:-qemu-system-x86_64}
ACCEL=${KERNEL_ACCEL:-auto}
CPUS=${KERNEL_KVM_CPUS:-max max,-arch-capabilities host,-arch-capabilities qemu64}
TIMEOUT=${QEMU_PROBE_TIMEOUT:-60}
SYSMODULE=${QEMU_ACCEL_SYSMODULE:-/sys/module}
TCG_CPU=max

say() { echo "qemu-accel: $*" >&2; }

if [ $# -ne 2 ]; then
	say "usage: $0 KERNEL INITRD"
	exit 2
fi
kernel=$1 initrd=$2

case "$ACCEL" in
tcg)
	say "KERNEL_ACCEL=tcg: TCG, no KVM tried"
	echo "tcg $TCG_CPU"
	exit 0
	;;
auto | kvm) ;;
*)
	say "KERNEL_ACCEL=\"$ACCEL\": auto, kvm or tcg"
	exit 2
	;;
esac
for f in "$kernel" "$initrd"; do
	[ -r "$f" ] || { say "cannot read $f"; exit 2; }
done

if [ "$ACCEL" = auto ] && [ -d "$SYSMODULE/kvm_pvm" ] && [ ! -d "$SYSMODULE/kvm_amd" ] &&
	[ ! -d "$SYSMODULE/kvm_intel" ]; then
	say "KVM here is PVM (kvm_pvm loaded, no kvm_amd or kvm_intel): it boots only kernels" \
		"built as PVM guests, not Debian's; TCG, no KVM tried (KERNEL_ACCEL=kvm tries anyway)"
	echo "tcg $TCG_CPU"
	exit 0
fi

# try CPU: whether a KVM guest with that CPU model reaches /init
try() {
	local out rc first
	out=$(timeout "$TIMEOUT" "$QEMU" -accel kvm -cpu "$1" -m 512 -smp 1 -display none \
		-monitor none -serial stdio -no-reboot -kernel "$kernel" -initrd "$initrd" \
		-append "console=ttyS0 quiet panic=-1 lw.probe" </dev/null 2>&1)
	rc=$?
	out=${out//$'\r'/}
	grep -q '^LWTEST alive' <<<"$out" && return 0
	# the first line QEMU or the kernel printed says why, in their words
	first=$(grep -v '^$' <<<"$out" | head -n 1 | cut -c1-200)
	[ "$rc" -eq 124 ] && first="no /init within ${TIMEOUT} s${first:+ ($first)}"
	say "kvm with -cpu $1: refused (exit $rc): ${first:-no output}"
	return 1
}

for cpu in $CPUS; do
	if try "$cpu"; then
		say "kvm with -cpu $cpu: a guest reached /init"
		echo "kvm $cpu"
		exit 0
	fi
done
if [ "$ACCEL" = kvm ]; then
	say "KERNEL_ACCEL=kvm, but no KVM guest started with any of: $CPUS"
	exit 1
fi
say "no KVM guest started: TCG"
echo "tcg $TCG_CPU"
