#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Checks the layering of user/ (user/README.md): every `#include "dir/file.h"` of a user/
# source may name its own folder or one below it in LAYERS, never one above; bare includes
# are allowed only for the generated headers in build/; the folder graph has no cycle; and no
# two user/*/*.c share a file name.
# Prints each violation as file:line, then "check-layers: N passed, N failed" (one test per
# source file, one for the graph), and exits 1 on any failure.
#   tools/check-layers.sh          check
#   tools/check-layers.sh --graph  print the folder graph (from -> to) as well
set -u
cd "$(dirname "$0")/.."

# Lowest first. main.c (user/ itself) is above them all.
LAYERS=(util core capture names rules sinks monitor report audit live kernel cmd)
# Generated into build/ (not a folder of user/); the skeleton only for the loader's folder.
declare -A GENERATED=([version.h]="cmd" [llmwatch.skel.h]="kernel")

declare -A rank
for i in "${!LAYERS[@]}"; do rank[${LAYERS[$i]}]=$i; done
rank[.]=${#LAYERS[@]}

passed=0 failed=0
declare -A edges

for d in user/*/; do
	d=${d#user/}; d=${d%/}
	if [ -z "${rank[$d]+x}" ]; then
		echo "user/$d/: a folder not in the layer order (add it to LAYERS in $0 and to user/README.md)"
		failed=$((failed + 1))
	fi
done

# liblw.a is made with `ar rcs`, which keeps one member per file name: names stay unique.
while read -r n; do
	echo "user/*/$n: the same file name in two folders (they would collide in liblw.a)"
	failed=$((failed + 1))
done < <(find user -mindepth 2 -name '*.c' -printf '%f\n' | sort | uniq -d)

while IFS= read -r f; do
	from=${f#user/}; from=${from%/*}
	[ "$from" = "${f#user/}" ] && from=.
	[ -n "${rank[$from]+x}" ] || continue	# reported above
	bad=0
	while IFS=: read -r line inc; do
		[[ $inc =~ \"([^\"]*)\" ]] && inc=${BASH_REMATCH[1]}
		if [[ $inc != */* ]]; then
			allowed=${GENERATED[$inc]-}
			if [ -z "$allowed" ]; then
				echo "$f:$line: #include \"$inc\": name its folder (\"dir/$inc\")"
				bad=1
			elif [ "$from" != "$allowed" ]; then
				echo "$f:$line: #include \"$inc\": only $allowed/ includes this generated header"
				bad=1
			fi
			continue
		fi
		to=${inc%%/*}
		[ "$to" = llmwatch ] && continue	# include/llmwatch/: below everything
		if [ -z "${rank[$to]+x}" ] || [ "$to" = . ]; then
			echo "$f:$line: #include \"$inc\": $to/ is not a folder of user/"
			bad=1
			continue
		fi
		[ "$to" = "$from" ] && continue
		edges["$from $to"]=1
		if [ "${rank[$to]}" -gt "${rank[$from]}" ]; then
			echo "$f:$line: #include \"$inc\": $from/ may not include $to/, which is above it" \
				"(${LAYERS[*]}, lowest first)"
			bad=1
		fi
	done < <(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f")
	if [ "$bad" -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done < <(find user -name '*.[ch]' | sort)

# The order above already rules out cycles; this catches one if LAYERS is ever loosened.
if loop=$(printf '%s\n' "${!edges[@]}" | tsort 2>&1 >/dev/null) && [ -z "$loop" ]; then
	passed=$((passed + 1))
else
	echo "the folder graph of user/ has a cycle:"
	sed 's/^/  /' <<<"$loop"
	failed=$((failed + 1))
fi

if [ "${1-}" = --graph ]; then
	printf '%s\n' "${!edges[@]}" | sort | sed 's/ / -> /'
fi
echo "check-layers: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
