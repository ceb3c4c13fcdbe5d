#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# `llmwatch audit`'s model integrity checks (issue 17) through the verb, on a fixture root:
# an Ollama store with a good, a tampered, a missing, an unused and a wrongly sized blob, a
# traversal digest and a manifest that is not JSON; LM Studio models recorded, approved and
# not; approved lists that do not parse; the hash cache hit on a second run, and a corrupt
# cache ignored. Each finding in text and in JSON.

load helpers

sha() { printf '%s' "$1" | sha256sum | cut -c1-64; }

# blob TEXT [NAME_OF]: a blob holding TEXT named by the digest of NAME_OF (default TEXT).
blob() {
	printf '%s' "$1" >"$S/blobs/sha256-$(sha "${2-$1}")"
}

# manifest NAME JSON
manifest() {
	mkdir -p "$S/manifests/registry.ollama.ai/library/$1"
	printf '%s' "$2" >"$S/manifests/registry.ollama.ai/library/$1/latest"
}

make_root() {
	R="$BATS_TEST_TMPDIR/root"
	S="$R/home/alice/.ollama/models"
	CACHE="$BATS_TEST_TMPDIR/cache"
	mkdir -p "$R/etc" "$S/blobs"
	echo 'alice:x:1000:1000:Alice:/home/alice:/bin/bash' >"$R/etc/passwd"
	GOOD=$(sha "GGUF good weights")
	blob "GGUF good weights"
	manifest good "{\"schemaVersion\":2,\"layers\":[{\"digest\":\"sha256:$GOOD\",\"size\":17}]}"
}

# The store with one of each problem.
make_bad_store() {
	make_root
	EVIL=$(sha "GGUF honest weights")
	blob "GGUF evil weights" "GGUF honest weights"
	manifest evil "{\"layers\":[{\"digest\":\"sha256:$EVIL\",\"size\":17}]}"
	GONE=$(sha "never downloaded")
	manifest gone "{\"layers\":[{\"digest\":\"sha256:$GONE\",\"size\":5}]}"
	UNUSED=$(sha "nobody's")
	blob "nobody's"
	SIZED=$(sha "twelve bytes")
	blob "twelve bytes"
	manifest sized "{\"layers\":[{\"digest\":\"sha256:$SIZED\",\"size\":999}]}"
	manifest probllama '{"layers":[{"digest":"sha256:../../../../etc/passwd","size":1}]}'
	manifest broken $'{"layers":[\n{"digest": oops}]}'
	# a download in progress and a CreateTemp file: not blobs
	printf 'half' >"$S/blobs/sha256-$GONE-partial"
	printf '{}' >"$S/blobs/sha256-$GONE-partial-0"
	printf 'tmp' >"$S/blobs/sha256-2841302933"
}

# jq_count FILTER: how many findings of the JSON in $output match the jq condition.
jq_count() {
	echo "$output" | jq "[.findings[] | select($1)] | length"
}

@test "integrity-ollama: tampered, missing, unused, wrong size, bad digest, unparsable" {
	make_bad_store
	run "$LLMWATCH" audit --root "$R" --only integrity-ollama --no-cache
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"FAIL integrity-ollama [ollama] $S/blobs/sha256-$EVIL: tampered: the content hashes to sha256:$(sha "GGUF evil weights"), not the name's digest; used by model evil:latest"* ]]
	[[ $output == *"FAIL integrity-ollama [ollama] $S/manifests/registry.ollama.ai/library/gone/latest: model gone:latest, layers[0]: blob sha256-$GONE is missing from $S/blobs"* ]]
	[[ $output == *"WARN integrity-ollama [ollama] $S/blobs/sha256-$UNUSED: no manifest uses it (8 bytes)"* ]]
	[[ $output == *"FAIL integrity-ollama [ollama] $S/blobs/sha256-$SIZED: model sized:latest, layers[0]: the manifest says 999 bytes, the blob holds 12"* ]]
	[[ $output == *"FAIL integrity-ollama [ollama] $S/manifests/registry.ollama.ai/library/probllama/latest: model probllama:latest, layers[0]: digest \"sha256:../../../../etc/passwd\" is not sha256:<64 hex> (the path traversal of CVE-2024-37032)"* ]]
	[[ $output == *"FAIL integrity-ollama [ollama] $S/manifests/registry.ollama.ai/library/broken/latest: model broken:latest: not JSON: error at line 2"* ]]
	[[ $output == *"PASS integrity-ollama [ollama] $S: 1 of 4 blobs (17 B) match their names and the digests and sizes of 6 manifests; 4 hashed, 0 from the cache; ignored: 2 partial downloads, 1 temporary files, 0 other files"* ]]
	[[ $output == *"fix: Do not run the models that use it"* ]]

	run "$LLMWATCH" audit --root "$R" --only integrity-ollama --no-cache --json
	[ "$status" -eq 1 ]
	[ "$(jq_count '.status == "FAIL" and .subject == "'"$S/blobs/sha256-$EVIL"'" and (.evidence | startswith("tampered"))')" = 1 ]
	[ "$(jq_count '.status == "FAIL" and (.evidence | contains("sha256-'"$GONE"' is missing"))')" = 1 ]
	[ "$(jq_count '.status == "WARN" and .subject == "'"$S/blobs/sha256-$UNUSED"'" and (.evidence | startswith("no manifest uses it"))')" = 1 ]
	[ "$(jq_count '.status == "FAIL" and (.evidence | contains("says 999 bytes, the blob holds 12"))')" = 1 ]
	[ "$(jq_count '.status == "FAIL" and (.evidence | contains("CVE-2024-37032")) and (.source | contains("GHSA-8hqg-whrw-pv92"))')" = 1 ]
	[ "$(jq_count '.status == "FAIL" and (.subject | endswith("broken/latest")) and (.evidence | contains("not JSON"))')" = 1 ]
	[ "$(jq_count '.status == "PASS" and .check == "integrity-ollama" and .item == "integrity" and .tool == "ollama"')" = 1 ]
	[ "$(echo "$output" | jq '.counts.FAIL')" = 5 ]
	[ "$(echo "$output" | jq '.counts.WARN')" = 1 ]
}

@test "integrity-ollama: a store that matches passes, and the second run hits the cache" {
	make_root
	run "$LLMWATCH" audit --root "$R" --only integrity-ollama --cache-dir "$CACHE"
	[ "$status" -eq 0 ]
	[[ $output == *"PASS integrity-ollama [ollama] $S: 1 of 1 blobs (17 B) match their names and the digests and sizes of 1 manifest; 1 hashed, 0 from the cache"* ]]
	[ "$(stat -c %a "$CACHE/audit-sha256.v1")" = 600 ]
	run "$LLMWATCH" audit --root "$R" --only integrity-ollama --cache-dir "$CACHE" --json
	[ "$status" -eq 0 ]
	[ "$(jq_count '.status == "PASS" and (.evidence | contains("0 hashed, 1 from the cache"))')" = 1 ]
	[ "$(echo "$output" | jq '.counts.FAIL + .counts.WARN')" = 0 ]

	# the cache does not hide a change: a blob rewritten is hashed again, and caught
	printf 'GGUF bad! weights' >"$S/blobs/sha256-$GOOD"
	run "$LLMWATCH" audit --root "$R" --only integrity-ollama --cache-dir "$CACHE"
	[ "$status" -eq 1 ]
	[[ $output == *"FAIL integrity-ollama [ollama] $S/blobs/sha256-$GOOD: tampered"* ]]
}

@test "integrity-ollama: a corrupt cache is ignored with a warning, never trusted" {
	make_root
	"$LLMWATCH" audit --root "$R" --only integrity-ollama --cache-dir "$CACHE" >/dev/null
	# tamper with the blob and forge the cache to vouch for the old content: the record
	# changes, the checksum does not
	printf 'GGUF bad! weights' >"$S/blobs/sha256-$GOOD"
	printf 'X' | dd of="$CACHE/audit-sha256.v1" bs=1 seek=20 conv=notrunc status=none
	run "$LLMWATCH" audit --root "$R" --only integrity-ollama --cache-dir "$CACHE"
	[ "$status" -eq 1 ]
	[[ $output == *"hash cache $CACHE/audit-sha256.v1: corrupt (checksum); ignored (every model is hashed again)"* ]]
	[[ $output == *"FAIL integrity-ollama [ollama] $S/blobs/sha256-$GOOD: tampered"* ]]
}

@test "integrity-ollama: SKIP when there is no store; no progress bar off a terminal" {
	R="$BATS_TEST_TMPDIR/empty"
	mkdir -p "$R/etc" "$R/home/bob"
	echo 'bob:x:1000:1000::/home/bob:/bin/sh' >"$R/etc/passwd"
	run "$LLMWATCH" audit --root "$R" --only integrity-ollama --no-cache
	[ "$status" -eq 0 ]
	[[ $output == *"SKIP integrity-ollama [ollama] ~/.ollama/models: no Ollama model store in the 1 homes audited"* ]]
	make_root
	run "$LLMWATCH" audit --root "$R" --only integrity --no-cache
	[[ $output != *"hashing models"* ]]
}

make_models() {
	make_root
	M="$R/home/alice/.lmstudio/models/pub/repo"
	mkdir -p "$M"
	printf 'GGUF model a' >"$M/a.gguf"
	printf 'safetensors b' >"$M/b.safetensors"
	printf 'notes' >"$M/README.md"
	A=$(sha 'GGUF model a')
	B=$(sha 'safetensors b')
}

@test "integrity-models: recorded without a list; approved and not approved with one" {
	make_models
	run "$LLMWATCH" audit --root "$R" --only integrity-models --no-cache
	[ "$status" -eq 0 ]
	[[ $output == *"PASS integrity-models [lm-studio] $M/a.gguf: sha256 $A, 12 B: recorded (no --approved list to check it against)"* ]]
	[[ $output == *"PASS integrity-models [lm-studio] $M/b.safetensors: sha256 $B, 13 B: recorded"* ]]
	[[ $output == *"PASS integrity-models model directories: 2 model files (25 B) in 1 directories: 2 hashed, 0 from the cache, 0 unreadable; no --approved list"* ]]
	[[ $output != *README* ]]

	printf '# ours\n%s  a.gguf\n' "$A" >"$BATS_TEST_TMPDIR/approved"
	run "$LLMWATCH" audit --root "$R" --only integrity-models --no-cache \
		--approved "$BATS_TEST_TMPDIR/approved"
	[ "$status" -eq 1 ]
	[[ $output == *"PASS integrity-models [lm-studio] $M/a.gguf: sha256 $A, 12 B: approved"* ]]
	[[ $output == *"FAIL integrity-models [lm-studio] $M/b.safetensors: sha256 $B, 13 B: not in the approved list $BATS_TEST_TMPDIR/approved"* ]]
	run "$LLMWATCH" audit --root "$R" --only integrity-models --no-cache \
		--approved "$BATS_TEST_TMPDIR/approved" --json
	[ "$status" -eq 1 ]
	[ "$(jq_count '.status == "PASS" and .subject == "'"$M/a.gguf"'" and .tool == "lm-studio" and (.evidence | endswith("approved"))')" = 1 ]
	[ "$(jq_count '.status == "FAIL" and .subject == "'"$M/b.safetensors"'" and (.fix | contains("approved list"))')" = 1 ]

	# sha256sum's own output approves everything
	(cd "$M" && sha256sum -b a.gguf b.safetensors) >"$BATS_TEST_TMPDIR/all"
	run "$LLMWATCH" audit --root "$R" --only integrity-models --no-cache \
		--approved "$BATS_TEST_TMPDIR/all"
	[ "$status" -eq 0 ]
	[[ $output == *"2 model files (25 B) in 1 directories: 2 hashed, 0 from the cache, 0 unreadable; 0 not approved"* ]]
}

@test "integrity-models: an approved list that does not parse exits 2 naming file:line" {
	make_models
	printf '%s  a.gguf\n%s b.gguf\n' "$A" "$B" >"$BATS_TEST_TMPDIR/bad"
	run "$LLMWATCH" audit --root "$R" --only integrity-models --no-cache \
		--approved "$BATS_TEST_TMPDIR/bad" --json
	[ "$status" -eq 2 ]
	[[ $output == *"--approved $BATS_TEST_TMPDIR/bad:2: not \"<64 hex digits>  NAME\""* ]]
	json=$(echo "$output" | grep '^{')
	[ "$(echo "$json" | jq -r '.errors[0].check')" = integrity-models ]
	[ "$(echo "$json" | jq '.complete')" = false ]
}

@test "integrity: a progress bar on a terminal, cleared at the end; none with --no-progress" {
	make_root
	# script(1) gives the audit a terminal; its stderr is then the terminal too
	run script -qec "$LLMWATCH audit --root $R --only integrity-ollama --no-cache -o /dev/null" /dev/null
	[ "$status" -eq 0 ]
	[[ $output == *$'\rhashing models ['*"] 0 B / 17 B"*$'\r\e[K'* ]]
	run script -qec "$LLMWATCH audit --root $R --only integrity-ollama --no-cache --no-progress -o /dev/null" /dev/null
	[ "$status" -eq 0 ]
	[[ $output != *"hashing models"* ]]
}

@test "integrity: --approved covers Ollama's model weights as well as the other tools' files" {
	make_models
	manifest good "{\"layers\":[{\"mediaType\":\"application/vnd.ollama.image.model\",\"digest\":\"sha256:$GOOD\",\"size\":17}]}"
	printf '%s  a.gguf\n' "$A" >"$BATS_TEST_TMPDIR/approved"
	run "$LLMWATCH" audit --root "$R" --only integrity --no-cache --approved "$BATS_TEST_TMPDIR/approved"
	[ "$status" -eq 1 ]
	[[ $output == *"FAIL integrity-ollama [ollama] $S/blobs/sha256-$GOOD: model good:latest: weights sha256:$GOOD are not in the approved list $BATS_TEST_TMPDIR/approved"* ]]
	printf '%s  a.gguf\n%s  good:latest\n%s  b\n' "$A" "$GOOD" "$B" >"$BATS_TEST_TMPDIR/approved"
	run "$LLMWATCH" audit --root "$R" --only integrity --no-cache --approved "$BATS_TEST_TMPDIR/approved" --json
	[ "$status" -eq 0 ]
	[ "$(jq_count '.status == "PASS" and .check == "integrity-ollama" and .evidence == "model good:latest: weights sha256:'"$GOOD"' approved"')" = 1 ]
	[ "$(echo "$output" | jq '.counts.FAIL')" = 0 ]
}

@test "integrity-ollama: the store OLLAMA_MODELS names in the service's unit is checked too" {
	make_root
	rm -rf "$R/home/alice/.ollama"
	S="$R/srv/models"
	mkdir -p "$S/blobs" "$R/etc/systemd/system"
	printf '[Service]\nExecStart=/usr/bin/ollama serve\nEnvironment="OLLAMA_MODELS=/srv/models/"\n' \
		>"$R/etc/systemd/system/ollama.service"
	blob "GGUF evil weights" "GGUF good weights"
	manifest good "{\"layers\":[{\"digest\":\"sha256:$GOOD\",\"size\":17}]}"
	run "$LLMWATCH" audit --root "$R" --only integrity-ollama --no-cache
	[ "$status" -eq 1 ]
	[[ $output == *"FAIL integrity-ollama [ollama] $S/blobs/sha256-$GOOD: tampered"* ]]
	run "$LLMWATCH" audit --root "$R" --only integrity-ollama --no-cache --json
	[ "$(jq_count '.status == "FAIL" and .subject == "'"$S/blobs/sha256-$GOOD"'"')" = 1 ]
	blob "GGUF good weights"
	run "$LLMWATCH" audit --root "$R" --only integrity-ollama --no-cache
	[ "$status" -eq 0 ]
	[[ $output == *"PASS integrity-ollama [ollama] $S: 1 of 1 blobs (17 B) match"*"; OLLAMA_MODELS names this store at $R/etc/systemd/system/ollama.service:3"* ]]
}

@test "integrity: without root, directories it cannot list are a SKIP, not an error" {
	requires_root
	# a directory nobody can reach, with a copy of llmwatch nobody can run
	D=$(mktemp -d /tmp/lw-integrity-XXXXXX)
	chmod 755 "$D"
	mkdir -p "$D/h/.ollama/models/blobs" "$D/h/.ollama/models/manifests"
	chmod 755 "$D/h" "$D/h/.ollama" "$D/h/.ollama/models"
	chmod 700 "$D/h/.ollama/models/blobs"
	mkdir -p "$D/h/.lmstudio/models/pub/repo"
	chmod 755 "$D/h/.lmstudio" "$D/h/.lmstudio/models"
	chmod 700 "$D/h/.lmstudio/models/pub"
	install -m 755 "$LLMWATCH" "$D/llmwatch"
	run setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$D/llmwatch" audit --home "$D/h" --only integrity --no-cache --json
	rm -rf "$D"
	[ "$status" -eq 0 ]
	[ "$(jq_count '.status == "SKIP" and (.subject | endswith("/.ollama/models/blobs")) and (.evidence | contains("Permission denied (not root)"))')" = 1 ]
	[ "$(jq_count '.status == "SKIP" and .check == "integrity-models" and (.subject | endswith("/.lmstudio/models/pub")) and (.evidence | startswith("1 directory could not be read"))')" = 1 ]
	[ "$(echo "$output" | jq '.errors | length')" = 0 ]
}
