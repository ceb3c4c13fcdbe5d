#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Tools run by an interpreter are recognised by their command line (issue 13 item 3):
# `python3 -m vllm.entrypoints.openai.api_server` (a stand-in vllm package on PYTHONPATH)
# started before llmwatch (the start-up scan) and after it (the periodic scan), Open WebUI's
# console script at exec and its `uvicorn open_webui.main:app` by the scan; a plain
# python3, and a uvicorn serving another app, are not watched.

load helpers

setup() {
	requires_bpf
	common_setup
	STOP="$BATS_TEST_TMPDIR/stop"
	PY="$BATS_TEST_TMPDIR/py"
	mkdir -p "$PY"
	# what every stand-in does: listen on loopback, say its pid and port, then connect to
	# itself every 0.1 s until $LW_STOP exists (its report and stop file come in the
	# environment, so that its command line is the tool's own)
	cat >"$PY/standin.py" <<'PYEOF'
import os, socket, time
def run():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(512)
    rep = os.environ["LW_REP"]
    with open(rep + ".tmp", "w") as f:
        f.write("%d %d\n" % (os.getpid(), s.getsockname()[1]))
    os.rename(rep + ".tmp", rep)
    for _ in range(600):
        if os.path.exists(os.environ["LW_STOP"]):
            break
        c = socket.socket(); c.connect(("127.0.0.1", s.getsockname()[1])); c.close()
        time.sleep(0.1)
PYEOF
	# a stand-in vllm package: python3 -m vllm.entrypoints.openai.api_server runs it
	mkdir -p "$PY/vllm/entrypoints/openai"
	touch "$PY/vllm/__init__.py" "$PY/vllm/entrypoints/__init__.py" \
		"$PY/vllm/entrypoints/openai/__init__.py"
	printf 'import standin\nstandin.run()\n' >"$PY/vllm/entrypoints/openai/api_server.py"
	printf 'import standin\nstandin.run()\n' >"$PY/plain.py"
}

teardown() {
	touch "$STOP"
	common_teardown
}

# standin NAME CMD...: start CMD in the background with the stand-in's environment; sets
# NAME_PID and NAME_PORT once it listens and is connecting to itself.
standin() {
	local name=$1 rep="$BATS_TEST_TMPDIR/$1.rep"
	shift
	LW_REP="$rep" LW_STOP="$STOP" PYTHONPATH="$PY" "$@" &
	BG_PIDS="${BG_PIDS:-} $!"
	retry 100 test -s "$rep"
	read -r "${name}_PID" "${name}_PORT" <"$rep"
}

# console_script DIR NAME: a script NAME in DIR run by python3 (as pip installs console
# scripts: its comm is NAME, its executable python3) that runs the stand-in.
console_script() {
	mkdir -p "$1"
	printf '#!/usr/bin/python3\nimport standin\nstandin.run()\n' >"$1/$2"
	chmod +x "$1/$2"
}

@test "python3 -m vllm.entrypoints.openai.api_server running before llmwatch is vLLM; a plain python3 is not" {
	standin plain /usr/bin/python3 "$PY/plain.py"
	standin before /usr/bin/python3 -m vllm.entrypoints.openai.api_server --model m
	# --runtime-scan 0: only the start-up scan can have found it
	lw_start --runtime-scan 0
	lw_wait_for type=connect pid="$before_PID" tool=vllm dport="$before_PORT" ret=0
	[ "$($LWQ get evidence "$OUT" pid="$before_PID")" = \
		"/usr/bin/python3 -m vllm.entrypoints.openai.api_server --model m" ]
	retry 50 $LWQ count-min 3 "$OUT" type=connect pid="$before_PID"
	lw_stop
	# the plain python3 running beside it, connecting as often, was never watched
	[ "$(lw_count pid="$plain_PID")" -eq 0 ]
	[ "$(lw_count dport="$plain_PORT")" -eq 0 ]
	grep -q "command lines: [1-9][0-9]* read .*, [1-9][0-9]* named a tool" "$ERR"
}

@test "python3 -m vllm... started after llmwatch is vLLM a scan later; a plain python3 is not" {
	LLMWATCH_RUNTIME_SCAN_MS=100 lw_start
	# the process that must not be watched starts first: the pass that finds the stand-in
	# has looked at it already
	standin plain /usr/bin/python3 "$PY/plain.py"
	standin after /usr/bin/python3 -m vllm.entrypoints.openai.api_server
	lw_wait_for type=connect pid="$after_PID" tool=vllm dport="$after_PORT" ret=0
	# its first event (an open of its imports, or a connect) says why it is watched
	[ "$($LWQ get evidence "$OUT" pid="$after_PID" evidence~)" = \
		"/usr/bin/python3 -m vllm.entrypoints.openai.api_server" ]
	[ "$(lw_count pid="$after_PID" evidence~)" -eq 1 ]
	# one more connect: at least one full pass after the one that found it
	retry 50 $LWQ count-min 2 "$OUT" type=connect pid="$after_PID"
	[ "$(lw_count pid="$plain_PID")" -eq 0 ]
	[ "$(lw_count dport="$plain_PORT")" -eq 0 ]
}

@test "Open WebUI: its console script at exec, uvicorn open_webui.main:app by the scan" {
	bin="$BATS_TEST_TMPDIR/venv/bin"
	console_script "$bin" open-webui
	console_script "$bin" uvicorn
	mkdir -p "$PY/open_webui"
	touch "$PY/open_webui/__init__.py" "$PY/open_webui/main.py"
	# --runtime-scan 0: the console script (a candidate name) is recognised at exec; run
	# by a relative path, only its command line says it is Open WebUI (its exe is python3)
	lw_start --runtime-scan 0
	cd "$bin"
	standin serve ./open-webui serve --port 0
	cd "$BATS_TEST_TMPDIR"
	lw_wait_for type=exec pid="$serve_PID" tool=open-webui comm=open-webui \
		evidence="/usr/bin/python3 ./open-webui serve --port 0"
	lw_wait_for type=connect pid="$serve_PID" tool=open-webui dport="$serve_PORT" ret=0
	lw_stop
	# uvicorn runs any app: never a candidate, found by its command line in the scan
	LLMWATCH_RUNTIME_SCAN_MS=100 lw_start
	standin other "$bin/uvicorn" shop.main:app
	standin uv "$bin/uvicorn" open_webui.main:app --host 127.0.0.1
	lw_wait_for type=connect pid="$uv_PID" tool=open-webui dport="$uv_PORT" ret=0
	retry 50 $LWQ count-min 2 "$OUT" type=connect pid="$uv_PID"
	[ "$(lw_count pid="$other_PID")" -eq 0 ]
}

@test "text-generation-webui: python one_click.py and the server.py it started are watched" {
	tgw="$BATS_TEST_TMPDIR/textgen"
	mkdir -p "$tgw"
	# one_click.py starts server.py as start_linux.sh and one_click.py do, then waits
	printf 'import subprocess, sys\nsubprocess.run([sys.executable, "server.py", "--listen"])\n' \
		>"$tgw/one_click.py"
	printf 'import standin\nstandin.run()\n' >"$tgw/server.py"
	LLMWATCH_RUNTIME_SCAN_MS=100 lw_start
	cd "$tgw"
	# the launcher's child reports: it was started before the scan found its parent
	standin srv python3 one_click.py
	cd "$BATS_TEST_TMPDIR"
	lw_wait_for type=connect pid="$srv_PID" tool=text-generation-webui dport="$srv_PORT" ret=0
	# a server.py of anything else, run the same way, is no tool
	other="$BATS_TEST_TMPDIR/elsewhere"
	mkdir -p "$other"
	cp "$tgw/server.py" "$other/server.py"
	cd "$other"
	standin plain python3 server.py
	cd "$BATS_TEST_TMPDIR"
	retry 50 $LWQ count-min 3 "$OUT" type=connect pid="$srv_PID" dport="$srv_PORT"
	# two full passes since the plain one started: it was looked at and left alone
	n=$(lw_count type=connect pid="$srv_PID")
	retry 50 $LWQ count-min $((n + 3)) "$OUT" type=connect pid="$srv_PID"
	[ "$(lw_count pid="$plain_PID")" -eq 0 ]
}

@test "AnythingLLM: node .../anything-llm/server/index.js is watched, another node server is not" {
	# a python3 copy named node runs the stand-in from a file called index.js: the kernel
	# and /proc see a process "node" with that command line, as for AnythingLLM's server
	node=$(make_tool node)
	for d in anything-llm/server shop/server; do
		mkdir -p "$BATS_TEST_TMPDIR/$d"
		printf 'import sys; sys.path.insert(0, "%s")\nimport standin\nstandin.run()\n' \
			"$PY" >"$BATS_TEST_TMPDIR/$d/index.js"
	done
	LLMWATCH_RUNTIME_SCAN_MS=100 lw_start
	standin shop "$node" "$BATS_TEST_TMPDIR/shop/server/index.js"
	standin allm "$node" "$BATS_TEST_TMPDIR/anything-llm/server/index.js"
	lw_wait_for type=connect pid="$allm_PID" tool=anythingllm dport="$allm_PORT" ret=0
	[ "$($LWQ get evidence "$OUT" pid="$allm_PID" evidence~)" = \
		"$node $BATS_TEST_TMPDIR/anything-llm/server/index.js" ]
	retry 50 $LWQ count-min 2 "$OUT" type=connect pid="$allm_PID"
	[ "$(lw_count pid="$shop_PID")" -eq 0 ]
}
