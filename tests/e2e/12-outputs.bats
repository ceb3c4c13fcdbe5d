#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Several outputs at once (--output, repeatable): text on stdout and JSON in a file carry
# the same events; an output that fails (/dev/full) is counted and told, and the others go
# on; a bad --output value is a usage error naming it. A JSON file rotated by size keeps
# whole lines and loses no event, SIGHUP after a move (logrotate) makes a new file, and
# repeated identical alerts are folded into one summary with their count.

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

# json_files PATH: PATH.K ... PATH.1 PATH, oldest first, as far as they exist in a row.
json_files() {
	local k=1 files=()
	while [ -e "$1.$k" ]; do
		files=("$1.$k" "${files[@]}")
		k=$((k + 1))
	done
	printf '%s\n' "${files[@]}" "$1"
}

# check_lines MAX_SIZE PREFIX PID N FILES...: every file is at most MAX_SIZE bytes of whole
# JSON lines, and together, oldest first, they hold the opens of PREFIX1 ... PREFIXN by PID
# once each and in order.
check_lines() {
	/usr/bin/python3 - "$@" <<'PY'
import json, os, sys
max_size, prefix, pid, n, files = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5:]
seen = []
for f in files:
    data = open(f, "rb").read()
    assert len(data) <= max_size, f"{f}: {len(data)} bytes > {max_size}"
    assert data == b"" or data.endswith(b"\n"), f"{f}: a torn last line"
    for line in data.decode().splitlines():
        o = json.loads(line)
        if o.get("type") == "open" and o.get("pid") == pid and o["path"].startswith(prefix):
            seen.append(int(o["path"][len(prefix):]))
assert seen == list(range(1, n + 1)), f"opens seen: {seen}"
PY
}

@test "json:PATH,max-size=N,keep=K rotates under real events: whole lines, none lost, K kept" {
	requires_bpf
	tool=$(make_tool ollama)
	OUT="$BATS_TEST_TMPDIR/out.json"
	mkdir "$BATS_TEST_TMPDIR/d"
	opens=()
	for i in $(seq 1 60); do
		echo x >"$BATS_TEST_TMPDIR/d/f$i"
		opens+=(open "$BATS_TEST_TMPDIR/d/f$i")
	done
	lw_start_outputs --output "json:$OUT,max-size=4k,keep=100" --output text
	run_actor "$tool" "$BATS_TEST_TMPDIR/r.json" "${opens[@]}"
	pid=$(report_get "$BATS_TEST_TMPDIR/r.json" pid)
	retry 50 grep -q " pid=$pid ppid=[0-9]* exit " "$STDOUT"
	lw_stop
	mapfile -t files < <(json_files "$OUT")
	# 60 opens of ~450 bytes and the interpreter's own events: several files of 4 KiB
	[ "${#files[@]}" -ge 6 ]
	check_lines 4096 "$BATS_TEST_TMPDIR/d/f" "$pid" 60 "${files[@]}"
	[ "$(stat -c %a "$OUT.1")" = 600 ]
	! grep -q "output .* failed" "$ERR"

	# keep=2: the oldest are removed, never more than PATH.1 and PATH.2
	OUT="$BATS_TEST_TMPDIR/keep2.json"
	lw_start_outputs --output "json:$OUT,max-size=4k,keep=2" --output text
	run_actor "$tool" "$BATS_TEST_TMPDIR/r.json" "${opens[@]}"
	pid=$(report_get "$BATS_TEST_TMPDIR/r.json" pid)
	retry 50 grep -q " pid=$pid ppid=[0-9]* exit " "$STDOUT"
	lw_stop
	[ -s "$OUT.1" ] && [ -s "$OUT.2" ]
	[ ! -e "$OUT.3" ]
	# the newest events (the exit, then the summary) are in the newest files, every line whole
	cat "$OUT.1" "$OUT" >"$BATS_TEST_TMPDIR/newest.json"
	$LWQ count-min 1 "$BATS_TEST_TMPDIR/newest.json" type=exit pid="$pid"
	$LWQ count-min 1 "$OUT" kind=summary
	for f in "$OUT" "$OUT.1" "$OUT.2"; do
		[ "$(stat -c %s "$f")" -le 4096 ]
		$LWQ count 0 "$f" >/dev/null
	done
}

@test "SIGHUP after mv of the file (logrotate) makes a new file; no event lost" {
	requires_bpf
	tool=$(make_tool ollama)
	OUT="$BATS_TEST_TMPDIR/out.json"
	mkdir "$BATS_TEST_TMPDIR/d"
	before=() after=()
	for i in $(seq 1 20); do
		echo x >"$BATS_TEST_TMPDIR/d/f$i"
		echo x >"$BATS_TEST_TMPDIR/d/f$((i + 20))"
		before+=(open "$BATS_TEST_TMPDIR/d/f$i")
		after+=(open "$BATS_TEST_TMPDIR/d/f$((i + 20))")
	done
	lw_start_outputs --output "json:$OUT"
	"$tool" "$REPO/tests/e2e/actor.py" "$BATS_TEST_TMPDIR/r.json" "${before[@]}" \
		wait-file "$BATS_TEST_TMPDIR/go" "${after[@]}" &
	apid=$!
	BG_PIDS=$apid
	retry 100 test -e "$BATS_TEST_TMPDIR/go.waiting"
	lw_wait_for type=open path="$BATS_TEST_TMPDIR/d/f20"
	# logrotate's create mode: move the file away, then tell llmwatch
	mv "$OUT" "$OUT.1"
	kill -HUP "$LW_PID"
	retry 50 test -e "$OUT"
	[ "$(stat -c %a "$OUT")" = 600 ]
	touch "$BATS_TEST_TMPDIR/go"
	wait "$apid"
	pid=$(report_get "$BATS_TEST_TMPDIR/r.json" pid)
	lw_wait_for type=exit pid="$pid"
	running "$LW_PID" # SIGHUP does not stop it
	lw_stop
	check_lines 1000000 "$BATS_TEST_TMPDIR/d/f" "$pid" 40 "$OUT.1" "$OUT"
	# the opens after the signal are all in the new file, the summary too
	[ "$(lw_count type=open pid="$pid" path~"$BATS_TEST_TMPDIR/d/f")" -eq 20 ]
	[ "$(lw_count kind=summary)" -eq 1 ]
	! grep -q "output .* failed" "$ERR"
}

@test "--fold-window: repeated connects alert once, then once more with the count" {
	requires_bpf
	cat >"$BATS_TEST_TMPDIR/rules.json" <<'JSON'
{
  "rules": [
    {
      "id": "test-connect",
      "description": "test rule: a connect to loopback",
      "severity": "high",
      "tools": ["ollama"],
      "event": "connect",
      "message": "{tool} connected"
    }
  ]
}
JSON
	tool=$(make_tool ollama)
	client='import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
o = socket.socket(); o.bind(("127.0.0.1", 0)); o.listen(16)
for p in [s.getsockname()[1]] * int(sys.argv[1]) + [o.getsockname()[1]]:
    socket.create_connection(("127.0.0.1", p)).close()
print(s.getsockname()[1], o.getsockname()[1])'
	# a short window: the summary comes from the event loop's timer, while running
	lw_start --no-default-rules --rules "$BATS_TEST_TMPDIR/rules.json" --fold-window 1
	read -r port other < <("$tool" -c "$client" 5)
	lw_wait_for kind=alert type=connect dport="$port" fold~'"count": 5'
	lw_wait_for kind=alert type=connect dport="$other"
	[ "$(lw_count kind=alert type=connect dport="$port")" -eq 2 ]
	[ "$(lw_count kind=alert type=connect dport="$port" fold!)" -eq 1 ]
	[ "$(lw_count kind=alert type=connect dport="$other")" -eq 1 ]
	$LWQ get fold "$OUT" dport="$port" fold~count | grep -q '"window_s": 1'
	lw_stop
	grep -q '^llmwatch: 4 repeated alerts folded' "$ERR"
	[ "$(lw_count kind=summary alerts_folded=4)" -eq 1 ]

	# a long window still open at exit: its summary is written then, nothing is lost
	lw_start --no-default-rules --rules "$BATS_TEST_TMPDIR/rules.json" --fold-window 600
	read -r port other < <("$tool" -c "$client" 3)
	lw_wait_for kind=alert type=connect dport="$other"
	[ "$(lw_count kind=alert type=connect dport="$port")" -eq 1 ]
	lw_stop
	[ "$(lw_count kind=alert type=connect dport="$port" fold~'"count": 3')" -eq 1 ]

	# --fold-window 0: every alert written
	lw_start --no-default-rules --rules "$BATS_TEST_TMPDIR/rules.json" --fold-window 0
	read -r port other < <("$tool" -c "$client" 3)
	lw_wait_for kind=alert type=connect dport="$other"
	lw_stop
	[ "$(lw_count kind=alert type=connect dport="$port")" -eq 3 ]
	[ "$(lw_count fold~count)" -eq 0 ]

	run "$LLMWATCH" --fold-window -1
	[ "$status" -eq 2 ]
	[[ "$output" == *'--fold-window "-1": a number of seconds (0 to 86400; 0: off)'* ]]
}

@test "a bad rotation option is refused with exit 2 naming it" {
	run "$LLMWATCH" --output "json:$BATS_TEST_TMPDIR/x,max-size=0"
	[ "$status" -eq 2 ]
	[[ "$output" == *"--output \"json:$BATS_TEST_TMPDIR/x,max-size=0\": \"max-size=0\": not a size"* ]]
	run "$LLMWATCH" --output "json:$BATS_TEST_TMPDIR/x,keep=3"
	[ "$status" -eq 2 ]
	[[ "$output" == *"keep=3 without max-size=N"* ]]
	run "$LLMWATCH" --output "json:-,max-size=1M"
	[ "$status" -eq 2 ]
	[[ "$output" == *"stdout cannot be rotated"* ]]
	[ ! -e "$BATS_TEST_TMPDIR/x" ]
	run "$LLMWATCH" --help
	[[ "$output" == *"PATH,max-size=N[k|M|G][,keep=K]"* ]]
	[[ "$output" == *"--fold-window SECS"* ]]
}
