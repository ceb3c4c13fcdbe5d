#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Rules end to end: the default pack turns a watched tool's reads of credentials and its
# non-loopback listeners into alerts, and stays quiet about its model store and loopback;
# --rules adds a user's rules, and a broken rule file stops llmwatch before it loads. The
# process conditions: a listener in a network namespace of its own is not the host's
# exposure (netns), and koboldcpp's download curl is told from another curl (argv).

load helpers

setup() {
	common_setup
	TEST_USER=
}

teardown() {
	common_teardown
	if [ -n "$TEST_USER" ]; then
		userdel "$TEST_USER" 2>/dev/null || true
		rm -rf "$TEST_HOME"
	fi
}

# A throwaway user whose home is in the test's directory, so "~" in the rules has a
# home that the test owns (and no real user's files are touched).
make_user() {
	command -v useradd >/dev/null || skip_or_fail "needs useradd"
	# under /tmp itself: bats's own directories may not be traversable by another user
	TEST_HOME=$(mktemp -d /tmp/llmwatch-home.XXXXXX)
	TEST_USER="lwt$$"
	useradd -M -d "$TEST_HOME" -s /usr/sbin/nologin "$TEST_USER"
	TEST_UID=$(id -u "$TEST_USER")
	TEST_GID=$(id -g "$TEST_USER")
	chown "$TEST_UID:$TEST_GID" "$TEST_HOME"
	chmod 755 "$TEST_HOME"
	TOOLDIR="$TEST_HOME/tools"
}

as_user() {
	setpriv --reuid="$TEST_UID" --regid="$TEST_GID" --clear-groups "$@"
}

@test "reading ~/.ssh/id_ed25519 raises the credentials alert; the model store stays silent" {
	requires_bpf
	make_user
	tool=$(make_tool ollama)
	mkdir -p "$TEST_HOME/.ssh" "$TEST_HOME/.ollama/models/blobs"
	echo key >"$TEST_HOME/.ssh/id_ed25519"
	echo gguf >"$TEST_HOME/.ollama/models/blobs/sha256-0123"
	chown -R "$TEST_UID:$TEST_GID" "$TEST_HOME"
	lw_start
	# the clone may sit where another user cannot read (CI's is under a 0700 directory)
	cp "$REPO/tests/e2e/actor.py" "$TEST_HOME/actor.py"
	as_user "$tool" "$TEST_HOME/actor.py" "$TEST_HOME/r.json" \
		open "$TEST_HOME/.ssh/id_ed25519" open "$TEST_HOME/.ollama/models/blobs/sha256-0123"
	pid=$(report_get "$TEST_HOME/r.json" pid)
	# "~" is any user's home: the tool running as root reading that user's key counts too
	run_actor "$tool" "$BATS_TEST_TMPDIR/root.json" open "$TEST_HOME/.ssh/id_ed25519"
	rootpid=$(report_get "$BATS_TEST_TMPDIR/root.json" pid)
	lw_wait_for type=exit pid="$rootpid"
	lw_stop
	lw_wait_for kind=alert type=open pid="$pid" path="$TEST_HOME/.ssh/id_ed25519" \
		uid="$TEST_UID" verdicts~'"rule": "file-credentials"' verdicts~'"severity": "high"'
	lw_wait_for kind=alert type=open pid="$rootpid" path="$TEST_HOME/.ssh/id_ed25519" uid=0 \
		verdicts~'"rule": "file-credentials"'
	lw_wait_for kind=event type=open pid="$pid" path="$TEST_HOME/.ollama/models/blobs/sha256-0123"
	[ "$(lw_count pid="$pid" path="$TEST_HOME/.ollama/models/blobs/sha256-0123" verdicts~rule)" -eq 0 ]
	[ "$(lw_count kind=alert pid="$pid" path~sha256)" -eq 0 ]
}

@test "listening on 0.0.0.0:11434 raises Ollama's exposure alert; 127.0.0.1:11434 does not" {
	requires_bpf
	tool=$(make_tool ollama)
	# 11434 may be taken on a machine running Ollama: then this test cannot bind it
	if ss -Hltn 'sport = :11434' | grep -q .; then
		skip_or_fail "port 11434 is in use on this machine"
	fi
	lw_start
	"$tool" -c '
import socket
for host in ("127.0.0.1", "0.0.0.0"):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, 11434))
    s.listen(1)
    s.close()
print(__import__("os").getpid())
' >"$BATS_TEST_TMPDIR/pid"
	pid=$(cat "$BATS_TEST_TMPDIR/pid")
	lw_wait_for type=exit pid="$pid"
	lw_stop
	lw_wait_for kind=alert type=listen pid="$pid" addr=0.0.0.0 port=11434 \
		verdicts~'"rule": "exposure-ollama"'
	lw_wait_for kind=event type=listen pid="$pid" addr=127.0.0.1 port=11434
	[ "$(lw_count type=listen pid="$pid" addr=127.0.0.1 verdicts~exposure)" -eq 0 ]
}

@test "--rules adds a user's rule; its alert names the rule" {
	requires_bpf
	tool=$(make_tool ollama)
	cat >"$BATS_TEST_TMPDIR/mine.json" <<'JSON'
{
  "rules": [
    {
      "id": "my-hostname-read",
      "description": "test rule: reading /etc/hostname",
      "severity": "medium",
      "tags": ["test"],
      "tools": ["ollama"],
      "event": "open",
      "conditions": { "path": "/etc/hostname" },
      "message": "{tool} read {path}"
    }
  ]
}
JSON
	lw_start --rules "$BATS_TEST_TMPDIR/mine.json"
	run_actor "$tool" "$BATS_TEST_TMPDIR/r.json" open /etc/hostname
	pid=$(report_get "$BATS_TEST_TMPDIR/r.json" pid)
	lw_wait_for type=exit pid="$pid"
	lw_stop
	lw_wait_for kind=alert type=open pid="$pid" path=/etc/hostname \
		verdicts~'"rule": "my-hostname-read"' verdicts~'"message": "ollama read /etc/hostname"'
}

@test "a broken rule file: every error with file:line:col, exit 2, nothing loaded" {
	cat >"$BATS_TEST_TMPDIR/bad.json" <<'JSON'
{
  "rules": [
    { "id": "x", "description": "d", "severity": "loud", "tools": ["*"], "event": "open",
      "conditions": { "hots": "a" }, "message": "m" }
  ]
}
JSON
	run "$LLMWATCH" --rules "$BATS_TEST_TMPDIR/bad.json" --duration 1
	[ "$status" -eq 2 ]
	[[ "$output" == *"$BATS_TEST_TMPDIR/bad.json:3:50: unknown severity \"loud\""* ]]
	[[ "$output" == *"$BATS_TEST_TMPDIR/bad.json:4:23: "'unknown key "hots" (did you mean "host"?)'* ]]
	[[ "$output" == *"rules not loaded: 2 error(s)"* ]]
	run "$LLMWATCH" rules check "$BATS_TEST_TMPDIR/bad.json"
	[ "$status" -eq 1 ]
	run "$LLMWATCH" rules check
	[ "$status" -eq 0 ]
	[[ "$output" == *"rules OK"* ]]
}

@test "0.0.0.0:11434 in a network namespace of its own is exposure-other-netns (low); on the host it is high" {
	requires_bpf
	command -v unshare >/dev/null || skip_or_fail "needs unshare"
	tool=$(make_tool ollama)
	if ss -Hltn 'sport = :11434' | grep -q .; then
		skip_or_fail "port 11434 is in use on this machine"
	fi
	# each listener stays up until the test has seen it: its namespace is read from /proc
	prog='
import os, socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 11434))
s.listen(1)
open(sys.argv[1], "w").write(str(os.getpid()))
for _ in range(200):
    if os.path.exists(sys.argv[2]):
        break
    time.sleep(0.05)
s.close()
'
	lw_start
	# a namespace the test makes (unshare -n), gone with its only process
	unshare -n "$tool" -c "$prog" "$BATS_TEST_TMPDIR/nspid" "$BATS_TEST_TMPDIR/nsgo" &
	BG_PIDS="$!"
	retry 100 test -s "$BATS_TEST_TMPDIR/nspid"
	nspid=$(cat "$BATS_TEST_TMPDIR/nspid")
	[ "$(readlink "/proc/$nspid/ns/net")" != "$(readlink /proc/1/ns/net)" ]
	lw_wait_for type=listen pid="$nspid"
	touch "$BATS_TEST_TMPDIR/nsgo"
	lw_wait_for type=exit pid="$nspid"

	"$tool" -c "$prog" "$BATS_TEST_TMPDIR/hostpid" "$BATS_TEST_TMPDIR/hostgo" &
	BG_PIDS="$BG_PIDS $!"
	retry 100 test -s "$BATS_TEST_TMPDIR/hostpid"
	hostpid=$(cat "$BATS_TEST_TMPDIR/hostpid")
	lw_wait_for type=listen pid="$hostpid"
	touch "$BATS_TEST_TMPDIR/hostgo"
	lw_wait_for type=exit pid="$hostpid"
	lw_stop

	lw_wait_for kind=alert type=listen pid="$nspid" addr=0.0.0.0 port=11434 \
		verdicts~'"rule": "exposure-other-netns"' verdicts~'"severity": "low"' \
		verdicts~'published port'
	[ "$(lw_count type=listen pid="$nspid" verdicts~exposure-ollama)" -eq 0 ]
	[ "$(lw_count type=listen pid="$nspid" verdicts~'"severity": "high"')" -eq 0 ]
	lw_wait_for kind=alert type=listen pid="$hostpid" addr=0.0.0.0 port=11434 \
		verdicts~'"rule": "exposure-ollama"' verdicts~'"severity": "high"'
	[ "$(lw_count type=listen pid="$hostpid" verdicts~exposure-other-netns)" -eq 0 ]
}

@test "koboldcpp's curl -fL URL -o FILE download is quiet; a curl upload under koboldcpp still alerts" {
	requires_bpf
	command -v curl >/dev/null || skip_or_fail "needs curl"
	tool=$(make_tool koboldcpp)
	# a loopback server that holds each request until the test has seen its curl: the
	# command line is read from /proc when llmwatch handles the exec
	server='
import os, socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(4)
open(sys.argv[1] + "/port.tmp", "w").write(str(s.getsockname()[1]))
os.rename(sys.argv[1] + "/port.tmp", sys.argv[1] + "/port")
for i in (1, 2):
    c, _ = s.accept()
    for _ in range(200):
        if os.path.exists("%s/go%d" % (sys.argv[1], i)):
            break
        time.sleep(0.05)
    c.settimeout(2)
    try:
        c.recv(65536)
    except OSError:
        pass
    c.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 4\r\n\r\nGGUF")
    c.close()
'
	# what koboldcpp.py does (L3821 @2da346a5), then what it never does
	kobold='
import subprocess, sys
port, d = sys.argv[1], sys.argv[2]
subprocess.run(f"curl -fL http://127.0.0.1:{port}/m.gguf -o {d}/m.gguf", shell=True)
subprocess.run(f"curl -s -T /etc/hostname http://127.0.0.1:{port}/up -o /dev/null", shell=True)
'
	d="$BATS_TEST_TMPDIR"
	lw_start
	/usr/bin/python3 -c "$server" "$d" &
	BG_PIDS="$!"
	retry 100 test -s "$d/port"
	"$tool" -c "$kobold" "$(cat "$d/port")" "$d" &
	BG_PIDS="$BG_PIDS $!"
	kpid=$!
	lw_wait_for type=exec tool=koboldcpp filename~curl
	touch "$d/go1"
	wait_count "curl execs" -ge 2 lw_count type=exec tool=koboldcpp filename~curl
	touch "$d/go2"
	lw_wait_for type=exit pid="$kpid"
	lw_stop
	[ "$(cat "$d/m.gguf")" = GGUF ]
	# the download: an exec event without a verdict
	lw_wait_for kind=event type=exec tool=koboldcpp filename~curl
	[ "$(lw_count type=exec tool=koboldcpp verdicts~exec-network-tool)" -eq 1 ]
	# the upload: reported
	lw_wait_for kind=alert type=exec tool=koboldcpp filename~curl \
		verdicts~'"rule": "exec-network-tool"'
}
