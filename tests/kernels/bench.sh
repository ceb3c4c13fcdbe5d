#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The kernel matrix's benchmark (KERNEL_BENCH=1 tools/kernel-matrix.sh): inside a guest,
# what the traced and untraced syscalls cost with nothing attached (base), with no-op
# programs on llmwatch's hooks (floor), and with llmwatch running, the loop unwatched and
# watched: once with the syscalls hooked by their tracepoints and, where fexit attaches,
# once by fexit on their entry points. busybox sh. Prints parseable lines:
#   LWBENCH kernel <uname -r>
#   LWBENCH hooks <mode> <llmwatch's startup line's hooks>
#   LWBENCH row <rep> <config> <case> <wall ns/iter> <cpu ns/iter> <cpu p10 ns/iter>
#   LWBENCH fail <what>
#   LWBENCH done
# Configurations run in turn within each repetition (base first), so that a ratio compares
# blocks of the same repetition. Environment: LLMWATCH, SYSCALLS (tools/bench/syscalls.c,
# static), FLOOR (tools/bench/floor.c), FLOOR_OBJ (floor.bpf.o), FLOOR_FX_OBJ
# (floor_fexit.bpf.o), WORK, BENCH_SECONDS (per loop, default 0.5), BENCH_REPS (default 3).

: "${LLMWATCH:?}" "${SYSCALLS:?}" "${FLOOR:?}" "${FLOOR_OBJ:?}" "${FLOOR_FX_OBJ:?}" "${WORK:?}"
SECS=${BENCH_SECONDS:-0.5}
REPS=${BENCH_REPS:-3}
CASES="getppid open connect sendto"
mkdir -p "$WORK/bin"
# the same loop under a watched and an unwatched name (tools/bench.py's names)
cp "$SYSCALLS" "$WORK/bin/lwbench-w"
cp "$SYSCALLS" "$WORK/bin/lwbench-u"
: >"$WORK/open-target"
echo "LWBENCH kernel $(uname -r)"

# the loop on the second CPU and the monitors on the first, as tools/bench.py pins them
PIN_BENCH="" PIN_MON=""
if [ "$(nproc)" -ge 2 ] && taskset -c 0 true 2>/dev/null; then
	PIN_BENCH="taskset -c 1" PIN_MON="taskset -c 0"
fi

"$LLMWATCH" --version >"$WORK/version" 2>&1
fexit=0 regs=0
grep -q '^syscall hooks: fexit' "$WORK/version" && fexit=1
grep -q '^syscalls: exit tracepoints alone' "$WORK/version" && regs=1
kern=""
grep -q '^opens: fexit' "$WORK/version" && kern="f_k_file"
grep -q '^connect/bind: fentry' "$WORK/version" && kern="${kern:+$kern,}f_k_sock"

MON_PID=""
# wait_file FILE: up to 60 s (a guest under TCG verifies slowly), while MON_PID lives
wait_file() {
	n=600
	while [ ! -e "$1" ]; do
		if [ "$n" -eq 0 ] || grep -q '^State:.Z' "/proc/$MON_PID/status" 2>/dev/null; then
			return 1
		fi
		sleep 0.1
		n=$((n - 1))
	done
}

# start CONFIG: what CONFIG attaches, ready when this returns 0
start() {
	rm -f "$WORK/ready" "$WORK/ready2"
	MON_PID="" MON2_PID=""
	case "$1" in
	base) return 0 ;;
	floor-tracepoints)
		# llmwatch's syscall tracepoints (no enters where it reads the registers) and
		# the hooks below the syscall it keeps in that mode
		fl=""
		[ "$regs" = 1 ] && fl="-f_enter_"
		$PIN_MON "$FLOOR" "$FLOOR_OBJ" "$WORK/ready" ${fl:+"$fl"} 2>>"$WORK/floor.err" &
		MON_PID=$!
		;;
	floor-fexit)
		$PIN_MON "$FLOOR" "$FLOOR_OBJ" "$WORK/ready" "-f_enter_,-f_exit_" \
			2>>"$WORK/floor.err" &
		MON_PID=$!
		;;
	unwatched-* | watched-*)
		mode=${1#*-}
		$PIN_MON "$LLMWATCH" --watch lwbench-w --syscall-hooks "$mode" --ready-file \
			"$WORK/ready" >/dev/null 2>"$WORK/lw-$1.err" &
		MON_PID=$!
		;;
	esac
	wait_file "$WORK/ready" || return 1
	# the tracing no-ops of the floor: fexit/fentry on the syscalls, the kernel hooks
	case "$1" in
	floor-tracepoints) fx=$kern ;;
	floor-fexit)
		fx="f_fx_${kern:+,$kern}"
		[ "$regs" = 1 ] || fx="$fx,f_fe_"
		;;
	*) return 0 ;;
	esac
	[ -n "$fx" ] || return 0
	$PIN_MON "$FLOOR" "$FLOOR_FX_OBJ" "$WORK/ready2" "$fx" 2>>"$WORK/floor.err" &
	MON2_PID=$!
	MON_PID_SAVE=$MON_PID
	MON_PID=$MON2_PID
	wait_file "$WORK/ready2" || return 1
	MON_PID=$MON_PID_SAVE
}

stop() {
	for p in $MON_PID $MON2_PID; do
		kill -INT "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	MON_PID="" MON2_PID=""
}

configs="base floor-tracepoints unwatched-tracepoints watched-tracepoints"
[ "$fexit" = 1 ] && configs="$configs floor-fexit unwatched-fexit watched-fexit"
for mode in tracepoints fexit; do
	case "$configs" in *"watched-$mode"*) ;; *) continue ;; esac
	"$LLMWATCH" --syscall-hooks "$mode" --duration 0.1 2>&1 |
		sed -n "s/^llmwatch .*; hooks: /LWBENCH hooks $mode /p"
done

rep=1
while [ "$rep" -le "$REPS" ]; do
	for cfg in $configs; do
		if ! start "$cfg"; then
			echo "LWBENCH fail $cfg: did not start ($(tail -n 2 "$WORK"/*.err 2>/dev/null | tr '\n' ' '))"
			stop
			continue
		fi
		name=lwbench-u
		case "$cfg" in watched-*) name=lwbench-w ;; esac
		for c in $CASES; do
			arg=""
			[ "$c" = open ] && arg="$WORK/open-target"
			# CASE ITERATIONS NS_PER_ITER OPS_TOTAL PID CPU_NS_PER_ITER CPU_P10
			# shellcheck disable=SC2086
			out=$($PIN_BENCH "$WORK/bin/$name" "$c" "$SECS" $arg 2>&1) ||
				{ echo "LWBENCH fail $cfg $c: $out"; continue; }
			# shellcheck disable=SC2086 # the fields of the loop's one line
			set -- $out
			echo "LWBENCH row $rep $cfg $c $3 $6 $7"
		done
		stop
	done
	rep=$((rep + 1))
done
echo "LWBENCH done"
