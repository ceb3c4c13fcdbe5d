# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# A real rsyslogd for the end-to-end tests (51-syslog, 88-audit-outputs), loaded after
# helpers: Debian's, with the ossl driver, run with a config of its own in $RS (a directory
# of the test: its own pid file and work dir), imuxsock on $RS/log.sock (never the system's
# /dev/log), imudp, imtcp and imtcp with TLS on free loopback ports ($UDP_PORT, $TCP_PORT,
# $TLS_PORT), each input writing to $RS/out/{unix,udp,tcp,tls}.log with an RFC 5424
# template. The test sets RS and RS_PID= in setup and calls rs_stop in teardown.

requires_rsyslogd() {
	command -v rsyslogd >/dev/null || skip_or_fail "needs rsyslogd (Debian package rsyslog)"
	[ -n "$(find /usr/lib -name lmnsd_ossl.so -print -quit 2>/dev/null)" ] ||
		skip_or_fail "needs rsyslog's ossl driver (Debian package rsyslog-openssl)"
}

# free_ports N: N loopback ports nobody listens on now.
free_ports() {
	/usr/bin/python3 -c '
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))' "$1"
}

# rs_certs: a CA and a server certificate for DNS name localhost only (no IP address), so
# tls://localhost verifies and tls://127.0.0.1 must not.
rs_certs() {
	mkdir -p "$RS"
	(
		cd "$RS"
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
			-keyout ca.key -out ca.pem -days 2 -subj /CN=llmwatch-test-ca
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
			-keyout srv.key -out srv.csr -subj /CN=localhost
		printf 'subjectAltName=DNS:localhost\n' >ext.cnf
		openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
			-out srv.pem -days 2 -extfile ext.cnf
	) >"$RS/openssl.log" 2>&1
}

# rs_config: the collector's config; the template rebuilds RFC 5424 from what rsyslog
# parsed, so a field it did not parse shows.
rs_config() {
	read -r UDP_PORT TCP_PORT TLS_PORT < <(free_ports 3)
	mkdir -p "$RS/work" "$RS/out"
	cat >"$RS/rsyslog.conf" <<EOF
global(workDirectory="$RS/work" maxMessageSize="16k"
       DefaultNetstreamDriverCAFile="$RS/ca.pem"
       DefaultNetstreamDriverCertFile="$RS/srv.pem"
       DefaultNetstreamDriverKeyFile="$RS/srv.key")
module(load="imuxsock" SysSock.Use="off")
module(load="imudp")
module(load="imtcp")
template(name="rfc5424" type="string"
         string="<%PRI%>1 %TIMESTAMP:::date-rfc3339% %HOSTNAME% %APP-NAME% %PROCID% %MSGID% %STRUCTURED-DATA% %msg%\n")
input(type="imuxsock" Socket="$RS/log.sock" UseSpecialParser="off" ParseHostname="on"
      UseSysTimeStamp="off" ruleset="unix")
input(type="imudp" address="127.0.0.1" port="$UDP_PORT" ruleset="udp")
input(type="imtcp" address="127.0.0.1" port="$TCP_PORT" ruleset="tcp")
input(type="imtcp" address="127.0.0.1" port="$TLS_PORT" ruleset="tls"
      StreamDriver.Name="ossl" StreamDriver.Mode="1" StreamDriver.AuthMode="anon")
ruleset(name="unix") { action(type="omfile" file="$RS/out/unix.log" template="rfc5424") }
ruleset(name="udp") { action(type="omfile" file="$RS/out/udp.log" template="rfc5424") }
ruleset(name="tcp") { action(type="omfile" file="$RS/out/tcp.log" template="rfc5424") }
ruleset(name="tls") { action(type="omfile" file="$RS/out/tls.log" template="rfc5424") }
EOF
}

listening() {
	ss -Hltn "sport = :$TCP_PORT" | grep -q . && ss -Hltn "sport = :$TLS_PORT" | grep -q . &&
		ss -Hlun "sport = :$UDP_PORT" | grep -q . && [ -S "$RS/log.sock" ]
}

# rs_start: rsyslogd in the foreground (-n), our config and pid file; wait until it listens.
rs_start() {
	rm -f "$RS/log.sock"
	rsyslogd -n -f "$RS/rsyslog.conf" -i "$RS/rsyslogd.pid" >>"$RS/rsyslogd.out" 2>&1 &
	RS_PID=$!
	if ! retry 100 listening; then
		echo "rsyslogd did not start listening:" >&2
		cat "$RS/rsyslogd.out" >&2
		return 1
	fi
}

# rs_stop: SIGTERM to the rsyslogd this test started, by its pid; wait until it is gone.
rs_stop() {
	[ -n "${RS_PID:-}" ] || return 0
	kill -TERM "$RS_PID" 2>/dev/null || true
	retry 100 eval '! running "$RS_PID"' || kill -KILL "$RS_PID" 2>/dev/null || true
	wait "$RS_PID" 2>/dev/null || true
	RS_PID=
}

# lines FILE MSGID: how many messages with that MSGID FILE holds.
lines() {
	awk -v id="$2" '$6 == id' "$1" 2>/dev/null | wc -l
}

# has_lines FILE MSGID OP N: whether that count compares to N as test(1)'s OP says (for retry:
# its arguments are taken once, so the count must be taken inside).
has_lines() {
	test "$(lines "$1" "$2")" "$3" "$4"
}
