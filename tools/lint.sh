#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# `make lint`: clang-tidy (checks in .clang-tidy, flags from $BUILD/compile_commands.json) and
# cppcheck over the C sources given as arguments, NPROC files at a time. Each tool on each
# file is one result; the findings are printed, then "lint: N passed, N failed".
set -u
BUILD=${BUILD:-build}
CLANG_TIDY=${CLANG_TIDY:-clang-tidy}
CPPCHECK=${CPPCHECK:-cppcheck}
NPROC=${NPROC:-2}
[ $# -gt 0 ] || { echo "usage: $0 FILE.c..." >&2; exit 2; }

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# cppcheck is given the include paths the build uses, read back from the compile database
# (so a new -I in the Makefile reaches it), but not $BUILD: the skeleton and vmlinux.h are
# generated and would only slow it down. BPF sources get the BPF target's defines.
cppcheck_flags() {
	python3 - "$BUILD/compile_commands.json" "$1" "$BUILD" <<'EOF'
import json, shlex, sys
db, f, build = sys.argv[1:]
for e in json.load(open(db)):
    if e["file"] == f:
        args = shlex.split(e["command"])
        print(" ".join(a for a in args
                       if (a.startswith("-I") and a != "-I" + build) or a.startswith("-D")))
        break
EOF
}

# one_file TOOL FILE: runs TOOL on FILE; leaves its findings in $out/TOOL.<n>.log and its
# verdict in $out/TOOL.<n>.ok or .fail.
one_file() {
	local tool=$1 f=$2 id log
	id=$(printf '%s' "$f" | tr '/.' '__')
	log="$out/$tool.$id.log"
	case $tool in
	clang-tidy)
		# A finding counts where it is ours: the analyser also reports paths that end in
		# the generated skeleton ($BUILD/llmwatch.skel.h), which nobody here can change.
		# A failure with no finding at all (no compile database, a crash) still counts.
		"$CLANG_TIDY" -p "$BUILD" --quiet "$f" >"$log" 2>&1
		local rc=$?
		if grep -E '^[^ :]+:[0-9]+:[0-9]+: (warning|error):' "$log" |
			grep -qvE "^(\./|$PWD/)?$BUILD/"; then
			false
		elif ! grep -qE '^[^ :]+:[0-9]+:[0-9]+: (warning|error):' "$log"; then
			[ $rc -eq 0 ]
		fi ;;
	cppcheck)
		# shellcheck disable=SC2046 # the flags are words
		"$CPPCHECK" -q --std=c11 --enable=warning,portability,performance \
			--error-exitcode=1 --inline-suppr --suppress=missingIncludeSystem \
			--library=tools/cppcheck-libbpf.cfg \
			--template='{file}:{line}:{column}: {severity}: {message} [{id}]' \
			$(cppcheck_flags "$f") "$f" >"$log" 2>&1 ;;
	esac
	if [ $? -eq 0 ]; then touch "$out/$tool.$id.ok"; else touch "$out/$tool.$id.fail"; fi
}
export -f one_file cppcheck_flags
export out BUILD CLANG_TIDY CPPCHECK PWD

for f in "$@"; do
	printf 'clang-tidy\0%s\0cppcheck\0%s\0' "$f" "$f"
done | xargs -0 -n2 -P"$NPROC" bash -c 'one_file "$0" "$1"'

for f in "$out"/*.fail; do
	[ -e "$f" ] || break
	log=${f%.fail}.log
	# clang-tidy's "N warnings generated" lines say nothing the findings do not
	grep -v -E '^[0-9]+ warnings? (and [0-9]+ errors? )?generated\.$' "$log"
done
passed=$(find "$out" -name '*.ok' | wc -l)
failed=$(find "$out" -name '*.fail' | wc -l)
echo "lint: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
