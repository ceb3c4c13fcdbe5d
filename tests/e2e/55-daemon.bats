#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The daemon: --config applied (and its errors named file:line:col), SIGHUP reloading the
# rules (a good new file is active at once, a broken one keeps the old rules and says
# where), Type=notify readiness and watchdog pings on a test NOTIFY_SOCKET, the unit
# checked by systemd-analyze, make install/uninstall, and --help against the man page.

load helpers

setup() {
	common_setup
	CONF_DIR="$BATS_TEST_TMPDIR/etc"
	mkdir -p "$CONF_DIR/rules.d"
	chmod 755 "$CONF_DIR"
}

teardown() {
	common_teardown
	if [ -n "${OTHER_DIR:-}" ]; then rm -rf "$OTHER_DIR"; fi
}

# A rule that alerts when a --watch lwdaemon tree opens a file named "$1".
marker_rule() {
	cat <<JSON
{ "rules": [ { "id": "local-marker-$2", "description": "test rule for 55-daemon.bats",
  "severity": "high", "tools": "watch:lwdaemon", "event": "open",
  "conditions": { "path": "**/$1" }, "message": "{tool} opened the marker {path}" } ] }
JSON
}

# The base rule file every config here loads (rules.d may not be empty).
base_rules() {
	marker_rule first-marker base >"$CONF_DIR/rules.d/10-base.json"
}

write_conf() {
	printf '%s\n' "$@" >"$CONF_DIR/llmwatch.conf"
	chmod 600 "$CONF_DIR/llmwatch.conf"
}

# opens_marker NAME: the watched tool opens $BATS_TEST_TMPDIR/NAME; prints its pid.
opens_marker() {
	: >"$BATS_TEST_TMPDIR/$1"
	run_actor "$TOOL" "$BATS_TEST_TMPDIR/actor-$1.json" open "$BATS_TEST_TMPDIR/$1"
	report_get "$BATS_TEST_TMPDIR/actor-$1.json" pid
}

# waits until stderr has a line matching the extended regex $1
wait_err() {
	retry 100 grep -Eq "$1" "$ERR"
}

@test "--config: the file's options apply, the command line wins, errors name file:line:col" {
	requires_bpf
	base_rules
	TOOL=$(make_tool lwdaemon)
	write_conf "# test config" "" "watch = lwdaemon" "json = yes" \
		"rules = $CONF_DIR/rules.d" "duration = 0.1"
	# duration from the file would stop it at once: the command line's wins
	OUT="$BATS_TEST_TMPDIR/out.json"
	lw_launch "$OUT" --config "$CONF_DIR/llmwatch.conf" --duration 600
	pid=$(opens_marker first-marker)
	lw_wait_for kind=alert pid="$pid" verdicts~'"rule": "local-marker-base"'
	running "$LW_PID"
	lw_stop
	# errors: each named with its position, nothing started
	write_conf "watch = lwdaemon" "ring-size = 3000" "  frob = 1" "json = maybe"
	run "$LLMWATCH" --config "$CONF_DIR/llmwatch.conf"
	[ "$status" -eq 2 ]
	[[ "$output" == *"$CONF_DIR/llmwatch.conf:2:13: ring-size \"3000\": a power of two"* ]]
	[[ "$output" == *"$CONF_DIR/llmwatch.conf:3:3: unknown option \"frob\""* ]]
	[[ "$output" == *"$CONF_DIR/llmwatch.conf:4:8: json \"maybe\": yes or no"* ]]
	[[ "$output" == *"3 error(s); nothing applied"* ]]
	# a file others may write is refused: a root daemon takes no orders from it
	write_conf "watch = lwdaemon"
	chmod 666 "$CONF_DIR/llmwatch.conf"
	run "$LLMWATCH" --config "$CONF_DIR/llmwatch.conf"
	[ "$status" -eq 2 ]
	[[ "$output" == *"writable by group or others (mode 0666): refused"* ]]
}

@test "SIGHUP: a good new rule file is active at once; a broken one keeps the old rules and names file:line:col" {
	requires_bpf
	base_rules
	TOOL=$(make_tool lwdaemon)
	# every alert is counted one by one here: folding of identical alerts is off
	write_conf "watch = lwdaemon" "rules = $CONF_DIR/rules.d" "fold-window = 0"
	lw_start --config "$CONF_DIR/llmwatch.conf"
	pid=$(opens_marker second-marker)
	lw_wait_for kind=event pid="$pid" path="$BATS_TEST_TMPDIR/second-marker"
	[ "$(lw_count kind=alert pid="$pid")" -eq 0 ]
	# a good new file: the new rule fires on the next open
	marker_rule second-marker added >"$CONF_DIR/rules.d/20-added.json"
	kill -HUP "$LW_PID"
	wait_err '^llmwatch: reloaded: [0-9]+ rules$'
	pid=$(opens_marker second-marker)
	lw_wait_for kind=alert pid="$pid" verdicts~'"rule": "local-marker-added"'
	# a broken file: said with its position, the old rules (both) still fire
	printf '{ "rules": [ { "id": "x", "severity": "loud" } ] }\n' >"$CONF_DIR/rules.d/30-broken.json"
	kill -HUP "$LW_PID"
	wait_err 'reload failed: the [0-9]+ running rules are kept'
	grep -q "$CONF_DIR/rules.d/30-broken.json:1:[0-9]*: " "$ERR"
	pid=$(opens_marker second-marker)
	lw_wait_for kind=alert pid="$pid" verdicts~'"rule": "local-marker-added"'
	pid=$(opens_marker first-marker)
	lw_wait_for kind=alert pid="$pid" verdicts~'"rule": "local-marker-base"'
	# `rules check` says the same and exits non-zero
	run "$LLMWATCH" rules check "$CONF_DIR/rules.d"
	[ "$status" -ne 0 ]
	[[ "$output" == *"$CONF_DIR/rules.d/30-broken.json:1:"* ]]
	# a broken config file: kept too, said with its position
	rm "$CONF_DIR/rules.d/30-broken.json"
	write_conf "watch = lwdaemon" "rules = $CONF_DIR/rules.d" "fold-window = 0" "ring-size = 1"
	kill -HUP "$LW_PID"
	wait_err "$CONF_DIR/llmwatch.conf:4:13: ring-size \"1\""
	wait_err 'reload failed: .*llmwatch.conf has errors; the running configuration and rules are kept'
	# an option only a restart applies is said, not silently ignored
	write_conf "watch = lwdaemon" "rules = $CONF_DIR/rules.d" "fold-window = 0" "ring-size = 8M"
	kill -HUP "$LW_PID"
	wait_err '^llmwatch: reload: --ring-size changed: only a restart applies that$'
	pid=$(opens_marker first-marker)
	lw_wait_for kind=alert pid="$pid" verdicts~'"rule": "local-marker-base"'
	running "$LW_PID"
	lw_stop
}

@test "SIGHUP: reloads in the middle of a stream of events lose none and match every one" {
	requires_bpf
	base_rules
	TOOL=$(make_tool lwdaemon)
	# every alert is counted one by one here: folding of identical alerts is off
	write_conf "watch = lwdaemon" "rules = $CONF_DIR/rules.d" "fold-window = 0"
	lw_start --config "$CONF_DIR/llmwatch.conf"
	: >"$BATS_TEST_TMPDIR/first-marker"
	"$TOOL" -c '
import sys, time
for _ in range(400):
    open(sys.argv[1]).close()
    time.sleep(0.002)
' "$BATS_TEST_TMPDIR/first-marker" &
	tool_pid=$!
	# reloads while it opens, each one waited for
	for i in 1 2 3 4 5; do
		kill -HUP "$LW_PID"
		wait_count "reloads" -ge "$i" grep -c '^llmwatch: reloaded: ' "$ERR"
	done
	wait "$tool_pid"
	lw_wait_for kind=alert pid="$tool_pid" path="$BATS_TEST_TMPDIR/first-marker"
	wait_count "alerts" -eq 400 $LWQ count 0 "$OUT" kind=alert pid="$tool_pid" \
		path="$BATS_TEST_TMPDIR/first-marker" verdicts~'"rule": "local-marker-base"'
	lw_stop
	grep -q '^llmwatch: [0-9]* records, 0 lost$' "$ERR"
}

# unit_caps [DROP]: the unit's CapabilityBoundingSet as setpriv's list, without DROP
unit_caps() {
	sed -n 's/^CapabilityBoundingSet=//p' "$REPO/dist/llmwatch.service.in" | tr ' ' '\n' |
		grep -v "^${1:-none}\$" | sed 's/^CAP_/+/' | tr 'A-Z' 'a-z' | paste -sd, -
}

# runs llmwatch with only the capabilities $1 while a tool run by nobody, started before it,
# opens a file once llmwatch is ready; prints how many events of that tool it reported
events_of_other_users_tool() {
	local out="$BATS_TEST_TMPDIR/caps.json" go="$OTHER_DIR/go" tool pid
	rm -f "$go" "$out"
	# under /tmp itself: bats's own directories may not be traversable by another user
	# a profile's tool (its executable path confirms it), not a --watch name (comm alone)
	tool=$(TOOLDIR="$OTHER_DIR" make_tool ollama)
	chmod 755 "$tool"
	setpriv --reuid=65534 --regid=65534 --clear-groups "$tool" -c '
import os, sys, time
for _ in range(500):
    if os.path.exists(sys.argv[1]):
        break
    time.sleep(0.02)
open("/etc/hostname").close()
' "$go" &
	pid=$!
	READY="$BATS_TEST_TMPDIR/ready"
	rm -f "$READY"
	setpriv --bounding-set "-all,$1" "$LLMWATCH" --json --ready-file "$READY" \
		>"$out" 2>"$BATS_TEST_TMPDIR/caps.err" &
	LW_PID=$!
	retry 150 test -e "$READY" || { cat "$BATS_TEST_TMPDIR/caps.err" >&2; return 1; }
	touch "$go"
	wait "$pid"
	ERR="$BATS_TEST_TMPDIR/caps.err"
	lw_stop >&2
	$LWQ count 0 "$out" pid="$pid" type=open path=/etc/hostname
}

@test "the unit's capabilities are enough, and CAP_SYS_PTRACE is needed for another user's tool" {
	requires_bpf
	command -v setpriv >/dev/null || skip_or_fail "needs setpriv"
	OTHER_DIR=$(mktemp -d /tmp/llmwatch-caps.XXXXXX)
	chmod 755 "$OTHER_DIR"
	caps=$(unit_caps)
	[ "$caps" = "+bpf,+perfmon,+net_admin,+sys_ptrace,+chown" ]
	[ "$(events_of_other_users_tool "$caps")" -eq 1 ]
	# without CAP_SYS_PTRACE the running tool of another user is not recognised
	[ "$(events_of_other_users_tool "$(unit_caps CAP_SYS_PTRACE)")" -eq 0 ]
	rm -rf "$OTHER_DIR"
}

# start_listener SOCKET LOG: the stand-in notification socket, ready when it logged LISTENING
start_listener() {
	/usr/bin/python3 "$REPO/tests/e2e/notify_listener.py" "$1" "$2" "$BATS_TEST_TMPDIR/ready" &
	BG_PIDS="${BG_PIDS:-} $!"
	retry 50 grep -q LISTENING "$2"
}

@test "Type=notify: READY=1 only once attached, STATUS, STOPPING=1; WATCHDOG=1 only with WATCHDOG_USEC" {
	requires_bpf
	SOCK="$BATS_TEST_TMPDIR/notify.sock"
	LOG="$BATS_TEST_TMPDIR/notify.log"
	start_listener "$SOCK" "$LOG"
	base_rules
	NOTIFY_SOCKET="$SOCK" WATCHDOG_USEC=200000 lw_start --rules "$CONF_DIR/rules.d"
	retry 50 grep -q 'READY=1' "$LOG"
	# READY arrived after the ready file (written once every program is attached)
	/usr/bin/python3 - "$LOG" <<'PY'
import json, sys
msgs = [json.loads(l) for l in open(sys.argv[1])]
ready = [m for m in msgs if "READY=1" in m["msg"].split("\n")]
assert len(ready) == 1, msgs
assert ready[0]["ready_file"], ready
assert "STATUS=watching " in ready[0]["msg"], ready
PY
	# pings every 0.1 s (half of WATCHDOG_USEC): several within a second
	wait_count "watchdog pings" -ge 5 grep -c '"msg": "WATCHDOG=1"' "$LOG"
	# a reload: RELOADING=1, then READY=1 again with the outcome in STATUS, the broken
	# file's position included
	echo '{ "rules": [ { "id": 7 } ] }' >"$CONF_DIR/rules.d/20-broken.json"
	kill -HUP "$LW_PID"
	retry 50 grep -q 'RELOADING=1' "$LOG"
	retry 50 grep -q "STATUS=reload failed, the [0-9]* running rules are kept: $CONF_DIR/rules.d/20-broken.json:1:[0-9]*: " "$LOG"
	lw_stop
	retry 50 grep -q 'STOPPING=1' "$LOG"
	# without WATCHDOG_USEC: ready, but no pings (llmwatch's own --duration is the window
	# in which, at one ping every 0.1 s, pings would have come)
	SOCK2="$BATS_TEST_TMPDIR/notify2.sock"
	start_listener "$SOCK2" "$LOG.2"
	NOTIFY_SOCKET="$SOCK2" "$LLMWATCH" --duration 1 --json >/dev/null 2>"$BATS_TEST_TMPDIR/err2.txt"
	retry 50 grep -q 'STOPPING=1' "$LOG.2"
	grep -q 'READY=1' "$LOG.2"
	! grep -q 'WATCHDOG=1' "$LOG.2"
}

@test "dist/llmwatch.service passes systemd-analyze verify" {
	command -v systemd-analyze >/dev/null || skip_or_fail "needs systemd-analyze"
	# ExecStart must name an executable that exists: the built one
	make -s -C "$REPO" BUILD="$BUILD" unit SBINDIR="$BUILD"
	grep -qx "ExecStart=$BUILD/llmwatch --config /etc/llmwatch/llmwatch.conf" \
		"$BUILD/dist/llmwatch.service"
	run systemd-analyze verify --man=no "$BUILD/dist/llmwatch.service"
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	# the hardening holds: the exposure score systemd computes stays where the README says
	run systemd-analyze security --offline=true "$BUILD/dist/llmwatch.service"
	echo "$output" | tail -n 3
	[ "$status" -eq 0 ]
	score=$(sed -nE 's/.*Overall exposure level for .*: ([0-9.]+) .*/\1/p' <<<"$output")
	[ -n "$score" ]
	# 2.8 since CAP_CHOWN (--events-socket gives its socket to group llmwatch)
	awk -v s="$score" 'BEGIN { exit !(s <= 2.8) }'
}

@test "make install DESTDIR: binary, unit, man page, config and rules.d; an existing config is kept; uninstall" {
	dest="$BATS_TEST_TMPDIR/dest"
	run make -s -C "$REPO" BUILD="$BUILD" install DESTDIR="$dest" PREFIX=/usr/local SYSCONFDIR=/etc
	echo "$output"
	[ "$status" -eq 0 ]
	[ -x "$dest/usr/local/sbin/llmwatch" ]
	[ "$(stat -c %a "$dest/usr/local/sbin/llmwatch")" = 755 ]
	[ -f "$dest/usr/local/lib/systemd/system/llmwatch.service" ]
	grep -qx 'ExecStart=/usr/local/sbin/llmwatch --config /etc/llmwatch/llmwatch.conf' \
		"$dest/usr/local/lib/systemd/system/llmwatch.service"
	[ -f "$dest/usr/local/share/man/man8/llmwatch.8" ]
	[ "$(stat -c %a "$dest/etc/llmwatch/llmwatch.conf")" = 600 ]
	[ -f "$dest/etc/llmwatch/rules.d/local.json" ]
	# the installed example config and rules are valid as they are
	"$dest/usr/local/sbin/llmwatch" rules check "$dest/etc/llmwatch/rules.d"
	# an admin's config and rules survive a second install and the uninstall
	echo "# mine" >"$dest/etc/llmwatch/llmwatch.conf"
	run make -s -C "$REPO" BUILD="$BUILD" install DESTDIR="$dest" PREFIX=/usr/local SYSCONFDIR=/etc
	[ "$status" -eq 0 ]
	[ "$(cat "$dest/etc/llmwatch/llmwatch.conf")" = "# mine" ]
	run make -s -C "$REPO" BUILD="$BUILD" uninstall DESTDIR="$dest" PREFIX=/usr/local SYSCONFDIR=/etc
	[ "$status" -eq 0 ]
	[ ! -e "$dest/usr/local/sbin/llmwatch" ]
	[ ! -e "$dest/usr/local/lib/systemd/system/llmwatch.service" ]
	[ ! -e "$dest/usr/local/share/man/man8/llmwatch.8" ]
	[ "$(cat "$dest/etc/llmwatch/llmwatch.conf")" = "# mine" ]
}

# the long options a text names: "--name" tokens, sorted, once each
options_in() {
	grep -oE -- '--[a-z][a-z0-9-]+' | sort -u
}

# the man page as it prints: roff's \- is a dash, font changes go
man_text() {
	sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' "$REPO/man/llmwatch.8"
}

@test "the options of --help and of the man page are the same; the example config names each" {
	help=$("$LLMWATCH" --help | options_in)
	[ "$(wc -l <<<"$help")" -ge 17 ]
	# the monitor's options: the man page's, but for the verbs' own (SYNOPSIS, VERBS)
	diff <(echo "$help") <(man_text | awk '/^\.SH /{ verbs = ($2 == "VERBS" || $2 == "SYNOPSIS") } !verbs' | options_in)
	# the verbs' own options are in the man page too
	for verb in rules profiles replay report diff eval; do
		for o in $("$LLMWATCH" "$verb" --help 2>&1 | options_in); do
			man_text | grep -q -- "$o" || {
				echo "the man page lacks $verb $o"
				return 1
			}
		done
	done
	# every option a config file may set is in the commented example
	for o in $help; do
		# the command line's only: these and the live view's (a person's, at a terminal)
		case $o in --help | --version | --config | --live | --refresh | --iterations | --from | --attach) continue ;; esac
		grep -Eq "^#?${o#--} = " "$REPO/dist/llmwatch.conf" || {
			echo "dist/llmwatch.conf lacks ${o#--}"
			return 1
		}
	done
}
