#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The kernel matrix (`make test-kernels`): boots Debian's 5.10, 6.1 and 6.12 cloud kernels
# under qemu from a busybox initramfs holding llmwatch, runs tests/kernels/scenarios.sh in
# each, runs the same script on the running kernel, and prints one table: kernel, hooks
# chosen, scenarios passed and failed. Ends with "kernel-matrix: N passed, N failed,
# N skipped" (read by tests/run-all.sh); exit 1 if any scenario failed.
#
# Kernel packages come from Debian's archive through apt with its own sources list, state
# and cache directories (the machine's apt setup is read-only to us and left untouched),
# signature-checked against /usr/share/keyrings/debian-archive-keyring.gpg. They are cached
# in $LLMWATCH_KERNEL_CACHE (default ${XDG_CACHE_HOME:-~/.cache}/llmwatch/kernels), which
# `make clean` leaves alone: a re-run downloads nothing. KERNELS_REFRESH=1 fetches again.
#
# Without network (or the archive) the matrix is skipped with a reason, except in CI
# (CI=true), where that is a failure.
#
# Environment: BUILD (build dir, default build), KERNELS (suites, default "bullseye
# bookworm trixie"), KERNEL_MATRIX_HOST (0 to leave out the running kernel), QEMU_TIMEOUT
# (seconds per boot, default 240; a boot, with its two runs of the scenarios, takes about
# 60 under TCG), QEMU_SMP (default 2),
# KERNEL_APPEND (more boot parameters; lw.debug keeps the kernel's messages on the console),
# KERNEL_ACCEL (auto, kvm or tcg) and KERNEL_KVM_CPUS (see tools/qemu-accel.sh: KVM is used
# when a KVM guest really starts, never merely because /dev/kvm is there).
#
# KERNEL_BENCH=1 (`make bench-kernels`) boots the same kernels to run the benchmark instead
# (tests/kernels/bench.sh): getppid, openat+close, connect and sendto with nothing attached,
# the floor, llmwatch unwatched and watched, with the syscalls hooked by tracepoints and,
# where it attaches, by fexit; the table (tools/kernel-bench-table.awk) ends the output.
# Under TCG the timing means nothing, so the benchmark is skipped there, saying so, unless
# KERNEL_BENCH_TCG=1 (to try the mechanics only). BENCH_SECONDS (per loop, default 0.5) and
# BENCH_REPS (default 3) are passed to the guests.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
KERNELS=${KERNELS:-bullseye bookworm trixie}
CACHE=${LLMWATCH_KERNEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/llmwatch/kernels}
QEMU_TIMEOUT=${QEMU_TIMEOUT:-240}
QEMU_SMP=${QEMU_SMP:-2}
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
OUT="$BUILD/kernels"
LLMWATCH="$BUILD/llmwatch"
ACTOR="$OUT/lw_actor"

say() { echo "kernel-matrix: $*" >&2; }

# skip_or_fail REASON: no matrix here; a failure in CI, where it must run
skip_or_fail() {
	if [ "${CI:-}" = true ]; then
		say "required in CI: $1"
		echo "kernel-matrix: 0 passed, 1 failed, 0 skipped"
		exit 1
	fi
	say "skipped: $1"
	echo "kernel-matrix: 0 passed, 0 failed, 1 skipped"
	exit 0
}

BENCH=${KERNEL_BENCH:-0}
BENCH_FILES=""
[ "$BENCH" = 1 ] && BENCH_FILES="$OUT/syscalls $BUILD/bench/floor $BUILD/bench/floor.bpf.o
	$BUILD/bench/floor_fexit.bpf.o tests/kernels/bench.sh"
# shellcheck disable=SC2086 # a list of paths without spaces
for f in "$LLMWATCH" "$ACTOR" tests/kernels/init tests/kernels/scenarios.sh $BENCH_FILES; do
	[ -e "$f" ] || { say "missing $f (run it through make test-kernels)"; exit 2; }
done
for c in qemu-system-x86_64 busybox cpio apt-get dpkg-deb; do
	command -v "$c" >/dev/null || skip_or_fail "needs $c (tools/install-deps.sh all)"
done
[ -r "$KEYRING" ] || skip_or_fail "needs Debian's archive keyring $KEYRING"

# --- fetching -----------------------------------------------------------------------------

# apt_for SUITE apt-get|apt-cache ARGS...: apt with a private sources list, state and cache
apt_for() {
	local d="$CACHE/apt/$1" cmd=$2
	shift 2
	"$cmd" -q -o Dir::Etc::SourceList="$d/sources.list" -o Dir::Etc::SourceParts=/dev/null \
		-o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=/dev/null \
		-o Dir::State="$d/state" -o Dir::State::status="$d/state/status" \
		-o Dir::Cache="$d/cache" -o Debug::NoLocking=1 -o APT::Architecture=amd64 \
		-o APT::Sandbox::User="$(id -un)" "$@"
}

# fetch SUITE: $CACHE/vmlinuz-SUITE (and its config and version), downloaded once
fetch() {
	local suite=$1 d="$CACHE/apt/$1" img deb x
	if [ -s "$CACHE/vmlinuz-$suite" ] && [ -z "${KERNELS_REFRESH:-}" ]; then
		return 0
	fi
	mkdir -p "$d/state/lists/partial" "$d/cache/archives/partial" "$d/debs"
	: >"$d/state/status"
	echo "deb [signed-by=$KEYRING] $MIRROR $suite main" >"$d/sources.list"
	say "fetching $suite's cloud kernel from $MIRROR"
	apt_for "$suite" apt-get update >"$d/update.log" 2>&1 || { cat "$d/update.log" >&2; return 1; }
	# the metapackage names the current ABI's image package
	img=$(apt_for "$suite" apt-cache show linux-image-cloud-amd64 2>/dev/null |
		sed -n 's/^Depends: \(linux-image-[^ ,]*-cloud-amd64\).*/\1/p' | head -n 1)
	[ -n "$img" ] || { say "$suite: no linux-image-cloud-amd64 in the index"; return 1; }
	rm -f "$d"/debs/*.deb
	(cd "$d/debs" && apt_for "$suite" apt-get download "$img") >"$d/download.log" 2>&1 ||
		{ cat "$d/download.log" >&2; return 1; }
	deb=$(ls "$d"/debs/*.deb)
	x=$(mktemp -d)
	dpkg-deb -x "$deb" "$x"
	cp "$x"/boot/vmlinuz-* "$CACHE/vmlinuz-$suite.tmp"
	cp "$x"/boot/config-* "$CACHE/config-$suite"
	basename "$x"/boot/vmlinuz-* | sed 's/^vmlinuz-//' >"$CACHE/release-$suite"
	rm -rf "$x" "$d/debs"
	mv "$CACHE/vmlinuz-$suite.tmp" "$CACHE/vmlinuz-$suite"
}

mkdir -p "$CACHE" "$OUT"
for s in $KERNELS; do
	fetch "$s" || skip_or_fail "cannot download $s's kernel from $MIRROR (no network?)"
done

# --- the initramfs ------------------------------------------------------------------------

# The same initramfs boots every kernel: the cloud kernels have virtio, the serial console,
# initramfs, cgroup2, BPF and io_uring built in, so no modules are needed.
build_initramfs() {
	local root="$OUT/root" lib
	rm -rf "$root"
	mkdir -p "$root"/{bin,dev,etc,lw,proc,root,sys,tmp}
	cp "$(command -v busybox)" "$root/bin/busybox"
	ln -s busybox "$root/bin/sh"
	cp "$LLMWATCH" "$ACTOR" tests/kernels/scenarios.sh "$root/lw/"
	# shellcheck disable=SC2086
	[ -z "$BENCH_FILES" ] || cp $BENCH_FILES "$root/lw/"
	cp tests/kernels/init "$root/init"
	chmod 755 "$root/init" "$root/lw/scenarios.sh"
	# llmwatch (and the floor's loader) are linked dynamically: their libraries and loader,
	# at the same paths
	for lib in $({ ldd "$LLMWATCH"; [ "$BENCH" = 0 ] || ldd "$BUILD/bench/floor"; } |
		grep -o '/[^ ]*' | sort -u); do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
	printf 'root:x:0:\n' >"$root/etc/group"
	echo lwvm >"$root/etc/hostname"
	(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -1 >"$OUT/initramfs.cpio.gz"
}
build_initramfs

# --- running ------------------------------------------------------------------------------

# A soft lockup panics the guest at once (not QEMU_TIMEOUT later) after asking every CPU
# for its backtrace, and the panic replays the whole kernel log on the console, where the
# init's quiet console level had kept the backtraces out: a hung boot's log says where
# each CPU was (see "Open" under "Kernel matrix" in the README).
HANG_DEBUG="softlockup_panic=1 softlockup_all_cpu_backtrace=1 panic_print=0x20"

# TCG runs every vCPU of a guest in one host thread (thread=single), never one thread per
# vCPU (QEMU's default, MTTCG): QEMU 7.2's MTTCG mishandles kernel text that one vCPU patches
# while another runs it, and a static key flipped under load hangs or panics the guest on
# 5.10, 6.1 and 6.12 alike (tools/qemu-smc-stress.sh shows it in seconds; README "Kernel
# matrix"). llmwatch flips such keys at every attach and detach of its programs.
qemu_accel_arg() {
	if [ "$1" = tcg ]; then echo tcg,thread=single; else echo "$1"; fi
}

# How QEMU runs here, decided by trying (tools/qemu-accel.sh): KVM with the first CPU model
# whose guest reaches /init, TCG otherwise; KERNEL_ACCEL=kvm|tcg forces one.
first_suite=${KERNELS%% *}
choice=$(tools/qemu-accel.sh "$CACHE/vmlinuz-$first_suite" "$OUT/initramfs.cpio.gz") || {
	rc=$?
	say "cannot run QEMU as KERNEL_ACCEL=${KERNEL_ACCEL:-auto} asks (tools/qemu-accel.sh exit $rc)"
	echo "kernel-matrix: 0 passed, 1 failed, 0 skipped"
	exit 1
}
read -r ACCEL CPU <<<"$choice"
say "QEMU runs with -accel $(qemu_accel_arg "$ACCEL") -cpu $CPU"
if [ "$BENCH" = 1 ] && [ "$ACCEL" != kvm ] && [ "${KERNEL_BENCH_TCG:-0}" != 1 ]; then
	say "benchmark skipped: no KVM guest here, and under TCG (an emulator) the guests'"
	say "timing says nothing about the kernels' cost (KERNEL_BENCH_TCG=1 runs it anyway)"
	echo "kernel-matrix: 0 passed, 0 failed, 1 skipped"
	exit 0
fi
BENCH_APPEND=""
[ "$BENCH" = 1 ] &&
	BENCH_APPEND="lw.bench lw.bench_seconds=${BENCH_SECONDS:-0.5} lw.bench_reps=${BENCH_REPS:-3}"

# The probe boot on a real kernel, on every host: where KVM was not taken, TCG stands in
# for it (a QEMU that runs "-accel kvm" as tcg), so the init's lw.probe path and the reading
# of its answer are checked here too, not only under a stand-in QEMU (tests/e2e).
probe_result="ok accel-probe"
if [ "$ACCEL" != kvm ]; then
	cat >"$OUT/qemu-tcg-as-kvm" <<'EOF'
#!/usr/bin/env bash
args=()
for a in "$@"; do [ "$a" = kvm ] && a=tcg; args+=("$a"); done
exec qemu-system-x86_64 "${args[@]}"
EOF
	chmod +x "$OUT/qemu-tcg-as-kvm"
	got=$(QEMU="$OUT/qemu-tcg-as-kvm" KERNEL_ACCEL=kvm KERNEL_KVM_CPUS=max \
		tools/qemu-accel.sh "$CACHE/vmlinuz-$first_suite" "$OUT/initramfs.cpio.gz" 2>&1 |
		tail -n 1) || true
	[ "$got" = "kvm max" ] ||
		probe_result="fail accel-probe: the probe boot under TCG ended \"$got\""
fi

# boot_once SUITE ACCEL CPU: runs the scenarios under SUITE's kernel; the serial console
# goes to a log; the row's accelerator is kept beside it for the table
boot_once() {
	local suite=$1 accel=$2 cpu=$3
	echo "$accel${cpu:+/$cpu}" >"$OUT/$suite.accel"
	timeout "$QEMU_TIMEOUT" qemu-system-x86_64 -accel "$(qemu_accel_arg "$accel")" -cpu "$cpu" -m 1024 \
		-smp "$QEMU_SMP" -display none -monitor none -serial stdio -no-reboot \
		-kernel "$CACHE/vmlinuz-$suite" -initrd "$OUT/initramfs.cpio.gz" \
		-append "console=ttyS0 quiet lsm=lockdown,yama,bpf panic=-1 $HANG_DEBUG $BENCH_APPEND ${KERNEL_APPEND:-}" \
		</dev/null >"$OUT/$suite.log" 2>&1 || true
	tr -d '\r' <"$OUT/$suite.log" >"$OUT/$suite.lwtest"
	# one file per run of the scenarios (tests/kernels/init: "LWTEST run auto|tracepoints")
	awk -v base="$OUT/$suite" '/^LWTEST run / { f = base "." $3 ".lwtest"; next }
		f { print > f }' "$OUT/$suite.lwtest"
}

# boot SUITE: boot_once, and once more if the guest hung with soft lockups before finishing.
# Under multi-threaded TCG a guest hung that way about one boot in twenty (qemu_accel_arg);
# the retry stays for whatever else might, never silent: the table says so and the hung
# boot's log is kept, and a hang of llmwatch's making repeats and fails the row.
notes=""
boot() {
	local suite=$1
	rm -f "$OUT/$suite".*.lwtest
	boot_once "$suite" "$ACCEL" "$CPU"
	# KVM was chosen on the first kernel: one whose guest never got to /init under it is
	# booted again under TCG, and the table says so (never when KVM was asked for)
	if [ "$ACCEL" = kvm ] && [ "${KERNEL_ACCEL:-auto}" = auto ] &&
		! grep -q '^LWTEST ' "$OUT/$suite.lwtest"; then
		cp "$OUT/$suite.log" "$OUT/$suite.kvm.log"
		say "$suite: no guest under KVM (log in $OUT/$suite.kvm.log); booting under TCG"
		notes="$notes    $suite: did not start under KVM (log in $OUT/$suite.kvm.log), this row is TCG
"
		boot_once "$suite" tcg max
	fi
	# The same for a guest kernel that panicked under TCG: seen once (2026-12-06, 6.12,
	# multi-threaded TCG) with the instruction pointer inside a 5-byte NOP of kernel_clone
	# that a static key was patching, in a run whose repeat passed. Kept and said, never
	# hidden: a panic of llmwatch's making repeats and fails the row.
	if [ "$(grep -c '^LWTEST done ' "$OUT/$suite.lwtest")" -lt 2 ] && [ "$(cut -d/ -f1 "$OUT/$suite.accel")" = tcg ] &&
		grep -q 'Kernel panic - not syncing: Fatal exception' "$OUT/$suite.log"; then
		cp "$OUT/$suite.log" "$OUT/$suite.panic.log"
		say "$suite: the guest kernel panicked under TCG (log in $OUT/$suite.panic.log); booting once more"
		notes="$notes    $suite: panicked once under TCG (log in $OUT/$suite.panic.log), this row is the retry
"
		boot_once "$suite" "$(cut -d/ -f1 "$OUT/$suite.accel")" "$(cut -d/ -f2- "$OUT/$suite.accel")"
	elif [ "$(grep -c '^LWTEST done ' "$OUT/$suite.lwtest")" -lt 2 ] &&
		grep -q 'soft lockup' "$OUT/$suite.log"; then
		cp "$OUT/$suite.log" "$OUT/$suite.hung.log"
		say "$suite: the guest hung (soft lockup, log in $OUT/$suite.hung.log); booting once more"
		notes="$notes    $suite: hung once with soft lockups (log in $OUT/$suite.hung.log), this row is the retry
"
		boot_once "$suite" "$(cut -d/ -f1 "$OUT/$suite.accel")" "$(cut -d/ -f2- "$OUT/$suite.accel")"
	fi
}

# host: the same scenarios on the running kernel, with a private tmpfs as /root so that the
# test key never lands in a real home directory
host() {
	local w
	if [ "$(id -u)" -ne 0 ] || [ ! -r /sys/kernel/btf/vmlinux ]; then
		echo "LWTEST fail host: needs root and kernel BTF" >"$OUT/host.lwtest"
		return
	fi
	w=$(mktemp -d)
	unshare -m --propagation private sh -c 'mount -t tmpfs lwhome /root &&
		LLMWATCH="$1" ACTOR="$2" WORK="$3" HOME=/root busybox sh tests/kernels/scenarios.sh' \
		sh "$(readlink -f "$LLMWATCH")" "$(readlink -f "$ACTOR")" "$w" \
		>"$OUT/host.lwtest" 2>&1 || true
	rm -rf "$w"
}

# row NAME LABEL [SUITE]: one table row from NAME's LWTEST lines (SUITE: whose .accel);
# adds to the totals
passed=0 failed=0
row() {
	local f="$OUT/$1.lwtest" kernel hooks args open sock sys p fl accel=-
	[ -r "$OUT/${3:-$1}.accel" ] && accel=$(cat "$OUT/${3:-$1}.accel")
	# a boot that ended before this run of the scenarios left no file: a row all the same
	# (under pipefail a missing file would end the script here, with no table or totals)
	kernel=$(sed -n 's/^LWTEST kernel //p' "$f" 2>/dev/null | head -n 1) || kernel=
	hooks=$(sed -n 's/^LWTEST hooks //p' "$f" 2>/dev/null | head -n 1) || hooks=
	case "$hooks" in
	*"task storage"*) args=regs+task ;;
	*"saved registers"*) args=registers ;;
	"") args=- ;;
	*) args=enter ;;
	esac
	case "$hooks" in *security_file_open*) open=fexit ;; "") open=- ;; *) open=tracepoint ;; esac
	case "$hooks" in *security_socket_connect*) sock=fentry ;; "") sock=- ;; *) sock=tracepoint ;; esac
	case "$hooks" in *"no syscall tracepoint"*) sys=fexit ;; "") sys=- ;; *) sys=tracepoint ;; esac
	p=$(grep -c '^LWTEST ok ' "$f" 2>/dev/null || true)
	fl=$(grep -c '^LWTEST fail ' "$f" 2>/dev/null || true)
	# a boot that never finished counts as one failure
	grep -q '^LWTEST done ' "$f" 2>/dev/null || fl=$((fl + 1))
	printf '%-28s %-6s %-16s %-12s %-10s %-11s %-11s %6s %6s\n' "${kernel:-?}" "$2" "$accel" \
		"$sys" "$args" "$open" "$sock" "$p" "$fl"
	grep '^LWTEST fail ' "$f" 2>/dev/null | sed 's/^LWTEST fail /    failed: /' || true
	grep -q '^LWTEST done ' "$f" 2>/dev/null || echo "    no result: see $OUT/${3:-$1}.log"
	passed=$((passed + p))
	failed=$((failed + fl))
}

start=$(date +%s)
for s in $KERNELS; do
	say "booting $(cat "$CACHE/release-$s") ($s) under qemu"
	boot "$s"
done
if [ "$BENCH" = 1 ]; then
	echo
	echo "Kernel matrix benchmark, QEMU -accel $(qemu_accel_arg "$ACCEL") -cpu $CPU, -smp $QEMU_SMP, on $(nproc) host CPUs;"
	echo "CPU ns per iteration (10th percentile over chunks of 256 calls), base: median over"
	echo "${BENCH_REPS:-3} repetitions of ${BENCH_SECONDS:-0.5} s; ratios to the base of the same repetition,"
	echo "median (min-max)$([ "$ACCEL" = kvm ] || echo "; UNDER TCG: these numbers mean nothing")"
	echo
	for s in $KERNELS; do
		grep -h '^LWBENCH hooks ' "$OUT/$s.lwtest" | sed "s/^LWBENCH hooks /$s: /" || true
	done
	echo
	# shellcheck disable=SC2046 # one path per kernel, no spaces in them
	awk -f tools/kernel-bench-table.awk $(for s in $KERNELS; do echo "$OUT/$s.lwtest"; done)
	fl=0
	for s in $KERNELS; do
		grep -q '^LWBENCH done' "$OUT/$s.lwtest" || { fl=$((fl + 1)); echo "$s: no result: see $OUT/$s.log"; }
		if grep -q '^LWBENCH fail' "$OUT/$s.lwtest"; then fl=$((fl + 1)); fi
	done
	echo "kernel-matrix: $(($(echo "$KERNELS" | wc -w) - fl)) passed, $fl failed, 0 skipped"
	[ "$fl" -eq 0 ]
	exit
fi
[ "${KERNEL_MATRIX_HOST:-1}" = 0 ] || host

echo
printf '%-28s %-6s %-16s %-12s %-10s %-11s %-11s %6s %6s\n' kernel where accel/cpu \
	"syscall hook" "arguments" "open hook" connect/bind passed failed
for s in $KERNELS; do
	row "$s.auto" qemu "$s"
	row "$s.tracepoints" qemu "$s"
done
[ "${KERNEL_MATRIX_HOST:-1}" = 0 ] || row host host
printf '%s' "$notes"
# the probe boot (above) counts as one scenario
echo "accel probe ($first_suite): ${probe_result}"
case "$probe_result" in ok*) passed=$((passed + 1)) ;; *) failed=$((failed + 1)) ;; esac
echo "(hooks as llmwatch's startup line names them; each kernel runs the scenarios twice: as"
echo " llmwatch chooses, then with --syscall-hooks tracepoints; syscall hook: fexit on the"
echo " syscalls' entry points, or their tracepoints; arguments: from the saved registers at the"
echo " exit (+task: call state in task storage), or saved at enter; accel/cpu: how QEMU ran that"
echo " row (tools/qemu-accel.sh; tcg: both vCPUs in one host thread); logs in $OUT;"
echo " $(($(date +%s) - start)) s)"
echo "kernel-matrix: $passed passed, $failed failed, 0 skipped"
[ "$failed" -eq 0 ]
