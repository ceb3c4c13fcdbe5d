#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Runs every test suite (the layering check of user/, C unit tests, fuzz smoke, the bats
# end-to-end tests, the kernel matrix, then the quality gates: format, lint, the ASan/UBSan
# build's unit and end-to-end tests) and ends with one line "N passed, N failed, N skipped": the totals over all suites.
# Exit 1 on any failure.
# With CI=true a skipped test counts as a failure (see tests/e2e/helpers.bash).
set -u
BUILD=${BUILD:-build}
ASAN_BUILD=${ASAN_BUILD:-build-asan}
export BUILD	# tests/e2e/helpers.bash reads it
what=${1:-all}
passed=0 failed=0 skipped=0

# unit_tests DIR: runs DIR/tests/test_* and adds their summary lines to the totals.
unit_tests() {
	local t out rc line p f
	for t in "$1"/tests/test_*; do
		[ -x "$t" ] || continue
		out=$("$t" 2>&1); rc=$?
		printf '%s\n' "$out"
		line=$(printf '%s\n' "$out" | grep -E '^[a-z0-9_]+: [0-9]+ passed, [0-9]+ failed$' | tail -n1)
		if [ -z "$line" ]; then
			echo "$t: no summary line (exit $rc): counted as one failure"
			failed=$((failed + 1)); continue
		fi
		p=$(sed -E 's/.*: ([0-9]+) passed.*/\1/' <<<"$line")
		f=$(sed -E 's/.* ([0-9]+) failed$/\1/' <<<"$line")
		[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
		passed=$((passed + p)); failed=$((failed + f))
	done
}

# e2e_tests [WRAPPER...]: runs the bats suite (against $BUILD, which helpers.bash reads),
# through WRAPPER if given, and adds its results to the totals.
e2e_tests() {
	local tap p s f
	tap=$(mktemp)
	"$@" bats --tap tests/e2e | tee "$tap"
	p=$(grep -E '^ok ' "$tap" | grep -vc '# skip' || true)
	s=$(grep -E '^ok .*# skip' "$tap" | wc -l)
	f=$(grep -cE '^not ok ' "$tap" || true)
	passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
	rm -f "$tap"
}

# make_suite NAME TARGET...: runs make TARGET, which ends with "NAME: N passed, N failed".
make_suite() {
	local name=$1 log line p f
	shift
	log=$(mktemp)
	make --no-print-directory "$@" BUILD="$BUILD" 2>&1 | tee "$log"
	line=$(grep -E "^$name: [0-9]+ passed, [0-9]+ failed$" "$log" | tail -n1)
	if [ -z "$line" ]; then
		echo "$name: no summary line: counted as one failure"
		failed=$((failed + 1))
	else
		read -r p f <<<"$(sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed/\1 \2/' <<<"$line")"
		passed=$((passed + p)); failed=$((failed + f))
	fi
	rm -f "$log"
}

# The layering of user/: one test per source file and one for the folder graph.
if [ "$what" = all ] || [ "$what" = layers ]; then
	make_suite check-layers check-layers
fi

if [ "$what" = all ] || [ "$what" = unit ]; then
	unit_tests "$BUILD"
fi

# A short libFuzzer pass over each parser of untrusted bytes (packets, rule and profile files, records): a crash, a leak or
# a broken contract is a failure. FUZZ_SMOKE_SECONDS (default 10) bounds each.
if [ "$what" = all ] || [ "$what" = fuzz ]; then
	targets=$(make --no-print-directory -s fuzz-targets BUILD="$BUILD")
	if [ -z "$targets" ]; then
		echo "fuzz: no targets from make fuzz-targets: 0 passed, 1 failed"
		failed=$((failed + 1))
	fi
	for t in $targets; do
		if out=$(make --no-print-directory fuzz-smoke FUZZ_TARGETS="$t" BUILD="$BUILD" 2>&1); then
			echo "fuzz_$t: 1 passed, 0 failed"
			passed=$((passed + 1))
		else
			printf '%s\n' "$out" | tail -n 30
			echo "fuzz_$t: 0 passed, 1 failed"
			failed=$((failed + 1))
		fi
	done
fi

if [ "$what" = all ] || [ "$what" = e2e ]; then
	e2e_tests
fi

# The kernel matrix: the core scenarios under qemu on Debian's 5.10, 6.1 and 6.12 kernels and
# on the running one (tools/kernel-matrix.sh); each scenario on each kernel counts as a test.
if [ "$what" = all ] || [ "$what" = kernels ]; then
	log=$(mktemp)
	make --no-print-directory test-kernels BUILD="$BUILD" 2>&1 | tee "$log"
	line=$(grep -E '^kernel-matrix: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$log" | tail -n1)
	if [ -z "$line" ]; then
		echo "kernel-matrix: no summary line: counted as one failure"
		failed=$((failed + 1))
	else
		read -r p f s <<<"$(sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped/\1 \2 \3/' <<<"$line")"
		passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
	fi
	rm -f "$log"
fi

# clang-format over the tracked C files (mk/quality.mk): one result per file.
if [ "$what" = all ] || [ "$what" = format ]; then
	make_suite format format-check
fi

# clang-tidy and cppcheck, one result per tool and file (mk/quality.mk, tools/lint.sh).
if [ "$what" = all ] || [ "$what" = lint ]; then
	make_suite lint lint
fi

# The user side built with ASan (leak checking on) and UBSan into $ASAN_BUILD: its unit tests,
# then the end-to-end suite against that llmwatch. Every sanitizer report is also written to $ASAN_BUILD/san/,
# and each counts as one more failure, whether or not a test looked at the exit status.
if [ "$what" = all ] || [ "$what" = asan ]; then
	if ! make --no-print-directory test-asan-build BUILD="$BUILD" ASAN_BUILD="$ASAN_BUILD"; then
		echo "asan-build: 0 passed, 1 failed"
		failed=$((failed + 1))
	else
		san="$ASAN_BUILD/san"
		case $san in /*) ;; *) san="$PWD/$san" ;; esac
		rm -rf "$san" && mkdir -p "$san"
		export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:log_path=$san/asan"
		export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$san/ubsan"
		for part in unit e2e; do
			p0=$passed f0=$failed
			if [ "$part" = unit ]; then
				unit_tests "$ASAN_BUILD"
			else
				start=$(date +%s)
				main_build=$BUILD
				BUILD=$ASAN_BUILD
				e2e_tests
				BUILD=$main_build
				echo "asan-e2e took $(($(date +%s) - start)) s"
			fi
			n=0
			for r in "$san"/*san.*; do
				[ -e "$r" ] || break
				echo "--- sanitizer report $r" && cat "$r"
				rm -f "$r"
				n=$((n + 1))
			done
			echo "asan-$part: $n sanitizer reports"
			failed=$((failed + n))
			echo "asan-$part: $((passed - p0)) passed, $((failed - f0)) failed"
		done
		unset ASAN_OPTIONS UBSAN_OPTIONS
	fi
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
