#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Inference recognised by what a process loads (issue 13 item 4): a process that dlopens a
# library named like ggml's, or maps a valid GGUF model, is watched from then on as
# "runtime:KIND", its first event carrying the mapped file as evidence; a file named .gguf
# without the magic, and a plain python3, are not.

load helpers

setup() {
	requires_bpf
	common_setup
	PROBE="$PROGS/rt_probe"
	STOP="$BATS_TEST_TMPDIR/stop"
	[ -x "$PROBE" ] || skip_or_fail "needs $PROBE (make $PROBE)"
}

teardown() {
	touch "$STOP"
	common_teardown
}

# probe NAME MODE PATH: start rt_probe in the background; sets NAME_PID and NAME_PORT once
# it has loaded PATH and is connecting to its own listener.
probe() {
	local name=$1 rep="$BATS_TEST_TMPDIR/$1.rep"
	"$PROBE" "$2" "$3" "$rep" "$STOP" &
	BG_PIDS="${BG_PIDS:-} $!"
	retry 100 test -s "$rep"
	read -r "${name}_PID" "${name}_PORT" <"$rep"
}

# a GGUF header: magic, version 3, no tensors, no metadata
write_gguf() {
	printf 'GGUF\003\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000' >"$1"
}

@test "a process that dlopens libggml-base.so is watched from then on, with the evidence" {
	lib="$BATS_TEST_TMPDIR/lib/libggml-base.so"
	mkdir -p "${lib%/*}"
	echo 'int ggml_dummy(void) { return 1; }' | cc -shared -fPIC -x c -o "$lib" -
	LLMWATCH_RUNTIME_SCAN_MS=100 lw_start
	probe lib dlopen "$lib"
	lw_wait_for type=connect pid="$lib_PID" tool=runtime:ggml daddr=127.0.0.1 dport="$lib_PORT" ret=0
	# the first event of the process says why it is watched; later ones do not repeat it
	[ "$($LWQ get evidence "$OUT" pid="$lib_PID")" = "$lib" ]
	[ "$(lw_count pid="$lib_PID" evidence~)" -eq 1 ]
	lw_wait_for type=connect pid="$lib_PID" tool=runtime:ggml evidence!
	touch "$STOP"
	lw_wait_for type=exit pid="$lib_PID" tool=runtime:ggml
	lw_stop
	grep -q "runtime scan:" "$ERR"
}

@test "a process that maps a GGUF model is watched; a .gguf without the magic and python3 are not" {
	write_gguf "$BATS_TEST_TMPDIR/model.gguf"
	printf 'not a model at all' >"$BATS_TEST_TMPDIR/x.gguf"
	LLMWATCH_RUNTIME_SCAN_MS=100 lw_start
	# the processes that must not be watched start first: the scan that finds the model's
	# reader has read their maps already (a pass reads every process not yet found negative)
	probe fake mmap "$BATS_TEST_TMPDIR/x.gguf"
	/usr/bin/python3 -c 'import socket,sys,time,os
s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(512)
open(sys.argv[1]+".tmp","w").write("%d %d\n" % (os.getpid(), s.getsockname()[1])); os.rename(sys.argv[1]+".tmp", sys.argv[1])
for i in range(300):
    if os.path.exists(sys.argv[2]): break
    c=socket.socket(); c.connect(("127.0.0.1", s.getsockname()[1])); c.close(); time.sleep(0.1)
' "$BATS_TEST_TMPDIR/py.rep" "$STOP" &
	BG_PIDS="${BG_PIDS:-} $!"
	retry 100 test -s "$BATS_TEST_TMPDIR/py.rep"
	read -r py_PID py_PORT <"$BATS_TEST_TMPDIR/py.rep"
	probe model mmap "$BATS_TEST_TMPDIR/model.gguf"
	lw_wait_for type=connect pid="$model_PID" tool=runtime:gguf dport="$model_PORT" ret=0
	# the evidence rides on the process's first event: a connect, or its bind and listen
	# when a scan found it between its mmap and those (a loaded machine widens that window)
	[ "$($LWQ get evidence "$OUT" pid="$model_PID")" = "$BATS_TEST_TMPDIR/model.gguf" ]
	[ "$(lw_count pid="$model_PID" evidence~)" -eq 1 ]
	# one more connect: at least one full scan pass after the one that found the model
	retry 50 $LWQ count-min 3 "$OUT" type=connect pid="$model_PID"
	[ "$(lw_count pid="$fake_PID")" -eq 0 ]
	[ "$(lw_count pid="$py_PID")" -eq 0 ]
	[ "$(lw_count dport="$fake_PORT")" -eq 0 ]
	[ "$(lw_count dport="$py_PORT")" -eq 0 ]
}

# backlog PORT: how many connections wait in the accept queue of the listener on PORT
backlog() {
	ss -Hltn "sport = :$1" | awk '{ print $2 }'
}

@test "--runtime-scan 0 turns the scan off; rules' tools accept runtime:KIND" {
	lib="$BATS_TEST_TMPDIR/lib/libllama.so"
	mkdir -p "${lib%/*}"
	echo 'int llama_dummy(void) { return 1; }' | cc -shared -fPIC -x c -o "$lib" -
	cat >"$BATS_TEST_TMPDIR/rules.json" <<'JSON'
{
  "rules": [
    {
      "id": "rt-connect",
      "description": "test rule: an embedded engine connects",
      "severity": "high",
      "tools": ["runtime:llama.cpp"],
      "event": "connect",
      "message": "{tool} connected"
    }
  ]
}
JSON
	LLMWATCH_RUNTIME_SCAN_MS=100 lw_start --runtime-scan 0 --rules "$BATS_TEST_TMPDIR/rules.json"
	probe off dlopen "$lib"
	# five connects, 100 ms apart: five periods of the scan the environment asked for
	wait_count "connects waiting in the probe's backlog" -ge 5 backlog "$off_PORT"
	lw_stop
	[ "$(lw_count pid="$off_PID")" -eq 0 ]
	LLMWATCH_RUNTIME_SCAN_MS=100 lw_start --rules "$BATS_TEST_TMPDIR/rules.json"
	probe on dlopen "$lib"
	lw_wait_for kind=alert type=connect pid="$on_PID" tool=runtime:llama.cpp \
		verdicts~'"rule": "rt-connect"'
	# the evidence is on the first event, a connect or (found before it) the bind
	[ "$($LWQ get evidence "$OUT" pid="$on_PID")" = "$lib" ]
}
