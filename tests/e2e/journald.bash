# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# A real systemd-journald for the end-to-end tests (50-journald, 88-audit-outputs), loaded
# after helpers: it runs in a mount and network namespace of its own, with a tmpfs on /run
# (its socket, its runtime journal bound to a directory of the test, its configuration) and
# /dev/null on /dev/kmsg, so the machine's /run, logs and kernel log are never touched.
# start_journald points $LLMWATCH at a wrapper that joins that mount namespace only
# (nsenter -m) to reach the socket. The test's teardown stops it: kill "$JPID".

requires_journald() {
	requires_root
	local t
	for t in /lib/systemd/systemd-journald journalctl unshare nsenter; do
		command -v "$t" >/dev/null || skip_or_fail "needs $t (Debian package systemd, util-linux)"
	done
}

# start_journald: systemd-journald in a private mount+net namespace; its journal files are
# written to $JDIR (read with journalctl --directory). Sets JPID.
start_journald() {
	JDIR="$BATS_TEST_TMPDIR/journal"
	mkdir -p "$JDIR"
	cat >"$BATS_TEST_TMPDIR/journald-ns.sh" <<'EOF'
set -e
mount -t tmpfs -o mode=0755 tmpfs /run
mkdir -p /run/systemd/journal /run/log/journal /run/systemd/journald.conf.d
mount --bind "$1" /run/log/journal
mount --bind /dev/null /dev/kmsg
cat >/run/systemd/journald.conf.d/50-test.conf <<'CONF'
[Journal]
Storage=volatile
RateLimitBurst=0
ForwardToSyslog=no
ForwardToKMsg=no
ForwardToConsole=no
ForwardToWall=no
CONF
exec env SYSTEMD_LOG_TARGET=console /lib/systemd/systemd-journald
EOF
	unshare -m -n --propagation private -- /bin/sh "$BATS_TEST_TMPDIR/journald-ns.sh" "$JDIR" \
		>"$BATS_TEST_TMPDIR/journald.log" 2>&1 &
	JPID=$!
	if ! retry 100 test -S "/proc/$JPID/root/run/systemd/journal/socket"; then
		echo "systemd-journald did not start:" >&2
		cat "$BATS_TEST_TMPDIR/journald.log" >&2
		return 1
	fi
	# llmwatch, run by lw_launch, joins journald's mount namespace (nsenter execs: same pid)
	cat >"$BATS_TEST_TMPDIR/llmwatch-in-ns" <<EOF
#!/bin/sh
exec nsenter -t $JPID -m -- "$LLMWATCH" "\$@"
EOF
	chmod +x "$BATS_TEST_TMPDIR/llmwatch-in-ns"
	LLMWATCH="$BATS_TEST_TMPDIR/llmwatch-in-ns"
}

# jq_journal ARGS...: the journal's entries matching ARGS as JSON lines
jq_journal() {
	journalctl --directory="$JDIR" --no-pager -o json "$@"
}

# journal_has N ARGS...: at least N entries match ARGS (journalctl's own filtering)
journal_has() {
	local n=$1
	shift
	[ "$(jq_journal "$@" | grep -c .)" -ge "$n" ]
}
