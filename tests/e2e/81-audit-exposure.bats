#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# `llmwatch audit`'s exposure item (issue 17) through the verb: a process named ollama
# listening on every interface, then on loopback only; an OLLAMA_HOST=0.0.0.0 drop-in under
# --root, then a loopback one. Each finding is asserted in the text and in the JSON.

load helpers

setup() {
	TOOLDIR="$BATS_TEST_TMPDIR/tools"
	PID=
}

teardown() {
	if [ -n "$PID" ]; then
		kill "$PID" 2>/dev/null || true
		wait "$PID" 2>/dev/null || true
	fi
}

# listen ADDR PORT: a copy of python3 named ollama listening on ADDR:PORT; sets PID once the
# socket is listening (the program writes a file after listen()).
listen() {
	local ready="$BATS_TEST_TMPDIR/ready"
	rm -f "$ready"
	make_tool ollama >/dev/null
	"$TOOLDIR/ollama" -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen()
open(sys.argv[3], "w").write("ready")
time.sleep(120)
' "$1" "$2" "$ready" serve 3>&- &
	PID=$!
	retry 100 test -s "$ready"
}

# has_finding STATUS CHECK SUBJECT EVIDENCE_PART [TOOL]: the JSON document on stdin holds a
# finding so; prints what it holds otherwise.
has_finding() {
	python3 -c '
import json, sys
st, check, subject, part = sys.argv[1:5]
tool = sys.argv[5] if len(sys.argv) > 5 else None
d = json.load(sys.stdin)
for f in d["findings"]:
    if (f["status"], f["check"], f["subject"]) == (st, check, subject) and part in f["evidence"] \
            and (tool is None or f["tool"] == tool):
        sys.exit(0)
for f in d["findings"]:
    print(f["status"], f["check"], f["subject"], f["evidence"], file=sys.stderr)
sys.exit(1)
' "$@"
}

@test "audit: a process named ollama listening on 0.0.0.0:11434 is a FAIL" {
	listen 0.0.0.0 11434
	run "$LLMWATCH" audit --only exposure-listeners --no-progress
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"FAIL exposure-listeners [ollama] 0.0.0.0:11434/tcp: pid $PID (ollama), ollama, listens on 0.0.0.0:11434/tcp: every interface; port 11434 is usually Ollama's"* ]]
	[[ $output == *"fix: set OLLAMA_HOST=127.0.0.1"* ]]
	run "$LLMWATCH" audit --only exposure-listeners --json --no-progress
	[ "$status" -eq 1 ]
	echo "$output" | has_finding FAIL exposure-listeners 0.0.0.0:11434/tcp \
		"pid $PID (ollama), ollama, listens on 0.0.0.0:11434/tcp: every interface" ollama
	# the same exposure, seen from the API-key side: Ollama has none
	run "$LLMWATCH" audit --only exposure-auth --json --no-progress
	echo "$output" | has_finding WARN exposure-auth ollama "exposed beyond loopback with no API key"
}

@test "audit: ollama listening on 127.0.0.1 only is a PASS" {
	listen 127.0.0.1 11434
	run "$LLMWATCH" audit --only exposure-listeners --no-progress
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"PASS exposure-listeners [ollama] 127.0.0.1:11434/tcp: pid $PID (ollama), ollama, listens on 127.0.0.1:11434/tcp: loopback only"* ]]
	run "$LLMWATCH" audit --only exposure-listeners --json --no-progress
	[ "$status" -eq 0 ]
	echo "$output" | has_finding PASS exposure-listeners 127.0.0.1:11434/tcp \
		"pid $PID (ollama), ollama, listens on 127.0.0.1:11434/tcp: loopback only" ollama
}

# make_root HOST: a root whose Ollama service has a drop-in setting OLLAMA_HOST=HOST.
make_root() {
	R="$BATS_TEST_TMPDIR/root"
	mkdir -p "$R/etc/systemd/system/ollama.service.d" "$R/usr/lib/systemd/system"
	echo 'root:x:0:0:root:/root:/bin/bash' >"$R/etc/passwd"
	printf '[Service]\nExecStart=/usr/local/bin/ollama serve\nUser=ollama\n' \
		>"$R/usr/lib/systemd/system/ollama.service"
	printf '# systemctl edit ollama\n[Service]\nEnvironment="OLLAMA_HOST=%s"\n' "$1" \
		>"$R/etc/systemd/system/ollama.service.d/override.conf"
}

@test "audit --root: an OLLAMA_HOST=0.0.0.0 drop-in is a FAIL citing its file and line" {
	make_root 0.0.0.0
	conf="$R/etc/systemd/system/ollama.service.d/override.conf"
	run "$LLMWATCH" audit --root "$R" --only exposure-settings --no-progress
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"FAIL exposure-settings [ollama] OLLAMA_HOST: $conf:3: OLLAMA_HOST=0.0.0.0: every interface"* ]]
	run "$LLMWATCH" audit --root "$R" --only exposure-settings --json --no-progress
	[ "$status" -eq 1 ]
	echo "$output" | has_finding FAIL exposure-settings OLLAMA_HOST \
		"$conf:3: OLLAMA_HOST=0.0.0.0: every interface" ollama
	# no sockets under a root: the listeners check says why it did not look
	run "$LLMWATCH" audit --root "$R" --only exposure-listeners --json --no-progress
	[ "$status" -eq 0 ]
	echo "$output" | has_finding SKIP exposure-listeners "listening sockets" "not live"
}

@test "audit --root: a loopback OLLAMA_HOST drop-in is a PASS" {
	make_root 127.0.0.1:11434
	conf="$R/etc/systemd/system/ollama.service.d/override.conf"
	run "$LLMWATCH" audit --root "$R" --only exposure-settings --no-progress
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"PASS exposure-settings [ollama] OLLAMA_HOST: $conf:3: OLLAMA_HOST=127.0.0.1:11434: loopback only"* ]]
	run "$LLMWATCH" audit --root "$R" --only exposure --json --no-progress
	[ "$status" -eq 0 ]
	echo "$output" | has_finding PASS exposure-settings OLLAMA_HOST \
		"$conf:3: OLLAMA_HOST=127.0.0.1:11434: loopback only" ollama
	echo "$output" | has_finding PASS exposure-cors "CORS settings" "no CORS setting"
	echo "$output" | has_finding PASS exposure-auth "API keys" "no API key is needed"
	echo "$output" | has_finding SKIP exposure-containers "container runtimes" "no Docker state"
}

@test "audit --root: an EnvironmentFile= named with specifiers is read; one that cannot be is a SKIP, not passed over" {
	make_root 127.0.0.1
	d="$R/etc/systemd/system/ollama.service.d"
	# %E is /etc and %N the unit's name for the system's units; %H (the host's name) is
	# not the audit's to know
	printf '[Service]\nEnvironmentFile=-%%E/ollama/%%N.env\nEnvironmentFile=-/etc/ollama/%%H.env\n' \
		>"$d/zz-env.conf"
	mkdir -p "$R/etc/ollama"
	echo 'OLLAMA_HOST=0.0.0.0' >"$R/etc/ollama/ollama.env"
	run "$LLMWATCH" audit --root "$R" --only exposure-settings --json --no-progress
	[ "$status" -eq 1 ]
	echo "$output" | has_finding FAIL exposure-settings OLLAMA_HOST \
		"$R/etc/ollama/ollama.env:1: OLLAMA_HOST=0.0.0.0: every interface" ollama
	echo "$output" | has_finding SKIP exposure-settings EnvironmentFile \
		"EnvironmentFile=-/etc/ollama/%H.env not read (specifier %H is the host's, not expanded by the audit): a host setting in it is not seen" ollama

	# without the file the drop-in's loopback value stands, and the unread file is still said
	rm "$R/etc/ollama/ollama.env"
	run "$LLMWATCH" audit --root "$R" --only exposure-settings --no-progress
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"PASS exposure-settings [ollama] OLLAMA_HOST: $d/override.conf:3: OLLAMA_HOST=127.0.0.1: loopback only"* ]]
	[[ $output == *"SKIP exposure-settings [ollama] EnvironmentFile: $d/zz-env.conf:3: EnvironmentFile=-/etc/ollama/%H.env not read"* ]]
}

@test "audit --root without root: a unit file, drop-in or drop-in folder it cannot read is a SKIP naming it" {
	requires_root
	D=$(mktemp -d /tmp/lw-audit-units-XXXXXX)
	chmod 755 "$D"
	R="$D/root"
	s="$R/etc/systemd/system"
	mkdir -p "$s/ollama.service.d" "$s/llama-server.service.d" "$R/usr/lib/systemd/system"
	echo 'root:x:0:0:root:/root:/bin/bash' >"$R/etc/passwd"
	printf '[Service]\nExecStart=/usr/local/bin/ollama serve\n' >"$R/usr/lib/systemd/system/ollama.service"
	# `systemctl edit` on a system whose umask is 077: only root reads the override
	printf '[Service]\nEnvironment=OLLAMA_HOST=0.0.0.0\n' >"$s/ollama.service.d/override.conf"
	chmod 600 "$s/ollama.service.d/override.conf"
	# a unit whose name is no tool's: what it starts is not known
	printf '[Service]\nExecStart=/usr/local/bin/ollama serve\nEnvironment=OLLAMA_HOST=0.0.0.0\n' \
		>"$s/models.service"
	chmod 600 "$s/models.service"
	printf '[Service]\nExecStart=/usr/bin/llama-server\n' >"$s/llama-server.service"
	chmod 700 "$s/llama-server.service.d"
	install -m 755 "$LLMWATCH" "$D/llmwatch"
	run setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$D/llmwatch" audit --root "$R" --only exposure-settings --json --no-progress
	json=$output
	run setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$D/llmwatch" audit --root "$R" --only exposure-settings --no-progress
	text=$output
	# as root everything is read: the override's 0.0.0.0 is a FAIL
	run "$LLMWATCH" audit --root "$R" --only exposure-settings --json --no-progress
	root_status=$status
	root_json=$output
	rm -rf "$D"
	echo "$text"
	echo "$json" | has_finding SKIP exposure-settings unit \
		"$s/ollama.service.d/override.conf not read (Permission denied): a host setting in it is not seen" ollama
	echo "$json" | has_finding SKIP exposure-settings unit \
		"$s/llama-server.service.d not read (Permission denied): a host setting in it is not seen" llama-server
	echo "$json" | has_finding SKIP exposure-settings unit \
		"$s/models.service not read (Permission denied): a host setting in it is not seen; which tool the unit starts, if any, is not known"
	echo "$json" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert not [f for f in d["findings"] if f["status"] == "FAIL"], d["findings"]
m = [f for f in d["findings"] if "models.service" in f["evidence"]]
assert len(m) == 1 and m[0]["tool"] is None, m'
	[[ $text == *"SKIP exposure-settings [ollama] unit: $s/ollama.service.d/override.conf not read (Permission denied)"* ]]
	[ "$root_status" -eq 1 ]
	echo "$root_json" | has_finding FAIL exposure-settings OLLAMA_HOST \
		"$s/ollama.service.d/override.conf:2: OLLAMA_HOST=0.0.0.0: every interface" ollama
	echo "$root_json" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert not [f for f in d["findings"] if f["subject"] == "unit"], d["findings"]'
}

@test "audit --root: a Podman container of a tool's image is a WARN naming it; Docker's absence is not a SKIP then" {
	R="$BATS_TEST_TMPDIR/root"
	d="$R/var/lib/containers/storage/overlay-containers"
	mkdir -p "$d" "$R/etc"
	echo 'root:x:0:0:root:/root:/bin/bash' >"$R/etc/passwd"
	cat >"$d/containers.json" <<'JSON'
[{"id":"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef","names":["ollama"],"image":"e1","layer":"l1","metadata":"{\"image-name\":\"docker.io/ollama/ollama:latest\",\"image-id\":\"e1\",\"name\":\"ollama\",\"created-at\":1733500000}","created":"2026-12-07T10:00:00Z"}]
JSON
	run "$LLMWATCH" audit --root "$R" --only exposure-containers --json --no-progress
	echo "$output"
	[ "$status" -eq 0 ] # a WARN does not fail the audit
	echo "$output" | has_finding WARN exposure-containers \
		"podman container ollama (docker.io/ollama/ollama:latest)" \
		"$d/containers.json: Podman container ollama runs docker.io/ollama/ollama:latest" ollama
	run "$LLMWATCH" audit --root "$R" --only exposure-containers --no-progress
	echo "$output"
	[[ $output == *"WARN exposure-containers [ollama] podman container ollama (docker.io/ollama/ollama:latest)"* ]]
	[[ $output != *"SKIP exposure-containers"* ]]
}

@test "audit --root: a Quadlet .container publishing a tool's port on every interface is a FAIL citing its line" {
	R="$BATS_TEST_TMPDIR/root"
	q="$R/etc/containers/systemd"
	mkdir -p "$q" "$R/etc"
	echo 'root:x:0:0:root:/root:/bin/bash' >"$R/etc/passwd"
	printf '[Container]\nImage=docker.io/ollama/ollama\nPublishPort=11434:11434\n' >"$q/ollama.container"
	run "$LLMWATCH" audit --root "$R" --only exposure-containers --no-progress
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"FAIL exposure-containers [ollama] quadlet ollama.container (docker.io/ollama/ollama): $q/ollama.container:3: PublishPort=11434:11434: published on every interface (rootful)"* ]]
	# published on loopback: a PASS, exit 0
	printf '[Container]\nImage=docker.io/ollama/ollama\nPublishPort=127.0.0.1:11434:11434\n' >"$q/ollama.container"
	run "$LLMWATCH" audit --root "$R" --only exposure-containers --json --no-progress
	[ "$status" -eq 0 ]
	echo "$output" | has_finding PASS exposure-containers "quadlet ollama.container (docker.io/ollama/ollama)" \
		"$q/ollama.container:3: PublishPort=127.0.0.1:11434:11434: published on loopback only" ollama
}
