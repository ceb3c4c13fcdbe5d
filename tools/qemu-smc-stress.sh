#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Why the kernel matrix runs TCG single-threaded (tools/kernel-matrix.sh, qemu_accel_arg):
# boots each cached matrix kernel from a busybox initramfs that flips the raw_syscalls
# sys_enter tracepoint on and off (a static key: the kernel patches its own text) while two
# shell loops make syscalls on both vCPUs, once per QEMU threading mode, and says whether
# the guest finished. With QEMU 7.2 (Debian 12) one thread per vCPU hangs or panics the
# guest within seconds on 5.10, 6.1 and 6.12; one thread for both vCPUs finishes. Rerun it
# on a newer QEMU before going back to the default: llmwatch itself is not involved.
#
#   tools/qemu-smc-stress.sh        (after `make test-kernels` has cached the kernels)
#
# Environment: KERNELS (default "bullseye bookworm trixie"), FLIPS (default 300), MODES
# (default "tcg tcg,thread=single"), STRESS_TIMEOUT (seconds per boot, default 300).
# Exit 0 when every boot under tcg,thread=single finished, 1 otherwise.
set -euo pipefail
CACHE=${LLMWATCH_KERNEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/llmwatch/kernels}
KERNELS=${KERNELS:-bullseye bookworm trixie}
FLIPS=${FLIPS:-300}
MODES=${MODES:-tcg tcg,thread=single}
STRESS_TIMEOUT=${STRESS_TIMEOUT:-300}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root="$work/root"
mkdir -p "$root"/{bin,dev,proc,sys}
cp "$(command -v busybox)" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cat >"$root/init" <<'EOF'
#!/bin/sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tracefs tracefs /sys/kernel/tracing
echo 1 >/proc/sys/kernel/printk
n=$(sed -n 's/.*stress.flips=\([0-9]*\).*/\1/p' /proc/cmdline)
for c in 1 2; do (while :; do cat /proc/self/stat >/dev/null; done) & done
e=/sys/kernel/tracing/events/raw_syscalls/sys_enter/enable
i=0
while [ "$i" -lt "$n" ]; do
	echo 1 >$e
	echo 0 >$e
	i=$((i + 1))
	echo "STRESS flipped $i"
done
echo "STRESS done $i $(cut -d' ' -f1 /proc/uptime)"
poweroff -f
EOF
chmod 755 "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -1 >"$work/initrd.gz"

rc=0
for k in $KERNELS; do
	[ -r "$CACHE/vmlinuz-$k" ] || {
		echo "$k: no $CACHE/vmlinuz-$k (run make test-kernels first)"
		rc=1
		continue
	}
	for mode in $MODES; do
		timeout "$STRESS_TIMEOUT" qemu-system-x86_64 -accel "$mode" -cpu max -m 512 -smp 2 \
			-display none -monitor none -serial stdio -no-reboot -kernel "$CACHE/vmlinuz-$k" \
			-initrd "$work/initrd.gz" \
			-append "console=ttyS0 quiet panic=-1 softlockup_panic=1 stress.flips=$FLIPS" \
			</dev/null 2>&1 | tr -d '\r' >"$work/log" || true
		done_line=$(grep -a '^STRESS done ' "$work/log" || true)
		if [ -n "$done_line" ]; then
			echo "$k, -accel $mode: finished, $FLIPS flips in $(echo "$done_line" | cut -d' ' -f4) s of guest uptime"
			continue
		fi
		last=$(grep -a '^STRESS flipped ' "$work/log" | tail -n 1 | cut -d' ' -f3)
		why=$(grep -a -o -m 1 'soft lockup\|Kernel panic - not syncing: [^\n]*' "$work/log" || echo "no end within ${STRESS_TIMEOUT} s")
		echo "$k, -accel $mode: did not finish after ${last:-0} of $FLIPS flips ($why)"
		[ "$mode" != tcg,thread=single ] || rc=1
	done
done
exit "$rc"
