#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The evaluation report (issue 15): a real run captured with --capture (curl as GPT4All
# resolving api.mixpanel.com through the lab's DNS and talking TLS to it, python3 as ollama
# listening on 0.0.0.0, reading a user's ~/.ssh key and a model file, and running a child)
# gives `llmwatch report`'s JSON document with each finding as data, and its text report
# naming them; a changed byte gives a report that says the chain is broken and exit status
# 1; something that is not a capture gives no report.

load helpers
. "$BATS_TEST_DIRNAME/../lab/lab.sh"

setup() {
	requires_bpf
	local c
	for c in ip ss dnsmasq openssl curl useradd; do
		command -v "$c" >/dev/null || skip_or_fail "needs $c"
	done
	common_setup
	TEST_USER=
	CAP="$BATS_TEST_TMPDIR/run.lwc"
	lab_up "$BATS_TEST_TMPDIR/lab"
}

teardown() {
	common_teardown
	lab_down
	if [ -n "$TEST_USER" ]; then
		userdel "$TEST_USER" 2>/dev/null || true
		rm -rf "$TEST_HOME"
	fi
}

# A throwaway user whose home the test owns, so "~/.ssh" in the rules is a home of this
# machine and no real user's files are touched (as 30-rules.bats does).
make_user() {
	TEST_HOME=$(mktemp -d /tmp/llmwatch-home.XXXXXX)
	TEST_USER="lwr$$"
	useradd -M -d "$TEST_HOME" -s /usr/sbin/nologin "$TEST_USER"
	chmod 755 "$TEST_HOME"
}

# client CMD...: CMD in the lab's client namespace as a direct child (CLIENT_PID), killed
# after 20 s (as in 40-lab.bats).
client() {
	local dog rc=0
	ip netns exec "$LAB_CLI" "$@" >"$BATS_TEST_TMPDIR/client.out" 2>&1 </dev/null 3>&- &
	CLIENT_PID=$!
	(sleep 20 && kill -KILL "$CLIENT_PID") >/dev/null 2>&1 3>&- &
	dog=$!
	wait "$CLIENT_PID" || rc=$?
	kill "$dog" 2>/dev/null || true
	[ "$rc" -eq 0 ] || sed 's/^/client: /' "$BATS_TEST_TMPDIR/client.out" >&2
	return "$rc"
}

# check_json DOC PYTHON: runs the assertions in PYTHON with d = the document; fails
# printing the one that did not hold.
check_json() {
	/usr/bin/python3 - "$1" <<EOF
import json, sys
d = json.load(open(sys.argv[1]))
$2
EOF
}

@test "report of a captured run: endpoints named and classified, listener, files by category, processes, complete" {
	make_user
	mkdir -p "$TEST_HOME/.ssh" "$BATS_TEST_TMPDIR/models"
	echo key >"$TEST_HOME/.ssh/id_ed25519"
	echo gguf >"$BATS_TEST_TMPDIR/models/tiny.gguf"
	mkdir -p "$TOOLDIR/x/gpt4all/bin"
	chat=$(make_tool x/gpt4all/bin/chat /usr/bin/curl)
	ollama=$(make_tool ollama)
	lw_start --capture "$CAP"
	client "$chat" -sS -k --max-time 10 -o /dev/null https://api.mixpanel.com/track
	chat_pid=$CLIENT_PID
	run_actor "$ollama" "$BATS_TEST_TMPDIR/r.json" bind-any open "$TEST_HOME/.ssh/id_ed25519" \
		open "$BATS_TEST_TMPDIR/models/tiny.gguf" child
	pid=$(report_get "$BATS_TEST_TMPDIR/r.json" pid)
	port=$(report_get "$BATS_TEST_TMPDIR/r.json" bind-any_port)
	child=$(report_get "$BATS_TEST_TMPDIR/r.json" child_pid)
	lw_wait_for type=exit pid="$pid"
	lw_wait_for type=exit pid="$chat_pid"
	# the live run saw the connect named (else the report's check below would mislead)
	lw_wait_for type=connect pid="$chat_pid" host=api.mixpanel.com host_source=dns
	lw_stop

	run "$LLMWATCH" report "$CAP" --format json -o "$BATS_TEST_TMPDIR/report.json"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(stat -c %a "$BATS_TEST_TMPDIR/report.json")" = 600 ]
	check_json "$BATS_TEST_TMPDIR/report.json" "
assert d['report_version'] == 1
c = d['captures'][0]
assert c['chain'] == 'intact' and c['sealed'] and not c['torn_tail'], c
assert d['completeness']['verdict'] == 'complete', d['completeness']
assert d['completeness']['reasons'] == []
e = [e for e in d['endpoints'] if e['host'] == 'api.mixpanel.com']
assert len(e) == 1, d['endpoints']
e = e[0]
assert e['address'] == '$LAB_MIXPANEL' and e['port'] == 443 and e['protocol'] == 'tcp', e
assert e['host_source'] == 'dns' and e['classification'] == 'telemetry', e
assert 'telemetry-mixpanel' in e['rules'], e
assert e['connections'] >= 1 and e['bytes_sent'] > 0, e
assert [p['tool'] for p in e['processes']] == ['gpt4all'], e
assert d['endpoints'][0]['classification'] == 'telemetry'
l = [l for l in d['listeners'] if l['pid'] == $pid and l['port'] == $port]
assert len(l) == 1 and l[0]['address'] == '0.0.0.0' and l[0]['listened'], d['listeners']
assert l[0]['tool'] == 'ollama'
f = {f['path']: f for f in d['files']}
k = f['$TEST_HOME/.ssh/id_ed25519']
assert k['category'] == 'credentials' and k['flagged'] and 'file-credentials' in k['rules'], k
assert d['files'][0]['flagged']
m = f['$BATS_TEST_TMPDIR/models/tiny.gguf']
assert m['category'] == 'model' and m['opens'] == 1, m
p = {p['pid']: p for p in d['processes']}
assert p[$child]['exe'] == '/bin/cat' and p[$child]['ppid'] == $pid, p[$child]
assert p[$child]['started'] is not None and p[$child]['exit_code'] == 0, p[$child]
# the executable as it was at exec, from the capture's facts
assert p[$child]['sha256'] == '$(sha256sum /bin/cat | cut -d' ' -f1)', p[$child]
assert p[$pid]['tool'] == 'ollama' and p[$chat_pid]['tool'] == 'gpt4all'
a = {(a['rule'], a['pid']) for a in d['alerts']}
assert ('telemetry-mixpanel', $chat_pid) in a and ('file-credentials', $pid) in a, a
assert d['summary']['endpoints'] == len(d['endpoints'])
"

	run "$LLMWATCH" report "$CAP" -o "$BATS_TEST_TMPDIR/report.txt"
	[ "$status" -eq 0 ]
	txt=$(cat "$BATS_TEST_TMPDIR/report.txt")
	echo "$txt"
	[[ "$(head -5 "$BATS_TEST_TMPDIR/report.txt")" == *"Completeness: COMPLETE"* ]]
	[[ "$txt" == *"api.mixpanel.com:443/tcp ($LAB_MIXPANEL, name from dns)"* ]]
	[[ "$txt" == *"0.0.0.0:$port/tcp, listening, ollama[$pid]"* ]]
	[[ "$txt" == *"FLAGGED credentials:"* ]]
	[[ "$txt" == *"! $TEST_HOME/.ssh/id_ed25519"* ]]
	[[ "$txt" == *"$BATS_TEST_TMPDIR/models/tiny.gguf"* ]]
	[[ "$txt" == *"[high] file-credentials: ollama[$pid]"* ]]
	[[ "$txt" == *"$child cat (tool ollama, parent $pid, tree of $pid): /bin/cat"* ]]

	# one byte changed in the middle: the report is written, says so, and exit status 1
	cp "$CAP" "$BATS_TEST_TMPDIR/changed.lwc"
	size=$(stat -c %s "$CAP")
	printf '\xff' | dd of="$BATS_TEST_TMPDIR/changed.lwc" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
	run "$LLMWATCH" report "$BATS_TEST_TMPDIR/changed.lwc" --format json -o "$BATS_TEST_TMPDIR/changed.json"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"hash chain broken from block"* ]]
	check_json "$BATS_TEST_TMPDIR/changed.json" "
c = d['captures'][0]
assert c['chain'] == 'broken' and isinstance(c['first_bad_block'], int), c
assert d['completeness']['verdict'] == 'incomplete'
assert any(r.startswith('chain broken from block %d of ' % c['first_bad_block']) for r in d['completeness']['reasons']), d['completeness']
"
	# not a capture: no report, the file named; bad usage: 2
	run "$LLMWATCH" report /etc/hostname -o "$BATS_TEST_TMPDIR/none.txt"
	[ "$status" -eq 1 ]
	[[ "$output" == *"/etc/hostname"* ]]
	[ ! -s "$BATS_TEST_TMPDIR/none.txt" ]
	run "$LLMWATCH" report "$CAP" --format pdf
	[ "$status" -eq 2 ]
}
