#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# `llmwatch --live` (issue 16) driven in tmux: a scripted tool (python3 as ollama) names a
# host in an HTTP request, reads a user's ~/.ssh key and listens on 0.0.0.0, and each shows
# in its pane; a process name with escape sequences shows escaped; the filter, the drill-in
# to a process's events, pause, sort, help, the mouse, a resize to 80x24 and back; NO_COLOR;
# --from a capture; q exits 0 and gives the terminal back as it was (stty -a); --iterations
# ends the view by itself; without a terminal the text output instead.

load helpers

setup() {
	command -v tmux >/dev/null || skip_or_fail "needs tmux"
	common_setup
	TEST_USER=
	# a tmux server of the test's own: tearing it down touches no one else's sessions
	TM_SOCK="lw70-$$-$BATS_TEST_NUMBER"
	D=$BATS_TEST_TMPDIR
}

teardown() {
	tmux -L "$TM_SOCK" kill-server 2>/dev/null || true
	[ -z "${FAR_ADDED:-}" ] || ip addr del "$FAR/32" dev lo 2>/dev/null || true
	common_teardown
	if [ -n "$TEST_USER" ]; then
		userdel "$TEST_USER" 2>/dev/null || true
		rm -rf "$TEST_HOME"
	fi
}

# far_address: an address of this machine outside 127/8 (TEST-NET-2, on lo for the test's
# time), so that a connection to it is a remote endpoint, not loopback
far_address() {
	command -v ip >/dev/null || skip_or_fail "needs ip"
	FAR=198.51.100.70
	ip addr add "$FAR/32" dev lo
	FAR_ADDED=1
}

tm() {
	tmux -L "$TM_SOCK" "$@"
}

# A throwaway user whose home the test owns, so "~/.ssh" in the rules is a home of this
# machine and no real user's files are touched (as 30-rules.bats does).
make_user() {
	command -v useradd >/dev/null || skip_or_fail "needs useradd"
	TEST_HOME=$(mktemp -d /tmp/llmwatch-home.XXXXXX)
	TEST_USER="lwl$$"
	useradd -M -d "$TEST_HOME" -s /usr/sbin/nologin "$TEST_USER"
	chmod 755 "$TEST_HOME"
}

# live [VAR=VALUE...] -- ARGS...: `llmwatch --live ARGS` in a 120x40 tmux pane, with the
# variables set (NO_COLOR unset unless given); the pane's stty -a before in $D/stty.before
# and after in $D/stty.after, the exit status in $D/rc, stderr in $D/err.
live() {
	local envs=() script="$D/pane.sh"
	while [ "$1" != -- ]; do
		envs+=("$1")
		shift
	done
	shift
	rm -f "$D/rc" "$D/stty.after"
	{
		echo "stty -a >$(printf %q "$D/stty.before")"
		printf '%q ' env -u NO_COLOR "${envs[@]}" "$LLMWATCH" --live "$@"
		echo "2>$(printf %q "$D/err")"
		echo "echo \$? >$(printf %q "$D/rc.tmp") && mv $(printf %q "$D/rc.tmp") $(printf %q "$D/rc")"
		echo "stty -a >$(printf %q "$D/stty.after.tmp") && mv $(printf %q "$D/stty.after.tmp") $(printf %q "$D/stty.after")"
		# the pane stays, for what the screen left behind
		echo "exec sleep 600"
	} >"$script"
	tm new-session -d -s live -x 120 -y 40 "bash $(printf %q "$script")"
}

screen() {
	tm capture-pane -p -t live
}

# on_screen TEXT: whether TEXT is shown now
on_screen() {
	screen | grep -qF -- "$1"
}

# wait_screen TEXT: wait (up to 20 s) until TEXT is on the screen; else fail showing it
wait_screen() {
	retry 200 on_screen "$1" && return 0
	echo "waited 20 s for \"$1\" on the screen:" >&2
	screen >&2
	[ ! -s "$D/err" ] || sed 's/^/stderr: /' "$D/err" >&2
	return 1
}

# wait_gone TEXT: wait (up to 20 s) until TEXT is no longer shown
wait_gone() {
	retry 200 eval '! on_screen "$1"' && return 0
	echo "waited 20 s for \"$1\" to go from the screen:" >&2
	screen >&2
	return 1
}

# line N: line N (1-based) of the screen
line() {
	screen | sed -n "${1}p"
}

# ended: wait (up to 10 s) for the view to exit; its status is in $RC
ended() {
	retry 100 test -e "$D/stty.after" || {
		echo "the view did not exit:" >&2
		screen >&2
		return 1
	}
	RC=$(cat "$D/rc")
}

# quit: q, then the exit status must be 0 and the terminal as it was before
quit() {
	tm send-keys -t live q
	ended
	[ "$RC" -eq 0 ] || {
		echo "exit status $RC" >&2
		cat "$D/err" >&2
		return 1
	}
	diff "$D/stty.before" "$D/stty.after"
}

# key KEYS...: tmux send-keys to the pane
key() {
	tm send-keys -t live "$@"
}

# A capture of the actor's run, for --from: $CAP, and the actor's report in $D/cap.json.
make_capture() {
	CAP="$D/run.lwc"
	far_address
	ollama=$(make_tool ollama)
	lw_start --capture "$CAP"
	run_actor "$ollama" "$D/cap.json" http-host models.example.test "$FAR" open /etc/hostname bind-any
	CAP_PID=$(report_get "$D/cap.json" pid)
	lw_wait_for type=exit pid="$CAP_PID"
	lw_stop
}

@test "the panes: the tool, its named connection, its flagged read, its reachable listener; escaped name; filter, drill-in, pause, sort, help, resize; q restores the terminal" {
	requires_bpf
	make_user
	mkdir -p "$TEST_HOME/.ssh"
	echo key >"$TEST_HOME/.ssh/id_ed25519"
	far_address
	ollama=$(make_tool ollama)
	# a watched name that steers a terminal if printed raw (ESC [7m: reverse video)
	evil=$'lw\e[7mx'
	evil_tool=$(make_tool "$evil")
	live -- --attach none --ready-file "$D/ready" --watch "$evil"
	retry 150 test -e "$D/ready" || {
		screen >&2
		cat "$D/err" >&2
		return 1
	}
	wait_screen "Processes"
	run_actor "$ollama" "$D/r.json" http-host models.example.test "$FAR" \
		open "$TEST_HOME/.ssh/id_ed25519" bind-any wait-file "$D/go" &
	BG_PIDS="$!"
	retry 200 test -e "$D/go.waiting"
	"$evil_tool" -c 'open("/etc/hostname").read()'
	pid=$(pgrep -f "actor.py $D/r.json" | head -1)

	# processes: the tool and its pid; the escaped name, never raw
	wait_screen "ollama"
	wait_screen "$pid"
	wait_screen 'lw\x1b[7mx'
	! tm capture-pane -p -e -t live | grep -q $'lw\e\\[7mx'
	# the listener on 0.0.0.0 is marked reachable
	wait_screen "LISTEN!"

	# connections: the host name from the HTTP request
	key Tab
	wait_screen "models.example.test"
	# files: the flagged read of the key, first (the path may be cut to the width)
	key Tab
	wait_screen "$TEST_HOME/.ssh"
	[[ "$(line 3)" == *credentials*file-credentials*"$TEST_HOME/.ssh"* ]]
	# alerts: the credentials rule
	key Tab
	wait_screen "file-credentials"

	# the filter: only the rows that match, the filter said on the last line
	key 1 / o l l a m a Enter
	wait_screen 'filter "ollama"'
	wait_gone 'lw\x1b[7mx'
	# Enter: the process's events as a log; Esc back
	key Home Enter
	wait_screen "Log $pid"
	wait_screen "id_ed25519"
	key Escape
	wait_gone "Log $pid"
	key Escape
	wait_gone 'filter "ollama"'
	wait_screen 'lw\x1b[7mx'

	# pause: the rows stay as they were while events go on being counted
	key 1 p
	wait_screen "PAUSED"
	status_line=$(line 39)
	touch "$D/go"
	run_actor "$ollama" "$D/r2.json" open /etc/hosts
	pid2=$(report_get "$D/r2.json" pid)
	# the status line goes on (the uptime), the rows do not: the new process is not shown
	retry 50 eval '[ "$(line 39)" != "$status_line" ]'
	! on_screen "$pid2"
	key p
	wait_gone "PAUSED"
	wait_screen "$pid2"

	# sort: the keys line names the next sort key
	before=$(line 40)
	key s
	retry 50 eval '[ "$(line 40)" != "$before" ]'
	# help, and any key closes it
	key '?'
	wait_screen "llmwatch --live: keys"
	key x
	wait_gone "llmwatch --live: keys"

	# 80x24 and back: the status line and the keys line stay at the bottom
	tm resize-window -t live -x 80 -y 24
	retry 50 eval '[[ "$(line 24)" == *"? help"* ]]'
	[ "$(screen | awk '{ if (length($0) > 80) n++ } END { print n + 0 }')" -eq 0 ]
	[[ "$(line 1)" == *Processes* ]]
	tm resize-window -t live -x 120 -y 40
	retry 50 eval '[[ "$(line 40)" == *"? help"* ]]'

	quit
}

@test "--from a capture: browsed, paused at the end; the mouse; colours, and none with NO_COLOR; SIGTERM; --iterations ends it" {
	requires_bpf
	make_capture
	live -- --from "$CAP"
	wait_screen "end of capture"
	wait_screen "PAUSED"
	wait_screen "ollama"
	# the mouse: a click (X10 encoding: button, column and row each + 32, from 1) on the
	# second tab, "2 Connections", at column 15 of the first row
	tm send-keys -t live -l $'\e[M 0!'
	wait_screen "models.example.test"
	# colours: some SGR colour sequence is on the screen
	tm capture-pane -p -e -t live | grep -qE $'\e\\[([0-9;]*;)?(3[0-7]|4[0-7]|9[0-7])(;[0-9;]*)?m'
	quit
	tm kill-server

	live NO_COLOR=1 -- --from "$CAP"
	wait_screen "end of capture"
	key Tab
	wait_screen "models.example.test"
	# attributes only: no foreground or background colour anywhere
	! tm capture-pane -p -e -t live | grep -qE $'\e\\[([0-9;]*;)?(3[0-9]|4[0-9]|9[0-7]|10[0-7])(;[0-9;]*)?m'
	tm capture-pane -p -e -t live | grep -qE $'\e\\[[0-9;]*7[;m]' # the selection: reverse
	quit
	tm kill-server

	# SIGTERM: the view stops and gives the terminal back as it was
	live -- --from "$CAP" --refresh 0.5
	wait_screen "end of capture"
	view=$(pgrep -f -- "--live --from $CAP --refresh 0.5")
	kill -TERM "$view"
	ended
	[ "$RC" -eq 0 ]
	diff "$D/stty.before" "$D/stty.after"
	grep -q "SIGTERM from pid" "$D/err"
	tm kill-server

	# --iterations: 3 redraws, then exit 0 without a key
	live -- --from "$CAP" --iterations 3 --refresh 0.2
	ended
	[ "$RC" -eq 0 ]
	diff "$D/stty.before" "$D/stty.after"
}

@test "without a terminal: says so and writes the text output (--from and the programs); --iterations ends it" {
	requires_bpf
	make_capture
	run "$LLMWATCH" --live --from "$CAP"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"llmwatch: --live: standard output is not a terminal; writing the text output instead"* ]]
	[[ "$output" == *"ollama pid=$CAP_PID"*"models.example.test"* ]]

	run timeout 20 "$LLMWATCH" --live --attach none --iterations 2 --refresh 0.2
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"standard output is not a terminal; writing the text output instead"* ]]
	[[ "$output" == *"records, 0 lost"* ]]
}

@test "--attach a daemon's event socket: the view shows source daemon and the actor's events; a user outside the group is refused" {
	requires_bpf
	command -v setpriv >/dev/null || skip_or_fail "needs setpriv"
	# under /tmp itself, traversable: bats's own directories may not be for another user
	SDIR=$(mktemp -d /tmp/llmwatch-live.XXXXXX)
	chmod 755 "$SDIR"
	sock="$SDIR/events.sock"
	lw_start --events-socket "$sock"
	live -- --attach "$sock"
	wait_screen "daemon"
	ollama=$(make_tool ollama)
	run_actor "$ollama" "$D/r.json" open /etc/hostname
	pid=$(report_get "$D/r.json" pid)
	wait_screen "$pid"
	wait_screen "ollama"
	quit
	# the daemon still runs: one viewer going is nothing to it
	running "$LW_PID"

	# uid and gid nobody, no groups: neither root nor in the socket's group
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$LLMWATCH" --live --attach "$sock"
	echo "$output"
	rm -rf "$SDIR"
	[ "$status" -eq 1 ]
	[[ "$output" == *"llmwatch: --live: "*"$sock"*"ermission denied"* ]]
	# and it never loads programs of its own behind the daemon's back
	[[ "$output" != *"loading the programs"* ]]
	[[ "$output" != *"watching"*"profiles"* ]]
}

@test "--live's options: refused without --live, and bad values" {
	run "$LLMWATCH" --iterations 3
	[ "$status" -eq 2 ]
	[[ "$output" == *"options of --live"* ]]
	run "$LLMWATCH" --live --iterations 0
	[ "$status" -eq 2 ]
	run "$LLMWATCH" --live --refresh 0.01
	[ "$status" -eq 2 ]
	run "$LLMWATCH" --live --from x.lwc --attach /tmp/x.sock
	[ "$status" -eq 2 ]
	[[ "$output" == *"two sources"* ]]
	# a config file never turns the view on (the daemon reads one)
	echo "live = yes" >"$BATS_TEST_TMPDIR/c.conf"
	run "$LLMWATCH" --config "$BATS_TEST_TMPDIR/c.conf" --duration 1
	[ "$status" -eq 2 ]
	[[ "$output" == *"not allowed in a config file"* ]]
}
