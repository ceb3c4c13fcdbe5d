#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# `llmwatch audit` as a command (issue 17): its options and their errors, the homes it
# takes from a root's passwd, the report file it writes and the JSON document's frame. The
# checks themselves have their own tests (81-86).

load helpers

# A fixture root: a passwd with people, root, a service account holding Ollama's store, one
# holding nothing, and a person whose home does not exist.
make_root() {
	R="$BATS_TEST_TMPDIR/root"
	mkdir -p "$R/etc" "$R/root" "$R/home/alice" "$R/usr/share/ollama/.ollama/models" \
		"$R/var/lib/nobody"
	cat >"$R/etc/passwd" <<-'PASSWD'
		root:x:0:0:root:/root:/bin/bash
		daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
		ollama:x:998:998::/usr/share/ollama:/bin/false
		nobody2:x:999:999::/var/lib/nobody:/bin/false
		alice:x:1000:1000:Alice:/home/alice:/bin/bash
		gone:x:1001:1001::/home/gone:/bin/bash
		broken line without fields
		bad:x:notanumber:1::/home/alice:/bin/sh
	PASSWD
}

@test "audit --help names every option and the exit statuses" {
	run "$LLMWATCH" audit --help
	[ "$status" -eq 0 ]
	for opt in --root --home --only --gguf --approved --json --output --jobs --cache-dir \
		--no-cache --no-progress --list; do
		[[ $output == *"$opt"* ]] || { echo "missing $opt"; false; }
	done
	[[ $output == *"Exit status: 0 when nothing FAILs, 1 when something does, 2"* ]]
}

@test "audit refuses bad options, naming the value at fault" {
	run "$LLMWATCH" audit --only no-such-check
	[ "$status" -eq 2 ]
	[[ $output == *'--only "no-such-check": no such check or item'* ]]
	run "$LLMWATCH" audit --jobs 0
	[ "$status" -eq 2 ]
	[[ $output == *'--jobs "0"'* ]]
	run "$LLMWATCH" audit stray
	[ "$status" -eq 2 ]
	[[ $output == *'unexpected argument "stray"'* ]]
	run "$LLMWATCH" audit --gguf
	[ "$status" -eq 2 ]
	[[ $output == *"--gguf takes one or more FILEs"* ]]
	run "$LLMWATCH" audit --cache-dir /tmp --no-cache
	[ "$status" -eq 2 ]
	run "$LLMWATCH" audit --root "$BATS_TEST_TMPDIR/none"
	[ "$status" -eq 2 ]
	[[ $output == *"--root $BATS_TEST_TMPDIR/none: No such file or directory"* ]]
	run "$LLMWATCH" audit --home "$BATS_TEST_TMPDIR/none"
	[ "$status" -eq 2 ]
	[[ $output == *"--home $BATS_TEST_TMPDIR/none: No such file or directory"* ]]
}

@test "audit --list names each check with its item and what it does" {
	run "$LLMWATCH" audit --list
	[ "$status" -eq 0 ]
	# every checklist item has its checks
	for item in exposure telemetry integrity gguf at-rest versions hygiene; do
		echo "$output" | grep -q "^[a-z0-9-]* *$item " || { echo "no check for $item"; false; }
	done
	while read -r name item what; do
		[ -n "$name" ] && [ -n "$what" ]
		case "$item" in
		exposure | telemetry | integrity | gguf | at-rest | versions | hygiene) ;;
		*) echo "bad item in: $name $item $what"; false ;;
		esac
		# every listed check is accepted by --only
		"$LLMWATCH" audit --only "$name" --root "$BATS_TEST_TMPDIR" --json >/dev/null ||
			[ $? -le 1 ]
	done <<<"$output"
}

@test "audit --root takes the homes of people, root and service accounts with a tool's files" {
	make_root
	run "$LLMWATCH" audit --root "$R" --only hygiene --json
	[ "$status" -le 1 ]
	homes=$(echo "$output" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(" ".join(h["path"]+"="+str(h["user"]) for h in d["homes"]))')
	[ "$homes" = "$R/root=root $R/usr/share/ollama=ollama $R/home/alice=alice" ]
	echo "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["audit_format_version"] == 1
assert d["live"] is False and d["complete"] is True and d["errors"] == []
assert set(d["counts"]) == {"PASS", "WARN", "FAIL", "SKIP"}
assert all(f["item"] == "hygiene" for f in d["findings"]), d["findings"]'
}

@test "audit --home replaces the passwd's homes; the text names root and homes" {
	make_root
	run "$LLMWATCH" audit --root "$R" --home "$R/home/alice" --only hygiene
	[ "$status" -le 1 ]
	[[ ${lines[0]} == "llmwatch audit of $R (files only: no processes or sockets)"* ]]
	[ "${lines[1]}" = "homes: $R/home/alice" ]
	[[ ${lines[-1]} =~ ^[0-9]+\ PASS,\ [0-9]+\ WARN,\ [0-9]+\ FAIL,\ [0-9]+\ SKIP$ ]]
}

@test "audit -o writes the report mode 0600 and never through a symlink" {
	make_root
	out="$BATS_TEST_TMPDIR/report.json"
	run "$LLMWATCH" audit --root "$R" --only hygiene --json -o "$out"
	[ "$status" -le 1 ]
	[ "$(stat -c %a "$out")" = 600 ]
	python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$out"
	ln -s "$BATS_TEST_TMPDIR/target" "$BATS_TEST_TMPDIR/link.json"
	run "$LLMWATCH" audit --root "$R" --only hygiene -o "$BATS_TEST_TMPDIR/link.json"
	[ "$status" -eq 2 ]
	[[ $output == *"cannot write $BATS_TEST_TMPDIR/link.json"* ]]
	[ ! -e "$BATS_TEST_TMPDIR/target" ]
}

@test "audit without root says which homes it could not read, in text and JSON" {
	requires_root
	D=$(mktemp -d /tmp/lw-audit-homes-XXXXXX)
	chmod 755 "$D"
	mkdir -p "$D/open" "$D/closed"
	chmod 755 "$D/open"
	chmod 700 "$D/closed"
	install -m 755 "$LLMWATCH" "$D/llmwatch"
	run setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$D/llmwatch" audit --home "$D/open" --home "$D/closed" --only hygiene-startup
	text_status=$status
	text=$output
	run setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$D/llmwatch" audit --home "$D/open" --home "$D/closed" --only hygiene-startup --json
	rm -rf "$D"
	[ "$text_status" -le 1 ]
	[[ $text == *"not as root: some files and processes may be unreadable"* ]]
	[[ $text == *"homes: $D/open, $D/closed [cannot be read: Permission denied]"* ]]
	echo "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["privileged"] is False
o, c = d["homes"]
assert o["readable"] is True and "error" not in o, o
assert c["readable"] is False and c["error"] == "Permission denied", c'
}
