#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Capture and replay (issue 15, the capture file): the monitor's --capture records a watched
# tool's connect and open; `llmwatch replay` runs them through the record path again with a
# rule added since, which alerts, and says the capture's chain is intact and sealed. A
# SIGKILL during a flood leaves a capture whose complete blocks are read back, its missing
# seal said; a torn last block is reported by number and offset, never a crash.

load helpers
. "$BATS_TEST_DIRNAME/../lab/lab.sh"

setup() {
	common_setup
	CAP="$BATS_TEST_TMPDIR/run.lwc"
}

teardown() {
	common_teardown
	lab_down
}

# A rule the live run did not have: reading /etc/hostname.
write_extra_rule() {
	cat >"$BATS_TEST_TMPDIR/extra.json" <<'JSON'
{
  "rules": [
    {
      "id": "replay-hostname-read",
      "description": "test rule: reading /etc/hostname",
      "severity": "medium",
      "tools": ["ollama"],
      "event": "open",
      "conditions": { "path": "/etc/hostname" },
      "message": "{tool} read {path}"
    }
  ]
}
JSON
}

@test "--capture, then replay with a new rule: the new alert, the same events, chain intact and sealed" {
	requires_bpf
	tool=$(make_tool ollama)
	write_extra_rule
	lw_start --capture "$CAP"
	run_actor "$tool" "$BATS_TEST_TMPDIR/r.json" refused open /etc/hostname
	pid=$(report_get "$BATS_TEST_TMPDIR/r.json" pid)
	port=$(report_get "$BATS_TEST_TMPDIR/r.json" refused_port)
	lw_wait_for type=exit pid="$pid"
	lw_stop
	grep -Eq "^llmwatch: capture $CAP: [1-9][0-9]* records in [1-9][0-9]* blocks, sealed; 0 blocks \(0 records\) lost$" "$ERR"
	[ "$(stat -c %a "$CAP")" = 600 ]
	# the live run had no such rule
	[ "$(lw_count verdicts~replay-hostname-read)" -eq 0 ]
	LIVE="$OUT"

	run "$LLMWATCH" replay "$CAP" --rules "$BATS_TEST_TMPDIR/extra.json" \
		--output "json:$BATS_TEST_TMPDIR/replay.json"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"chain intact; sealed (a clean stop)"* ]]
	[[ "$output" == *"host=$(uname -n)"* ]]
	# an extra rule file: not the rules the capture was written with
	[[ "$output" =~ rules:\ NOT\ the\ same\ as\ the\ capture\'s\ \(rules_digest=[0-9a-f]{64}\ there ]]
	OUT="$BATS_TEST_TMPDIR/replay.json"
	lw_wait_for kind=alert type=open pid="$pid" path=/etc/hostname tool=ollama \
		verdicts~'"rule": "replay-hostname-read"'
	lw_wait_for type=connect pid="$pid" dport="$port" daddr=127.0.0.1 ret=-111 tool=ollama
	lw_wait_for type=exit pid="$pid"
	# every event of the actor the live run wrote, the replay wrote too
	live=$(OUT=$LIVE lw_count pid="$pid")
	[ "$live" -gt 0 ]
	[ "$(lw_count pid="$pid")" -eq "$live" ]

	# the built-in pack alone, as the live run had: the same rules
	run "$LLMWATCH" replay "$CAP" --output "json:/dev/null"
	[ "$status" -eq 0 ]
	[[ "$output" =~ rules:\ the\ same\ as\ the\ capture\'s\ \(rules_digest=[0-9a-f]{64}\) ]]

	# without the default pack and the extra rule: the same events, no alert of the rule
	run "$LLMWATCH" replay "$CAP" --no-default-rules --output "json:$BATS_TEST_TMPDIR/plain.json"
	[ "$status" -eq 0 ]
	OUT="$BATS_TEST_TMPDIR/plain.json"
	[ "$(lw_count verdicts~replay-hostname-read)" -eq 0 ]
	[ "$(lw_count pid="$pid")" -eq "$live" ]
}

@test "kill -9 during a flood: the complete blocks are read back, the missing seal and a torn tail said" {
	requires_bpf
	tool=$(make_tool ollama "$PROGS/lw_actor")
	lw_start --capture "$CAP" --capture-flush 0.2
	"$tool" pid flood 3000000 >"$BATS_TEST_TMPDIR/flood.out" &
	flood=$!
	BG_PIDS=$flood
	# some blocks on disk (the header alone is under 4 KiB), then the kill
	wait_count "capture size" -gt 200000 stat -c %s "$CAP"
	kill -KILL "$LW_PID"
	wait "$LW_PID" || true
	LW_PID=
	kill "$flood" 2>/dev/null || true
	wait "$flood" 2>/dev/null || true
	BG_PIDS=

	run "$LLMWATCH" replay "$CAP" --no-default-rules --output "json:$BATS_TEST_TMPDIR/replay.json"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"chain intact; NOT sealed"* ]]
	records=$(sed -n 's/.*version 1, [0-9]* blocks, \([0-9]*\) records;.*/\1/p' <<<"$output")
	[ "$records" -gt 1000 ]
	OUT="$BATS_TEST_TMPDIR/replay.json"
	[ "$(lw_count type=open path=/dev/null)" -gt 1000 ]

	# the last block torn as by a crash in the middle of its write: reported, the rest read
	size=$(stat -c %s "$CAP")
	truncate -s $((size - 7)) "$CAP"
	run "$LLMWATCH" replay "$CAP" --no-default-rules --output "json:$BATS_TEST_TMPDIR/torn.json"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" =~ block\ [0-9]+\ at\ offset\ [0-9]+:\ truncated ]]
	[[ "$output" == *"torn tail: block "* ]]
	torn=$(sed -n 's/.*version 1, [0-9]* blocks, \([0-9]*\) records;.*/\1/p' <<<"$output")
	[ "$torn" -gt 0 ]
	[ "$torn" -lt "$records" ]
}

# capture_blocks FILE: how many blocks replay reads in FILE (an unsealed one too)
capture_blocks() {
	"$LLMWATCH" replay "$1" --no-default-rules --output json:/dev/null 2>&1 |
		sed -n 's/.*version 1, \([0-9]*\) blocks.*/\1/p'
}

@test "replay: a changed byte names its block; not a capture, or missing: a clear error" {
	requires_bpf
	tool=$(make_tool ollama)
	lw_start --capture "$CAP" --capture-flush 0.1
	for i in 1 2 3; do
		# a block (or more: a flush may fall between its exec and its open) of its own each:
		# wait for the flush that syncs it
		before=$(capture_blocks "$CAP")
		run_actor "$tool" "$BATS_TEST_TMPDIR/r$i.json" open /etc/hostname
		wait_count "capture blocks" -gt "$before" capture_blocks "$CAP"
	done
	lw_stop
	size=$(stat -c %s "$CAP")
	# a byte in the middle of the file, inside one of the record blocks, inverted (a fixed
	# value would leave it as it was once in 256 runs); in a block's sequence number the
	# hash fails too, and both are said ("hash mismatch, out of sequence")
	off=$((size / 2))
	old=$(od -An -tu1 -j "$off" -N1 "$CAP" | tr -d ' ')
	# shellcheck disable=SC2059
	printf "\\x$(printf %02x $((old ^ 0xff)))" |
		dd of="$CAP" bs=1 seek="$off" conv=notrunc status=none
	[ "$(od -An -tu1 -j "$off" -N1 "$CAP" | tr -d ' ')" -eq $((old ^ 0xff)) ]
	run "$LLMWATCH" replay "$CAP" --no-default-rules --output "json:/dev/null"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" =~ chain\ BROKEN\ from\ block\ [0-9]+\ \(offset\ [0-9]+\) ]]
	[[ "$output" =~ block\ [0-9]+\ at\ offset\ [0-9]+:\ hash\ mismatch ]]

	echo "not a capture at all" >"$BATS_TEST_TMPDIR/junk"
	run "$LLMWATCH" replay "$BATS_TEST_TMPDIR/junk"
	[ "$status" -eq 1 ]
	[[ "$output" == *"offset 0: not an llmwatch capture (bad magic)"* ]]
	run "$LLMWATCH" replay "$BATS_TEST_TMPDIR/none.lwc"
	[ "$status" -eq 1 ]
	[[ "$output" == *"none.lwc: No such file or directory"* ]]
	run "$LLMWATCH" replay
	[ "$status" -eq 2 ]
}

@test "--capture refuses a symlink and a path it cannot create, before loading anything" {
	requires_root
	ln -s "$BATS_TEST_TMPDIR/elsewhere" "$CAP"
	run "$LLMWATCH" --capture "$CAP" --duration 1
	[ "$status" -eq 2 ]
	[[ "$output" == *"--capture $CAP: is a symbolic link (refused)"* ]]
	[ ! -e "$BATS_TEST_TMPDIR/elsewhere" ]
	run "$LLMWATCH" --capture "$BATS_TEST_TMPDIR/no/such/dir/x.lwc" --duration 1
	[ "$status" -eq 2 ]
	[[ "$output" == *"No such file or directory"* ]]
}

@test "--capture FILE,max-size=N,keep=K: rotated files each sealed and whole, each replayed on its own" {
	requires_bpf
	tool=$(make_tool ollama "$PROGS/lw_actor")
	lw_start --capture "$CAP,max-size=64k,keep=2" --capture-flush 0.1
	run "$tool" pid flood 100000
	[ "$status" -eq 0 ]
	wait_count "rotated files" -ge 1 sh -c "ls \"$CAP\".* 2>/dev/null | wc -l"
	lw_stop
	grep -Eq "^llmwatch: capture $CAP: [1-9][0-9]* records in [0-9]+ blocks, sealed; 0 blocks \(0 records\) lost; rotated [1-9][0-9]* times$" "$ERR"
	[ -e "$CAP.1" ]
	[ ! -e "$CAP.3" ]
	for f in "$CAP" "$CAP.1"; do
		[ "$(stat -c %s "$f")" -le 65536 ]
		run "$LLMWATCH" replay "$f" --no-default-rules --output "json:/dev/null"
		echo "$output"
		[ "$status" -eq 0 ]
		[[ "$output" == *"chain intact; sealed (a clean stop)"* ]]
	done
}

# A stand-in for a console script as pip installs it (#!/usr/bin/python3, its comm the
# script's name, its executable python3): it connects once to a port refused on loopback,
# writes its pid, and waits for its stop file.
write_console_script() {
	mkdir -p "$1"
	cat >"$1/$2" <<'PYEOF'
#!/usr/bin/python3
import os, socket, sys, time
s = socket.socket()
try:
    s.connect(("127.0.0.1", 9))
except OSError:
    pass
with open(os.environ["LW_REP"] + ".tmp", "w") as f:
    f.write("%d\n" % os.getpid())
os.rename(os.environ["LW_REP"] + ".tmp", os.environ["LW_REP"])
for _ in range(300):
    if os.path.exists(os.environ["LW_STOP"]):
        break
    time.sleep(0.1)
PYEOF
	chmod +x "$1/$2"
}

@test "facts: a tool run by an interpreter is named by its command line in the replay; its executable's sha256" {
	requires_bpf
	bin="$BATS_TEST_TMPDIR/venv/bin"
	write_console_script "$bin" open-webui
	lw_start --capture "$CAP" --runtime-scan 0
	# run by a relative path: only its command line says it is Open WebUI (exe: python3)
	(cd "$bin" && LW_REP="$BATS_TEST_TMPDIR/owui.rep" LW_STOP="$BATS_TEST_TMPDIR/stop" \
		./open-webui serve --port 0) &
	BG_PIDS=$!
	retry 100 test -s "$BATS_TEST_TMPDIR/owui.rep"
	pid=$(cat "$BATS_TEST_TMPDIR/owui.rep")
	lw_wait_for type=connect pid="$pid" tool=open-webui dport=9
	touch "$BATS_TEST_TMPDIR/stop"
	lw_wait_for type=exit pid="$pid"
	lw_stop
	grep -Eq "^llmwatch: capture $CAP: [1-9][0-9]* process facts; executables: [1-9][0-9]* hashed \([0-9]+ of a process gone before, by its path\), 0 not hashed" "$ERR"
	LIVE="$OUT"

	# a rule on the process's context: its command line and network namespace, which a
	# replay knows only from the capture's facts
	cat >"$BATS_TEST_TMPDIR/argv.json" <<'JSON'
{ "rules": [ { "id": "replay-argv", "description": "test rule: argv and netns in a replay",
  "severity": "medium", "tools": ["open-webui"], "event": "connect",
  "conditions": { "argv": "/usr/bin/python3 ./open-webui serve **", "netns": "host" },
  "message": "{tool} connected: {argv}" } ] }
JSON
	run "$LLMWATCH" replay "$CAP" --rules "$BATS_TEST_TMPDIR/argv.json" \
		--output "json:$BATS_TEST_TMPDIR/replay.json"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" != *"unknown kind"* ]]
	OUT="$BATS_TEST_TMPDIR/replay.json"
	# confirmed again from the command line the live run read, said as its evidence
	lw_wait_for type=exec pid="$pid" tool=open-webui comm=open-webui \
		evidence="/usr/bin/python3 ./open-webui serve --port 0"
	lw_wait_for type=connect pid="$pid" tool=open-webui dport=9
	[ "$(lw_count pid="$pid")" -eq "$(OUT=$LIVE lw_count pid="$pid")" ]
	lw_wait_for kind=alert type=connect pid="$pid" verdicts~'"rule": "replay-argv"'

	run "$LLMWATCH" replay "$CAP" --facts
	echo "$output"
	[ "$status" -eq 0 ]
	line=$(grep -P "^pid=$pid\t" <<<"$output" | head -1)
	[[ "$line" == *$'\twhy=cmdline\t'* ]]
	[[ "$line" == *$'\tnetns=host\t'* ]]
	[[ "$line" == *$'\targv=/usr/bin/python3 ./open-webui serve --port 0\t'* ]]
	exe=$(sed -n 's/.*\texe=\([^\t]*\)\t.*/\1/p' <<<"$line")
	[ "$exe" = "$(readlink -f /usr/bin/python3)" ]
	[[ "$line" == *$'\tsha256='"$(sha256sum "$exe" | cut -d' ' -f1)" ]]

	# the report's PROCESS.sha256 is the same hash
	run "$LLMWATCH" report "$CAP" --format json -o "$BATS_TEST_TMPDIR/report.json"
	[ "$status" -eq 0 ]
	/usr/bin/python3 - "$BATS_TEST_TMPDIR/report.json" "$pid" \
		"$(sha256sum "$exe" | cut -d' ' -f1)" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
p = [p for p in d["processes"] if p["pid"] == int(sys.argv[2])]
assert len(p) == 1 and p[0]["sha256"] == sys.argv[3], p
PY
}

# lab_client TOOL ARGS...: TOOL in the lab's client namespace, a direct child (CLIENT_PID),
# killed after 20 s.
lab_client() {
	local dog rc=0
	ip netns exec "$LAB_CLI" "$@" >"$BATS_TEST_TMPDIR/client.out" 2>&1 </dev/null 3>&- &
	CLIENT_PID=$!
	(sleep 20 && kill -KILL "$CLIENT_PID") >/dev/null 2>&1 3>&- &
	dog=$!
	wait "$CLIENT_PID" || rc=$?
	kill "$dog" 2>/dev/null || true
	return "$rc"
}

# payload_records FILE: the payload records a replay of FILE read (the summary's by-type count)
replay_types() {
	"$LLMWATCH" replay "$1" --no-default-rules --output "json:$2" 2>&1
}

@test "--capture-payloads: stream heads only with it; without, the replay still names the TLS connect by its SNI" {
	requires_bpf
	local c
	for c in ip dnsmasq openssl curl; do
		command -v "$c" >/dev/null || skip_or_fail "needs $c"
	done
	lab_up "$BATS_TEST_TMPDIR/lab"
	mkdir -p "$TOOLDIR/x/gpt4all/bin"
	tool=$(make_tool x/gpt4all/bin/chat /usr/bin/curl)
	for mode in default payloads; do
		cap="$BATS_TEST_TMPDIR/$mode.lwc"
		extra=()
		[ "$mode" = payloads ] && extra=(--capture-payloads)
		lw_start --capture "$cap" "${extra[@]}"
		# no lookup: only the ClientHello's server name can name this connect
		lab_client "$tool" -sS -k --max-time 10 -o /dev/null \
			--resolve "api.mixpanel.com:443:$LAB_MIXPANEL" https://api.mixpanel.com/track
		pid=$CLIENT_PID
		lw_wait_for type=exit pid="$pid"
		lw_stop
		lw_wait_for type=connect pid="$pid" dport=443 host=api.mixpanel.com host_source=sni
		if [ "$mode" = default ]; then
			grep -Eq "^llmwatch: capture $cap: [1-9][0-9]* stream heads left out \(no --capture-payloads\), [1-9][0-9]* connection names kept instead$" "$ERR"
		else
			! grep -q "stream heads left out" "$ERR"
		fi
		LIVE=$OUT
		run replay_types "$cap" "$BATS_TEST_TMPDIR/$mode.json"
		echo "$output"
		[ "$status" -eq 0 ]
		# the replay names it as the live run did, the heads in the capture or not
		OUT="$BATS_TEST_TMPDIR/$mode.json"
		lw_wait_for type=connect pid="$pid" daddr="$LAB_MIXPANEL" dport=443 \
			host=api.mixpanel.com host_source=sni
		[ "$(lw_count pid="$pid")" -eq "$(OUT=$LIVE lw_count pid="$pid")" ]
		# the payload records themselves: none without the flag, some with it
		n=$(sed -n 's/^llmwatch: replay: \([0-9]*\) payload records .*/\1/p' <<<"$output")
		echo "payload records: ${n:-0}"
		if [ "$mode" = default ]; then
			[ "${n:-0}" -eq 0 ]
		else
			[ "${n:-0}" -gt 0 ]
		fi
	done
}
