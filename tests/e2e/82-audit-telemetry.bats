#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# `llmwatch audit`'s telemetry checks (issue 17) through the verb, on fixture roots: each
# finding in the text and in the JSON, each check with a passing case.

load helpers

setup() {
	R="$BATS_TEST_TMPDIR/root"
	H="$R/home/alice"
	mkdir -p "$H"
}

# finding CHECK STATUS SUBSTRING: the JSON on stdin holds a finding of CHECK with STATUS
# whose evidence contains SUBSTRING (and a fix when it WARNs or FAILs).
finding() {
	python3 -c '
import json, sys
check, status, text = sys.argv[1:]
d = json.load(sys.stdin)
for f in d["findings"]:
    if f["check"] == check and f["status"] == status and text in f["evidence"]:
        assert f["item"] == "telemetry" or check == "versions" or check.startswith("hygiene")
        assert (f["fix"] is None) == (status in ("PASS", "SKIP")), f
        sys.exit(0)
print("no", status, check, text, "in", json.dumps(d["findings"], indent=1))
sys.exit(1)' "$@"
}

audit() {
	run "$LLMWATCH" audit --root "$R" --home "$H" --no-progress "$@"
}

@test "telemetry: GPT4All usage statistics on FAIL, citing file and line; its device id WARNs" {
	mkdir -p "$H/.config/nomic.ai"
	printf '[General]\nx=1\n[network]\nuniqueId=abc-device\nusageStatsActive=true\nisActive=false\n' \
		>"$H/.config/nomic.ai/GPT4All.ini"
	audit --only telemetry-gpt4all
	[ "$status" -eq 1 ]
	[[ $output == *"FAIL telemetry-gpt4all [gpt4all] [network] usageStatsActive: $H/.config/nomic.ai/GPT4All.ini:5: usageStatsActive=true"* ]]
	[[ $output == *"PASS telemetry-gpt4all [gpt4all] [network] isActive: $H/.config/nomic.ai/GPT4All.ini:6: isActive=false"* ]]
	[[ $output == *"WARN telemetry-gpt4all [gpt4all] [network] uniqueId: $H/.config/nomic.ai/GPT4All.ini:4: uniqueId is set"* ]]
	[[ $output != *abc-device* ]]
	audit --only telemetry-gpt4all --json
	[ "$status" -eq 1 ]
	finding telemetry-gpt4all FAIL "GPT4All.ini:5: usageStatsActive=true" <<<"$output"
	finding telemetry-gpt4all PASS "GPT4All.ini:6: isActive=false" <<<"$output"
	finding telemetry-gpt4all WARN "GPT4All.ini:4: uniqueId is set" <<<"$output"
}

@test "telemetry: GPT4All, Ollama and vLLM opted out PASS, and the audit exits 0" {
	mkdir -p "$H/.config/nomic.ai" "$H/.ollama" "$H/.config/vllm"
	printf '[network]\nusageStatsActive=false\nisActive=false\n' >"$H/.config/nomic.ai/GPT4All.ini"
	printf '{\n "disable_ollama_cloud": true\n}\n' >"$H/.ollama/server.json"
	: >"$H/.ollama/id_ed25519"
	: >"$H/.config/vllm/do_not_track"
	audit --only telemetry-gpt4all --only telemetry-ollama --only telemetry-vllm
	[ "$status" -eq 0 ]
	[[ $output == *"PASS telemetry-gpt4all [gpt4all] [network] usageStatsActive: $H/.config/nomic.ai/GPT4All.ini:2: usageStatsActive=false"* ]]
	[[ $output == *"PASS telemetry-ollama [ollama] disable_ollama_cloud: $H/.ollama/server.json:2: \"disable_ollama_cloud\": true: Ollama cloud disabled"* ]]
	[[ $output == *"PASS telemetry-vllm [vllm] $H/.config/vllm/do_not_track: $H/.config/vllm/do_not_track exists: usage stats off"* ]]
	[[ ${lines[-1]} == "4 PASS, 0 WARN, 0 FAIL, 0 SKIP" ]]
	audit --only telemetry-gpt4all --only telemetry-ollama --only telemetry-vllm --json
	[ "$status" -eq 0 ]
	finding telemetry-ollama PASS "server.json:2: \"disable_ollama_cloud\": true" <<<"$output"
	finding telemetry-vllm PASS "do_not_track exists" <<<"$output"
	finding telemetry-gpt4all PASS "usageStatsActive=false" <<<"$output"
}

@test "telemetry: Ollama's per-install key WARNs when its cloud is on; vLLM without an opt-out FAILs" {
	mkdir -p "$H/.ollama" "$H/.local/lib/python3.12/site-packages/vllm-0.6.3.dist-info" \
		"$H/.config/vllm"
	: >"$H/.ollama/id_ed25519"
	echo '{"uuid": "x"}' >"$H/.config/vllm/usage_stats.json"
	audit --only telemetry-ollama --only telemetry-vllm
	[ "$status" -eq 1 ]
	[[ $output == *"WARN telemetry-ollama [ollama] $H/.ollama/id_ed25519: $H/.ollama/id_ed25519 exists and Ollama cloud is not disabled"* ]]
	[[ $output == *"fix: set OLLAMA_NO_CLOUD=1"* ]]
	[[ $output == *"FAIL telemetry-vllm [vllm] $H/.config/vllm/do_not_track: vLLM is used here"* ]]
	[[ $output == *"WARN telemetry-vllm [vllm] $H/.config/vllm/usage_stats.json: "*"stats were sent"* ]]
	audit --only telemetry-ollama --only telemetry-vllm --json
	[ "$status" -eq 1 ]
	finding telemetry-ollama WARN "id_ed25519 exists and Ollama cloud is not disabled" <<<"$output"
	finding telemetry-vllm FAIL "usage stats (hardware, model" <<<"$output"
	finding telemetry-vllm WARN "usage_stats.json exists" <<<"$output"
}

@test "telemetry: Open WebUI's image and AnythingLLM's server/.env" {
	mkdir -p "$R/app/backend/open_webui" "$R/app/server"
	printf 'ENABLE_VERSION_UPDATE_CHECK=false\n' >"$R/app/backend/.env"
	printf 'SERVER_PORT=3001\nDISABLE_TELEMETRY="true"\n' >"$R/app/server/.env"
	audit --only telemetry-openwebui --only telemetry-anythingllm
	[ "$status" -eq 0 ]
	[[ $output == *"PASS telemetry-openwebui [open-webui] ANONYMIZED_TELEMETRY: not overridden; $R/app/backend/open_webui is the Open WebUI image"* ]]
	[[ $output == *"PASS telemetry-openwebui [open-webui] ENABLE_VERSION_UPDATE_CHECK: $R/app/backend/.env:1: ENABLE_VERSION_UPDATE_CHECK=false"* ]]
	[[ $output == *"PASS telemetry-anythingllm [anythingllm] DISABLE_TELEMETRY: $R/app/server/.env:2: DISABLE_TELEMETRY=true: PostHog telemetry off"* ]]
	printf 'DISABLE_TELEMETRY=1\n' >"$R/app/server/.env"
	audit --only telemetry-anythingllm --json
	[ "$status" -eq 1 ]
	finding telemetry-anythingllm FAIL '.env:1: DISABLE_TELEMETRY=1: telemetry stays on' <<<"$output"
}

@test "telemetry: tools not installed SKIP; Jan and LM Studio say what cannot be read" {
	audit --only telemetry
	[ "$status" -eq 0 ]
	[ "$(grep -c '^  SKIP telemetry-.*not installed' <<<"$output")" -eq 7 ]
	mkdir -p "$H/.local/share/Jan/data/threads" "$H/.lmstudio/models"
	audit --only telemetry-jan --only telemetry-lmstudio --json
	[ "$status" -eq 0 ]
	finding telemetry-jan SKIP "kept in the webview's localStorage" <<<"$output"
	finding telemetry-lmstudio SKIP "no telemetry setting of LM Studio is known on disk" <<<"$output"
}

@test "telemetry: settings in a unit's drop-in and EnvironmentFile= are cited by file and line" {
	mkdir -p "$R/etc/systemd/system/ollama.service.d" "$H/.ollama"
	: >"$H/.ollama/id_ed25519"
	printf '[Service]\nExecStart=/usr/local/bin/ollama serve\nUser=ollama\n' \
		>"$R/etc/systemd/system/ollama.service"
	printf '[Service]\nEnvironment="OLLAMA_NO_CLOUD=1"\n' \
		>"$R/etc/systemd/system/ollama.service.d/override.conf"
	printf '[Service]\nExecStart=/usr/bin/python3 -m vllm.entrypoints.openai.api_server\nEnvironmentFile=/etc/vllm.env\n' \
		>"$R/etc/systemd/system/vllm.service"
	printf 'DO_NOT_TRACK=true\n' >"$R/etc/vllm.env"
	audit --only telemetry-ollama --only telemetry-vllm
	[ "$status" -eq 1 ]
	[[ $output == *"PASS telemetry-ollama [ollama] OLLAMA_NO_CLOUD: $R/etc/systemd/system/ollama.service.d/override.conf:2: OLLAMA_NO_CLOUD=1: Ollama cloud disabled"* ]]
	[[ $output == *"WARN telemetry-vllm [vllm] DO_NOT_TRACK: $R/etc/vllm.env:1: DO_NOT_TRACK=true: vLLM opts out only when the value is exactly \"1\""* ]]
	[[ $output == *"FAIL telemetry-vllm [vllm] usage stats: vLLM is installed"* ]]
	audit --only telemetry-ollama --only telemetry-vllm --json
	[ "$status" -eq 1 ]
	finding telemetry-ollama PASS "override.conf:2: OLLAMA_NO_CLOUD=1" <<<"$output"
	finding telemetry-vllm WARN "vllm.env:1: DO_NOT_TRACK=true" <<<"$output"
	finding telemetry-vllm FAIL "no opt-out was found" <<<"$output"
	# the passing case: "1"
	printf 'DO_NOT_TRACK=1\n' >"$R/etc/vllm.env"
	audit --only telemetry-vllm --json
	[ "$status" -eq 0 ]
	finding telemetry-vllm PASS "vllm.env:1: DO_NOT_TRACK=1: usage stats off" <<<"$output"
}

@test "telemetry: the Ollama service's own key, in the home its passwd entry gives" {
	mkdir -p "$R/etc" "$R/usr/share/ollama/.ollama/models"
	printf 'root:x:0:0:root:/root:/bin/bash\nollama:x:998:998::/usr/share/ollama:/bin/false\n' \
		>"$R/etc/passwd"
	: >"$R/usr/share/ollama/.ollama/id_ed25519"
	run "$LLMWATCH" audit --root "$R" --no-progress --only telemetry-ollama
	[ "$status" -eq 0 ]
	[[ $output == *"homes: $R/usr/share/ollama (ollama)"* ]]
	[[ $output == *"WARN telemetry-ollama [ollama] $R/usr/share/ollama/.ollama/id_ed25519: "* ]]
	run "$LLMWATCH" audit --root "$R" --no-progress --only telemetry-ollama --json
	finding telemetry-ollama WARN "/usr/share/ollama/.ollama/id_ed25519 exists" <<<"$output"
}
