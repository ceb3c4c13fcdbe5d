#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# --output journald against a real systemd-journald: alerts arrive as structured entries
# (every field, the priority, MESSAGE_ID, the text sink's words), found by journalctl's
# MESSAGE_ID= and -t llmwatch LLMWATCH_TOOL= -p warning; a hostile process name, executable
# and path arrive escaped; :events adds every event; a journald that goes away is counted
# and told once; without journald llmwatch refuses to start.
#
# journald runs in a mount and network namespace of its own, with a tmpfs on /run (its
# socket, its runtime journal bound to a directory of the test, its configuration) and
# /dev/null on /dev/kmsg, so the machine's /run, logs and kernel log are never touched.
# llmwatch joins that mount namespace only (nsenter -m) to reach the socket; the tools it
# watches run as usual.

load helpers
load journald

setup() {
	common_setup
	JPID=
}

teardown() {
	common_teardown
	if [ -n "$JPID" ]; then
		kill "$JPID" 2>/dev/null || true
		wait "$JPID" 2>/dev/null || true
	fi
}

# same_events PID: the MESSAGEs of the journal's event entries (debug priority, no rule) of
# PID, sorted into journal.lines, are the text output's event lines (text.lines)
same_events() {
	jq_journal LLMWATCH_PID="$1" PRIORITY=7 | /usr/bin/python3 -c '
import json, sys
for l in sys.stdin:
    e = json.loads(l)
    if "LLMWATCH_RULE" not in e:
        print(e["MESSAGE"])' | sort >"$BATS_TEST_TMPDIR/journal.lines"
	cmp -s "$BATS_TEST_TMPDIR/text.lines" "$BATS_TEST_TMPDIR/journal.lines"
}

# the rules this test raises alerts with, one per severity (tools: ollama only)
write_rules() {
	cat >"$BATS_TEST_TMPDIR/jt.json" <<JSON
{
  "rules": [
    { "id": "jt-open-critical", "description": "test", "severity": "critical",
      "tools": ["ollama"], "event": "open", "conditions": { "path": "$BATS_TEST_TMPDIR/jt-*" },
      "message": "{tool} (pid {pid}) opened {path}" },
    { "id": "jt-open-high", "description": "test", "severity": "high",
      "tools": ["ollama"], "event": "open", "conditions": { "path": "$BATS_TEST_TMPDIR/jt-*" },
      "message": "{tool} (pid {pid}) read {path}" },
    { "id": "jt-send-medium", "description": "test", "severity": "medium",
      "tools": ["ollama"], "event": "send", "conditions": { "addr_class": "loopback" },
      "message": "{tool} (pid {pid}) sent to {dest}" },
    { "id": "jt-listen-low", "description": "test", "severity": "low",
      "tools": ["ollama"], "event": "listen", "conditions": { "addr_class": "loopback" },
      "message": "{tool} (pid {pid}) listens" },
    { "id": "jt-exec-info", "description": "test", "severity": "info",
      "tools": ["ollama"], "event": "exec", "conditions": { "path": "/bin/cat" },
      "message": "{tool} (pid {pid}) ran {filename}" }
  ]
}
JSON
}

# The hostile tool: a copy of python3 called ollama in a directory whose name holds a
# newline, a screen-clearing escape, ']' and a byte that is not UTF-8; it names its
# thread likewise, opens a file named likewise, sends a datagram to a loopback port,
# listens on loopback and runs /bin/cat. Prints {"pid": ..., "child": ..., "port": ...}.
run_hostile_tool() {
	local dir
	dir="$TOOLDIR/d"$'\n\x1b[2J]\xff'
	mkdir -p "$dir"
	cp "$(readlink -f /usr/bin/python3)" "$dir/ollama"
	printf x >"$BATS_TEST_TMPDIR/jt-"$'\x1b[2J]\n\xff'".txt"
	"$dir/ollama" -c '
import ctypes, json, os, socket, sys
libc = ctypes.CDLL(None)
libc.prctl(15, b"a\n\x1b[2J]\xff", 0, 0, 0)
with open(os.fsencode(sys.argv[1]) + b"/jt-\x1b[2J]\n\xff.txt", "rb") as f:
    f.read(1)
r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
r.bind(("127.0.0.1", 0))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b"y" * 64, r.getsockname())
l = socket.socket()
l.bind(("127.0.0.1", 0))
l.listen(1)
child = os.fork()
if child == 0:
    os.execv("/bin/cat", ["cat", "/dev/null"])
os.waitpid(child, 0)
print(json.dumps({"pid": os.getpid(), "child": child, "port": r.getsockname()[1],
                  "lport": l.getsockname()[1]}))
' "$BATS_TEST_TMPDIR" >"$BATS_TEST_TMPDIR/hostile.json"
	HPID=$(report_get "$BATS_TEST_TMPDIR/hostile.json" pid)
	HCHILD=$(report_get "$BATS_TEST_TMPDIR/hostile.json" child)
	HPORT=$(report_get "$BATS_TEST_TMPDIR/hostile.json" port)
	HLPORT=$(report_get "$BATS_TEST_TMPDIR/hostile.json" lport)
}

@test "alerts reach a real journald with every field, priority and MESSAGE_ID, escaped" {
	requires_bpf
	requires_journald
	start_journald
	write_rules
	TXT="$BATS_TEST_TMPDIR/text.out"
	lw_launch "$BATS_TEST_TMPDIR/stdout" --no-default-rules --rules "$BATS_TEST_TMPDIR/jt.json" \
		--output journald --output "text:$TXT"
	run_hostile_tool
	retry 50 grep -q " pid=$HPID ppid=[0-9]* exit " "$TXT"
	lw_stop
	# each rule's alert has reached the journal (a send may be held briefly for its name,
	# so the order they were sent in is not the order of the events)
	for rule in jt-open-critical jt-open-high jt-send-medium jt-listen-low jt-exec-info; do
		retry 50 journal_has 1 LLMWATCH_RULE="$rule"
	done

	jq_journal SYSLOG_IDENTIFIER=llmwatch >"$BATS_TEST_TMPDIR/entries.json"
	/usr/bin/python3 - "$BATS_TEST_TMPDIR/entries.json" "$TXT" "$HPID" "$HCHILD" "$HPORT" \
		"$HLPORT" "$BATS_TEST_TMPDIR" <<'PY'
import json, sys
entries_path, txt_path, pid, child, port, lport, tmp = sys.argv[1:8]
entries = [json.loads(l) for l in open(entries_path, encoding="utf-8")]
text = open(txt_path, "rb").read().decode("utf-8")  # the text sink's output is UTF-8 too
by_rule = {}
for e in entries:
    # every value journalctl shows as a string: valid UTF-8, nothing it had to encode as
    # bytes; and no control character in any of ours
    for k, v in e.items():
        assert isinstance(v, str), (k, v)
        if not k.startswith("_"):
            assert not any(ord(c) < 0x20 or 0x7f <= ord(c) <= 0x9f for c in v), (k, v)
    by_rule.setdefault(e.get("LLMWATCH_RULE"), []).append(e)
assert None not in by_rule, "an entry that is not an alert"
prio = {"jt-open-critical": "2", "jt-open-high": "3", "jt-send-medium": "4",
        "jt-listen-low": "5", "jt-exec-info": "6"}
assert set(by_rule) == set(prio), sorted(by_rule)
comm = "a\\n\\x1b[2J]\\xff"
exe = tmp + "/tools/d\\n\\x1b[2J]\\xff/ollama"
path = tmp + "/jt-\\x1b[2J]\\n\\xff.txt"
ours = {"MESSAGE", "PRIORITY", "MESSAGE_ID", "SYSLOG_IDENTIFIER"}
for rule, es in by_rule.items():
    sev = {"2": "critical", "3": "high", "4": "medium", "5": "low", "6": "info"}[prio[rule]]
    for e in es:
        assert e["PRIORITY"] == prio[rule], (rule, e["PRIORITY"])
        assert e["SYSLOG_IDENTIFIER"] == "llmwatch"
        assert e["LLMWATCH_SEVERITY"] == sev and e["LLMWATCH_ACTION"] == "alert"
        assert e["LLMWATCH_TOOL"] == "ollama"
        assert len(e["MESSAGE_ID"]) == 32 and all(c in "0123456789abcdef" for c in e["MESSAGE_ID"])
        # the text sink's words: its verdict line, indented
        assert f"\n  {e['MESSAGE']}\n" in text, e["MESSAGE"]
        assert e["MESSAGE"].startswith(f"[{sev}] {rule}: ")
        fields = {k for k in e if not k.startswith("_")}
        want = ours | {"LLMWATCH_RULE", "LLMWATCH_SEVERITY", "LLMWATCH_ACTION",
                       "LLMWATCH_TYPE", "LLMWATCH_TOOL", "LLMWATCH_PID", "LLMWATCH_COMM",
                       "LLMWATCH_EXE"}
        if rule.startswith("jt-open"):
            assert e["LLMWATCH_TYPE"] == "open" and e["LLMWATCH_PID"] == pid
            assert e["LLMWATCH_COMM"] == comm, e["LLMWATCH_COMM"]
            assert e["LLMWATCH_EXE"] == exe, e["LLMWATCH_EXE"]
            assert e["LLMWATCH_PATH"] == path, e["LLMWATCH_PATH"]
            assert path in e["MESSAGE"]
            want |= {"LLMWATCH_PATH"}
        elif rule == "jt-send-medium":
            assert e["LLMWATCH_TYPE"] == "send" and e["LLMWATCH_PID"] == pid
            assert e["LLMWATCH_DADDR"] == "127.0.0.1" and e["LLMWATCH_DPORT"] == port
            assert e["LLMWATCH_BYTES"] == "64" and e["LLMWATCH_HOST_SOURCE"] == "none"
            assert e["LLMWATCH_COMM"] == comm and e["LLMWATCH_EXE"] == exe
            want |= {"LLMWATCH_DADDR", "LLMWATCH_DPORT", "LLMWATCH_BYTES",
                     "LLMWATCH_HOST_SOURCE"}
        elif rule == "jt-listen-low":
            assert e["LLMWATCH_TYPE"] == "listen" and e["LLMWATCH_PID"] == pid
            assert e["LLMWATCH_ADDR"] == "127.0.0.1" and e["LLMWATCH_PORT"] == lport
            want |= {"LLMWATCH_ADDR", "LLMWATCH_PORT"}
        else:
            assert e["LLMWATCH_TYPE"] == "exec" and e["LLMWATCH_PID"] == child
            assert e["LLMWATCH_PATH"] == "/bin/cat"
            want |= {"LLMWATCH_PATH"}
        assert fields == want, (rule, sorted(fields ^ want))
PY
	# nothing raw anywhere in the journal's export (ESC, the invalid byte)
	[ "$(journalctl --directory="$JDIR" -o export | grep -c $'\x1b')" -eq 0 ]
	[ "$(journalctl --directory="$JDIR" -o export | grep -ac $'\xff')" -eq 0 ]

	# journalctl finds a rule's alerts by the MESSAGE_ID that `rules list` prints
	id=$("$BUILD/llmwatch" rules list --no-default-rules --rules "$BATS_TEST_TMPDIR/jt.json" |
		awk '/^jt-open-high / { getline; getline; sub(/^ *MESSAGE_ID=/, ""); print }')
	[ "${#id}" -eq 32 ]
	jq_journal "MESSAGE_ID=$id" >"$BATS_TEST_TMPDIR/by-id.json"
	[ -s "$BATS_TEST_TMPDIR/by-id.json" ]
	[ "$($LWQ count 0 "$BATS_TEST_TMPDIR/by-id.json")" -eq \
		"$($LWQ count 0 "$BATS_TEST_TMPDIR/by-id.json" LLMWATCH_RULE=jt-open-high)" ]
	# and an admin's view: Ollama's alerts of priority warning and above
	jq_journal -t llmwatch LLMWATCH_TOOL=ollama -p warning >"$BATS_TEST_TMPDIR/warn.json"
	/usr/bin/python3 - "$BATS_TEST_TMPDIR/warn.json" <<'PY'
import json, sys
rules = {json.loads(l)["LLMWATCH_RULE"] for l in open(sys.argv[1], encoding="utf-8")}
assert rules == {"jt-open-critical", "jt-open-high", "jt-send-medium"}, sorted(rules)
PY
	[ "$(grep -c "output journald" "$ERR")" -eq 0 ]
}

@test "journald:events sends every event too, at debug priority, in the text sink's words" {
	requires_bpf
	requires_journald
	start_journald
	tool=$(make_tool ollama)
	TXT="$BATS_TEST_TMPDIR/text.out"
	lw_launch "$BATS_TEST_TMPDIR/stdout" --output journald:events --output "text:$TXT"
	run_actor "$tool" "$BATS_TEST_TMPDIR/r.json" tcp open /etc/hostname
	pid=$(report_get "$BATS_TEST_TMPDIR/r.json" pid)
	retry 50 grep -q " pid=$pid ppid=[0-9]* exit " "$TXT"
	lw_stop

	# the event lines of the text output, and the journal's event entries of the same pid,
	# once journald has taken in every one llmwatch sent before it stopped
	grep " pid=$pid ppid=" "$TXT" | grep -v '^  ' | sort >"$BATS_TEST_TMPDIR/text.lines"
	[ "$(grep -c ' open /etc/hostname ' "$BATS_TEST_TMPDIR/text.lines")" -eq 1 ]
	retry 50 same_events "$pid" || true
	[ "$(grep -c ' connect 127\.0\.0\.1:' "$BATS_TEST_TMPDIR/journal.lines")" -ge 1 ]
	[ "$(grep -c ' open /etc/hostname ' "$BATS_TEST_TMPDIR/journal.lines")" -eq 1 ]
	diff "$BATS_TEST_TMPDIR/text.lines" "$BATS_TEST_TMPDIR/journal.lines"
	# an event entry carries the event's fields and no rule's
	jq_journal LLMWATCH_PID="$pid" LLMWATCH_TYPE=open >"$BATS_TEST_TMPDIR/open.json"
	$LWQ count-min 1 "$BATS_TEST_TMPDIR/open.json" PRIORITY=7 LLMWATCH_PATH=/etc/hostname \
		LLMWATCH_TOOL=ollama SYSLOG_IDENTIFIER=llmwatch LLMWATCH_RULE! MESSAGE_ID!
}

@test "a journald that goes away: told once, counted, the other output goes on" {
	requires_bpf
	requires_journald
	start_journald
	write_rules
	TXT="$BATS_TEST_TMPDIR/text.out"
	lw_launch "$BATS_TEST_TMPDIR/stdout" --no-default-rules --rules "$BATS_TEST_TMPDIR/jt.json" \
		--output journald --output "text:$TXT"
	run_hostile_tool
	first=$HPID
	retry 50 grep -q " pid=$first ppid=[0-9]* exit " "$TXT"
	retry 50 journal_has 1 LLMWATCH_RULE=jt-exec-info LLMWATCH_PID="$HCHILD"
	kill "$JPID"
	wait "$JPID" || true
	JPID=
	run_hostile_tool
	retry 50 grep -q " pid=$HPID ppid=[0-9]* exit " "$TXT"
	lw_stop # a failing output is not a runtime error
	grep -q "^  \[critical\] jt-open-critical: ollama (pid $HPID) opened " "$TXT"
	[ "$(grep -c '^llmwatch: output journald: writing failed: ' "$ERR")" -eq 1 ]
	grep -Eq '^llmwatch: output journald: [1-9][0-9]* writes failed$' "$ERR"
	# what was sent before is in the journal; nothing of the second tool is
	journal_has 1 LLMWATCH_PID="$first" LLMWATCH_RULE=jt-open-critical
	[ "$(jq_journal LLMWATCH_PID="$HPID" | grep -c .)" -eq 0 ]
}

@test "--output journald without journald's socket is refused at start, saying why" {
	requires_root
	command -v unshare >/dev/null || skip_or_fail "needs unshare (util-linux)"
	# a /run of our own, without journald, whatever this machine runs
	run unshare -m --propagation private -- /bin/sh -c \
		'mount -t tmpfs tmpfs /run && exec "$0" --output journald --duration 1' "$LLMWATCH"
	[ "$status" -eq 2 ]
	[[ "$output" == *'--output "journald": no journal socket at /run/systemd/journal/socket (No such file or directory): is systemd-journald running?'* ]]
	run "$LLMWATCH" --output journald:all
	[ "$status" -eq 2 ]
	[[ "$output" == *'--output "journald:all": unknown argument "all" (journald or journald:events)'* ]]
	run "$LLMWATCH" --help
	[[ "$output" == *"journald[:events]"* ]]
}
