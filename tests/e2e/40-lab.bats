#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Host names end to end, in the network-namespace lab (tests/lab/lab.sh): real clients
# (curl, openssl s_client, python3) under watched names resolve api.mixpanel.com through
# the lab's dnsmasq and talk TLS and HTTP to the lab's servers. A connect is named by the
# DNS answer the tool received, by its TLS server name, or by its HTTP Host; the Mixpanel
# rule fires on the name, whatever the address; a public address with no name seen is
# flagged; an unwatched client raises nothing; with --resolve-rule-hosts, llmwatch's own
# lookup of the rules' host names (asked of the lab's dnsmasq) names a connect nothing else
# named. All traffic stays in the lab's namespaces.

load helpers
. "$BATS_TEST_DIRNAME/../lab/lab.sh"

MIXPANEL_RULE='"rule": "telemetry-mixpanel"'
UNNAMED_RULE='"rule": "egress-unnamed"'

setup() {
	requires_bpf
	local c
	for c in ip ss dnsmasq openssl curl; do
		command -v "$c" >/dev/null || skip_or_fail "needs $c"
	done
	common_setup
	lab_up "$BATS_TEST_TMPDIR/lab"
}

teardown() {
	common_teardown
	lab_down
}

# gpt4all_tool SOURCE [SUBDIR]: a copy of SOURCE where GPT4All installs its `chat`, so the
# profile confirms it by its path (a stray `chat` is rejected: see 10-capture.bats).
gpt4all_tool() {
	mkdir -p "$TOOLDIR/${2:-x}/gpt4all/bin"
	make_tool "${2:-x}/gpt4all/bin/chat" "$1"
}

# client CMD...: runs CMD in the lab's client namespace as a direct child (`ip netns exec`
# execs it, so CLIENT_PID is CMD's pid), output in $BATS_TEST_TMPDIR/client.out, killed
# if it is still running after 20 s. Returns CMD's status.
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

# client_done PID: waits for its exit record, so everything it did has been read.
client_done() {
	lw_wait_for type=exit pid="$1"
}

@test "curl as GPT4All to https://api.mixpanel.com/track: alerted, named by the lab's DNS answer and by SNI" {
	tool=$(gpt4all_tool /usr/bin/curl)
	lw_start
	client "$tool" -sS -k --max-time 10 -o /dev/null https://api.mixpanel.com/track
	pid=$CLIENT_PID
	client_done "$pid"
	lw_stop
	# the resolver's query went to the lab's dnsmasq, from inside the client namespace
	lw_wait_for type=connect pid="$pid" daddr="$LAB_DNS" dport=53 sock_type=dgram \
		verdicts~'"rule": "dns-query"'
	# its answer was captured: the connect carries the name it resolved
	lw_wait_for kind=alert type=connect pid="$pid" tool=gpt4all daddr="$LAB_MIXPANEL" \
		dport=443 host=api.mixpanel.com host_source=dns verdicts~"$MIXPANEL_RULE"
	# the ClientHello's server name named the same connection when its bytes were counted
	lw_wait_for type=conn_bytes pid="$pid" daddr="$LAB_MIXPANEL" dport=443 \
		host=api.mixpanel.com host_source=sni
	# nothing else was said about it: a named, explained connection is no unknown egress
	[ "$(lw_count pid="$pid" verdicts~egress-un)" -eq 0 ]
}

@test "no DNS lookup (curl --resolve): the connect is named by its TLS server name, or by its HTTP Host" {
	tool=$(gpt4all_tool /usr/bin/curl)
	lw_start
	client "$tool" -sS -k --max-time 10 -o /dev/null \
		--resolve "api.mixpanel.com:443:$LAB_MIXPANEL" https://api.mixpanel.com/track
	tls=$CLIENT_PID
	client "$tool" -sS --max-time 10 -o /dev/null \
		--resolve "api.mixpanel.com:80:$LAB_MIXPANEL" http://api.mixpanel.com/track
	http=$CLIENT_PID
	client_done "$http"
	lw_stop
	lw_wait_for kind=alert type=connect pid="$tls" daddr="$LAB_MIXPANEL" dport=443 \
		host=api.mixpanel.com host_source=sni verdicts~"$MIXPANEL_RULE"
	lw_wait_for kind=alert type=connect pid="$http" daddr="$LAB_MIXPANEL" dport=80 \
		host=api.mixpanel.com host_source=http verdicts~"$MIXPANEL_RULE"
	# really no lookup
	[ "$(lw_count pid="$tls" dport=53)" -eq 0 ]
	[ "$(lw_count pid="$http" dport=53)" -eq 0 ]
}

@test "openssl s_client to a literal address with -servername: named by SNI alone" {
	tool=$(gpt4all_tool /usr/bin/openssl)
	lw_start
	client "$tool" s_client -brief -connect "$LAB_MIXPANEL:443" -servername api.mixpanel.com
	pid=$CLIENT_PID
	client_done "$pid"
	lw_stop
	lw_wait_for kind=alert type=connect pid="$pid" tool=gpt4all daddr="$LAB_MIXPANEL" \
		dport=443 host=api.mixpanel.com host_source=sni verdicts~"$MIXPANEL_RULE"
	[ "$(lw_count pid="$pid" dport=53)" -eq 0 ]
}

@test "a public address with no name seen (IP Host, TLS without SNI, raw bytes) is flagged egress-unnamed" {
	curl=$(gpt4all_tool /usr/bin/curl a)
	py=$(gpt4all_tool "$LAB_PY" b)
	lw_start
	client "$curl" -sS --max-time 10 -o /dev/null "http://$LAB_UNNAMED/"
	http=$CLIENT_PID
	client "$curl" -sS -k --max-time 10 -o /dev/null "https://$LAB_UNNAMED/"
	tls=$CLIENT_PID
	client "$py" -c 'import socket, sys
s = socket.create_connection((sys.argv[1], 80), timeout=10)
s.sendall(bytes(range(64)))
s.close()' "$LAB_UNNAMED"
	raw=$CLIENT_PID
	client_done "$raw"
	lw_stop
	for p in "$http:80" "$tls:443" "$raw:80"; do
		lw_wait_for kind=alert type=connect pid="${p%:*}" tool=gpt4all daddr="$LAB_UNNAMED" \
			dport="${p#*:}" host=null host_source=none verdicts~"$UNNAMED_RULE"
		# exactly one fallback speaks
		[ "$(lw_count pid="${p%:*}" verdicts~'"rule": "egress-unknown"')" -eq 0 ]
	done
}

@test "an unwatched curl to the same host raises nothing" {
	other=$(make_tool notatool /usr/bin/curl)
	watched=$(gpt4all_tool /usr/bin/curl)
	lw_start
	client "$other" -sS -k --max-time 10 -o /dev/null https://api.mixpanel.com/track
	upid=$CLIENT_PID
	# a watched client afterwards proves llmwatch was reading all along
	client "$watched" -sS -k --max-time 10 -o /dev/null https://api.mixpanel.com/track
	wpid=$CLIENT_PID
	client_done "$wpid"
	lw_stop
	lw_wait_for kind=alert type=connect pid="$wpid" host=api.mixpanel.com verdicts~"$MIXPANEL_RULE"
	[ "$(lw_count pid="$upid")" -eq 0 ]
	[ "$(lw_count comm=notatool)" -eq 0 ]
	[ "$(lw_count kind=alert)" -eq "$(lw_count kind=alert pid="$wpid")" ]
}

# named_by_dns SERVER OPTIONS SOCK_TYPE: curl as GPT4All to api.mixpanel.com, the client's
# resolver SERVER with resolv.conf OPTIONS: its query went to SERVER:53 over SOCK_TYPE, and
# the answer it received names its connect
named_by_dns() {
	printf 'nameserver %s\noptions %s\n' "$1" "$2" >"/etc/netns/$LAB_CLI/resolv.conf"
	tool=$(gpt4all_tool /usr/bin/curl)
	lw_start
	client "$tool" -sS -k --max-time 10 -o /dev/null https://api.mixpanel.com/track
	pid=$CLIENT_PID
	client_done "$pid"
	lw_stop
	lw_wait_for type=connect pid="$pid" daddr="$1" dport=53 sock_type="$3"
	lw_wait_for kind=alert type=connect pid="$pid" daddr="$LAB_MIXPANEL" dport=443 \
		host=api.mixpanel.com host_source=dns verdicts~"$MIXPANEL_RULE"
}

@test "a DNS answer over TCP (resolv.conf use-vc) names the connect too" {
	named_by_dns "$LAB_DNS" "use-vc timeout:1 attempts:2" stream
}

@test "a DNS answer from a resolver reached over IPv6 names the connect too" {
	named_by_dns "$LAB_DNS6" "timeout:1 attempts:2" dgram
}

# lw_start_lab_resolver ARGS...: lw_start, with llmwatch on the lab client namespace's
# network and resolver, so that --resolve-rule-hosts asks the lab's dnsmasq and never the
# host's resolver: a private mount namespace with the lab's resolv.conf over
# /etc/resolv.conf, then nsenter --net (`ip netns exec` would also remount /sys, hiding the
# cgroup2 hierarchy llmwatch attaches to). Every exec keeps the pid: LW_PID is llmwatch.
lw_start_lab_resolver() {
	OUT="$BATS_TEST_TMPDIR/out.json"
	ERR="$BATS_TEST_TMPDIR/err.txt"
	READY="$BATS_TEST_TMPDIR/ready"
	rm -f "$READY"
	unshare -m --propagation private sh -c \
		'mount --bind "$1" /etc/resolv.conf && ns=$2 && shift 2 && exec nsenter --net="$ns" "$@"' \
		sh "/etc/netns/$LAB_CLI/resolv.conf" "/run/netns/$LAB_CLI" \
		"$LLMWATCH" --json --ready-file "$READY" "$@" >"$OUT" 2>"$ERR" &
	LW_PID=$!
	if ! retry 150 test -e "$READY"; then
		cat "$ERR" >&2
		return 1
	fi
}

@test "more names than the host-name cache holds: the summary counts those it forgot" {
	py=$(gpt4all_tool "$LAB_PY")
	lw_start
	# 4,100 distinct names, each answered by the lab's dnsmasq (198-18-X-Y.synth.lab is
	# 198.18.X.Y) and each answer captured: 4 more than the cache's 4,096
	client "$py" -c 'import socket
for i in range(4100):
    socket.gethostbyname("198-18-%d-%d.synth.lab" % (i >> 8, i & 255))'
	pid=$CLIENT_PID
	client_done "$pid"
	lw_stop
	lw_wait_for kind=summary names_evicted=4
	grep -q "^llmwatch: 4 host names forgotten to make room (the host-name cache full" "$ERR"
}

@test "--resolve-rule-hosts: a connect by address that nothing named takes the rule's host name" {
	py=$(gpt4all_tool "$LAB_PY")
	lw_start_lab_resolver --resolve-rule-hosts
	# the lookups run in the background: wait for their first round
	retry 100 grep -Eq -- '--resolve-rule-hosts: [1-9][0-9]* of [0-9]+ rule host names' "$ERR"
	# no lookup, no bytes: only llmwatch's own lookup of the rule's host names the address
	client "$py" -c 'import socket, sys
for a in sys.argv[1:]:
    socket.create_connection((a, 443), timeout=10).close()' "$LAB_MIXPANEL" "$LAB_UNNAMED"
	pid=$CLIENT_PID
	client_done "$pid"
	lw_stop
	lw_wait_for kind=alert type=connect pid="$pid" tool=gpt4all daddr="$LAB_MIXPANEL" \
		dport=443 host=api.mixpanel.com host_source=rule verdicts~"$MIXPANEL_RULE"
	# named, so the fallbacks for unnamed or unknown egress stay silent for it
	[ "$(lw_count pid="$pid" daddr="$LAB_MIXPANEL" verdicts~egress-un)" -eq 0 ]
	# an address no rule's host resolves to stays unnamed, and flagged
	lw_wait_for kind=alert type=connect pid="$pid" daddr="$LAB_UNNAMED" dport=443 \
		host=null host_source=none verdicts~"$UNNAMED_RULE"
}

@test "without --resolve-rule-hosts the same connect is unnamed (llmwatch looks nothing up)" {
	py=$(gpt4all_tool "$LAB_PY")
	lw_start_lab_resolver
	client "$py" -c 'import socket, sys
s = socket.create_connection((sys.argv[1], 443), timeout=10)
s.close()' "$LAB_MIXPANEL"
	pid=$CLIENT_PID
	client_done "$pid"
	lw_stop
	lw_wait_for kind=alert type=connect pid="$pid" daddr="$LAB_MIXPANEL" dport=443 \
		host=null host_source=none verdicts~"$UNNAMED_RULE"
	[ "$(grep -c -- "--resolve-rule-hosts" "$ERR")" -eq 0 ]
}
