#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The HTML report in a real browser (issue 15): Debian's chromium, headless, opens the sample
# report that tests/unit/test_report_html.c renders (a chatty tool: telemetry by name, an SSH
# key and a document read, an API on 0.0.0.0, a model download, a broken chain, a hostile
# file name), and `llmwatch report --format html` of a run captured here. The rendered DOM
# must hold the banner, the timeline's SVG with its marks, and every finding, with the
# hostile name as text, never as an element; screenshots are kept as $BUILD/report-sample.png
# and $BUILD/report-capture.png for a person to look at. The browser may resolve no name at
# all (--host-resolver-rules), and its console must stay silent: the page's
# Content-Security-Policy allows no script, fetch or font, so anything of the kind it tried
# would be refused and logged there.

load helpers

setup() {
	common_setup
	SAMPLE="$BUILD/report-sample.html"
	CHROMIUM=$(command -v chromium || true)
}

teardown() {
	common_teardown
}

requires_chromium() {
	[ -n "$CHROMIUM" ] || skip_or_fail "needs chromium (tools/install-deps.sh test installs it)"
}

# The sample, written afresh by the unit test that checks it.
render_sample() {
	[ -x "$BUILD/tests/test_report_html" ] ||
		skip_or_fail "needs $BUILD/tests/test_report_html (make $BUILD/tests/test_report_html)"
	rm -f "$SAMPLE"
	BUILD="$BUILD" "$BUILD/tests/test_report_html" >/dev/null
	[ -s "$SAMPLE" ]
}

# browser ARGS...: headless chromium as root in CI (no sandbox), a profile of its own under
# the test's tmpdir, no name resolution, bounded in time.
browser() {
	timeout 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run \
		--no-default-browser-check --disable-extensions --disable-sync \
		--disable-background-networking --disable-component-update \
		--host-resolver-rules="MAP * ~NOTFOUND" --enable-logging=stderr --v=0 \
		--user-data-dir="$BATS_TEST_TMPDIR/chromium" "$@" \
		2>>"$BATS_TEST_TMPDIR/chromium.err"
}

# count PATTERN FILE: how many times the fixed string PATTERN occurs in FILE.
count() {
	grep -oF -- "$1" "$2" | wc -l
}

@test "chromium renders the report: banner, timeline SVG with its marks, every finding" {
	requires_chromium
	render_sample
	dom="$BATS_TEST_TMPDIR/dom.html"
	browser --dump-dom "file://$SAMPLE" >"$dom" || {
		cat "$BATS_TEST_TMPDIR/chromium.err" >&2
		return 1
	}
	# the banner, prominent and first
	grep -qF 'class="banner incomplete"' "$dom"
	grep -qF 'INCOMPLETE capture' "$dom"
	grep -qF 'chain broken from block 7 of run.lwc' "$dom"
	# the timeline: an SVG element with one lane per process and one mark per finding
	grep -qF '<svg class="timeline-svg"' "$dom"
	grep -qF 'timeline of 3 processes' "$dom"
	[ "$(count 'class="mark-connect"' "$dom")" -eq 4 ]
	[ "$(count 'class="mark-listen"' "$dom")" -eq 2 ]
	[ "$(count 'class="mark-file"' "$dom")" -eq 6 ]
	[ "$(count 'class="mark-alert"' "$dom")" -eq 4 ]
	grep -qF '<title>connect: api.mixpanel.com 203.0.113.10:443/tcp' "$dom"
	# the findings, in their tables
	for f in api.mixpanel.com updates.chatty.example huggingface.co 192.0.2.99 \
		0.0.0.0:11434 /home/user/.ssh/id_ed25519 /home/user/Documents/tax-2025.pdf \
		/models/llama-3-8b.Q4_K_M.gguf /opt/chatty/bin/chatty \
		'chatty (pid 4121) read /home/user/.ssh/id_ed25519 (SSH private key)' \
		'llama-server (pid 4140) listens on 0.0.0.0:11434, reachable from the network'; do
		grep -qF -- "$f" "$dom" || {
			echo "not in the rendered page: $f" >&2
			return 1
		}
	done
	for t in alerts endpoints listeners files processes captures; do
		grep -qF "<table class=\"$t\">" "$dom"
	done
	# the hostile file name is text in the DOM, not an element
	grep -qF '/tmp/&lt;script&gt;alert(1)&lt;/script&gt;' "$dom"
	[ "$(count '<script' "$dom")" -eq 0 ]
	[ "$(count '<link' "$dom")" -eq 0 ]
	# nothing refused, nothing said on the console
	if grep -E 'CONSOLE|Content Security Policy' "$BATS_TEST_TMPDIR/chromium.err" >&2; then
		echo "the page tried something the browser refused or logged" >&2
		return 1
	fi
}

@test "chromium screenshot of the report is kept in the build directory" {
	requires_chromium
	render_sample
	png="$BUILD/report-sample.png"
	rm -f "$png"
	browser --hide-scrollbars --window-size=1280,2000 --screenshot="$png" "file://$SAMPLE" \
		>/dev/null || {
		cat "$BATS_TEST_TMPDIR/chromium.err" >&2
		return 1
	}
	# a PNG of the window's size, and not one colour: something was drawn
	run python3 - "$png" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
w, h = struct.unpack(">II", data[16:24])
print(w, h)
idat, off = b"", 8
while off < len(data):
    n, kind = struct.unpack(">I4s", data[off:off + 8])
    if kind == b"IDAT":
        idat += data[off + 8:off + 8 + n]
    off += 12 + n
raw = zlib.decompress(idat)
print(len(set(raw[i:i + 64] for i in range(0, len(raw), 4096))))
PY
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "1280 2000" ]
	[ "${lines[1]}" -gt 50 ]
}

@test "llmwatch report --format html of a real capture, rendered by chromium, agrees with the JSON" {
	requires_bpf
	requires_chromium
	cap="$BATS_TEST_TMPDIR/run.lwc"
	mkdir -p "$BATS_TEST_TMPDIR/models"
	echo gguf >"$BATS_TEST_TMPDIR/models/tiny.gguf"
	ollama=$(make_tool ollama)
	lw_start --capture "$cap"
	run_actor "$ollama" "$BATS_TEST_TMPDIR/r.json" bind-any open "$BATS_TEST_TMPDIR/models/tiny.gguf" \
		child
	pid=$(report_get "$BATS_TEST_TMPDIR/r.json" pid)
	port=$(report_get "$BATS_TEST_TMPDIR/r.json" bind-any_port)
	child=$(report_get "$BATS_TEST_TMPDIR/r.json" child_pid)
	lw_wait_for type=exit pid="$pid"
	lw_stop

	html="$BATS_TEST_TMPDIR/report.html"
	run "$LLMWATCH" report "$cap" --format html -o "$html"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(stat -c %a "$html")" = 600 ]
	run "$LLMWATCH" report "$cap" --format json -o "$BATS_TEST_TMPDIR/report.json"
	[ "$status" -eq 0 ]
	nproc=$(/usr/bin/python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["processes"]))' \
		"$BATS_TEST_TMPDIR/report.json")
	[ "$nproc" -ge 2 ]

	dom="$BATS_TEST_TMPDIR/dom.html"
	browser --dump-dom "file://$html" >"$dom" || {
		cat "$BATS_TEST_TMPDIR/chromium.err" >&2
		return 1
	}
	grep -qF 'class="banner complete"' "$dom"
	grep -qF '<svg class="timeline-svg"' "$dom"
	# one lane per process of the JSON document, and the run's findings drawn in them
	grep -qF "timeline of $nproc processes" "$dom"
	[ "$(count 'class="mark-listen"' "$dom")" -ge 1 ]
	[ "$(count 'class="mark-file"' "$dom")" -ge 1 ]
	grep -qF "0.0.0.0:$port/tcp" "$dom"
	grep -qF "$BATS_TEST_TMPDIR/models/tiny.gguf" "$dom"
	grep -qE "<td class=\"n\">$child</td><td class=\"n\">$pid</td>" "$dom"
	grep -qF '/bin/cat' "$dom"
	[ "$(count '<script' "$dom")" -eq 0 ]
	if grep -E 'CONSOLE|Content Security Policy' "$BATS_TEST_TMPDIR/chromium.err" >&2; then
		return 1
	fi
	# kept beside the sample for a person to look at
	browser --hide-scrollbars --window-size=1280,2000 --screenshot="$BUILD/report-capture.png" \
		"file://$html" >/dev/null
	[ -s "$BUILD/report-capture.png" ]
}
