#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# `llmwatch eval` of a chatty tool, end to end, in the network-namespace lab: the demo's
# simulator (tools/demo/chatty-tool.c) resolves api.mixpanel.com through the lab's DNS and
# phones home over TLS with SNI, reads a fake ~/.ssh/id_ed25519 (a throwaway home bound over
# its user's, in a mount namespace of its own), listens on 0.0.0.0:11434 and downloads a
# GGUF "model" from the lab's huggingface.co. The report names each finding, report.json
# has them as data (docs/report-format.md), and `make demo`'s script prints the report and
# the HTML report's path and leaves nothing behind.

load helpers
. "$BATS_TEST_DIRNAME/../lab/lab.sh"
. "$BATS_TEST_DIRNAME/../../tools/demo/demo_lab.sh"

SIM="$BUILD/demo/chatty-tool"

setup() {
	requires_bpf
	local c
	for c in ip ss dnsmasq openssl; do
		command -v "$c" >/dev/null || skip_or_fail "needs $c"
	done
	[ -x "$SIM" ] || skip_or_fail "needs $SIM (make $SIM)"
	common_setup
	ROOT_HOME=$(getent passwd 0 | cut -d: -f6)
}

teardown() {
	common_teardown
	lab_down
	local d
	d=$(cat "$BATS_TEST_TMPDIR/demo-dir" 2>/dev/null) || return 0
	case $d in /tmp/lw-eval-lab.*) rm -rf "$d" ;; esac
}

# lab_with_demo: the lab, and the demo's model, fake key and simulator copy in $DEMO.
# Outside /root: the simulator covers root's home, and BATS_TEST_TMPDIR may be under it.
lab_with_demo() {
	DEMO=$(mktemp -d /tmp/lw-eval-lab.XXXXXX)
	echo "$DEMO" >"$BATS_TEST_TMPDIR/demo-dir"
	lab_up "$DEMO/lab"
	demo_plant "$SIM" "$DEMO"
}

# eval_sim: the simulator under llmwatch eval, bounded at 60 s; its output in $EVAL_OUT.
eval_sim() {
	OUTDIR="$BATS_TEST_TMPDIR/eval"
	EVAL_OUT="$BATS_TEST_TMPDIR/eval.out"
	timeout -s INT 60 "$LLMWATCH" eval --as-root --out "$OUTDIR" -- \
		"$DEMO/bin/chatty-tool" --lab "$LAB_CLI" --home-from "$DEMO/home" \
		--ca "$LAB_DIR/cert.pem" >"$EVAL_OUT" 2>&1 </dev/null 3>&- || {
		cat "$EVAL_OUT" >&2
		return 1
	}
}

@test "eval of the simulator in the lab: report.json holds the telemetry, the ~/.ssh read, the 0.0.0.0 listener and the model download" {
	lab_with_demo
	eval_sim
	grep -q '^chatty-tool: done$' "$EVAL_OUT"
	for f in report.txt report.json report.html; do
		[ -s "$OUTDIR/$f" ] || { echo "no $OUTDIR/$f" >&2; false; }
	done
	/usr/bin/python3 - "$OUTDIR/report.json" "$LAB_MIXPANEL" "$LAB_HF" "$ROOT_HOME" \
		"$DEMO_MODEL_STORE" <<'PY'
import json, sys

path, mixpanel, hf, home, store = sys.argv[1:]
r = json.load(open(path))
fails = []

def check(ok, what):
    if not ok:
        fails.append(what)

def one(items, what, pred):
    hits = [x for x in items if pred(x)]
    check(len(hits) == 1, f"{what}: {len(hits)} matches in {json.dumps(items)[:2000]}")
    return hits[0] if hits else {}

check(r.get("report_version") == 1, "report_version")
# telemetry, named by the DNS answer (and SNI), not by a guess
ep = one(r["endpoints"], "endpoint api.mixpanel.com:443",
         lambda e: e["host"] == "api.mixpanel.com" and e["port"] == 443)
check(ep.get("address") == mixpanel, f"mixpanel address {ep.get('address')}")
check(ep.get("protocol") == "tcp", "mixpanel protocol")
check(ep.get("host_source") in ("dns", "sni"), f"mixpanel host_source {ep.get('host_source')}")
check(ep.get("classification") == "telemetry", f"mixpanel classification {ep.get('classification')}")
check("telemetry-mixpanel" in ep.get("rules", []), f"mixpanel rules {ep.get('rules')}")
check(ep.get("connections", 0) >= 1 and ep.get("bytes_sent", 0) > 0, "mixpanel connections/bytes")
check(any(p["comm"] == "chatty-tool" for p in ep.get("processes", [])), "mixpanel processes")
# the model download, classified by the Hugging Face rule's tags
ep = one(r["endpoints"], "endpoint huggingface.co:80",
         lambda e: e["host"] == "huggingface.co" and e["port"] == 80)
check(ep.get("address") == hf, f"hf address {ep.get('address')}")
check(ep.get("host_source") in ("dns", "http"), f"hf host_source {ep.get('host_source')}")
check(ep.get("classification") == "model-download", f"hf classification {ep.get('classification')}")
check("download-huggingface" in ep.get("rules", []), f"hf rules {ep.get('rules')}")
# the listener on every interface at Ollama's port
ls = one(r["listeners"], "listener 0.0.0.0:11434",
         lambda l: l["address"] == "0.0.0.0" and l["port"] == 11434)
check(ls.get("listened") is True, "listener listened")
check(ls.get("comm") == "chatty-tool", f"listener comm {ls.get('comm')}")
check(any(x.startswith("exposure-") for x in ls.get("rules", [])), f"listener rules {ls.get('rules')}")
# the credentials read: the path the tool used, flagged
f = one(r["files"], "file ~/.ssh/id_ed25519", lambda f: f["path"] == home + "/.ssh/id_ed25519")
check(f.get("category") == "credentials", f"key category {f.get('category')}")
check(f.get("flagged") is True, "key flagged")
check("file-credentials" in f.get("rules", []), f"key rules {f.get('rules')}")
# the downloaded model, written to the model store
model = f"{home}/{store}/chatty-7b.Q4_0.gguf"
f = one(r["files"], "the model file", lambda f: f["path"] == model)
check(f.get("category") == "model", f"model category {f.get('category')}")
check(f.get("write") is True, "model written")
# the alerts, as data
alerts = {a["rule"]: a for a in r["alerts"]}
for rule, sev in (("file-credentials", "high"), ("telemetry-mixpanel", "medium")):
    check(rule in alerts and alerts[rule]["severity"] == sev, f"alert {rule} ({sev})")
check(any(a["rule"].startswith("exposure-") and "0.0.0.0:11434" in a["message"]
          for a in r["alerts"]), "an exposure alert for 0.0.0.0:11434")
# the simulator itself: its executable, hashed (the capture's facts)
procs = [p for p in r["processes"] if p["comm"] == "chatty-tool"]
check(procs and all(p["exe"].endswith("/bin/chatty-tool") and p.get("sha256") for p in procs),
      f"chatty-tool processes {procs}")
check(r["completeness"]["verdict"] == "complete",
      f"completeness {json.dumps(r['completeness'])}")
check(r["summary"]["alerts"] == len(r["alerts"]), "summary alerts")
if fails:
    print("report.json:", *fails, sep="\n  ", file=sys.stderr)
    sys.exit(1)
PY
}

@test "eval prints the text report, which names each finding" {
	lab_with_demo
	eval_sim
	for want in api.mixpanel.com huggingface.co "$ROOT_HOME/.ssh/id_ed25519" 0.0.0.0:11434 \
		telemetry-mixpanel file-credentials download-huggingface; do
		grep -qF -- "$want" "$EVAL_OUT" || { echo "eval's output lacks $want" >&2; false; }
		grep -qF -- "$want" "$OUTDIR/report.txt" ||
			{ echo "report.txt lacks $want" >&2; false; }
	done
	# the simulator wrote into the throwaway home, never into root's own
	[ "$(stat -c %s "$DEMO/home/$DEMO_MODEL_STORE/chatty-7b.Q4_0.gguf")" -eq \
		$((DEMO_MODEL_MIB * 1024 * 1024)) ]
	[ ! -e "$ROOT_HOME/$DEMO_MODEL_STORE/chatty-7b.Q4_0.gguf" ]
}

@test "make demo's script: the report, the HTML report's path, and nothing left behind" {
	local out="$BATS_TEST_TMPDIR/demo-out" log="$BATS_TEST_TMPDIR/demo.log" srv cli
	timeout -s INT 120 env BUILD="$BUILD" DEMO_OUT="$out" "$REPO/tools/demo/demo.sh" \
		>"$log" 2>&1 </dev/null 3>&- || { cat "$log" >&2; false; }
	grep -qF "demo: HTML report: $out/report.html" "$log"
	[ -s "$out/report.html" ] && [ -s "$out/report.json" ]
	grep -qF telemetry-mixpanel "$log"
	# its lab is gone: both namespaces and the client's /etc/netns directory
	srv=$(sed -n 's/^demo: the test lab is up: network namespaces \(lwlab-srv-[^ ]*\) and \(lwlab-cli-[^ ,]*\), .*/\1/p' "$log")
	cli=$(sed -n 's/^demo: the test lab is up: network namespaces \(lwlab-srv-[^ ]*\) and \(lwlab-cli-[^ ,]*\), .*/\2/p' "$log")
	[ -n "$srv" ] && [ -n "$cli" ]
	[ "$(ip netns list | grep -cE "^($srv|$cli)( |$)")" -eq 0 ]
	[ ! -e "/etc/netns/$cli" ]
}

@test "the simulator refuses to act outside the lab's network namespace" {
	lab_with_demo
	# the acting half, started in the host's namespace, naming the lab's
	run "$DEMO/bin/chatty-tool" --in-lab "$LAB_CLI"
	[ "$status" -eq 1 ]
	[[ "$output" == *"not inside the lab's network namespace $LAB_CLI"* ]]
	[[ "$output" != *"serving my API"* ]]
	run "$DEMO/bin/chatty-tool" --in-lab lwlab-cli-none-such
	[ "$status" -eq 1 ]
	[[ "$output" == *"/run/netns/lwlab-cli-none-such"* ]]
	# entering needs both halves of the lab named
	run "$DEMO/bin/chatty-tool" --lab "$LAB_CLI"
	[ "$status" -eq 2 ]
}
