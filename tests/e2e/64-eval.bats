#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# llmwatch eval (issue 15): a command run as a watched tree, from its first instruction to
# the exit of its last descendant, into DIR/capture.lwc (read back with llmwatch replay);
# DIR's layout and modes, an existing DIR refused; under sudo the command runs as the user
# who asked and cannot regain root; root without sudo refused; one Ctrl-C forwarded to the
# tree, a second kills it; a daemonised grandchild is waited for.

load helpers
bats_require_minimum_version 1.5.0

ACTOR="$REPO/tests/e2e/eval_actor.py"

setup() {
	common_setup
	# readable by any user (the sudo tests run the command as nobody)
	SHARED=$(mktemp -d /tmp/llmwatch-eval-test.XXXXXX)
	chmod 755 "$SHARED"
	cp "$ACTOR" "$SHARED/actor.py"
	chmod 755 "$SHARED/actor.py"
	D="$BATS_TEST_TMPDIR/out"
	EV_PID=
}

teardown() {
	if [ -n "${EV_PID:-}" ]; then
		kill -KILL "$EV_PID" 2>/dev/null || true
		wait "$EV_PID" 2>/dev/null || true
	fi
	# processes the tests' commands started, by the pids they wrote
	if [ -f "$SHARED/pids" ]; then
		for p in $(cat "$SHARED/pids"); do kill -KILL "$p" 2>/dev/null || true; done
	fi
	common_teardown
	rm -rf "$SHARED"
}

# replay_json CAPTURE: the capture's events as JSON lines in $OUT (for lw_count).
replay_json() {
	OUT="$BATS_TEST_TMPDIR/replay.json"
	rm -f "$OUT"
	"$LLMWATCH" replay "$1" --output "json:$OUT" 2>"$BATS_TEST_TMPDIR/replay.err" || {
		cat "$BATS_TEST_TMPDIR/replay.err" >&2
		return 1
	}
}

# listen PORTFILE: a loopback listener that takes one connection, its port in PORTFILE.
listen() {
	/usr/bin/python3 -c '
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(1)
s.settimeout(30)
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1]))
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
c, _ = s.accept()
c.recv(100)
' "$1" &
	BG_PIDS="${BG_PIDS:-} $!"
	retry 100 test -s "$1"
}

# eval_bg ARGS...: llmwatch eval ARGS in the background, stderr to $ERR.
eval_bg() {
	ERR="$BATS_TEST_TMPDIR/eval.err"
	"$LLMWATCH" eval "$@" >"$BATS_TEST_TMPDIR/eval.out" 2>"$ERR" &
	EV_PID=$!
}

# eval_wait: waits (up to 20 s) for the background eval; its status in $EV_STATUS.
eval_wait() {
	local i
	for ((i = 0; i < 200; i++)); do
		running "$EV_PID" || break
		sleep 0.1
	done
	if running "$EV_PID"; then
		echo "llmwatch eval did not end:" >&2
		cat "$ERR" >&2
		return 1
	fi
	EV_STATUS=0
	wait "$EV_PID" || EV_STATUS=$?
	EV_PID=
}

@test "eval: the tree from its first instruction to its end, into DIR/capture.lwc; DIR 0700, capture 0600" {
	requires_bpf
	listen "$BATS_TEST_TMPDIR/port"
	port=$(cat "$BATS_TEST_TMPDIR/port")
	run timeout 60 "$LLMWATCH" eval --as-root --offline-report --out "$D" -- \
		/usr/bin/python3 "$SHARED/actor.py" tree /etc/hostname "$port" /etc/os-release
	echo "$output"
	# ended by itself when the tree was gone
	[ "$status" -eq 0 ]
	[[ "$output" == *"exited with status 5"* ]]
	[[ "$output" == *"--offline-report: the capture is $D/capture.lwc"* ]]
	[ "$(stat -c %a "$D")" = 700 ]
	[ "$(stat -c %a "$D/capture.lwc")" = 600 ]
	[ "$(ls -A "$D")" = capture.lwc ]
	root=$(sed -n 's/.* is pid \([0-9]*\), running as.*/\1/p' <<<"$output")
	[ -n "$root" ]
	replay_json "$D/capture.lwc"
	grep -q "chain intact; sealed" "$BATS_TEST_TMPDIR/replay.err"
	# the root's first record is its exec, then the dynamic loader's first open: nothing
	# the command did before was missed
	first=$($LWQ get type "$OUT" pid="$root")
	[ "$first" = exec ]
	second=$(/usr/bin/python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
mine = [r for r in rows if r.get("pid") == int(sys.argv[2])]
print(mine[1]["type"], mine[1].get("path"))' "$OUT" "$root")
	[ "$second" = "open /etc/ld.so.cache" ]
	[ "$(lw_count type=exec pid="$root" tool=eval:python3)" -eq 1 ]
	[ "$(lw_count type=open pid="$root" path=/etc/hostname)" -ge 1 ]
	# the child: forked, connected to the listener, opened its file, all under the tool
	child=$($LWQ get pid "$OUT" type=fork ppid="$root")
	[ -n "$child" ]
	[ "$(lw_count type=connect pid="$child" daddr=127.0.0.1 dport="$port" tool=eval:python3)" -eq 1 ]
	[ "$(lw_count type=open pid="$child" path=/etc/os-release)" -ge 1 ]
	[ "$(lw_count type=exit pid="$child")" -eq 1 ]
	[ "$(lw_count type=exit pid="$root")" -eq 1 ]
	# nothing but the tree
	[ "$(lw_count kind=event tool!)" -eq 0 ]
	[ "$($LWQ count 0 "$OUT" kind=event)" -eq "$(lw_count tool=eval:python3)" ]
}

# jq-like: jget FILE PYEXPR prints the expression over the JSON document d.
jget() {
	/usr/bin/python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

@test "eval: report.txt and report.json from the capture, the text report printed, the command's end in both" {
	requires_bpf
	listen "$BATS_TEST_TMPDIR/port"
	port=$(cat "$BATS_TEST_TMPDIR/port")
	run --separate-stderr timeout 60 "$LLMWATCH" eval --as-root --out "$D" -- \
		/usr/bin/python3 "$SHARED/actor.py" tree /etc/hostname "$port" /etc/os-release
	echo "$stderr"
	[ "$status" -eq 0 ]
	[ "$(ls -A "$D" | tr '\n' ' ')" = "capture.lwc report.html report.json report.txt " ]
	[ "$(stat -c %a "$D/report.txt")" = 600 ]
	[ "$(stat -c %a "$D/report.json")" = 600 ]
	[ "$(stat -c %a "$D/report.html")" = 600 ]
	# the HTML report is the same document's: the command and the child's file are in it
	grep -q "</html>" "$D/report.html"
	grep -q "/etc/os-release" "$D/report.html"
	# what was printed is report.txt
	diff <(echo "$output") "$D/report.txt"
	grep -q "^Completeness: COMPLETE" "$D/report.txt"
	grep -Eq "^    pid [0-9]+, user root \(uid 0\), tool eval:python3: exited with status 5; recorded until its last process exited$" "$D/report.txt"
	root=$(sed -n 's/.* is pid \([0-9]*\), running as.*/\1/p' <<<"$stderr")
	[ "$(jget "$D/report.json" 'd["evaluation"]["exit_status"]')" = 5 ]
	[ "$(jget "$D/report.json" 'd["evaluation"]["pid"]')" = "$root" ]
	[ "$(jget "$D/report.json" 'd["evaluation"]["command"][2]')" = tree ]
	[ "$(jget "$D/report.json" 'd["evaluation"]["stopped"]')" = False ]
	[ "$(jget "$D/report.json" 'd["completeness"]["verdict"]')" = complete ]
	# the child and its file are in the report
	[ "$(jget "$D/report.json" 'len([p for p in d["processes"] if p["tool"] == "eval:python3"])')" -ge 2 ]
	[ "$(jget "$D/report.json" '[f["path"] for f in d["files"]].count("/etc/os-release")')" = 1 ]
}

@test "eval: an existing non-empty DIR is refused and left as it was; an empty one is used" {
	requires_bpf
	mkdir -p "$D"
	echo mine >"$D/notes.txt"
	run timeout 60 "$LLMWATCH" eval --as-root --offline-report --out "$D" -- /bin/true
	echo "$output"
	[ "$status" -eq 2 ]
	[[ "$output" == *"exists and is not empty; eval never overwrites"* ]]
	[ "$(ls -A "$D")" = notes.txt ]
	[ "$(cat "$D/notes.txt")" = mine ]
	# a file in the way is refused too
	run timeout 60 "$LLMWATCH" eval --as-root --offline-report --out "$D/notes.txt" -- /bin/true
	[ "$status" -eq 2 ]
	[ "$(cat "$D/notes.txt")" = mine ]
	# an empty directory the user made is used
	mkdir "$BATS_TEST_TMPDIR/empty"
	run timeout 60 "$LLMWATCH" eval --as-root --offline-report --out "$BATS_TEST_TMPDIR/empty" -- /bin/true
	echo "$output"
	[ "$status" -eq 0 ]
	[ -s "$BATS_TEST_TMPDIR/empty/capture.lwc" ]
	# the default: a new ./llmwatch-eval-YYYYmmdd-HHMMSS in the current directory
	mkdir "$BATS_TEST_TMPDIR/cwd"
	cd "$BATS_TEST_TMPDIR/cwd"
	run timeout 60 "$LLMWATCH" eval --as-root --offline-report -- /bin/true
	[ "$status" -eq 0 ]
	made=$(ls -A)
	[[ "$made" =~ ^llmwatch-eval-[0-9]{8}-[0-9]{6}$ ]]
	[ "$(stat -c %a "$made")" = 700 ]
	[ -s "$made/capture.lwc" ]
}

@test "eval: root without sudo is refused without --as-root; a command not found is a setup error" {
	requires_bpf
	run env -u SUDO_UID -u SUDO_GID -u SUDO_USER "$LLMWATCH" eval --offline-report --out "$D" -- /bin/true
	echo "$output"
	[ "$status" -eq 2 ]
	[[ "$output" == *"run as root without sudo"*"--as-root"* ]]
	[ ! -e "$D" ]
	# sudo from root is root too
	run env SUDO_UID=0 SUDO_GID=0 SUDO_USER=root "$LLMWATCH" eval --offline-report --out "$D" -- /bin/true
	[ "$status" -eq 2 ]
	[[ "$output" == *"SUDO_UID=0"*"--as-root"* ]]
	[ ! -e "$D" ]
	run "$LLMWATCH" eval --as-root --offline-report --out "$D" -- no-such-command-llmwatch
	echo "$output"
	[ "$status" -eq 2 ]
	[[ "$output" == *"no-such-command-llmwatch: command not found"* ]]
	[ ! -e "$D" ]
	run "$LLMWATCH" eval --as-root --out "$D"
	[ "$status" -eq 2 ]
	[[ "$output" == *"no command"* ]]
	run "$LLMWATCH" eval --as-root --capture x -- /bin/true
	[ "$status" -eq 2 ]
}

@test "eval under sudo: the command runs as the user who asked, cannot write root's file nor regain root; DIR is theirs" {
	requires_bpf
	nuid=$(id -u nobody)
	ngid=$(id -g nobody)
	nhome=$(getent passwd nobody | cut -d: -f6)
	echo secret >"$SHARED/root-only"
	chmod 600 "$SHARED/root-only"
	run timeout 60 env SUDO_UID="$nuid" SUDO_GID="$ngid" SUDO_USER=nobody HOME=/root USER=root \
		"$LLMWATCH" eval --offline-report --out "$D" -- \
		/usr/bin/python3 "$SHARED/actor.py" whoami "$SHARED/root-only"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"uid=$nuid euid=$nuid gid=$ngid groups=$(id -G nobody | tr ' ' ,)"* ]]
	[[ "$output" == *"HOME=$nhome USER=nobody LOGNAME=nobody"* ]]
	[[ "$output" == *"wrote_root_file=no:PermissionError regained_root=no"* ]]
	[[ "$output" == *"running as nobody, uid $nuid"* ]]
	[ "$(cat "$SHARED/root-only")" = secret ]
	[ "$(stat -c %u:%g:%a "$D")" = "$nuid:$ngid:700" ]
	[ "$(stat -c %u:%g:%a "$D/capture.lwc")" = "$nuid:$ngid:600" ]
	root=$(sed -n 's/.* is pid \([0-9]*\), running as.*/\1/p' <<<"$output")
	replay_json "$D/capture.lwc"
	# every event of the tree is the user's, from the exec on; the refused open is there
	[ "$(lw_count kind=event type=exec pid="$root" uid="$nuid")" -eq 1 ]
	[ "$($LWQ count 0 "$OUT" kind=event)" -gt 3 ]
	[ "$($LWQ count 0 "$OUT" kind=event)" -eq "$(lw_count kind=event uid="$nuid")" ]
	[ "$(lw_count type=open pid="$root" path="$SHARED/root-only" error=EACCES)" -eq 1 ]
}

@test "eval: one SIGINT is forwarded to the tree, whose own handler runs; recording ends with it" {
	requires_bpf
	eval_bg --as-root --offline-report --out "$D" -- \
		/usr/bin/python3 "$SHARED/actor.py" sigint "$SHARED/ready" "$SHARED/done"
	retry 200 test -e "$SHARED/ready"
	kill -INT "$EV_PID"
	eval_wait
	cat "$ERR"
	[ "$EV_STATUS" -eq 0 ]
	[ "$(grep -c "SIGINT handled by pid" "$SHARED/done")" -eq 1 ]
	grep -q "SIGINT from pid $$: forwarded to 1 process(es) of the tree" "$ERR"
	grep -q "exited with status 0" "$ERR"
	replay_json "$D/capture.lwc"
	grep -q "chain intact; sealed" "$BATS_TEST_TMPDIR/replay.err"
	# the handler's write is in the capture
	[ "$(lw_count type=open path="$SHARED/done")" -eq 1 ]
}

@test "eval: a terminal's Ctrl-C reaches the command once (from the terminal, not again from eval)" {
	requires_bpf
	# eval in the foreground of a terminal of its own (a pty), where ^C is typed
	READY="$SHARED/ready" run timeout 60 /usr/bin/python3 -c '
import os, pty, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
end = time.monotonic() + 20
while not os.path.exists(os.environ["READY"]) and time.monotonic() < end:
    time.sleep(0.05)
os.write(fd, b"\x03")
out = b""
while True:
    try:
        d = os.read(fd, 4096)
    except OSError:
        break
    if not d:
        break
    out += d
_, st = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors="replace"))
sys.exit(os.waitstatus_to_exitcode(st))
' "$LLMWATCH" eval --as-root --offline-report --out "$D" -- \
		/usr/bin/python3 "$SHARED/actor.py" sigint "$SHARED/ready" "$SHARED/done"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"SIGINT from the terminal: forwarded to 0 process(es) of the tree besides those in this terminal's foreground, which got it"* ]]
	[ "$(grep -c "SIGINT handled by pid" "$SHARED/done")" -eq 1 ]
	[[ "$output" == *"exited with status 0"* ]]
}

@test "eval: a second SIGINT stops now and kills the tree, daemonised grandchild included; exit 1" {
	requires_bpf
	eval_bg --as-root --out "$D" -- \
		/usr/bin/python3 "$SHARED/actor.py" stubborn "$SHARED/ready" "$SHARED/pids"
	retry 200 test -e "$SHARED/ready"
	read -r root gc <"$SHARED/pids"
	running "$root"
	running "$gc"
	kill -INT "$EV_PID"
	retry 100 grep -q "forwarded to 2 process(es)" "$ERR"
	# both ignore it
	running "$root"
	running "$gc"
	kill -INT "$EV_PID"
	eval_wait
	cat "$ERR"
	[ "$EV_STATUS" -eq 1 ]
	grep -q "second SIGINT: stopping now, killing the tree" "$ERR"
	grep -Eq "killed pid .*\b$gc\b" "$ERR"
	grep -Eq "killed pid .*\b$root\b" "$ERR"
	grep -q "the capture is incomplete: recording was stopped before the tree ended" "$ERR"
	! running "$root"
	! running "$gc"
	# the reports are written all the same, and say how it ended
	[ "$(jget "$D/report.json" 'd["evaluation"]["stopped"]')" = True ]
	[ "$(jget "$D/report.json" 'd["evaluation"]["signal"]')" = 9 ]
	grep -q "killed by signal 9; recording was stopped before the tree ended" "$D/report.txt"
}

@test "eval: a daemonised grandchild that outlives the command is waited for and recorded" {
	requires_bpf
	eval_bg --as-root --offline-report --out "$D" -- \
		/usr/bin/python3 "$SHARED/actor.py" daemon "$SHARED/pids" "$SHARED/go"
	retry 200 test -s "$SHARED/pids"
	gc=$(cat "$SHARED/pids")
	retry 100 grep -q "has exited; recording goes on until the 1 process(es) it left running have exited too (pid $gc)" "$ERR"
	running "$EV_PID"
	touch "$SHARED/go"
	eval_wait
	cat "$ERR"
	[ "$EV_STATUS" -eq 0 ]
	replay_json "$D/capture.lwc"
	[ "$(lw_count type=open pid="$gc" path=/etc/hostname tool=eval:python3)" -eq 1 ]
	[ "$(lw_count type=exit pid="$gc")" -eq 1 ]
}

@test "eval --help: every option it names is in the man page; a bad option is a usage error" {
	run "$LLMWATCH" eval --help
	[ "$status" -eq 0 ]
	opts=$(grep -oE -- '--[a-z][a-z0-9-]+' <<<"$output" | sort -u)
	[ "$(wc -l <<<"$opts")" -ge 15 ]
	man=$(sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' "$REPO/man/llmwatch.8")
	for o in $opts; do
		grep -q -- "$o" <<<"$man" || {
			echo "the man page lacks eval $o"
			return 1
		}
	done
	grep -q '^## Evaluating a tool' "$REPO/README.md"
	run "$LLMWATCH" eval --pid 1 -- /bin/true
	[ "$status" -eq 2 ]
	run "$LLMWATCH" eval --ring-size 3 -- /bin/true
	[ "$status" -eq 2 ]
	[[ "$output" == *'--ring-size "3"'* ]]
}
