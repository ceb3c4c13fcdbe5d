#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# `llmwatch audit`'s at-rest checks (issue 17): a fixture root whose home holds GPT4All's
# folder with world-readable chats (FAIL), the same made private (PASS), Ollama's prompt
# history and model store; and the encryption verdict of this machine's device for the
# fixture, which is whatever it is here (the fixture sysfs of the unit test gives the PASS).

load helpers

# A fixture root: alice is whoever runs the test, so the files are hers without chown.
make_root() {
	R="$BATS_TEST_TMPDIR/root"
	H="$R/home/alice"
	C="$H/.local/share/nomic.ai/GPT4All"
	mkdir -p "$R/etc" "$C"
	chmod 0755 "$R" "$R/home" "$H"
	echo "alice:x:$(id -u):$(id -g)::/home/alice:/bin/sh" >"$R/etc/passwd"
	echo "alice:x:$(id -g):" >"$R/etc/group"
	echo '{"name": "chat"}' >"$C/gpt4all-5f0e1d2c.chat"
	echo '{"name": "other"}' >"$C/gpt4all-9a8b7c6d.chat"
	chmod 0755 "$C"
	chmod 0644 "$C"/gpt4all-*.chat
}

@test "at-rest-permissions: a world-readable chat directory FAILs (text and JSON), exit 1" {
	make_root
	run "$LLMWATCH" audit --root "$R" --only at-rest-permissions
	echo "$output"
	[ "$status" -eq 1 ]
	line=$(echo "$output" | grep -F "FAIL at-rest-permissions [gpt4all] $C: ")
	[[ $line == *"GPT4All's chats and LocalDocs database (0755 alice:alice, 2 entries under it): other users can read 2 files, e.g. $C/gpt4all-"*".chat (0644 alice:alice)"* ]]
	echo "$output" | grep -F "       fix: chmod -R go-rwx '$C'"
	run "$LLMWATCH" audit --root "$R" --only at-rest-permissions --json
	[ "$status" -eq 1 ]
	echo "$output" | C="$C" /usr/bin/python3 -c '
import json, os, sys
d = json.load(sys.stdin)
f = [f for f in d["findings"] if f["subject"] == os.environ["C"]]
assert len(f) == 1, d["findings"]  # a model and a chat store at once: judged once, as chats
f = f[0]
assert f["item"] == "at-rest" and f["status"] == "FAIL" and f["tool"] == "gpt4all", f
assert "other users can read 2 files" in f["evidence"] and "(0644 alice:alice)" in f["evidence"], f
assert "chmod -R go-rwx" in f["fix"] and "chatlistmodel.cpp" in f["source"], f'
}

@test "at-rest-permissions: the chat directory 0700 with its files 0600 PASSes, exit 0" {
	make_root
	chmod 0700 "$C"
	chmod 0600 "$C"/gpt4all-*.chat
	run "$LLMWATCH" audit --root "$R" --only at-rest-permissions
	echo "$output"
	[ "$status" -eq 0 ]
	echo "$output" | grep -F "PASS at-rest-permissions [gpt4all] $C: GPT4All's chats and LocalDocs database (0700 alice:alice, 2 entries under it): none readable by other users"
	run "$LLMWATCH" audit --root "$R" --only at-rest-permissions --json
	[ "$status" -eq 0 ]
	echo "$output" | C="$C" /usr/bin/python3 -c '
import json, os, sys
d = json.load(sys.stdin)
f = [f for f in d["findings"] if f["subject"] == os.environ["C"]][0]
assert f["status"] == "PASS" and f["fix"] is None and "none readable" in f["evidence"], f'
}

@test "at-rest-permissions: open chats behind a closed home WARN, naming the home that keeps others out" {
	make_root
	chmod 0700 "$H"
	run "$LLMWATCH" audit --root "$R" --only at-rest-permissions
	[ "$status" -eq 0 ]
	echo "$output" | grep -F "WARN at-rest-permissions [gpt4all] $C: " |
		grep -F "entries have modes that let other users read them; only $H (0700 alice:alice) keeps them out"
}

@test "at-rest-permissions: Ollama's history 0644 FAILs, a world-readable model store WARNs" {
	make_root
	chmod 0700 "$C"
	chmod 0600 "$C"/gpt4all-*.chat
	mkdir -p "$H/.ollama/models/blobs"
	chmod 0755 "$H/.ollama" "$H/.ollama/models" "$H/.ollama/models/blobs"
	echo "why is the sky blue" >"$H/.ollama/history"
	echo "GGUF" >"$H/.ollama/models/blobs/sha256-00"
	chmod 0644 "$H/.ollama/history" "$H/.ollama/models/blobs/sha256-00"
	run "$LLMWATCH" audit --root "$R" --only at-rest-permissions
	echo "$output"
	[ "$status" -eq 1 ]
	echo "$output" | grep -F "FAIL at-rest-permissions [ollama] $H/.ollama/history: Ollama's prompt history (0644 alice:alice): other users can read 1 files"
	echo "$output" | grep -F "WARN at-rest-permissions [ollama] $H/.ollama/models: Ollama's model store (0755 alice:alice, 2 entries under it): other users can read 1 files"
	run "$LLMWATCH" audit --root "$R" --only at-rest-permissions --json
	echo "$output" | H="$H" /usr/bin/python3 -c '
import json, os, sys
d = json.load(sys.stdin)
by = {f["subject"]: f for f in d["findings"]}
h = os.environ["H"]
assert by[h + "/.ollama/history"]["status"] == "FAIL"
assert by[h + "/.ollama/models"]["status"] == "WARN"'
	# private: both PASS
	chmod 0600 "$H/.ollama/history"
	chmod 0700 "$H/.ollama/models"
	run "$LLMWATCH" audit --root "$R" --only at-rest-permissions
	[ "$status" -eq 0 ]
	echo "$output" | grep -F "PASS at-rest-permissions [ollama] $H/.ollama/history: "
	echo "$output" | grep -F "PASS at-rest-permissions [ollama] $H/.ollama/models: "
}

@test "at-rest-encryption: each store has a verdict naming its device (this machine's), or SKIP without stores" {
	make_root
	mkdir -p "$H/.ollama/models"
	run "$LLMWATCH" audit --root "$R" --only at-rest-encryption
	echo "$output"
	[ "$status" -eq 0 ]
	for s in "[gpt4all] $C: GPT4All's chats and LocalDocs database: " \
		"[ollama] $H/.ollama/models: Ollama's model store: "; do
		line=$(echo "$output" | grep -F "at-rest-encryption $s")
		case "$line" in
		*"PASS at-rest-encryption"*": dm-crypt: on "* | *"PASS at-rest-encryption"*": fscrypt: "* | \
			*"PASS at-rest-encryption"*": eCryptfs: "*) ;;
		*"WARN at-rest-encryption"*": not encrypted: on "*" mounted at "*) ;;
		*"WARN at-rest-encryption"*": could not tell: "* | *"WARN at-rest-encryption"*": in memory ("*) ;;
		*) echo "no verdict for $s: $line"; false ;;
		esac
	done
	run "$LLMWATCH" audit --root "$R" --only at-rest-encryption --json
	[ "$status" -eq 0 ]
	echo "$output" | C="$C" /usr/bin/python3 -c '
import json, os, sys
d = json.load(sys.stdin)
f = [f for f in d["findings"] if f["subject"] == os.environ["C"]][0]
assert f["item"] == "at-rest" and f["check"] == "at-rest-encryption", f
if f["status"] == "PASS":
    assert any(m in f["evidence"] for m in ("dm-crypt:", "fscrypt:", "eCryptfs:")), f
    assert f["fix"] is None
else:
    assert f["status"] == "WARN" and "LUKS" in f["fix"], f
    # under --root the device is this machine s: the finding says so
    assert "not encrypted" not in f["evidence"] or "holds the image" in f["evidence"], f
assert "encrypted storage" in f["source"], f'
	# no store at all: a SKIP that says so
	rm -rf "$H/.ollama" "$H/.local"
	run "$LLMWATCH" audit --root "$R" --only at-rest
	[ "$status" -eq 0 ]
	echo "$output" | grep -F "SKIP at-rest-encryption model stores and chat histories: none of a known tool found in the audited homes"
	echo "$output" | grep -F "SKIP at-rest-permissions model stores and chat histories: none of a known tool found in the audited homes"
}
