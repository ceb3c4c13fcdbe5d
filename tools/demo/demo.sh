#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# `make demo`: what llmwatch says about a chatty inference tool, on a machine with none.
# Brings up the test lab (tests/lab/lab.sh: DNS, TLS and HTTP servers in network
# namespaces of its own, with no route out), and runs the simulator (tools/demo/chatty-tool.c)
# under `llmwatch eval` inside it: the simulator listens on 0.0.0.0:11434, reads a fake
# ~/.ssh/id_ed25519 planted in a throwaway home, phones home to api.mixpanel.com over TLS
# and downloads a "model" from huggingface.co, all of them the lab's. Then the report is
# printed (by eval) with the path of its HTML version. Whatever happens, the lab is taken
# down and the temporary directory removed. Needs root (BPF programs, namespaces).
#
#   tools/demo/demo.sh    BUILD: the build directory (default build); DEMO_OUT: where eval
#                         writes (default $BUILD/demo-<UTC time>)
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$REPO/$BUILD" ;; esac
LLMWATCH=$BUILD/llmwatch
SIM=$BUILD/demo/chatty-tool

say() { printf 'demo: %s\n' "$*"; }
die() {
	printf 'demo: %s\n' "$*" >&2
	exit 1
}

# --- can it run here? -----------------------------------------------------------------
if [ "$(id -u)" -ne 0 ]; then
	die "needs root: it loads llmwatch's BPF programs and creates network namespaces.
      Run: sudo make demo   (or make demo, which asks for sudo)"
fi
[ -r /sys/kernel/btf/vmlinux ] || die "needs a kernel with BTF (/sys/kernel/btf/vmlinux)"
missing=
for c in ip dnsmasq openssl python3 mktemp; do
	command -v "$c" >/dev/null || missing="$missing $c"
done
[ -z "$missing" ] || die "missing:$missing; tools/install-deps.sh demo installs them"
for f in "$LLMWATCH" "$SIM"; do
	[ -x "$f" ] || die "$f is not built: run make demo (it builds it)"
done
"$LLMWATCH" eval --help >/dev/null 2>&1 ||
	die "$LLMWATCH has no eval verb (llmwatch eval --help fails): rebuild from a tree that has it"

# --- the lab and the throwaway home ---------------------------------------------------
# shellcheck source=tests/lab/lab.sh disable=SC1091
. "$REPO/tests/lab/lab.sh"
# shellcheck source=tools/demo/demo_lab.sh disable=SC1091
. "$REPO/tools/demo/demo_lab.sh"
# outside any home: the simulator covers its user's home with the throwaway one
TMP=$(mktemp -d /tmp/llmwatch-demo.XXXXXX)

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	set +e
	lab_down
	rm -rf "$TMP"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# shellcheck disable=SC2034 # read by lab_up: the lab belongs to this shell
LAB_OWNER=$$
lab_up "$TMP/lab" >/dev/null || die "the lab did not come up (see the messages above)"

demo_plant "$SIM" "$TMP" || die "could not plant the model and the fake key in $TMP"

home=$(getent passwd 0 | cut -d: -f6)
OUT=${DEMO_OUT:-$BUILD/demo-$(date -u +%Y%m%dT%H%M%SZ)}
cat <<EOF
demo: the test lab is up: network namespaces $LAB_SRV and $LAB_CLI, whose only
      network is each other (DNS for api.mixpanel.com and huggingface.co, TLS, HTTP).
demo: running chatty-tool, a simulator of a chatty inference tool, under llmwatch eval.
      It runs in the lab's network namespace and in a mount namespace of its own, where
      ${home:-the home} is a throwaway directory holding a fake ~/.ssh/id_ed25519: your
      files and your network are not touched. It listens on 0.0.0.0:11434, reads that
      key, phones home to api.mixpanel.com over TLS, and downloads a ${DEMO_MODEL_MIB} MiB "model"
      from huggingface.co.

EOF

# Runs as root: entering the lab needs it (the simulator makes its namespaces itself).
# Ctrl-C is eval's: the first stops recording and still writes the report.
rc=0
trap 'echo "demo: interrupted: llmwatch eval writes what it saw"' INT
"$LLMWATCH" eval --as-root --out "$OUT" -- "$TMP/bin/chatty-tool" --lab "$LAB_CLI" \
	--home-from "$TMP/home" --ca "$LAB_DIR/cert.pem" || rc=$?
# the person who asked for sudo can open and remove the results
if [ -d "$OUT" ] && [ -n "${SUDO_UID:-}" ] && [ -n "${SUDO_GID:-}" ]; then
	chown -R "$SUDO_UID:$SUDO_GID" "$OUT"
fi
echo
if [ -f "$OUT/report.html" ]; then
	say "HTML report: $OUT/report.html"
elif [ -d "$OUT" ]; then
	say "no HTML report was written in $OUT (see llmwatch's messages above)"
fi
[ -d "$OUT" ] && say "the capture and every report: $OUT"
case $rc in
0) ;;
1) die "llmwatch eval exited 1: the evidence is incomplete (the report's completeness says why)" ;;
*) die "llmwatch eval exited $rc: nothing was recorded" ;;
esac
