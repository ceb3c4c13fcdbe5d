#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# `llmwatch audit`'s versions and hygiene checks (issue 17) through the verb, on fixture
# roots: each finding in the text and in the JSON, each check with a passing case.

load helpers

setup() {
	R="$BATS_TEST_TMPDIR/root"
	H="$R/home/alice"
	mkdir -p "$H" "$R/etc"
	cat >"$R/etc/passwd" <<-'PASSWD'
		root:x:0:0:root:/root:/bin/bash
		ollama:x:998:998::/usr/share/ollama:/bin/false
		alice:x:1000:1000:Alice:/home/alice:/bin/bash
	PASSWD
}

# finding CHECK STATUS SUBSTRING: the JSON on stdin holds a finding of CHECK with STATUS
# whose evidence contains SUBSTRING (with a fix exactly when it WARNs or FAILs).
finding() {
	python3 -c '
import json, sys
check, status, text = sys.argv[1:]
d = json.load(sys.stdin)
for f in d["findings"]:
    if f["check"] == check and f["status"] == status and text in f["evidence"]:
        assert f["item"] == ("versions" if check == "versions" else "hygiene"), f
        assert (f["fix"] is None) == (status in ("PASS", "SKIP")), f
        sys.exit(0)
print("no", status, check, text, "in", json.dumps(d["findings"], indent=1))
sys.exit(1)' "$@"
}

# The homes come from the fixture's passwd: alice's, as alice (uid 1000).
audit() {
	run "$LLMWATCH" audit --root "$R" --no-progress "$@"
}

# The Go build information of a release build, as `go version -m` shows it.
buildinfo() {
	printf '\177ELF\2\1\1 padding build\t-ldflags="-w -s \\"-X=github.com/ollama/ollama/version.Version=%s\\" \\"-X=github.com/ollama/ollama/server.mode=release\\""\n' "$1"
}

@test "versions: an old Ollama package FAILs naming its CVEs and the dpkg line" {
	mkdir -p "$R/var/lib/dpkg"
	printf 'Package: ollama\nStatus: install ok installed\nVersion: 0.1.33-1\n\n' \
		>"$R/var/lib/dpkg/status"
	audit --only versions
	[ "$status" -eq 1 ]
	[[ $output == *"FAIL versions [ollama] Ollama: Ollama 0.1.33 ($R/var/lib/dpkg/status:3: package ollama, Version: 0.1.33-1) is affected by CVE-2024-37032"* ]]
	[[ $output == *"CVE-2026-7482"* && $output == *"CVE-2024-45436"* ]]
	[[ $output == *"fix: upgrade Ollama to a release after 0.20.2"* ]]
	[[ $output == *"source: "*"GHSA-8hqg-whrw-pv92"* ]]
	audit --only versions --json
	[ "$status" -eq 1 ]
	finding versions FAIL "is affected by CVE-2024-37032" <<<"$output"
}

@test "versions: a current Ollama binary PASSes, its version read from the build information" {
	mkdir -p "$R/usr/local/bin"
	buildinfo 0.33.0 >"$R/usr/local/bin/ollama"
	chmod +x "$R/usr/local/bin/ollama"
	audit --only versions
	[ "$status" -eq 0 ]
	[[ $output == *"PASS versions [ollama] Ollama: Ollama 0.33.0 ($R/usr/local/bin/ollama: build information github.com/ollama/ollama/version.Version=0.33.0): no known vulnerability in the table"* ]]
	audit --only versions --json
	[ "$status" -eq 0 ]
	finding versions PASS "Ollama 0.33.0" <<<"$output"
	# an affected binary, through the same path
	buildinfo 0.17.0 >"$R/usr/local/bin/ollama"
	audit --only versions --json
	[ "$status" -eq 1 ]
	finding versions FAIL "Ollama 0.17.0 ($R/usr/local/bin/ollama" <<<"$output"
}

@test "versions: nothing installed SKIPs, saying why" {
	audit --only versions
	[ "$status" -eq 0 ]
	[[ $output == *"SKIP versions [ollama] Ollama: not installed"* ]]
}

@test "hygiene-startup: Ollama's enabled service and a Jan autostart entry WARN; none PASSes" {
	audit --only hygiene-startup
	[ "$status" -eq 0 ]
	[[ $output == *"PASS hygiene-startup start-up items: no enabled systemd unit"* ]]
	mkdir -p "$R/etc/systemd/system/multi-user.target.wants" "$H/.config/autostart"
	printf '[Service]\nExecStart=/usr/local/bin/ollama serve\nUser=ollama\n' \
		>"$R/etc/systemd/system/ollama.service"
	ln -s /etc/systemd/system/ollama.service "$R/etc/systemd/system/multi-user.target.wants/"
	printf '[Desktop Entry]\nType=Application\nExec=/opt/Jan/jan --minimized\n' \
		>"$H/.config/autostart/jan.desktop"
	audit --only hygiene-startup
	[ "$status" -eq 0 ]
	[[ $output == *"WARN hygiene-startup [ollama] ollama.service: $R/etc/systemd/system/multi-user.target.wants/ollama.service: ollama.service starts ollama at boot"* ]]
	[[ $output == *"fix: systemctl disable ollama.service"* ]]
	[[ $output == *"WARN hygiene-startup [jan] jan.desktop: $H/.config/autostart/jan.desktop:3: starts jan at this user's desktop login"* ]]
	audit --only hygiene-startup --json
	finding hygiene-startup WARN "ollama.service starts ollama at boot" <<<"$output"
	finding hygiene-startup WARN "jan.desktop:3: starts jan" <<<"$output"
}

@test "hygiene-accounts: a dedicated account PASSes, root and a login account WARN" {
	mkdir -p "$R/etc/systemd/system" "$H/.config/systemd/user"
	printf '[Service]\nExecStart=/usr/local/bin/ollama serve\nUser=ollama\n' \
		>"$R/etc/systemd/system/ollama.service"
	audit --only hygiene-accounts
	[ "$status" -eq 0 ]
	[[ $output == *"PASS hygiene-accounts [ollama] ollama.service: $R/etc/systemd/system/ollama.service:3: User=ollama: ollama runs as the system account ollama (uid 998, no login)"* ]]
	printf '[Service]\nExecStart=/usr/bin/llama-server -m /m.gguf\n' \
		>"$R/etc/systemd/system/llama.service"
	printf '[Service]\nExecStart=/usr/bin/python3 -m vllm.entrypoints.openai.api_server\n' \
		>"$H/.config/systemd/user/vllm-api.service"
	audit --only hygiene-accounts
	[ "$status" -eq 0 ]
	[[ $output == *"WARN hygiene-accounts [llama-server] llama.service: $R/etc/systemd/system/llama.service: no User=: llama-server runs as root"* ]]
	[[ $output == *"WARN hygiene-accounts [vllm] vllm-api.service: "*"a user unit: vllm runs as the login account alice (uid 1000)"* ]]
	audit --only hygiene-accounts --json
	finding hygiene-accounts PASS "User=ollama" <<<"$output"
	finding hygiene-accounts WARN "llama-server runs as root" <<<"$output"
	finding hygiene-accounts WARN "the login account alice" <<<"$output"
}

@test "hygiene-updates: Ollama has no updater on Linux (PASS); GPT4All's maintenancetool WARNs" {
	mkdir -p "$H/.ollama" "$H/gpt4all"
	: >"$H/gpt4all/maintenancetool"
	audit --only hygiene-updates
	[ "$status" -eq 0 ]
	[[ $output == *"PASS hygiene-updates [ollama] Ollama: no automatic update on Linux"* ]]
	[[ $output == *"WARN hygiene-updates [gpt4all] GPT4All: GPT4All fetches http://gpt4all.io/meta/release.json"* ]]
	audit --only hygiene-updates --json
	finding hygiene-updates PASS "no automatic update on Linux" <<<"$output"
	finding hygiene-updates WARN "maintenancetool installs updates" <<<"$output"
}

@test "hygiene-extensions: MCP servers and plugins WARN for review, naming them; none PASSes" {
	audit --only hygiene-extensions
	[ "$status" -eq 0 ]
	[[ $output == *"PASS hygiene-extensions extensions: no extensions, plugins or MCP servers"* ]]
	mkdir -p "$H/.local/share/Jan/data" "$H/.lmstudio/extensions/plugins/acme/tool"
	cat >"$H/.local/share/Jan/data/mcp_config.json" <<-'JSON'
		{"mcpServers": {"fetch": {"command": "uvx", "args": ["mcp-server-fetch"], "active": true}}}
	JSON
	audit --only hygiene-extensions
	[ "$status" -eq 0 ]
	[[ $output == *"WARN hygiene-extensions [jan] $H/.local/share/Jan/data/mcp_config.json: $H/.local/share/Jan/data/mcp_config.json (Jan's MCP servers): 1 MCP server, 1 active: fetch (uvx mcp-server-fetch)"* ]]
	[[ $output == *"WARN hygiene-extensions [lm-studio] $H/.lmstudio/extensions/plugins: "*"(LM Studio plugins): 1: acme"* ]]
	audit --only hygiene-extensions --json
	finding hygiene-extensions WARN "1 MCP server, 1 active: fetch" <<<"$output"
	finding hygiene-extensions WARN "(LM Studio plugins): 1: acme" <<<"$output"
}
