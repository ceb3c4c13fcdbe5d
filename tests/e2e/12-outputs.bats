#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Several outputs at once (--output, repeatable): text on stdout and JSON in a file carry
# the same events; an output that fails (/dev/full) is counted and told, and the others go
# on; a bad --output value is a usage error naming it.

load helpers

setup() {
	common_setup
}

teardown() {
	common_teardown
}

# lw_start_outputs ARGS...: start llmwatch with ARGS (no --json: the test says where
# its outputs go), stdout to $STDOUT, stderr to $ERR; wait until it is ready.
lw_start_outputs() {
	STDOUT="$BATS_TEST_TMPDIR/stdout.txt"
	lw_launch "$STDOUT" "$@"
}

# events_of FILE: "ts pid type" of every event line, sorted, from text or JSON output.
events_of() {
	/usr/bin/python3 - "$1" <<'PY'
import json, re, sys
rows = []
for line in open(sys.argv[1], encoding="utf-8"):
    if line.startswith("{"):
        o = json.loads(line)
        if o["kind"] != "summary":
            rows.append(f'{o["ts"]} {o["pid"]} {o["type"]}')
        continue
    m = re.match(r"(\d{4}-\S+Z) \S+ pid=(\d+) ppid=\d+ (\w+)", line)
    if m:
        rows.append(" ".join(m.groups()))
print("\n".join(sorted(rows)))
PY
}

@test "--output text --output json:FILE writes the same events to both" {
	requires_bpf
	tool=$(make_tool ollama)
	OUT="$BATS_TEST_TMPDIR/out.json"
	lw_start_outputs --output text --output "json:$OUT"
	echo data >"$BATS_TEST_TMPDIR/data.txt"
	run_actor "$tool" "$BATS_TEST_TMPDIR/r.json" tcp open "$BATS_TEST_TMPDIR/data.txt"
	pid=$(report_get "$BATS_TEST_TMPDIR/r.json" pid)
	lw_wait_for type=exit pid="$pid"
	lw_stop

	lw_wait_for type=connect pid="$pid" daddr=127.0.0.1 ret=0
	grep -Eq " ollama pid=$pid ppid=[0-9]+ connect 127\.0\.0\.1:[0-9]+ stream -> 0 " "$STDOUT"
	events_of "$STDOUT" >"$BATS_TEST_TMPDIR/text.events"
	events_of "$OUT" >"$BATS_TEST_TMPDIR/json.events"
	[ -s "$BATS_TEST_TMPDIR/json.events" ]
	diff "$BATS_TEST_TMPDIR/text.events" "$BATS_TEST_TMPDIR/json.events"
	# the JSON summary lists both outputs, neither failed; the file is root's alone
	$LWQ get outputs "$OUT" kind=summary |
		grep -qF '[{"output": "text", "output_errors": 0}, {"output": "json:'"$OUT"'", "output_errors": 0}]'
	[ "$(stat -c %a "$OUT")" = 600 ]
	! grep -q "output .* failed" "$ERR"
}

@test "--output json:/dev/full is counted as output errors while text on stdout goes on" {
	requires_bpf
	tool=$(make_tool ollama)
	lw_start_outputs --output json:/dev/full --output text
	echo data >"$BATS_TEST_TMPDIR/data.txt"
	run_actor "$tool" "$BATS_TEST_TMPDIR/r.json" tcp open "$BATS_TEST_TMPDIR/data.txt"
	pid=$(report_get "$BATS_TEST_TMPDIR/r.json" pid)
	retry 50 grep -q " pid=$pid ppid=[0-9]* exit " "$STDOUT"
	lw_stop		# exit status 0: a failing output is not a runtime error

	grep -Eq " ollama pid=$pid ppid=[0-9]+ connect 127\.0\.0\.1:[0-9]+ " "$STDOUT"
	grep -Eq " ollama pid=$pid ppid=[0-9]+ open " "$STDOUT"
	# told once, when it first failed, then counted in the human summary
	[ "$(grep -c '^llmwatch: output json:/dev/full: .* failed: No space left on device' "$ERR")" -eq 1 ]
	grep -Eq '^llmwatch: output json:/dev/full: [1-9][0-9]* writes failed$' "$ERR"
	grep -Eq '^llmwatch: lost [1-9][0-9]* output lines \(write failed\)$' "$ERR"
	! grep -q '^llmwatch: output text' "$ERR"
}

@test "a bad --output is refused with exit 2 naming the value, before anything is opened" {
	run "$LLMWATCH" --output xml
	[ "$status" -eq 2 ]
	[[ "$output" == *'--output "xml": unknown output; known: text, json'* ]]
	run "$LLMWATCH" --output json:/nonexistent/dir/x --duration 1
	[ "$status" -eq 2 ]
	[[ "$output" == *'--output "json:/nonexistent/dir/x": cannot open /nonexistent/dir/x: No such file or directory'* ]]
	run "$LLMWATCH" --output "json:"
	[ "$status" -eq 2 ]
	[[ "$output" == *'--output "json:"'* ]]
	# two outputs on stdout (--json is --output json), or two on one file
	run "$LLMWATCH" --json --output text
	[ "$status" -eq 2 ]
	[[ "$output" == *'"json" and "text" both write to stdout'* ]]
	run "$LLMWATCH" --output "text:$BATS_TEST_TMPDIR/x" --output "json:$BATS_TEST_TMPDIR/x"
	[ "$status" -eq 2 ]
	[[ "$output" == *"both write to $BATS_TEST_TMPDIR/x"* ]]
	[ ! -e "$BATS_TEST_TMPDIR/x" ]
	run "$LLMWATCH" --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"--output SPEC"* ]]
	[[ "$output" == *"json[:PATH]"* ]]
}
