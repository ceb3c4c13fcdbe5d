#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The core end-to-end scenarios in plain busybox sh, so that they run inside the kernel
# matrix's initramfs (no bats, no python) and, unchanged, on the host kernel
# (tools/kernel-matrix.sh). Needs root. Prints parseable lines:
#   LWTEST kernel <uname -r>
#   LWTEST hooks <the hooks llmwatch's startup line names>
#   LWTEST note <a warning llmwatch printed>
#   LWTEST ok|fail|na <scenario>[: why]
#   LWTEST done <passed> <failed>
# Environment: LLMWATCH (the binary), ACTOR (tests/progs/lw_actor), WORK (a scratch
# directory), HOME (where ~/.ssh/id_ed25519 is created: a tmpfs on the host, never a real
# home), LW_ARGS (more options for every llmwatch run, e.g. "--syscall-hooks tracepoints":
# the matrix runs the scenarios once per way of hooking the syscalls). Exit status 0 if
# nothing failed.

: "${LLMWATCH:?}" "${ACTOR:?}" "${WORK:?}" "${HOME:?}"
passed=0 failed=0
TOOLS="$WORK/tools"
mkdir -p "$TOOLS" "$HOME/.ssh"
cp "$ACTOR" "$TOOLS/ollama"
cp "$ACTOR" "$TOOLS/someother" # not a tool's name
echo "not a real key" >"$HOME/.ssh/id_ed25519"
echo "uring data" >"$WORK/uring.txt"
echo "LWTEST kernel $(uname -r)"

ok() { passed=$((passed + 1)); echo "LWTEST ok $1"; }
fail() { failed=$((failed + 1)); echo "LWTEST fail $1: $2"; }

# has FILE NEEDLE...: some line of FILE contains every NEEDLE (fixed strings)
has() {
	awk 'BEGIN { n = ARGC - 2; for (i = 2; i < ARGC; i++) nd[i - 1] = ARGV[i]; ARGC = 2 }
	{ for (i = 1; i <= n; i++) if (index($0, nd[i]) == 0) next; found = 1; exit }
	END { exit !found }' "$@"
}

# retry N CMD...: up to N tries, 0.1 s apart
retry() {
	n=$1
	shift
	while [ "$n" -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# kv FILE KEY: a value from the actor's key=value output
kv() { sed -n "s/^$2=//p" "$1" | head -n 1; }

# lw_start NAME [ARGS...]: llmwatch --json in the background, ready (TCG verifies slowly)
lw_start() {
	name=$1
	shift
	OUT="$WORK/$name.json" ERR="$WORK/$name.err"
	rm -f "$WORK/ready"
	# shellcheck disable=SC2086 # LW_ARGS is a list of options
	"$LLMWATCH" --json --ready-file "$WORK/ready" ${LW_ARGS:-} "$@" >"$OUT" 2>"$ERR" &
	LW_PID=$!
	n=1200
	while [ ! -e "$WORK/ready" ]; do
		# an exited llmwatch stays a zombie until waited for: kill -0 would not tell
		if [ "$n" -eq 0 ] || grep -q '^State:.Z' "/proc/$LW_PID/status" 2>/dev/null; then
			sed 's/^/  /' "$ERR"
			kill -INT "$LW_PID" 2>/dev/null
			wait "$LW_PID"
			return 1
		fi
		sleep 0.1
		n=$((n - 1))
	done
}

lw_stop() {
	kill -INT "$LW_PID"
	wait "$LW_PID"
}

# --- the core scenarios, one llmwatch run ------------------------------------------------
if ! lw_start core; then
	fail startup "llmwatch did not become ready"
	# the verifier's complaint, for the log
	# shellcheck disable=SC2086
	"$LLMWATCH" --verbose --duration 1 ${LW_ARGS:-} 2>&1 | grep -v '^$' | tail -n 60 |
		sed 's/^/  /'
	echo "LWTEST done $passed $failed"
	exit 1
fi
echo "LWTEST hooks $(sed -n 's/^llmwatch .*; hooks: //p' "$ERR" | head -n 1)"
grep '^llmwatch: warning' "$ERR" | sed 's/^/LWTEST note /'
# every hook the probes (--version) promise must be the one that loaded: a fallback here
# means a program the verifier refused, which would otherwise pass unnoticed
"$LLMWATCH" --version >"$WORK/version.out" 2>&1
hooks=$(sed -n 's/^llmwatch .*; hooks: //p' "$ERR" | head -n 1)
missing=""
grep -q '^syscalls: exit tracepoints alone' "$WORK/version.out" &&
	case "$hooks" in *"saved registers"*) ;; *) missing="$missing saved-registers" ;; esac
grep -q '^syscalls: .*call state in task storage' "$WORK/version.out" &&
	case "$hooks" in *"task storage"*) ;; *) missing="$missing task-storage" ;; esac
grep -q '^opens: fexit' "$WORK/version.out" &&
	case "$hooks" in *security_file_open*) ;; *) missing="$missing fexit" ;; esac
grep -q '^connect/bind: fentry' "$WORK/version.out" &&
	case "$hooks" in *security_socket_connect*) ;; *) missing="$missing fentry" ;; esac
grep -q '^egress packets: .*(bpf_rdonly_cast)' "$WORK/version.out" &&
	case "$hooks" in *"storage pointer first"*) ;; *) missing="$missing skb-cast" ;; esac
grep -q '^TCP connections: in socket storage' "$WORK/version.out" &&
	case "$hooks" in *"TCP connections in socket storage"*) ;; *) missing="$missing conn-sk" ;; esac
# the syscalls by fexit wherever it attaches, unless the tracepoints were asked for
case "${LW_ARGS:-}" in
*"--syscall-hooks tracepoints"*)
	case "$hooks" in *"no syscall tracepoint"*) missing="$missing (tracepoints asked for)" ;; esac ;;
*)
	grep -q '^syscall hooks: fexit' "$WORK/version.out" &&
		case "$hooks" in *"no syscall tracepoint"*) ;; *) missing="$missing syscall-fexit" ;; esac ;;
esac
if [ -z "$missing" ]; then
	ok hooks-as-probed
else
	fail hooks-as-probed "probed but not loaded:$missing"
fi
if grep -q '^llmwatch: warning: loading with' "$ERR"; then
	# why they did not load, for the log
	# shellcheck disable=SC2086
	"$LLMWATCH" --verbose --duration 1 ${LW_ARGS:-} 2>&1 | grep -v '^$' |
		grep -B 40 -m 1 'failed to load' | sed 's/^/  /'
fi
"$TOOLS/ollama" pid tcp bind-any udp udp-flows 300 dns open "$HOME/.ssh/id_ed25519" \
	open "$WORK/missing" child /bin/cat /etc/hostname >"$WORK/core.out" 2>&1
pid=$(kv "$WORK/core.out" pid)
port=$(kv "$WORK/core.out" tcp_port)
dport=$(kv "$WORK/core.out" dns_tcp_port)
uport=$(kv "$WORK/core.out" udp_port)
uref=$(kv "$WORK/core.out" udp_refused_ret)
fports=$(kv "$WORK/core.out" udp_flow_ports)
any=$(kv "$WORK/core.out" bind_any_port)
okfd=$(kv "$WORK/core.out" open_ret)
child=$(kv "$WORK/core.out" child_pid)
retry 100 has "$OUT" '"type":"exit"' "\"pid\":$pid,"
# a relative open: where fexit is in use the record has the path the kernel resolved
echo rel >"$WORK/rel.txt"
(cd "$WORK" && "$TOOLS/ollama" pid open rel.txt >"$WORK/rel.out" 2>&1)
rpid=$(kv "$WORK/rel.out" pid)
# a tool whose main thread ends first: the other thread is still watched
echo late >"$WORK/late.txt"
"$TOOLS/ollama" pid leader-exits "$WORK/late.txt" >"$WORK/leader.out" 2>&1
lpid=$(kv "$WORK/leader.out" pid)
retry 100 has "$OUT" '"type":"exit"' "\"pid\":$lpid,"
lw_stop
rc=$?
[ "$rc" -eq 0 ] || fail clean-stop "llmwatch exited $rc: $(tail -n 3 "$ERR")"

if has "$OUT" '"type":"connect"' '"tool":"ollama"' "\"pid\":$pid," \
	'"daddr":"127.0.0.1"' "\"dport\":$port," '"ret":0'; then
	ok watched-connect
else
	fail watched-connect "no connect to 127.0.0.1:$port by pid $pid"
fi
# the DNS answer the tool received (the ingress program's) names its next connect
if [ -n "$dport" ] && has "$OUT" '"type":"connect"' "\"pid\":$pid," \
	'"daddr":"127.83.0.80"' "\"dport\":$dport," '"host":"lwdns.test"' \
	'"host_source":"dns"'; then
	ok dns-answer
else
	fail dns-answer "no connect to 127.83.0.80:$dport named lwdns.test by DNS, by pid $pid"
fi
# the query's connected socket, closed long before the exit: reported at its close
if has "$OUT" '"type":"conn_bytes"' "\"pid\":$pid," '"daddr":"127.83.0.53"' '"dport":53,' \
	'"packets":1,' '"reason":"socket_closed"'; then
	ok dgram-conn-at-close
else
	fail dgram-conn-at-close "no conn_bytes of the DNS query's socket at its close, by pid $pid"
fi
if has "$OUT" '"type":"bind"' "\"pid\":$pid," '"addr":"0.0.0.0"' '"port":0,' '"ret":0'; then
	ok bind-any
else
	fail bind-any "no bind 0.0.0.0:0 by pid $pid"
fi
# the facts each syscall's exit gives, whichever hook reports it: results, descriptors,
# addresses, the listener's port and backlog, datagram sizes. A datagram that starts a flow
# (one per socket and destination) may come from the packet program (no result), so its size
# and flow mark are asserted; a failed send is the exit's alone, with its error.
if has "$OUT" '"type":"listen"' "\"pid\":$pid," '"addr":"0.0.0.0"' "\"port\":$any," \
	'"backlog":1,' '"ret":0' &&
	has "$OUT" '"type":"send"' "\"pid\":$pid," '"daddr":"127.0.0.1"' "\"dport\":$uport," \
		'"bytes":5,' '"flow_first":true' &&
	has "$OUT" '"type":"send"' "\"pid\":$pid," '"daddr":"127.0.0.1"' "\"dport\":$uport," \
		'"bytes":7,' '"flow_first":true' &&
	has "$OUT" '"type":"send"' "\"pid\":$pid," '"daddr":"255.255.255.255"' '"dport":9,' \
		"\"ret\":$uref," &&
	has "$OUT" '"type":"open"' "\"pid\":$pid," "\"path\":\"$WORK/missing\"" '"ret":-2,' &&
	has "$OUT" '"type":"open"' "\"pid\":$pid," "\"path\":\"$HOME/.ssh/id_ed25519\"" \
		"\"ret\":$okfd,"; then
	ok syscall-results
else
	fail syscall-results "listen 0.0.0.0:$any, sends to 127.0.0.1:$uport, the refused broadcast ($uref) or open results ($okfd, -2) missing"
fi
if has "$OUT" '"kind":"alert"' '"type":"open"' "\"pid\":$pid," \
	"\"path\":\"$HOME/.ssh/id_ed25519\"" '"file-credentials"'; then
	ok flagged-file-read
else
	fail flagged-file-read "no file-credentials alert for $HOME/.ssh/id_ed25519"
fi
case "$hooks" in
*security_file_open*) want="$WORK/rel.txt" ;;
*) want=rel.txt ;;
esac
if has "$OUT" '"type":"open"' "\"pid\":$rpid," "\"path\":\"$want\"" '"ret":'; then
	ok open-path
else
	fail open-path "no open of $want by pid $rpid (the path the kernel resolved, with fexit)"
fi
if has "$OUT" '"type":"open"' '"tool":"ollama"' "\"pid\":$lpid," "\"path\":\"$WORK/late.txt\"" &&
	[ "$(grep -c "\"type\":\"exit\".*\"pid\":$lpid," "$OUT")" -eq 1 ]; then
	ok leader-exits
else
	fail leader-exits "no open of $WORK/late.txt by pid $lpid after its main thread ended"
fi
if has "$OUT" '"type":"fork"' '"tool":"ollama"' "\"pid\":$child," "\"ppid\":$pid," &&
	has "$OUT" '"type":"exec"' '"tool":"ollama"' "\"pid\":$child," '"filename":"/bin/cat"' &&
	has "$OUT" '"type":"open"' '"tool":"ollama"' "\"pid\":$child," '"path":"/etc/hostname"'; then
	ok child-attribution
else
	fail child-attribution "child $child's fork, exec or open not attributed to ollama"
fi

# --- io_uring: seen where the kernel-side file hook is in use ----------------------------
if grep -q security_file_open "$ERR"; then
	if lw_start uring; then
		"$TOOLS/ollama" pid uring-open "$WORK/uring.txt" >"$WORK/uring.out" 2>&1
		upid=$(kv "$WORK/uring.out" pid)
		retry 100 has "$OUT" '"type":"exit"' "\"pid\":$upid,"
		lw_stop
		if has "$OUT" '"type":"open"' '"tool":"ollama"' "\"pid\":$upid," \
			"\"path\":\"$WORK/uring.txt\"" '"via":"file_hook","ret":0'; then
			ok uring-open
		else
			fail uring-open "no open of $WORK/uring.txt by pid $upid ($(cat "$WORK/uring.out"))"
		fi
	else
		fail uring-open "llmwatch did not become ready"
	fi
else
	echo "LWTEST na uring-open: no kernel-side file hook here (tracepoints see no io_uring open)"
fi

# --- losses: a flood through a 4 KiB ring ------------------------------------------------
if lw_start losses --ring-size 4096; then
	"$TOOLS/ollama" pid flood 20000 >"$WORK/flood.out" 2>&1
	lw_stop
	lost=$(sed -n 's/.*"kind":"summary".*"lost":\([0-9]*\).*/\1/p' "$OUT")
	if [ "${lost:-0}" -gt 0 ] && has "$OUT" '"type":"open","reason":"ring_full"' &&
		grep -q "^llmwatch: lost [0-9]* open records (ring_full)$" "$ERR"; then
		ok losses-counted
	else
		fail losses-counted "summary says lost=${lost:-none}"
	fi
else
	fail losses-counted "llmwatch did not become ready"
fi

# TCP connections' byte counts (conn_bytes) at their three ends: the close, the owner's exit
# while a child holds the connection, the stop while it is still open (kept in `conns`, or
# in the socket's own storage where the kernel lets the close and the flush read it)
if has "$WORK/core.json" '"type":"conn_bytes"' "\"pid\":$pid," "\"dport\":$port," \
	'"reason":"tcp_close"'; then
	ok conn-at-close
else
	fail conn-at-close "no conn_bytes (tcp_close) for pid $pid's connection to port $port; \
its records of that port: $(grep "\"pid\":$pid," "$WORK/core.json" |
		grep -e "\"port\":$port," -e "\"dport\":$port," | tr '\n' ' ')"
fi
# two datagram flows of one socket, 300 datagrams each, alternately: the first may be
# counted in the socket's storage, the second in the flow map; each is reported once, whole,
# at the close (socket_closed), or at the owner's exit where no close is seen (5.10)
flows_ok=1
for fp in ${fports%,*} ${fports#*,}; do
	n=$(grep '"type":"conn_bytes"' "$WORK/core.json" | grep "\"pid\":$pid," |
		grep -c "\"dport\":$fp,")
	if [ "$n" -ne 1 ] || ! has "$WORK/core.json" '"type":"conn_bytes"' "\"pid\":$pid," \
		"\"dport\":$fp," '"bytes":19200,' '"packets":300,'; then
		flows_ok=0
	fi
done
if [ -n "$fports" ] && [ "$flows_ok" -eq 1 ]; then
	ok flows-at-close
else
	fail flows-at-close "not one conn_bytes of 300 datagrams (19200 bytes) for each of ports \
$fports of pid $pid: $(grep '"type":"conn_bytes"' "$WORK/core.json" | grep "\"pid\":$pid," |
		grep '"protocol":"udp"' | tr '\n' ' ')"
fi
if lw_start conns; then
	"$TOOLS/ollama" pid tcp-hold-child 30 >"$WORK/hold-child.out" 2>&1
	"$TOOLS/ollama" pid tcp-hold 30 >"$WORK/hold.out" 2>&1 &
	apid=$!
	retry 100 grep -q hold_port "$WORK/hold.out"
	cpid=$(kv "$WORK/hold-child.out" pid)
	kid=$(kv "$WORK/hold-child.out" hold_child)
	cport=$(kv "$WORK/hold-child.out" hold_port)
	hpid=$(kv "$WORK/hold.out" pid)
	hport=$(kv "$WORK/hold.out" hold_port)
	retry 100 has "$OUT" '"type":"exit"' "\"pid\":$cpid,"
	retry 30 has "$OUT" '"type":"conn_bytes"' "\"pid\":$cpid,"
	# connections a child aborts while their owner exits: some close during the owner's
	# flush, and each must be reported once (by the close or by the flush)
	"$TOOLS/ollama" pid tcp-abort-child 100 >"$WORK/abort.out" 2>&1
	xpid=$(kv "$WORK/abort.out" pid)
	xkid=$(kv "$WORK/abort.out" abort_child)
	xport=$(kv "$WORK/abort.out" abort_port)
	retry 100 has "$OUT" '"type":"exit"' "\"pid\":$xkid,"
	lw_stop
	xn=$(grep '"type":"conn_bytes"' "$OUT" | grep "\"pid\":$xpid," | grep "\"dport\":$xport," |
		grep -c '"bytes":100,')
	xall=$(grep '"type":"conn_bytes"' "$OUT" | grep "\"pid\":$xpid," | grep -c "\"dport\":$xport,")
	if [ -n "$xport" ] && [ "$xn" -eq 100 ] && [ "$xall" -eq 100 ]; then
		ok conns-once-at-owner-exit
	else
		fail conns-once-at-owner-exit "pid $xpid's 100 aborted connections to port $xport: \
$xall conn_bytes records, $xn of them of 100 bytes (want 100 and 100)"
	fi
	if has "$OUT" '"type":"conn_bytes"' "\"pid\":$cpid," "\"dport\":$cport," '"bytes":100,' \
		'"reason":"exit"'; then
		ok conn-at-owner-exit
	else
		fail conn-at-owner-exit "no conn_bytes (exit, 100 bytes) for pid $cpid's connection to port $cport"
	fi
	if has "$OUT" '"type":"conn_bytes"' "\"pid\":$hpid," "\"dport\":$hport," '"bytes":100,' \
		'"reason":"end"'; then
		ok conn-at-stop
	else
		fail conn-at-stop "no conn_bytes (end, 100 bytes) for pid $hpid's connection to port $hport"
	fi
	kill "$apid" "$kid" 2>/dev/null
	wait "$apid" 2>/dev/null
else
	fail conn-at-owner-exit "llmwatch did not become ready"
fi
# a UDP socket made before an exec into a tool, its datagrams sent before llmwatch has read
# the exec (llmwatch stopped meanwhile): nothing marked the socket, so the egress program
# counts none of them, and the send exits report each (LW_FILTER_UNMARKED)
if lw_start exec-kept; then
	kill -STOP "$LW_PID"
	"$TOOLS/someother" udp-exec "$TOOLS/ollama" 40 "$WORK/exec-kept.go" \
		>"$WORK/exec-kept.out" 2>&1 &
	epid=$!
	retry 100 grep -q udp_kept_sent "$WORK/exec-kept.out"
	kill -CONT "$LW_PID"
	eport=$(kv "$WORK/exec-kept.out" udp_exec_port)
	retry 100 has "$OUT" '"type":"exec"' "\"pid\":$epid,"
	touch "$WORK/exec-kept.go"
	wait "$epid"
	lw_stop
	n=$(grep '"type":"send"' "$OUT" | grep "\"pid\":$epid," | grep "\"dport\":$eport," |
		grep -c '"bytes":64,')
	if [ "$n" -eq 40 ]; then
		ok exec-kept-socket
	else
		fail exec-kept-socket "$n of 40 datagrams to port $eport reported for pid $epid"
	fi
else
	fail exec-kept-socket "llmwatch did not become ready"
fi
echo "LWTEST done $passed $failed"
[ "$failed" -eq 0 ]
