#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# `llmwatch audit`'s gguf-files check (issue 17): the GGUF files tests/gguf/make_gguf.py
# writes (a real tiny model and its malformed variants) given with --gguf, and found in a
# fixture home's model directories (Ollama's suffixless blobs, LM Studio's *.gguf); each
# malformed one FAILs naming its problem, in the text and in the JSON; the valid ones PASS.

load helpers

setup() {
	G="$BATS_TEST_TMPDIR/gguf"
	/usr/bin/python3 "$REPO/tests/gguf/make_gguf.py" "$G" >/dev/null
}

# fixture problem: what gguf_check names each variant's problem, and a piece of its message
PROBLEMS=(
	"truncated truncated tensor 3 'output_norm.weight': ne (8 bytes) runs past the end"
	"short-header truncated header: tensor_count (8 bytes) runs past the end"
	"huge-nkv count metadata_kv_count 1099511627776"
	"string-past-eof length-past-end 'general.name': string value length 1000000 runs past the end"
	"shape-overflow ne-overflow 'huge.weight': ne[1] = 4294967296: product overflows int64"
	"offset-past-eof past-eof 'output_norm.weight' offset 0x100000 + 128 bytes ends past the end"
	"overlap offset-overlap overlaps tensor 'token_embd.weight'"
	"bad-alignment alignment general.alignment = 48"
	"dup-key dup-key 'general.name': duplicate key"
	"nested-array nested-array 'lw.nested': an array of arrays"
	"unknown-type tensor-type ggml type 99 is unknown"
	"not-block-multiple block ne[0] = 31 is not a multiple of q8_0's block size 32"
)

@test "audit --gguf: each malformed fixture FAILs naming its problem (text), exit 1" {
	run "$LLMWATCH" audit --only gguf-files --gguf "$G"/*.gguf
	echo "$output"
	[ "$status" -eq 1 ]
	for p in "${PROBLEMS[@]}"; do
		read -r name problem message <<<"$p"
		line=$(echo "$output" | grep -F "FAIL gguf-files $G/$name.gguf: ")
		[[ $line == *"malformed GGUF ($problem): offset 0x"* ]] || { echo "bad: $line"; false; }
		[[ $line == *"$message"* ]] || { echo "no '$message' in: $line"; false; }
	done
	echo "$output" | grep -F "PASS gguf-files $G/valid.gguf: GGUF v3, 4 tensors, 10 keys, architecture llama (general.name lw-tiny), 1.7 KiB"
	echo "$output" | grep -F "PASS gguf-files $G/valid-align64.gguf: GGUF v3, 4 tensors, 11 keys"
	echo "$output" | grep -F "       fix: do not load this file"
	[ "${lines[-1]}" = "2 PASS, 0 WARN, 12 FAIL, 0 SKIP" ]
}

@test "audit --gguf --json: each malformed fixture FAILs naming its problem, the valid PASS" {
	run "$LLMWATCH" audit --gguf "$G"/*.gguf --json
	[ "$status" -eq 1 ]
	printf '%s\n' "${PROBLEMS[@]}" | G="$G" OUT="$output" /usr/bin/python3 -c '
import json, os, sys
d = json.loads(os.environ["OUT"])
g = os.environ["G"]
by = {f["subject"]: f for f in d["findings"]}
assert all(f["item"] == "gguf" and f["check"] == "gguf-files" for f in d["findings"])
for line in sys.stdin.read().splitlines():
    name, problem, message = line.split(" ", 2)
    f = by[g + "/" + name + ".gguf"]
    assert f["status"] == "FAIL", f
    assert f["evidence"].startswith("malformed GGUF (%s): offset 0x" % problem), f
    assert message in f["evidence"], (message, f)
    assert f["fix"] and f["source"] and f["tool"] is None, f
v = by[g + "/valid.gguf"]
assert v["status"] == "PASS" and v["fix"] is None, v
assert v["evidence"].startswith("GGUF v3, 4 tensors, 10 keys, architecture llama"), v
assert d["counts"] == {"PASS": 2, "WARN": 0, "FAIL": 12, "SKIP": 0}, d["counts"]
assert d["complete"] is True'
}

@test "audit --gguf with only valid files exits 0; a missing file is a SKIP" {
	run "$LLMWATCH" audit --gguf "$G/valid.gguf" "$G/valid-align64.gguf"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = "2 PASS, 0 WARN, 0 FAIL, 0 SKIP" ]
	run "$LLMWATCH" audit --gguf "$G/valid.gguf" "$G/no-such.gguf" --json
	[ "$status" -eq 0 ]
	echo "$output" | G="$G" /usr/bin/python3 -c '
import json, os, sys
d = json.load(sys.stdin)
f = [f for f in d["findings"] if f["subject"].endswith("/no-such.gguf")][0]
assert f["status"] == "SKIP" and "No such file" in f["evidence"], f'
}

@test "audit finds GGUF models in a home's stores: Ollama's blobs by their magic, *.gguf" {
	H="$BATS_TEST_TMPDIR/home"
	mkdir -p "$H/.ollama/models/blobs" "$H/.lmstudio/models/pub/tiny"
	cp "$G/valid.gguf" "$H/.ollama/models/blobs/sha256-0001"
	cp "$G/offset-past-eof.gguf" "$H/.ollama/models/blobs/sha256-0002"
	echo '{"license": "MIT"}' >"$H/.ollama/models/blobs/sha256-0003"
	cp "$G/overlap.gguf" "$H/.lmstudio/models/pub/tiny/tiny-q8_0.gguf"
	run "$LLMWATCH" audit --home "$H" --only gguf
	echo "$output"
	[ "$status" -eq 1 ]
	echo "$output" | grep -F "PASS gguf-files [ollama] $H/.ollama/models/blobs/sha256-0001: GGUF v3, 4 tensors"
	echo "$output" | grep -F "FAIL gguf-files [ollama] $H/.ollama/models/blobs/sha256-0002: malformed GGUF (past-eof)"
	echo "$output" | grep -F "FAIL gguf-files [lm-studio] $H/.lmstudio/models/pub/tiny/tiny-q8_0.gguf: malformed GGUF (offset-overlap)"
	[[ $output != *sha256-0003* ]] # not GGUF: not a model
	run "$LLMWATCH" audit --home "$H" --only gguf-files --json
	[ "$status" -eq 1 ]
	echo "$output" | H="$H" /usr/bin/python3 -c '
import json, os, sys
d = json.load(sys.stdin)
h = os.environ["H"]
by = {f["subject"]: f for f in d["findings"]}
assert by[h + "/.ollama/models/blobs/sha256-0001"]["status"] == "PASS"
f = by[h + "/.ollama/models/blobs/sha256-0002"]
assert f["status"] == "FAIL" and f["tool"] == "ollama" and "(past-eof)" in f["evidence"], f
f = by[h + "/.lmstudio/models/pub/tiny/tiny-q8_0.gguf"]
assert f["status"] == "FAIL" and f["tool"] == "lm-studio" and "(offset-overlap)" in f["evidence"]
assert h + "/.ollama/models/blobs/sha256-0003" not in by'
	# all valid: exit 0
	rm "$H/.ollama/models/blobs/sha256-0002" "$H/.lmstudio/models/pub/tiny/tiny-q8_0.gguf"
	run "$LLMWATCH" audit --home "$H" --only gguf-files
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = "1 PASS, 0 WARN, 0 FAIL, 0 SKIP" ]
}

@test "audit gguf-files with no model directory SKIPs, saying why" {
	H="$BATS_TEST_TMPDIR/empty"
	mkdir -p "$H"
	run "$LLMWATCH" audit --home "$H" --only gguf-files --json
	[ "$status" -eq 0 ]
	echo "$output" | /usr/bin/python3 -c '
import json, sys
d = json.load(sys.stdin)
assert [f["status"] for f in d["findings"]] == ["SKIP"], d["findings"]
assert "no model directory" in d["findings"][0]["evidence"]'
}
