#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# --metrics: the Prometheus textfile shows the events a watched tool caused, by type and
# tool, read back by a strict parser; losses forced through a tiny ring buffer become a
# rate-limited alert (llmwatch-events-lost) in every output and in the metrics; bad values
# of the new options are usage errors.

load helpers

PROMQ="/usr/bin/python3 $REPO/tests/e2e/promq.py"

setup() {
	common_setup
	METRICS="$BATS_TEST_TMPDIR/prom/llmwatch.prom"
	mkdir -p "$BATS_TEST_TMPDIR/prom"
}

teardown() {
	common_teardown
}

# metric NAME [LABEL=VALUE...]: the series' value (0 when it is not there yet); fails the
# test when the file does not parse
metric() {
	local v rc=0
	v=$($PROMQ get "$METRICS" "$@") || rc=$?
	[ "$rc" -le 1 ] || return 2
	echo "${v:-0}"
}

# metric_at_least N NAME [LABEL=VALUE...]: the series has reached N
metric_at_least() {
	local want=$1 v
	shift
	v=$(metric "$@") || return 1
	/usr/bin/python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) >= float(sys.argv[2]) else 1)' "$v" "$want"
}

# metric_is N NAME [LABEL=VALUE...]: the series is N now (for retry: read on every try)
metric_is() {
	local want=$1 v
	shift
	v=$(metric "$@") || return 1
	[ "$v" = "$want" ]
}

@test "--metrics: events by type and tool, watched processes and the ring, parsed back" {
	requires_bpf
	local tool rep pid
	tool=$(make_tool ollama)
	rep="$BATS_TEST_TMPDIR/r.json"
	lw_start --metrics "$METRICS" --metrics-interval 0.2
	# written once at the start already, whole
	$PROMQ check "$METRICS"
	[ "$(metric llmwatch_records_total)" -eq 0 ]
	echo data >"$BATS_TEST_TMPDIR/data.txt"
	run_actor "$tool" "$rep" tcp open "$BATS_TEST_TMPDIR/data.txt"
	pid=$(report_get "$rep" pid)
	lw_wait_for type=exit pid="$pid"
	# bounded wait for the next writes to count them
	retry 50 metric_at_least 1 llmwatch_events_total type=connect tool=ollama
	retry 50 metric_at_least 1 llmwatch_events_total type=exit tool=ollama
	$PROMQ check "$METRICS"
	local opens
	opens=$(metric llmwatch_events_total type=open tool=ollama)
	[ "$opens" -ge 1 ]
	# as many as the JSON output has (the file may be one write behind)
	retry 50 metric_is "$(lw_count type=open tool=ollama)" llmwatch_events_total type=open tool=ollama
	[ "$(metric llmwatch_records_total)" -gt 0 ]
	# the ring's fill is known here (its position pages map), within its size
	[ "$(metric llmwatch_ring_buffer_size_bytes)" -eq 4194304 ]
	[ "$(metric llmwatch_ring_buffer_used_peak_bytes)" -le 4194304 ]
	# every loss counter is there, all zero; nothing lost, so no loss alert
	[ "$(metric llmwatch_kernel_lost_total type=open reason=ring_full)" -eq 0 ]
	[ "$(metric llmwatch_user_lost_total counter=output_errors)" -eq 0 ]
	[ "$(metric llmwatch_lost_total)" -eq 0 ]
	[ "$(metric llmwatch_metrics_write_errors_total)" -eq 0 ]
	metric_at_least 0.2 llmwatch_uptime_seconds
	# a watched process is counted while it runs (it waits for a file), and no longer after
	(exec "$tool" "$REPO/tests/e2e/actor.py" "$BATS_TEST_TMPDIR/r2.json" wait-file "$BATS_TEST_TMPDIR/go") &
	BG_PIDS="$!"
	retry 50 metric_at_least 1 llmwatch_watched_processes
	touch "$BATS_TEST_TMPDIR/go"
	wait "$BG_PIDS"
	BG_PIDS=
	retry 50 metric_is 0 llmwatch_watched_processes
	# readable by node_exporter's user
	[ "$(stat -c %a "$METRICS")" = 644 ]
	lw_stop
	# written atomically: no temporary file left (looked for once the writer has stopped:
	# while it runs, one write in five per second has its .tmp for the write's duration)
	[ ! -e "$METRICS.tmp" ]
	[ "$(lw_count type=events_lost)" -eq 0 ]
	lw_wait_for kind=summary lost=0
}

@test "losses are an alert: rate-limited, in every output and in the metrics" {
	requires_bpf
	local tool txt
	tool=$(make_tool ollama "$PROGS/lw_actor")
	txt="$BATS_TEST_TMPDIR/out.txt"
	lw_start --ring-size 4096 --loss-alert-interval 1 --output "text:$txt" \
		--metrics "$METRICS" --metrics-interval 0.2
	run "$tool" flood 200000
	[ "$status" -eq 0 ]
	lw_wait_for kind=alert type=events_lost
	retry 50 metric_at_least 1 llmwatch_kernel_lost_total type=open reason=ring_full
	retry 50 metric_at_least 1 llmwatch_alerts_total type=events_lost tool=
	lw_stop
	lw_wait_for kind=summary
	# the alert names the rule, its severity and what was lost
	$LWQ get verdicts "$OUT" type=events_lost | grep -q '"rule": "llmwatch-events-lost"'
	$LWQ get verdicts "$OUT" type=events_lost | grep -q '"severity": "high"'
	$LWQ get losses "$OUT" type=events_lost | grep -q '"type": "open", "reason": "ring_full"'
	# the increases add up to everything lost, which the last alert and the summary both say
	/usr/bin/python3 - "$OUT" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
alerts = [o for o in lines if o.get("type") == "events_lost"]
summary = [o for o in lines if o["kind"] == "summary"][0]
assert alerts, "no loss alert"
assert all(o["kind"] == "alert" for o in alerts)
assert sum(o["lost"] for o in alerts) == summary["lost"], (alerts, summary["lost"])
assert alerts[-1]["lost_total"] == summary["lost"]
for o in alerts:
    assert o["lost"] == sum(c["count"] for c in o["losses"]), o
# at most one per second, but for the last, forced out at the end
ms = [o["interval_ms"] for o in alerts[1:-1]]
assert all(m >= 1000 for m in ms), ms
PY
	# the text output has it too, with its verdict
	grep -Eq " llmwatch pid=[0-9]+ ppid=[0-9]+ events_lost lost=[0-9]+ total=[0-9]+ in=[0-9.]+s .*open/ring_full\+[0-9]+" "$txt"
	grep -q "\[high\] llmwatch-events-lost: llmwatch lost [0-9]* events" "$txt"
	# the metrics file's last write is the final count
	[ "$(metric llmwatch_lost_total)" -eq "$($LWQ get lost "$OUT" kind=summary)" ]
	[ "$(metric llmwatch_alerts_total type=events_lost tool=)" -eq "$(lw_count type=events_lost)" ]
}

@test "--metrics and the intervals: bad values are usage errors naming them" {
	run "$LLMWATCH" --metrics-interval 0
	[ "$status" -eq 2 ]
	[[ "$output" == *'--metrics-interval "0"'* ]]
	run "$LLMWATCH" --loss-alert-interval -1
	[ "$status" -eq 2 ]
	[[ "$output" == *'--loss-alert-interval "-1"'* ]]
	run "$LLMWATCH" --loss-alert-interval 1x
	[ "$status" -eq 2 ]
	run "$LLMWATCH" --metrics "$BATS_TEST_TMPDIR/no/such/dir/m.prom" --duration 1
	[ "$status" -eq 2 ]
	[[ "$output" == *"--metrics $BATS_TEST_TMPDIR/no/such/dir/m.prom: cannot open the directory"* ]]
	run "$LLMWATCH" --help
	for opt in --metrics --metrics-interval --loss-alert-interval; do
		[[ "$output" == *"$opt"* ]]
	done
}
