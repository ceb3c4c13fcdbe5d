#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# `llmwatch diff A B` (issue 15): what run B did that run A did not, and what it stopped
# doing. Two report.json files: only the changes listed, exit 1 when B adds anything and 0
# when it only removes or nothing changed; --format json is the same diff as data; a file
# that is not JSON, not a report or of a newer version is an error naming it (exit 2);
# hostile strings reach the terminal escaped. Two real captures of a tool (run A opens a file;
# run B also listens on 0.0.0.0 and reads ~/.ssh/id_ed25519 of a test home): only what changed.

bats_require_minimum_version 1.5.0

load helpers

setup() {
	common_setup
	TEST_USER=
	A="$BATS_TEST_TMPDIR/a.json"
	B="$BATS_TEST_TMPDIR/b.json"
	# A: version 1 of a tool; B: version 2, which also phones home, listens on every
	# address, reads an SSH key, was rebuilt, and alerts for it
	cat >"$A" <<'JSON'
{ "report_version": 1, "generator": "llmwatch test",
  "captures": [ { "file": "v1.lwc" } ],
  "endpoints": [
    { "address": "10.231.0.10", "port": 443, "protocol": "tcp", "host": "models.example",
      "host_source": "sni", "classification": "model-download", "connections": 1,
      "bytes_sent": 517 } ],
  "listeners": [
    { "address": "127.0.0.1", "port": 11434, "protocol": "tcp", "reachable": false,
      "pid": 100, "comm": "ollama", "tool": "ollama" } ],
  "files": [ { "path": "/models/a.gguf", "category": "model", "flagged": false } ],
  "processes": [
    { "pid": 100, "comm": "ollama", "exe": "/opt/tool/ollama", "sha256": "1111", "tool": "ollama" } ],
  "alerts": [] }
JSON
	cat >"$B" <<'JSON'
{ "report_version": 1, "generator": "llmwatch test",
  "captures": [ { "file": "v2.lwc" } ], "completeness": { "verdict": "complete", "reasons": [] },
  "endpoints": [
    { "address": "10.231.0.11", "port": 443, "protocol": "tcp", "host": "models.example",
      "host_source": "dns", "classification": "model-download", "connections": 1,
      "bytes_sent": 517 },
    { "address": "10.231.0.20", "port": 443, "protocol": "tcp", "host": "stats.example",
      "host_source": "dns", "classification": "telemetry", "connections": 3,
      "bytes_sent": 4096 } ],
  "listeners": [
    { "address": "127.0.0.1", "port": 11434, "protocol": "tcp", "reachable": false,
      "pid": 200, "comm": "ollama", "tool": "ollama" },
    { "address": "0.0.0.0", "port": 11435, "protocol": "tcp", "reachable": true,
      "pid": 200, "comm": "ollama", "tool": "ollama" } ],
  "files": [ { "path": "/home/u/.ssh/id_ed25519", "category": "credentials", "flagged": true },
             { "path": "/models/b.gguf", "category": "model", "flagged": false } ],
  "processes": [
    { "pid": 200, "comm": "ollama", "exe": "/opt/tool/ollama", "sha256": "2222", "tool": "ollama" } ],
  "alerts": [ { "rule": "ssh-key-read", "severity": "high", "message": "ollama read an SSH key",
                "pid": 200, "comm": "ollama", "tool": "ollama", "count": 1 } ] }
JSON
}

teardown() {
	common_teardown
	if [ -n "$TEST_USER" ]; then
		userdel "$TEST_USER" 2>/dev/null || true
		rm -rf "$TEST_HOME"
	fi
}

@test "two report.json files: only what changed, + then -, exit 1 when B adds" {
	run --separate-stderr "$LLMWATCH" diff "$A" "$B"
	echo "$output"
	[ "$status" -eq 1 ]
	[ -z "$stderr" ]
	expected="A: v1.lwc ($A)
B: v2.lwc ($B)
added (B did, A did not):
  endpoints:
    + stats.example:443/tcp (telemetry), address 10.231.0.20, name from dns, 3 connections, 4096 bytes sent
  listeners:
    + 0.0.0.0:11435/tcp, reachable from the network, by ollama (ollama, pid 200)
  file categories:
    + credentials (1 file: /home/u/.ssh/id_ed25519)
  executables:
    + /opt/tool/ollama, sha256 2222, by ollama (ollama, pid 200)
  alerts:
    + [high] ssh-key-read: ollama read an SSH key, by ollama (ollama, pid 200)
removed (A did, B did not):
  executables:
    - /opt/tool/ollama, sha256 1111, by ollama (ollama, pid 100)"
	[ "$output" = "$expected" ]
}

@test "the reverse diff: the old binary is its one addition, the rest removals" {
	run --separate-stderr "$LLMWATCH" diff "$B" "$A"
	echo "$output"
	[ "$status" -eq 1 ]
	[ "$(grep -c '^    + ' <<<"$output")" -eq 1 ]
	[[ "$output" == *"    + /opt/tool/ollama, sha256 1111,"* ]] || false
	[ "$(grep -c '^    - ' <<<"$output")" -eq 5 ]
}

@test "reverse of a superset: only removals, exit 0" {
	# B without the rebuilt binary: everything A did, B did too
	python3 - "$B" "$BATS_TEST_TMPDIR/b-same-exe.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["processes"][0]["sha256"] = "1111"
json.dump(d, open(sys.argv[2], "w"))
PY
	run --separate-stderr "$LLMWATCH" diff "$BATS_TEST_TMPDIR/b-same-exe.json" "$A"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" != *"added"* ]] || false
	[[ "$output" == *"removed (A did, B did not):"* ]] || false
	[ "$(grep -c '^    - ' <<<"$output")" -eq 4 ]
	[[ "$output" == *"    - stats.example:443/tcp (telemetry)"* ]] || false
	[[ "$output" == *"    - credentials (1 file: /home/u/.ssh/id_ed25519)"* ]] || false

	run --separate-stderr "$LLMWATCH" diff "$A" "$A"
	[ "$status" -eq 0 ]
	[ "$(tail -n1 <<<"$output")" = "no differences" ]
}

@test "--format json -o OUT: the diff as data, mode 0600, the same exit status" {
	out="$BATS_TEST_TMPDIR/diff.json"
	run --separate-stderr "$LLMWATCH" diff --format json -o "$out" "$A" "$B"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$(stat -c %a "$out")" = 600 ]
	python3 - "$out" "$A" "$B" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["report_version"] == 1
assert d["a"] == {"captures": ["v1.lwc"], "verdict": None, "file": sys.argv[2]}, d["a"]
assert d["b"]["verdict"] == "complete"
assert d["b"]["file"] == sys.argv[3]
add, rem = d["added"], d["removed"]
assert [e["host"] for e in add["endpoints"]] == ["stats.example"], add["endpoints"]
assert [(l["address"], l["port"], l["reachable"]) for l in add["listeners"]] == [("0.0.0.0", 11435, True)]
assert [c["category"] for c in add["file_categories"]] == ["credentials"]
assert [f["path"] for f in add["file_categories"][0]["files"]] == ["/home/u/.ssh/id_ed25519"]
assert [(x["exe"], x["sha256"]) for x in add["executables"]] == [("/opt/tool/ollama", "2222")]
assert [a["rule"] for a in add["alerts"]] == ["ssh-key-read"]
assert [(x["exe"], x["sha256"]) for x in rem["executables"]] == [("/opt/tool/ollama", "1111")]
for k in ("endpoints", "listeners", "file_categories", "alerts"):
    assert rem[k] == [], (k, rem[k])
assert d["ignored"] == {"a": 0, "b": 0}
PY
	# to stdout, the same document
	run --separate-stderr "$LLMWATCH" diff "$A" "$B" --format json
	[ "$status" -eq 1 ]
	[ "$output" = "$(cat "$out")" ]
}

@test "not JSON, not a report, a newer version, missing, bad usage: exit 2 naming the file" {
	bad="$BATS_TEST_TMPDIR/bad.json"
	printf '{ "report_version": 1,\n  "endpoints": [ 1,, 2 ] }\n' >"$bad"
	run --separate-stderr "$LLMWATCH" diff "$bad" "$B"
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[ "$stderr" = "llmwatch: diff: $bad:2:20: not JSON (a report.json or a capture is expected)" ]

	echo '{ "endpoints": [] }' >"$bad"
	run --separate-stderr "$LLMWATCH" diff "$A" "$bad"
	[ "$status" -eq 2 ]
	[ "$stderr" = "llmwatch: diff: $bad: not a report (no report_version)" ]

	echo '{ "report_version": 2 }' >"$bad"
	run --separate-stderr "$LLMWATCH" diff "$A" "$bad"
	[ "$status" -eq 2 ]
	[ "$stderr" = "llmwatch: diff: $bad: report version 2 is newer than this llmwatch reads (1)" ]

	run --separate-stderr "$LLMWATCH" diff "$A" "$BATS_TEST_TMPDIR/none.json"
	[ "$status" -eq 2 ]
	[ "$stderr" = "llmwatch: diff: $BATS_TEST_TMPDIR/none.json: No such file or directory" ]

	run --separate-stderr "$LLMWATCH" diff "$A"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"diff takes two runs"* ]] || false
	run --separate-stderr "$LLMWATCH" diff "$A" "$B" --format html
	[ "$status" -eq 2 ]
	[[ "$stderr" == *'--format "html": text or json'* ]] || false
	run --separate-stderr "$LLMWATCH" diff --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"Exit status: 1 when B adds anything"* ]] || false
}

@test "hostile strings in a report reach the terminal escaped; malformed items are counted" {
	evil="$BATS_TEST_TMPDIR/evil.json"
	cat >"$evil" <<'JSON'
{ "report_version": 1,
  "endpoints": [ { "address": "10.231.0.30", "port": 443, "protocol": "tcp",
                   "host": "x\u001b[2J\u001b]0;owned\u0007.example", "classification": "unknown" },
                 { "address": "10.231.0.31", "port": "443", "protocol": "tcp" } ],
  "alerts": [ { "rule": "r", "severity": "high",
                "message": "first\n    + a line that was never there\r" } ],
  "files": "not a list" }
JSON
	run --separate-stderr "$LLMWATCH" diff "$A" "$evil"
	echo "$output"
	[ "$status" -eq 1 ]
	# no control byte but the line ends
	[ "$(LC_ALL=C grep -c $'[\x01-\x09\x0b-\x1f\x7f]' <<<"$output")" -eq 0 ]
	[[ "$output" == *'x\x1b[2J\x1b]0;owned\x07.example:443/tcp'* ]] || false
	[[ "$output" == *'first\n    + a line that was never there\r'* ]] || false
	[ "$(grep -c '^    + ' <<<"$output")" -eq 2 ]
	[[ "$output" == *"2 items of B not compared (missing or malformed keys)"* ]] || false
}

# A throwaway user whose home is in /tmp, so "~/.ssh" in the rules names a home the test
# owns (the rules' "~" is any user's home in passwd; no real user's files are touched).
make_user() {
	command -v useradd >/dev/null || skip_or_fail "needs useradd"
	TEST_HOME=$(mktemp -d /tmp/llmwatch-home.XXXXXX)
	TEST_USER="lwd$$"
	useradd -M -d "$TEST_HOME" -s /usr/sbin/nologin "$TEST_USER"
	mkdir -p "$TEST_HOME/.ssh"
	echo key >"$TEST_HOME/.ssh/id_ed25519"
}

# capture_run CAPTURE ACTIONS...: one run of the tool under watch, captured
capture_run() {
	local cap=$1
	shift
	lw_start --capture "$cap"
	run_actor "$TOOL" "$cap.actor.json" "$@"
	lw_wait_for type=exit pid="$(report_get "$cap.actor.json" pid)"
	lw_stop
}

@test "two real captures: diff lists only what B added; the reverse only removes, exit 0" {
	requires_bpf
	make_user
	TOOL=$(make_tool ollama)
	capture_run "$BATS_TEST_TMPDIR/a.lwc" open /etc/hostname
	capture_run "$BATS_TEST_TMPDIR/b.lwc" open /etc/hostname bind-any \
		open "$TEST_HOME/.ssh/id_ed25519"
	port=$(report_get "$BATS_TEST_TMPDIR/b.lwc.actor.json" bind-any_port)

	run --separate-stderr "$LLMWATCH" diff --format json -o "$BATS_TEST_TMPDIR/d.json" \
		"$BATS_TEST_TMPDIR/a.lwc" "$BATS_TEST_TMPDIR/b.lwc"
	echo "$stderr"
	[ "$status" -eq 1 ]
	python3 - "$BATS_TEST_TMPDIR/d.json" "$port" "$TEST_HOME/.ssh/id_ed25519" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
add, rem = d["added"], d["removed"]
print(json.dumps(d, indent=1))
# the capture's facts hold the listener's network namespace: the host's, so reachable
assert [(l["address"], l["port"], l["reachable"]) for l in add["listeners"]] == \
    [("0.0.0.0", int(sys.argv[2]), True)], add["listeners"]
assert d["a"]["verdict"] == "complete" and d["b"]["verdict"] == "complete", (d["a"], d["b"])
assert [c["category"] for c in add["file_categories"]] == ["credentials"], add["file_categories"]
assert [f["path"] for f in add["file_categories"][0]["files"]] == [sys.argv[3]]
assert sorted(a["rule"] for a in add["alerts"]) == ["exposure-listen", "file-credentials"], add["alerts"]
# the same tool, the same files otherwise, loopback only: nothing else changed
assert add["endpoints"] == [] and add["executables"] == [], (add["endpoints"], add["executables"])
for k, v in rem.items():
    assert v == [], (k, v)
assert d["ignored"] == {"a": 0, "b": 0}
PY

	# a report.json of a capture is the same run as the capture
	"$LLMWATCH" report "$BATS_TEST_TMPDIR/a.lwc" --format json -o "$BATS_TEST_TMPDIR/a.json"
	run --separate-stderr "$LLMWATCH" diff "$BATS_TEST_TMPDIR/a.json" "$BATS_TEST_TMPDIR/a.lwc"
	[ "$status" -eq 0 ]
	[ "$(tail -n1 <<<"$output")" = "no differences" ]
	run --separate-stderr "$LLMWATCH" diff --format json -o "$BATS_TEST_TMPDIR/d2.json" \
		"$BATS_TEST_TMPDIR/a.json" "$BATS_TEST_TMPDIR/b.lwc"
	[ "$status" -eq 1 ]
	python3 - "$BATS_TEST_TMPDIR/d.json" "$BATS_TEST_TMPDIR/d2.json" <<'PY'
import json, sys
d, d2 = (json.load(open(f)) for f in sys.argv[1:3])
assert d["added"] == d2["added"] and d["removed"] == d2["removed"]
PY

	run --separate-stderr "$LLMWATCH" diff "$BATS_TEST_TMPDIR/b.lwc" "$BATS_TEST_TMPDIR/a.lwc"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" != *"added"* ]] || false
	[ "$(grep -c '^    - ' <<<"$output")" -eq 4 ]
	[[ "$output" == *"    - 0.0.0.0:$port/tcp, reachable from the network, by ollama"* ]] || false
	[[ "$output" == *"    - credentials (1 file: $TEST_HOME/.ssh/id_ed25519)"* ]] || false
	[ "$(grep -c '^    + ' <<<"$output")" -eq 0 ]
}
