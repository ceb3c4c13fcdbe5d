#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The daemon's event stream (--events-socket, docs/live-stream.md): a viewer attached to
# the socket sees a watched tool's connect as the text output shows it, with the daemon's
# hello and counters; a user outside the socket's group is refused, by the socket's mode
# and, where the mode would let it in, by the daemon's own check (SO_PEERCRED), with the
# reason and a log line; a member of the group by a supplementary group is let in; the
# socket is removed at the stop. The unit's capabilities suffice to give the socket to its
# group, and CAP_CHOWN is needed for that.

load helpers

setup() {
	common_setup
	# under /tmp itself, traversable: bats's own directories may not be for another user
	SDIR=$(mktemp -d /tmp/llmwatch-stream.XXXXXX)
	chmod 755 "$SDIR"
	SOCK="$SDIR/run/events.sock"
	DUMP="$BUILD/tests/progs/lw_stream_dump"
	GROUP=
}

teardown() {
	common_teardown
	[ -n "$GROUP" ] && groupdel "$GROUP" 2>/dev/null
	rm -rf "$SDIR"
	return 0
}

# a group of our own, removed in teardown; its gid in $GID
make_group() {
	command -v groupadd >/dev/null || skip_or_fail "needs groupadd"
	GROUP="lwst$$"
	groupadd "$GROUP"
	GID=$(getent group "$GROUP" | cut -d: -f3)
	[ -n "$GID" ]
}

# as_nobody [SETPRIV-GROUP-ARGS...] -- CMD...: CMD as uid/gid 65534
as_nobody() {
	local args=()
	while [ "$1" != -- ]; do
		args+=("$1")
		shift
	done
	shift
	setpriv --reuid=65534 --regid=65534 "${args[@]}" "$@"
}

@test "--events-socket: a viewer sees a watched tool's connect; the socket goes at the stop" {
	requires_bpf
	tool=$(make_tool ollama "$PROGS/lw_actor")
	STDOUT="$BATS_TEST_TMPDIR/stdout.txt"
	lw_launch "$STDOUT" --events-socket "$SOCK" --output text
	# made in a directory that did not exist (0755), root's alone without the group
	[ "$(stat -c %a "$SDIR/run")" = 755 ]
	if getent group llmwatch >/dev/null; then
		[ "$(stat -c '%a %G' "$SOCK")" = "660 llmwatch" ]
	else
		[ "$(stat -c %a "$SOCK")" = 600 ]
		grep -q "events socket $SOCK: mode 0600, root only (no group llmwatch here)" "$ERR"
	fi
	"$DUMP" -t 20 -u " connect 127.0.0.1:" "$SOCK" >"$BATS_TEST_TMPDIR/dump.txt" \
		2>"$BATS_TEST_TMPDIR/dump.err" &
	dump=$!
	retry 50 grep -q "^hello: " "$BATS_TEST_TMPDIR/dump.err"
	run "$tool" tcp
	[ "$status" -eq 0 ]
	port=$(sed -n 's/^tcp_port=//p' <<<"$output")
	wait "$dump"
	# the line the daemon's own text output writes, come through the stream
	grep -Eq " ollama pid=[0-9]+ ppid=[0-9]+ connect 127\.0\.0\.1:$port stream -> 0 " \
		"$BATS_TEST_TMPDIR/dump.txt"
	line=$(grep -E " connect 127\.0\.0\.1:$port " "$BATS_TEST_TMPDIR/dump.txt")
	retry 50 grep -qF "$line" "$STDOUT"
	# the hello names the daemon's version and rule set
	grep -Eq "^hello: version=[^ ]+ rules=[0-9a-f]{64} host=" "$BATS_TEST_TMPDIR/dump.err"
	grep -q "events socket: viewer pid $dump (lw_stream_dump, uid 0) attached" "$ERR"
	# the counters come about once a second
	"$DUMP" -t 3 "$SOCK" >/dev/null 2>"$BATS_TEST_TMPDIR/dump2.err" || true
	grep -q "^stats: records=[1-9][0-9]* lost=0" "$BATS_TEST_TMPDIR/dump2.err"
	lw_stop
	[ ! -e "$SOCK" ]
	grep -q "events socket $SOCK: 2 viewers attached, 0 refused, 0 events missed" "$ERR"
	# no daemon: the viewer says so (ENOENT)
	run "$DUMP" -t 1 "$SOCK"
	[ "$status" -eq 4 ]
}

@test "--events-socket: outside the group refused (the mode, then SO_PEERCRED), a supplementary member let in" {
	requires_bpf
	command -v setpriv >/dev/null || skip_or_fail "needs setpriv"
	make_group
	lw_launch "$BATS_TEST_TMPDIR/stdout.txt" --events-socket "$SOCK" --events-group "$GROUP"
	[ "$(stat -c '%a %G' "$SOCK")" = "660 $GROUP" ]
	grep -q "events socket $SOCK: mode 0660, group $GROUP (gid $GID)" "$ERR"

	# outside the group: the socket's mode refuses the connect
	run as_nobody --clear-groups -- "$DUMP" -t 3 "$SOCK"
	[ "$status" -eq 3 ]
	[[ "$output" == *"cannot connect to $SOCK: Permission denied (mode 0660, group $GROUP: only root and that group may attach)"* ]]

	# a mode opened by mistake: the daemon's own check refuses, says why and logs it
	chmod 666 "$SOCK"
	run as_nobody --clear-groups -- "$DUMP" -t 3 "$SOCK"
	[ "$status" -eq 3 ]
	[[ "$output" == *"refused by the daemon: not root and not in group $GROUP"* ]]
	retry 50 grep -Eq "events socket: refused pid [0-9]+ \(lw_stream_dump, uid 65534\): not root and not in group $GROUP" "$ERR"
	chmod 660 "$SOCK"

	# a member by a supplementary group only: let in (SO_PEERGROUPS)
	run as_nobody --groups="$GID" -- "$DUMP" -t 2 -n 0 "$SOCK"
	[ "$status" -eq 1 ] # attached, and no event came within the timeout
	[[ "$output" == *"hello: version="* ]]
	grep -q "viewer pid [0-9]* (lw_stream_dump, uid 65534) attached" "$ERR"
	lw_stop
	grep -q "events socket $SOCK: 1 viewers attached, 1 refused" "$ERR"
}

# the unit's CapabilityBoundingSet as setpriv's list, without DROP (as 55-daemon.bats)
unit_caps() {
	sed -n 's/^CapabilityBoundingSet=//p' "$REPO/dist/llmwatch.service.in" | tr ' ' '\n' |
		grep -v "^${1:-none}\$" | sed 's/^CAP_/+/' | tr 'A-Z' 'a-z' | paste -sd, -
}

@test "--events-socket under the unit's capabilities: given to its group; not without CAP_CHOWN" {
	requires_bpf
	command -v setpriv >/dev/null || skip_or_fail "needs setpriv"
	make_group
	READY="$BATS_TEST_TMPDIR/ready"
	ERR="$BATS_TEST_TMPDIR/err.txt"
	setpriv --bounding-set "-all,$(unit_caps)" "$LLMWATCH" --ready-file "$READY" \
		--events-socket "$SOCK" --events-group "$GROUP" >/dev/null 2>"$ERR" &
	LW_PID=$!
	retry 150 test -e "$READY" || { cat "$ERR" >&2; false; }
	[ "$(stat -c '%a %G' "$SOCK")" = "660 $GROUP" ]
	lw_stop
	run setpriv --bounding-set "-all,$(unit_caps CAP_CHOWN)" "$LLMWATCH" --duration 1 \
		--events-socket "$SOCK" --events-group "$GROUP"
	[ "$status" -eq 2 ]
	[[ "$output" == *"--events-socket $SOCK: giving it to group $GROUP: Operation not permitted"* ]]
	[ ! -e "$SOCK" ]
}
