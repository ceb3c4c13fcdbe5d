#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The built-in profiles as the tools ship today: each is picked by the name the kernel gives
# its process and confirmed by the path of its executable, as seen from the host (issue
# 13); `llmwatch profiles list`, which prints them with their sources; and profiles a user
# adds with --profiles FILE (docs/profiles.md).

load helpers

setup() {
	common_setup
}

teardown() {
	common_teardown
}

# every built-in profile (core/profiles.c), in table order
PROFILES="ollama jan lm-studio gpt4all llama-server vllm koboldcpp localai llamafile open-webui anythingllm text-generation-webui"

# saw TOOLPATH TOOL: run the actor under TOOLPATH (one datagram) while llmwatch runs, and
# check that its send is attributed to TOOL with that executable and the kernel's comm
saw() {
	local path=$1 tool=$2 comm pid
	comm=$(basename "$path" | cut -c1-15)
	lw_start
	run_actor "$path" "$BATS_TEST_TMPDIR/r.json" udp
	pid=$(report_get "$BATS_TEST_TMPDIR/r.json" pid)
	lw_wait_for type=exit pid="$pid"
	lw_stop
	lw_wait_for type=send pid="$pid" tool="$tool" exe="$path" comm="$comm"
}

@test "Jan's bundled jan-llama-worker (comm jan-llama-worke) is Jan" {
	requires_bpf
	mkdir -p "$TOOLDIR/usr/lib/Jan/resources/bin"
	saw "$(make_tool usr/lib/Jan/resources/bin/jan-llama-worker)" jan
}

@test "koboldcpp's release binary (comm koboldcpp-linux) is KoboldCpp" {
	requires_bpf
	saw "$(make_tool koboldcpp-linux-x64-cuda1150)" koboldcpp
}

@test "llamafile is llamafile" {
	requires_bpf
	saw "$(make_tool llamafile)" llamafile
}

# in_flatpak_sandbox FILES_DIR CMD...: run CMD as bwrap runs a Flatpak app: in a mount
# namespace whose root (after pivot_root) has FILES_DIR at /app and the host's /usr; the
# host's / stays at /old. So the host sees /proc/PID/exe as /app/..., as for a Flatpak.
in_flatpak_sandbox() {
	local files=$1 root="$BATS_TEST_TMPDIR/sandbox"
	shift
	mkdir -p "$root"
	unshare -m --propagation private sh -euc '
		root=$1 files=$2
		shift 2
		mount -t tmpfs tmpfs "$root"
		mkdir "$root/app" "$root/usr" "$root/old"
		mount --rbind /usr "$root/usr"
		ln -s usr/bin "$root/bin"
		ln -s usr/lib "$root/lib"
		ln -s usr/lib64 "$root/lib64"
		mount --bind "$files" "$root/app"
		cd "$root"
		pivot_root . old
		exec "$@"' sh "$root" "$files" "$@"
}

@test "GPT4All's Flatpak (/app/bin/chat from the host) is GPT4All, a stray chat is not" {
	requires_bpf
	command -v unshare >/dev/null && command -v pivot_root >/dev/null ||
		skip_or_fail "needs unshare and pivot_root (util-linux)"
	files="$TOOLDIR/flatpak/app/io.gpt4all.gpt4all/x86_64/stable/0123abcd/files"
	mkdir -p "$files/bin"
	cp "$(readlink -f /usr/bin/python3)" "$files/bin/chat"
	stray=$(make_tool chat)
	lw_start
	run_actor "$stray" "$BATS_TEST_TMPDIR/s.json" udp
	in_flatpak_sandbox "$files" /app/bin/chat "/old$REPO/tests/e2e/actor.py" \
		"/old$BATS_TEST_TMPDIR/r.json" udp
	spid=$(report_get "$BATS_TEST_TMPDIR/s.json" pid)
	rpid=$(report_get "$BATS_TEST_TMPDIR/r.json" pid)
	lw_wait_for type=exit pid="$rpid"
	lw_stop
	lw_wait_for type=send pid="$rpid" tool=gpt4all exe=/app/bin/chat comm=chat
	[ "$(lw_count pid="$spid")" -eq 0 ]
}

@test "profiles list prints every profile with its names, paths, command lines and source" {
	run "$LLMWATCH" profiles list
	[ "$status" -eq 0 ]
	for p in $PROFILES; do
		grep -q "^$p (" <<<"$output"
	done
	[ "$(grep -c '^    source: .' <<<"$output")" -eq 12 ]
	[ "$(grep -c '^    interpreters: ' <<<"$output")" -eq 12 ]
	[ "$(grep -c '^    command lines: ' <<<"$output")" -eq 12 ]
	grep -q '^    names: .*jan-llama-worke' <<<"$output"
	grep -q '^    paths: .*/app/bin/chat' <<<"$output"
	grep -q '^    interpreters: python\*, vllm$' <<<"$output"
	grep -q '^    command lines: \* -m vllm.entrypoints.\*, ' <<<"$output"
	grep -q '^    command lines: .*\* open_webui.main:app\*' <<<"$output"
	[ "${lines[-1]}" = "12 profiles" ]
}

@test "profiles list --json: one object a profile, parsed back" {
	run "$LLMWATCH" profiles list --json
	[ "$status" -eq 0 ]
	got=$(/usr/bin/python3 -c '
import json, sys
for line in sys.stdin:
    p = json.loads(line)
    assert set(p) == {"name", "display", "comms", "exe_globs", "interpreters",
                      "argv_globs", "source", "origin", "replaces_builtin"}, p
    assert p["origin"] == "built-in" and p["replaces_builtin"] is False, p
    assert p["display"] and p["source"], p
    # a tool is found by its name and path, or by its interpreter and command line
    assert (p["comms"] and p["exe_globs"]) or (p["interpreters"] and p["argv_globs"]), p
    assert bool(p["interpreters"]) == bool(p["argv_globs"]), p
    assert all(1 <= len(c) <= 15 for c in p["comms"]), p
    print(p["name"])
' <<<"$output" | tr '\n' ' ')
	[ "$got" = "$PROFILES " ]
	# the facts of issue 13 are in the rows
	/usr/bin/python3 -c '
import json, sys
ps = {p["name"]: p for p in map(json.loads, sys.stdin)}
assert "koboldcpp-linux" in ps["koboldcpp"]["comms"]
assert "/app/bin/chat" in ps["gpt4all"]["exe_globs"]
assert "*.llamafile" in ps["llamafile"]["exe_globs"]
assert "flags.cpp L62" in ps["llamafile"]["source"]
assert "bun" in ps["jan"]["source"] and "bun" not in ps["jan"]["comms"]
assert "* -m vllm.entrypoints.*" in ps["vllm"]["argv_globs"]
assert "python*" in ps["vllm"]["interpreters"]
assert "* open_webui.main:app*" in ps["open-webui"]["argv_globs"]
assert "uvicorn" not in ps["open-webui"]["comms"]
assert ps["anythingllm"]["interpreters"] == ["node"] and not ps["anythingllm"]["comms"]
assert "telemetry.js @064b0b8e" in ps["anythingllm"]["source"]
assert "* one_click.py*" in ps["text-generation-webui"]["argv_globs"]
' <<<"$output"
}

@test "profiles: bad usage exits 2 naming the argument" {
	run "$LLMWATCH" profiles list --bogus
	[ "$status" -eq 2 ]
	[[ "$output" == *'unexpected argument "--bogus"'* ]]
	run "$LLMWATCH" profiles frob
	[ "$status" -eq 2 ]
	[[ "$output" == *'unknown command "frob"'* ]]
	run "$LLMWATCH" profiles
	[ "$status" -eq 2 ]
	[[ "$output" == *"usage: llmwatch profiles list"* ]]
	run "$LLMWATCH" profiles --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"usage: llmwatch profiles list"* ]]
}

# n_builtin: how many built-in profiles there are
n_builtin() {
	"$LLMWATCH" profiles list --json | wc -l
}

# acme_profiles FILE: a profile file for a tool "acme-llm" whose binary is
# .../acme/bin/acme-llm, replacing the built-in llamafile profile too
acme_profiles() {
	cat >"$1" <<-'EOF'
	{
	  "description": "a user's own tools",
	  "profiles": [
	    {
	      "name": "acme-llm",
	      "display": "ACME LLM server",
	      "comms": ["acme-llm"],
	      "exe_globs": ["*/acme/bin/acme-llm"],
	      "source": "ACME install guide"
	    },
	    {
	      "name": "llamafile",
	      "comms": ["llamafile"],
	      "exe_globs": ["/opt/models/*.llamafile"],
	      "source": "our own llamafile builds"
	    }
	  ]
	}
	EOF
}

@test "a --profiles tool: its binary is watched, its connect reported under its name, rules name it" {
	requires_bpf
	acme_profiles "$BATS_TEST_TMPDIR/p.json"
	cat >"$BATS_TEST_TMPDIR/r.json" <<-'EOF'
	{"rules": [{"id": "acme-connect", "description": "ACME connects", "severity": "low",
	  "tools": ["acme-llm"], "event": "connect", "message": "{tool} connected"}]}
	EOF
	mkdir -p "$TOOLDIR/acme/bin"
	tool=$(make_tool acme/bin/acme-llm)
	stray=$(make_tool acme-llm) # the same name elsewhere: not the tool
	lw_start --profiles "$BATS_TEST_TMPDIR/p.json" --rules "$BATS_TEST_TMPDIR/r.json"
	grep -q "watching $(($(n_builtin) + 1)) profiles" "$ERR"
	run_actor "$tool" "$BATS_TEST_TMPDIR/a.json" tcp
	run_actor "$stray" "$BATS_TEST_TMPDIR/s.json" tcp
	pid=$(report_get "$BATS_TEST_TMPDIR/a.json" pid)
	spid=$(report_get "$BATS_TEST_TMPDIR/s.json" pid)
	port=$(report_get "$BATS_TEST_TMPDIR/a.json" tcp_port)
	lw_wait_for type=exit pid="$pid"
	lw_stop
	lw_wait_for type=connect pid="$pid" tool=acme-llm exe="$tool" comm=acme-llm \
		dport="$port" verdicts~'"rule": "acme-connect"' verdicts~'acme-llm connected'
	[ "$(lw_count pid="$spid")" -eq 0 ]
}

@test "a broken --profiles file: the monitor refuses to start, naming file:line:col" {
	cat >"$BATS_TEST_TMPDIR/bad.json" <<-'EOF'
	{
	  "profiles": [
	    {"name": "acme-llm", "comm": ["acme-llm"], "source": "s"}
	  ]
	}
	EOF
	run "$LLMWATCH" --profiles "$BATS_TEST_TMPDIR/bad.json" --duration 1
	[ "$status" -eq 2 ]
	[[ "$output" == *"$BATS_TEST_TMPDIR/bad.json:3:26: unknown key \"comm\" in a profile (did you mean \"comms\"?)"* ]]
	[[ "$output" == *"profiles not loaded"* ]]
	# a rule naming a tool no profile defines is refused as well
	cat >"$BATS_TEST_TMPDIR/r.json" <<-'EOF'
	{"rules": [{"id": "x", "description": "d", "severity": "low", "tools": ["acme-llm"],
	  "event": "connect", "message": "m"}]}
	EOF
	run "$LLMWATCH" --rules "$BATS_TEST_TMPDIR/r.json" --duration 1
	[ "$status" -eq 2 ]
	[[ "$output" == *'r.json:1:73: unknown tool "acme-llm"'* ]]
}

@test "profiles list --profiles: a user's profiles with their origin; check validates files" {
	acme_profiles "$BATS_TEST_TMPDIR/p.json"
	n=$(($(n_builtin) + 1)) # acme-llm is new, llamafile replaces the built-in one
	run "$LLMWATCH" profiles list --profiles "$BATS_TEST_TMPDIR/p.json"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = "$n profiles" ]
	grep -q '^acme-llm (ACME LLM server)$' <<<"$output"
	[ "$(grep -c '^    origin: built-in$' <<<"$output")" -eq $((n - 2)) ]
	grep -qx "    origin: $BATS_TEST_TMPDIR/p.json:4:5" <<<"$output"
	grep -qx "    origin: $BATS_TEST_TMPDIR/p.json:11:5, replacing the built-in profile" \
		<<<"$output"
	run "$LLMWATCH" profiles list --json --profiles "$BATS_TEST_TMPDIR/p.json"
	[ "$status" -eq 0 ]
	P="$BATS_TEST_TMPDIR/p.json" /usr/bin/python3 -c '
import json, os, sys
ps = {p["name"]: p for p in map(json.loads, sys.stdin)}
f = os.environ["P"]
assert ps["acme-llm"]["origin"] == f + ":4:5", ps["acme-llm"]
assert ps["acme-llm"]["comms"] == ["acme-llm"] and not ps["acme-llm"]["replaces_builtin"]
assert ps["llamafile"]["origin"] == f + ":11:5" and ps["llamafile"]["replaces_builtin"]
assert ps["llamafile"]["exe_globs"] == ["/opt/models/*.llamafile"]
assert ps["ollama"]["origin"] == "built-in"
' <<<"$output"
	run "$LLMWATCH" profiles check "$BATS_TEST_TMPDIR/p.json"
	[ "$status" -eq 0 ]
	[ "$output" = "2 profiles from files OK ($n in all)" ]
	printf '{"profiles": [{"name": "x", "comms": "chat", "source": "s"}]}' \
		>"$BATS_TEST_TMPDIR/bad.json"
	run "$LLMWATCH" profiles check "$BATS_TEST_TMPDIR/p.json" "$BATS_TEST_TMPDIR/bad.json"
	[ "$status" -eq 1 ]
	[ "$output" = "$BATS_TEST_TMPDIR/bad.json:1:38: process name \"chat\" is also one of profile \"gpt4all\" (built-in): a shared name needs \"exe_globs\" in both to tell them apart" ]
	run "$LLMWATCH" profiles check
	[ "$status" -eq 2 ]
	# rules check knows the tools of --profiles files
	printf '{"rules": [{"id": "x", "description": "d", "severity": "low", "tools": "acme-llm", "event": "connect", "message": "m"}]}' \
		>"$BATS_TEST_TMPDIR/r.json"
	run "$LLMWATCH" rules check "$BATS_TEST_TMPDIR/r.json"
	[ "$status" -eq 1 ]
	run "$LLMWATCH" rules check --profiles "$BATS_TEST_TMPDIR/p.json" "$BATS_TEST_TMPDIR/r.json"
	[ "$status" -eq 0 ]
}

@test "a --profiles tool run by an interpreter: python3 -m pyserve is recognised by its command line" {
	requires_bpf
	local py="$BATS_TEST_TMPDIR/py" stop="$BATS_TEST_TMPDIR/stop" rep="$BATS_TEST_TMPDIR/pyserve.rep"
	mkdir -p "$py/pyserve"
	touch "$py/pyserve/__init__.py"
	# listens on loopback, says its pid and port, then connects to itself every 0.1 s
	# until the stop file exists
	cat >"$py/pyserve/__main__.py" <<-'PYEOF'
	import os, socket, sys, time
	s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(512)
	with open(sys.argv[1] + ".tmp", "w") as f:
	    f.write("%d %d\n" % (os.getpid(), s.getsockname()[1]))
	os.rename(sys.argv[1] + ".tmp", sys.argv[1])
	for _ in range(600):
	    if os.path.exists(sys.argv[2]):
	        break
	    c = socket.socket(); c.connect(("127.0.0.1", s.getsockname()[1])); c.close()
	    time.sleep(0.1)
	PYEOF
	cat >"$BATS_TEST_TMPDIR/p.json" <<-'EOF'
	{"profiles": [{"name": "pyserve", "display": "Py Serve",
	  "interpreters": ["python3*"], "argv_globs": ["* -m pyserve *"],
	  "source": "this test's pyserve package"}]}
	EOF
	lw_start --profiles "$BATS_TEST_TMPDIR/p.json" --runtime-scan 100
	# the same program run as a plain script: its command line names no pyserve
	/usr/bin/python3 "$py/pyserve/__main__.py" "$rep.plain" "$stop" &
	BG_PIDS="${BG_PIDS:-} $!"
	retry 100 test -s "$rep.plain"
	read -r plain _ <"$rep.plain"
	PYTHONPATH="$py" /usr/bin/python3 -m pyserve "$rep" "$stop" &
	BG_PIDS="${BG_PIDS:-} $!"
	retry 100 test -s "$rep"
	read -r pid port <"$rep"
	lw_wait_for type=connect pid="$pid" tool=pyserve dport="$port"
	touch "$stop"
	lw_stop
	[ "$(lw_count pid="$plain")" -eq 0 ]
}
