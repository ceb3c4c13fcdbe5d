#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Runs every test suite (the layering check of user/, C unit tests, fuzz smoke, the bats
# end-to-end tests, then the kernel matrix) and ends with one line "N passed, N failed,
# N skipped": the totals over all suites. Exit 1 on any failure.
# With CI=true a skipped test counts as a failure (see tests/e2e/helpers.bash).
set -u
BUILD=${BUILD:-build}
what=${1:-all}
passed=0 failed=0 skipped=0

# The layering of user/: one test per source file and one for the folder graph.
if [ "$what" = all ] || [ "$what" = layers ]; then
	out=$(tools/check-layers.sh 2>&1); rc=$?
	printf '%s\n' "$out"
	line=$(printf '%s\n' "$out" | grep -E '^check-layers: [0-9]+ passed, [0-9]+ failed$' | tail -n1)
	if [ -z "$line" ]; then
		echo "check-layers: no summary line (exit $rc): counted as one failure"
		failed=$((failed + 1))
	else
		p=$(sed -E 's/.*: ([0-9]+) passed.*/\1/' <<<"$line")
		f=$(sed -E 's/.* ([0-9]+) failed$/\1/' <<<"$line")
		[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
		passed=$((passed + p)); failed=$((failed + f))
	fi
fi

if [ "$what" = all ] || [ "$what" = unit ]; then
	for t in "$BUILD"/tests/test_*; do
		[ -x "$t" ] || continue
		out=$("$t" 2>&1); rc=$?
		printf '%s\n' "$out"
		line=$(printf '%s\n' "$out" | grep -E '^[a-z_]+: [0-9]+ passed, [0-9]+ failed$' | tail -n1)
		if [ -z "$line" ]; then
			echo "$t: no summary line (exit $rc): counted as one failure"
			failed=$((failed + 1)); continue
		fi
		p=$(sed -E 's/.*: ([0-9]+) passed.*/\1/' <<<"$line")
		f=$(sed -E 's/.* ([0-9]+) failed$/\1/' <<<"$line")
		[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
		passed=$((passed + p)); failed=$((failed + f))
	done
fi

# A short libFuzzer pass over each parser of untrusted bytes (packets, rule files, records): a crash, a leak or
# a broken contract is a failure. FUZZ_SMOKE_SECONDS (default 10) bounds each.
if [ "$what" = all ] || [ "$what" = fuzz ]; then
	for t in dns tls http rules decode btf; do
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
	tap=$(mktemp)
	bats --tap tests/e2e | tee "$tap"
	p=$(grep -E '^ok ' "$tap" | grep -vc '# skip' || true)
	s=$(grep -E '^ok .*# skip' "$tap" | wc -l)
	f=$(grep -cE '^not ok ' "$tap" || true)
	passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
	rm -f "$tap"
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

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
