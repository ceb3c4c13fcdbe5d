#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# llmwatch audit --output: a periodic audit alerts where the monitor does. A FAIL finding
# (a malformed GGUF file, checked with --gguf, under a name holding an escape sequence and
# a newline) reaches a real systemd-journald as an entry with every field, escaped, found by
# its check's MESSAGE_ID, with a summary entry; :all sends the PASS too. It reaches a real
# rsyslogd over a unix socket, TCP and TLS as RFC 5424 with its structured data. A collector
# that is not there is waited for (bounded), the loss said, and the audit exits 2. Without
# journald's socket the audit is refused before any check runs. Reports to two files;
# two outputs to one place refused; the help names the outputs. The journald and rsyslogd
# are the ones of 50-journald and 51-syslog (journald.bash, rsyslog.bash).

load helpers
load journald
load rsyslog

setup() {
	common_setup
	JPID=
	RS_PID=
	RS="$BATS_TEST_TMPDIR/rs"
	# a malformed model under a hostile name, and a valid one
	/usr/bin/python3 "$REPO/tests/gguf/make_gguf.py" "$BATS_TEST_TMPDIR/gguf" >/dev/null
	BAD="$BATS_TEST_TMPDIR/gguf/bad"$'\x1b[2J\n'"name.gguf"
	BAD_ESC="$BATS_TEST_TMPDIR/gguf/bad\\x1b[2J\\nname.gguf"
	mv "$BATS_TEST_TMPDIR/gguf/huge-nkv.gguf" "$BAD"
	GOOD="$BATS_TEST_TMPDIR/gguf/valid.gguf"
}

teardown() {
	common_teardown
	rs_stop
	if [ -n "$JPID" ]; then
		kill "$JPID" 2>/dev/null || true
		wait "$JPID" 2>/dev/null || true
	fi
}

# the FAIL of these tests comes from the gguf-files check (audit_checks.c)
requires_gguf_check() {
	"$LLMWATCH" audit --list | grep -q '^gguf-files ' ||
		skip_or_fail "needs the gguf-files check in audit_checks.c"
}

# message_id CHECK: the MESSAGE_ID of a check's findings (docs/audit-format.md)
message_id() {
	printf 'llmwatch-audit:%s' "$1" | sha256sum | cut -c1-32
}

@test "audit --output journald: a FAIL arrives with every field, escaped, and a summary" {
	requires_journald
	requires_gguf_check
	start_journald
	run "$LLMWATCH" audit --no-progress --output journald --gguf "$BAD" "$GOOD"
	echo "$output"
	[ "$status" -eq 1 ]
	# no report on stdout: --output chose the journal only
	[[ $output != *"llmwatch audit of"* ]]
	retry 50 journal_has 1 LLMWATCH_AUDIT_STATUS=SUMMARY
	jq_journal SYSLOG_IDENTIFIER=llmwatch >"$BATS_TEST_TMPDIR/entries.json"
	/usr/bin/python3 - "$BATS_TEST_TMPDIR/entries.json" "$BAD_ESC" "$(message_id gguf-files)" <<'PY'
import hashlib, json, sys
path, bad, mid = sys.argv[1:4]
entries = [json.loads(l) for l in open(path, encoding="utf-8")]
for e in entries:
    for k, v in e.items():
        assert isinstance(v, str), (k, v)  # valid UTF-8: journalctl shows no byte array
        if not k.startswith("_"):
            assert not any(ord(c) < 0x20 or 0x7f <= ord(c) <= 0x9f for c in v), (k, v)
fails = [e for e in entries if e.get("LLMWATCH_AUDIT_STATUS") == "FAIL"]
summ = [e for e in entries if e.get("LLMWATCH_AUDIT_STATUS") == "SUMMARY"]
# no PASS without :all: only the FAIL of the bad file and the summary
assert len(fails) == 1 and len(summ) == 1 and len(entries) == 2, entries
f = fails[0]
assert f["PRIORITY"] == "3" and f["MESSAGE_ID"] == mid, f
assert f["LLMWATCH_AUDIT_CHECK"] == "gguf-files" and f["LLMWATCH_AUDIT_ITEM"] == "gguf", f
assert f["MESSAGE"].startswith("audit FAIL gguf-files "), f["MESSAGE"]
# the file's name, escaped, in what was checked or what was found, and in the message
where = f.get("LLMWATCH_AUDIT_SUBJECT", "") + " " + f.get("LLMWATCH_AUDIT_EVIDENCE", "")
assert bad in where and bad in f["MESSAGE"], (bad, f)
assert f.get("LLMWATCH_AUDIT_EVIDENCE") and f.get("LLMWATCH_AUDIT_FIX"), f
want = {"MESSAGE", "PRIORITY", "SYSLOG_IDENTIFIER", "MESSAGE_ID", "LLMWATCH_AUDIT_CHECK",
        "LLMWATCH_AUDIT_ITEM", "LLMWATCH_AUDIT_STATUS", "LLMWATCH_AUDIT_SUBJECT",
        "LLMWATCH_AUDIT_EVIDENCE", "LLMWATCH_AUDIT_FIX"}
opt = {"LLMWATCH_AUDIT_TOOL", "LLMWATCH_AUDIT_SOURCE"}
fields = {k for k in f if not k.startswith("_")}
assert want <= fields <= want | opt, sorted(fields ^ want)
s = summ[0]
assert s["PRIORITY"] == "3", s  # something FAILs
assert s["MESSAGE_ID"] == hashlib.sha256(b"llmwatch-audit-summary").hexdigest()[:32]
assert s["LLMWATCH_AUDIT_FAIL"] == "1" and s["LLMWATCH_AUDIT_PASS"] == "1", s
assert s["LLMWATCH_AUDIT_COMPLETE"] == "true" and s["LLMWATCH_AUDIT_ROOT"] == "/", s
assert s["MESSAGE"].startswith("audit of /: 1 PASS, 0 WARN, 1 FAIL, 0 SKIP"), s["MESSAGE"]
PY
	# nothing raw in the journal's export
	[ "$(journalctl --directory="$JDIR" -o export | grep -c $'\x1b')" -eq 0 ]
	# an admin finds a check's findings by its MESSAGE_ID, and failures by priority
	journal_has 1 MESSAGE_ID="$(message_id gguf-files)"
	[ "$(jq_journal -t llmwatch -p err | grep -c .)" -eq 2 ]
}

@test "audit --output journald:all sends the PASS too, at info; --json adds the report" {
	requires_journald
	requires_gguf_check
	start_journald
	run "$LLMWATCH" audit --no-progress --output journald:all --json --gguf "$BAD" "$GOOD"
	[ "$status" -eq 1 ]
	# --json added the report on stdout
	echo "$output" | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["counts"]["FAIL"] == 1'
	retry 50 journal_has 1 LLMWATCH_AUDIT_STATUS=SUMMARY
	journal_has 1 LLMWATCH_AUDIT_STATUS=PASS LLMWATCH_AUDIT_CHECK=gguf-files PRIORITY=6
	journal_has 1 LLMWATCH_AUDIT_STATUS=FAIL LLMWATCH_AUDIT_CHECK=gguf-files PRIORITY=3
	[ "$(jq_journal SYSLOG_IDENTIFIER=llmwatch | grep -c .)" -eq 3 ]
}

@test "audit --output journald without journald's socket is refused before any check runs" {
	requires_root
	command -v unshare >/dev/null || skip_or_fail "needs unshare (util-linux)"
	out="$BATS_TEST_TMPDIR/report.txt"
	# a /run of our own, without journald, whatever this machine runs
	run unshare -m --propagation private -- /bin/sh -c \
		'mount -t tmpfs tmpfs /run && exec "$0" audit --no-progress --output journald --output "text:$1" --gguf "$2"' \
		"$LLMWATCH" "$out" "$GOOD"
	[ "$status" -eq 2 ]
	[[ "$output" == *'llmwatch: audit: "journald": no journal socket at /run/systemd/journal/socket (No such file or directory): is systemd-journald running?'* ]]
	# refused before the checks: no report was written
	[ ! -s "$out" ]
}

# check_audit_rfc5424 FILE PRI: the gguf-files FAIL and the summary in FILE, as RFC 5424
check_audit_rfc5424() {
	/usr/bin/python3 - "$1" "$2" "$BAD_ESC" <<'PY'
import re, sys
path, pri, bad = sys.argv[1:4]
data = open(path, "rb").read()
assert b"\x1b" not in data and b"#033" not in data, "a raw ESC reached the collector"
lines = data.decode("utf-8").rstrip("\n").split("\n")
assert len(lines) == 2, lines  # one FAIL, the summary; no PASS
head = r'<(\d+)>1 (\S+) (\S+) llmwatch (\d+) (\S+) \[llmwatch-audit@32473 (.*)\] (.*)'
m = re.fullmatch(head, lines[0])
assert m, "not RFC 5424 as expected: %r" % lines[0]
assert m.group(1) == pri and m.group(5) == "gguf-files", lines[0]
sd = m.group(6)
assert sd.startswith('check="gguf-files" item="gguf" status="FAIL" '), sd
# the name escaped for people (\x1b, \n), then for SD: each backslash doubled
assert bad.replace("\\", "\\\\") in sd, (bad, sd)
assert ' evidence="' in sd and ' fix="' in sd, sd
assert m.group(7).startswith("audit FAIL gguf-files ") and bad in m.group(7), m.group(7)
m = re.fullmatch(head, lines[1])
assert m and m.group(1) == pri and m.group(5) == "audit-summary", lines[1]
assert m.group(6) == ('status="SUMMARY" root="/" pass="1" warn="0" fail="1" skip="0" '
                      'errors="0" lost="0" complete="true"'), m.group(6)
assert m.group(7) == "audit of /: 1 PASS, 0 WARN, 1 FAIL, 0 SKIP", m.group(7)
PY
}

@test "audit --output syslog: a FAIL reaches rsyslogd over unix, TCP and TLS as RFC 5424" {
	requires_root
	requires_rsyslogd
	requires_gguf_check
	rs_certs
	rs_config
	rs_start
	run "$LLMWATCH" audit --no-progress -o "$BATS_TEST_TMPDIR/report.txt" \
		--output "syslog:unix:$RS/log.sock" \
		--output "syslog:tcp://127.0.0.1:$TCP_PORT,facility=local4" \
		--output "syslog:tls://localhost:$TLS_PORT,ca=$RS/ca.pem,app=llmwatch" \
		--gguf "$BAD" "$GOOD"
	echo "$output"
	[ "$status" -eq 1 ]
	[ -z "$output" ] # delivered: nothing to say
	grep -q "^  FAIL gguf-files " "$BATS_TEST_TMPDIR/report.txt"
	for f in unix tcp tls; do
		retry 100 has_lines "$RS/out/$f.log" audit-summary -eq 1
	done
	# daemon (3) err (3) = 27; local4 (20) * 8 + 3 = 163
	check_audit_rfc5424 "$RS/out/unix.log" 27
	check_audit_rfc5424 "$RS/out/tcp.log" 163
	check_audit_rfc5424 "$RS/out/tls.log" 27
}

@test "audit --output syslog to a collector that is not there: waited for, said, exit 2" {
	requires_gguf_check
	read -r port < <(free_ports 1)
	start=$(date +%s)
	run "$LLMWATCH" audit --no-progress --output "text:$BATS_TEST_TMPDIR/r.txt" \
		--output "syslog:tcp://127.0.0.1:$port" --gguf "$BAD" "$GOOD"
	echo "$output"
	[ "$status" -eq 2 ]
	# bounded: 10 s of waiting, not more
	[ $(($(date +%s) - start)) -le 15 ]
	[[ $output == *"llmwatch: audit: output \"syslog:tcp://127.0.0.1:$port\": 2 of 2 messages not delivered (link down)"* ]]
	# the other output was written all the same
	grep -q "^  FAIL gguf-files " "$BATS_TEST_TMPDIR/r.txt"
}

@test "audit --output text:PATH and json:PATH write the same report, both 0600" {
	requires_gguf_check
	t="$BATS_TEST_TMPDIR/r.txt"
	j="$BATS_TEST_TMPDIR/r.json"
	run "$LLMWATCH" audit --no-progress --output "text:$t" --output "json:$j" --gguf "$BAD"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$(stat -c %a "$t")" = 600 ] && [ "$(stat -c %a "$j")" = 600 ]
	grep -qF "  FAIL gguf-files " "$t"
	grep -qF "$BAD_ESC" "$t"
	/usr/bin/python3 - "$j" "$BAD_ESC" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
f = [x for x in d["findings"] if x["status"] == "FAIL"]
assert len(f) == 1 and f[0]["check"] == "gguf-files", d
assert sys.argv[2] in (f[0]["subject"] or "") + (f[0]["evidence"] or ""), f
PY
}

@test "audit --output: unknown names, two outputs to one place and bad arguments are usage errors" {
	run "$LLMWATCH" audit --output xml
	[ "$status" -eq 2 ]
	[[ $output == *'--output "xml": unknown output; known: text, json, journald, syslog'* ]]
	run "$LLMWATCH" audit --json --output json
	[ "$status" -eq 2 ]
	[[ $output == *'"json" and "--json" both write to stdout'* ]]
	run "$LLMWATCH" audit --output "text:$BATS_TEST_TMPDIR/x" --output "json:$BATS_TEST_TMPDIR/x"
	[ "$status" -eq 2 ]
	[[ $output == *"\"text:$BATS_TEST_TMPDIR/x\" and \"json:$BATS_TEST_TMPDIR/x\" both write to $BATS_TEST_TMPDIR/x"* ]]
	[ ! -e "$BATS_TEST_TMPDIR/x" ]
	run "$LLMWATCH" audit --output journald:events
	[ "$status" -eq 2 ]
	[[ $output == *'--output "journald:events": unknown argument "events" (journald or journald:all)'* ]]
	run "$LLMWATCH" audit --output "syslog,facility=local9"
	[ "$status" -eq 2 ]
	[[ $output == *'facility="local9": unknown facility'* ]]
	run "$LLMWATCH" audit --output "text:$BATS_TEST_TMPDIR/x,max-size=1M"
	[ "$status" -eq 2 ]
	[[ $output == *'max-size and keep rotate the monitor'* ]]
	run "$LLMWATCH" audit --help
	[ "$status" -eq 0 ]
	for spec in 'text[:PATH]' 'json[:PATH]' 'journald[:all]' 'syslog[:TARGET][,OPT=V]'; do
		[[ $output == *"$spec"* ]] || { echo "help lacks $spec"; false; }
	done
}
