#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# --output syslog against a real rsyslogd (Debian's, with the ossl driver), run by the test
# with a config of its own in a temp dir: its own pid file and work dir, imuxsock on a test
# socket (never the system's /dev/log), imudp, imtcp and imtcp with TLS on loopback ports,
# each writing to a file with an RFC 5424 template. Alerts arrive over all four with their
# structured data, a hostile process name escaped; a TLS collector whose certificate does not
# name the target is refused; a TCP or TLS collector that is stopped and started again gets
# the queued alerts and a message counting those beyond the queue's bound.

load helpers
load rsyslog

setup() {
	common_setup
	RS_PID=
	RS="$BATS_TEST_TMPDIR/rs"
}

teardown() {
	common_teardown
	rs_stop
}

# rules: one alert per open of a file called secret* in the test's directory.
write_rules() {
	cat >"$BATS_TEST_TMPDIR/rules.json" <<JSON
{
  "rules": [
    {
      "id": "test-secret",
      "description": "test rule: a watched tool opens a secret",
      "severity": "high",
      "tags": ["test"],
      "tools": ["ollama"],
      "event": "open",
      "conditions": { "path": "$BATS_TEST_TMPDIR/secret*" },
      "message": "{tool} (pid {pid}, {comm}) opened {path}"
    }
  ]
}
JSON
}

# open_secrets N NAME: the ollama tool renames its thread to NAME (bytes, Python escapes) and
# opens a secret file N times; prints its pid.
open_secrets() {
	"$TOOL" -c '
import ctypes, os, sys
ctypes.CDLL(None).prctl(15, eval("b\"" + sys.argv[3] + "\""), 0, 0, 0)
for _ in range(int(sys.argv[2])):
    try:
        open(sys.argv[1], "rb").close()
    except OSError:
        pass
print(os.getpid())' "$SECRET" "$1" "$2"
}

# count_is N CMD...: whether CMD prints N.
count_is() {
	local n=$1
	shift
	test "$("$@")" -eq "$n"
}

# check_rfc5424 FILE PRI APP PID COMM_SD PATH_SD: every test-secret line of FILE is one RFC 5424
# message with the expected header and structured data; prints nothing, fails saying why.
check_rfc5424() {
	/usr/bin/python3 - "$@" <<'PY'
import re, sys
path, pri, app, pid, comm_sd, path_sd, exe_sd = sys.argv[1:8]
data = open(path, "rb").read()
assert b"\x1b" not in data, "a raw ESC reached the collector"
assert b"#033" not in data, "rsyslog saw a raw ESC (escaped on reception)"
lines = [l for l in data.decode("utf-8").split("\n") if " test-secret " in l]
assert lines, "no test-secret message in " + path
for l in lines:
    m = re.fullmatch(r'<(\d+)>1 (\S+) (\S+) (\S+) (\d+) (\S+) \[llmwatch@32473 (.*)\] (.*)', l)
    assert m, "not RFC 5424 as expected: %r" % l
    assert m.group(1) == pri, "PRI %s, expected %s: %r" % (m.group(1), pri, l)
    assert re.fullmatch(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}(Z|\+00:00)', m.group(2)), l
    assert m.group(4) == app and m.group(6) == "test-secret", l
    sd = m.group(7)
    want = ('rule="test-secret" severity="high" tool="ollama" pid="%s" comm="%s" exe="%s" '
            'type="open" path="%s"' % (pid, comm_sd, exe_sd, path_sd))
    assert sd == want, "SD\n got  %r\n want %r" % (sd, want)
    assert m.group(8).startswith("ollama (pid %s, " % pid), l
PY
}

@test "syslog: alerts reach rsyslogd over /dev/log-style unix, UDP, TCP and TLS as RFC 5424, escaped" {
	requires_bpf
	requires_rsyslogd
	rs_certs
	rs_config
	rs_start
	write_rules
	TOOL=$(make_tool ollama)
	# a file name with every character the SD syntax escapes
	SECRET="$BATS_TEST_TMPDIR/secret\"q\\b]x"
	echo s >"$SECRET"
	OUT="$BATS_TEST_TMPDIR/out.json"
	lw_launch "$BATS_TEST_TMPDIR/stdout" --rules "$BATS_TEST_TMPDIR/rules.json" \
		--output "json:$OUT" \
		--output "syslog:unix:$RS/log.sock" \
		--output "syslog:udp://127.0.0.1:$UDP_PORT,facility=local4,app=lw-test" \
		--output "syslog:tcp://127.0.0.1:$TCP_PORT,facility=authpriv" \
		--output "syslog:tls://localhost:$TLS_PORT,ca=$RS/ca.pem,queue=10"
	# a newline, a screen-clearing escape, a ']' and a byte that is not UTF-8
	pid=$(open_secrets 1 'x\n\x1b[2J]\xff')
	lw_wait_for kind=alert pid="$pid" verdicts~test-secret
	for f in unix udp tcp tls; do
		retry 100 has_lines "$RS/out/$f.log" test-secret -ge 1
	done
	lw_stop
	# escaped once for people (\n, \x1b, \xff, \\), then for SD ('"', '\', ']')
	comm='x\\n\\x1b[2J\]\\xff'
	path="${BATS_TEST_TMPDIR}/secret\\\"q\\\\\\\\b\\]x"
	exe="$TOOLDIR/ollama"
	# daemon (3) err (3) = 27; local4 (20) = 163; authpriv (10) = 83
	check_rfc5424 "$RS/out/unix.log" 27 llmwatch "$pid" "$comm" "$path" "$exe"
	check_rfc5424 "$RS/out/udp.log" 163 lw-test "$pid" "$comm" "$path" "$exe"
	check_rfc5424 "$RS/out/tcp.log" 83 llmwatch "$pid" "$comm" "$path" "$exe"
	check_rfc5424 "$RS/out/tls.log" 27 llmwatch "$pid" "$comm" "$path" "$exe"
	# exactly one message each: octet counting kept the TCP and TLS messages whole
	for f in unix udp tcp tls; do
		[ "$(lines "$RS/out/$f.log" test-secret)" -eq 1 ]
		[ "$(wc -l <"$RS/out/$f.log")" -eq 1 ]
	done
	! grep -q "output syslog" "$ERR"
}

@test "syslog: a TLS collector whose certificate does not name the target is refused, and said" {
	requires_bpf
	requires_rsyslogd
	rs_certs
	rs_config
	rs_start
	write_rules
	TOOL=$(make_tool ollama)
	SECRET="$BATS_TEST_TMPDIR/secret"
	echo s >"$SECRET"
	OUT="$BATS_TEST_TMPDIR/out.json"
	# the certificate names localhost, not 127.0.0.1
	lw_launch "$BATS_TEST_TMPDIR/stdout" --rules "$BATS_TEST_TMPDIR/rules.json" \
		--output "json:$OUT" --output "syslog:tls://127.0.0.1:$TLS_PORT,ca=$RS/ca.pem"
	pid=$(open_secrets 1 plain)
	lw_wait_for kind=alert pid="$pid" verdicts~test-secret
	retry 100 grep -q "link down (TLS handshake with 127.0.0.1: certificate not accepted: IP address mismatch)" "$ERR"
	lw_stop
	grep -q "^llmwatch: output syslog:tls://127.0.0.1:$TLS_PORT,ca=$RS/ca.pem: 0 alerts sent, 0 dropped (queue full), 1 undelivered at exit (link down)$" "$ERR"
	[ "$(lines "$RS/out/tls.log" test-secret)" -eq 0 ]
}

@test "syslog: a stopped collector gets the queued alerts and the count of dropped ones on its return" {
	requires_bpf
	requires_rsyslogd
	rs_certs
	rs_config
	rs_start
	write_rules
	TOOL=$(make_tool ollama)
	SECRET="$BATS_TEST_TMPDIR/secret"
	echo s >"$SECRET"
	OUT="$BATS_TEST_TMPDIR/out.json"
	tcp="syslog:tcp://127.0.0.1:$TCP_PORT,queue=2"
	tls="syslog:tls://localhost:$TLS_PORT,ca=$RS/ca.pem,queue=2"
	# the four alerts below are identical: folding (--fold-window) would make them one
	lw_launch "$BATS_TEST_TMPDIR/stdout" --rules "$BATS_TEST_TMPDIR/rules.json" \
		--fold-window 0 --output "json:$OUT" --output "$tcp" --output "$tls"
	pid=$(open_secrets 1 before)
	retry 100 has_lines "$RS/out/tcp.log" test-secret -eq 1
	retry 100 has_lines "$RS/out/tls.log" test-secret -eq 1

	rs_stop
	retry 100 count_is 2 grep -c 'link down (closed by the collector' "$ERR"
	# four alerts while it is away: two wait, two are beyond the bound
	pid=$(open_secrets 4 during)
	retry 100 count_is 4 $LWQ count 0 "$OUT" kind=alert pid="$pid"
	retry 50 count_is 2 grep -c ': output syslog:.* failed: No buffer space available' "$ERR"

	rs_start
	for f in tcp tls; do
		retry 300 has_lines "$RS/out/$f.log" test-secret -eq 3
		retry 100 has_lines "$RS/out/$f.log" dropped -eq 1
	done
	lw_stop
	for f in tcp tls; do
		grep -q ' dropped \[llmwatch@32473 dropped="2" queue="2"\] llmwatch dropped 2 alert(s)' "$RS/out/$f.log"
		# the queued ones are the first two of the four, after the notice
		[ "$(grep -c "pid=\"$pid\" comm=\"during\"" "$RS/out/$f.log")" -eq 2 ]
	done
	grep -q "^llmwatch: output $tcp: link up again: 2 messages queued to send, 2 dropped meanwhile$" "$ERR"
	grep -q "^llmwatch: output $tls: link up again: 2 messages queued to send, 2 dropped meanwhile$" "$ERR"
	# the drops are output errors, so a loss alert (llmwatch-events-lost) follows them: sent
	# once the link is back, or dropped too if the queue is still full when it is made
	local line sent dropped
	line=$(grep "^llmwatch: output $tcp: [0-9]* alerts sent, [0-9]* dropped (queue full)$" "$ERR")
	sent=$(sed -E 's/.*: ([0-9]+) alerts sent, ([0-9]+) dropped.*/\1/' <<<"$line")
	dropped=$(sed -E 's/.*: ([0-9]+) alerts sent, ([0-9]+) dropped.*/\2/' <<<"$line")
	[ "$((sent + dropped))" -eq 6 ] && [ "$sent" -ge 3 ] || {
		cat "$ERR" >&2
		return 1
	}
	if [ "$sent" -eq 4 ]; then
		grep -q ' llmwatch-events-lost \[llmwatch@32473 rule="llmwatch-events-lost"' "$RS/out/tcp.log"
	fi
}

@test "syslog: the fleet example docs/rsyslog-llmwatch.conf takes alerts over TLS with a client certificate" {
	requires_bpf
	requires_rsyslogd
	rs_certs
	(
		cd "$RS"
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
			-keyout client.key -out client.csr -subj /CN=watched-machine
		openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
			-out client.pem -days 2
	) >>"$RS/openssl.log" 2>&1
	read -r FLEET_PORT < <(free_ports 1)
	mkdir -p "$RS/work" "$RS/fleet"
	# the example as shipped, only its paths and port moved into the test's directory
	sed -e "s|/etc/rsyslog.d/llmwatch/collector|$RS/srv|g" -e "s|/etc/rsyslog.d/llmwatch/|$RS/|g" \
		-e "s|/var/log/llmwatch/|$RS/fleet/|g" -e "s|port=\"6514\"|port=\"$FLEET_PORT\"|" \
		"$REPO/docs/rsyslog-llmwatch.conf" >"$RS/fleet.conf"
	grep -q "port=\"$FLEET_PORT\"" "$RS/fleet.conf"
	! grep -Eq '/etc/|/var/' "$RS/fleet.conf"
	printf 'global(workDirectory="%s/work")\ninclude(file="%s/fleet.conf")\n' "$RS" "$RS" \
		>"$RS/rsyslog.conf"
	rsyslogd -n -f "$RS/rsyslog.conf" -i "$RS/rsyslogd.pid" >>"$RS/rsyslogd.out" 2>&1 &
	RS_PID=$!
	retry 100 eval 'ss -Hltn "sport = :$FLEET_PORT" | grep -q .'
	write_rules
	TOOL=$(make_tool ollama)
	SECRET="$BATS_TEST_TMPDIR/secret"
	echo s >"$SECRET"
	OUT="$BATS_TEST_TMPDIR/out.json"
	lw_launch "$BATS_TEST_TMPDIR/stdout" --rules "$BATS_TEST_TMPDIR/rules.json" \
		--output "json:$OUT" \
		--output "syslog:tls://localhost:$FLEET_PORT,ca=$RS/ca.pem,cert=$RS/client.pem,key=$RS/client.key"
	pid=$(open_secrets 1 fleet)
	lw_wait_for kind=alert pid="$pid" verdicts~test-secret
	host=$(hostname)
	retry 100 has_lines "$RS/fleet/$host.log" test-secret -eq 1
	lw_stop
	grep -q "^<27>1 [^ ]* $host llmwatch [0-9]* test-secret \[llmwatch@32473 rule=\"test-secret\" severity=\"high\" tool=\"ollama\" pid=\"$pid\" comm=\"fleet\" " "$RS/fleet/$host.log"
	! grep -q "output syslog" "$ERR"

	# without a client certificate the collector refuses the machine; in TLS 1.3 it says
	# so after the handshake, and llmwatch must not take the link for up meanwhile
	lw_launch "$BATS_TEST_TMPDIR/stdout" --rules "$BATS_TEST_TMPDIR/rules.json" \
		--output "json:$OUT" --output "syslog:tls://localhost:$FLEET_PORT,ca=$RS/ca.pem"
	pid=$(open_secrets 1 nocert)
	lw_wait_for kind=alert pid="$pid" verdicts~test-secret
	retry 100 grep -q "link down (TLS with localhost, after the handshake: .*certificate required" "$ERR"
	lw_stop
	grep -q ": 0 alerts sent, 0 dropped (queue full), 1 undelivered at exit (link down)$" "$ERR"
	! grep -q "link up" "$ERR"
	[ "$(lines "$RS/fleet/$host.log" test-secret)" -eq 1 ]
}

@test "syslog: a bad target, facility, option or CA file is a usage error naming the value" {
	run "$LLMWATCH" --output "syslog:http://x"
	[ "$status" -eq 2 ]
	[[ "$output" == *'--output "syslog:http://x": bad target "http://x": expected unix:PATH, udp://HOST[:PORT], tcp://HOST[:PORT] or tls://HOST[:PORT]'* ]]
	run "$LLMWATCH" --output "syslog,facility=local9"
	[ "$status" -eq 2 ]
	[[ "$output" == *'facility="local9": unknown facility; known: kern, user, mail, daemon,'* ]]
	run "$LLMWATCH" --output "syslog:tls://localhost:6514,ca=$BATS_TEST_TMPDIR/none.pem"
	[ "$status" -eq 2 ]
	[[ "$output" == *"ca=$BATS_TEST_TMPDIR/none.pem: cannot read: No such file or directory"* ]]
	run "$LLMWATCH" --output "syslog:tcp://127.0.0.1:514,queue=0"
	[ "$status" -eq 2 ]
	[[ "$output" == *'queue="0": a number of messages from 1 to 1000000'* ]]
	run "$LLMWATCH" --output "syslog:udp://127.0.0.1,ca=/etc/hostname"
	[ "$status" -eq 2 ]
	[[ "$output" == *'ca=/etc/hostname: certificates are for tls:// targets only'* ]]
	run "$LLMWATCH" --help
	[[ "$output" == *'syslog[:TARGET][,OPT=V]'* ]]
}
