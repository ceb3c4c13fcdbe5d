#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The GGUF fixtures of issue 17: tests/gguf/make_gguf.py writes a real tiny model and its
# malformed variants; the copies in fuzz/corpus/gguf (the fuzzer's seeds, which the unit test
# test_gguf_check reads through the mapped-file path, asserting each verdict) must be exactly
# what the generator writes today, so a change to one without the other fails here.

load helpers

@test "make_gguf.py writes exactly the fixtures in fuzz/corpus/gguf" {
	out="$BATS_TEST_TMPDIR/gguf"
	run /usr/bin/python3 "$REPO/tests/gguf/make_gguf.py" "$out"
	[ "$status" -eq 0 ]
	[[ $output == *"valid.gguf: "* ]]
	[[ $output == *"overlap.gguf: "* ]]
	run diff -r "$out" "$REPO/fuzz/corpus/gguf"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "make_gguf.py's valid model is a GGUF v3 file with its data aligned" {
	out="$BATS_TEST_TMPDIR/gguf"
	/usr/bin/python3 "$REPO/tests/gguf/make_gguf.py" "$out" >/dev/null
	# magic, version 3, 4 tensors, 10 key-value pairs (little-endian)
	run od -A n -t x1 -N 24 "$out/valid.gguf"
	[ "$(echo $output)" = "47 47 55 46 03 00 00 00 04 00 00 00 00 00 00 00 0a 00 00 00 00 00 00 00" ]
	[ $(($(stat -c %s "$out/valid.gguf") % 32)) -eq 0 ]
}
