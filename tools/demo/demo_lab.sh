# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash disable=SC2034 # the DEMO_ variables are for those who source it
# What the demo adds to a running test lab (tests/lab/lab.sh), for tools/demo/demo.sh and
# tests/e2e/65-eval-lab.bats: the "model" the lab's huggingface.co serves, a throwaway home
# with a fake SSH key, and a copy of the simulator outside every home directory (the
# simulator covers its user's home with the throwaway one, tools/demo/lab_enter.h).
#
# Sourced:  . tools/demo/demo_lab.sh; lab_up DIR; demo_plant SIM DIR
#           then: DIR/bin/chatty-tool --lab "$LAB_CLI" --home-from DIR/home --ca "$LAB_DIR/cert.pem"

# where the simulator fetches its model (tools/demo/chatty-tool.c CHATTY_MODEL_PATH)
DEMO_MODEL_PATH=chatty-demo/chatty-7B-GGUF/resolve/main/chatty-7b.Q4_0.gguf
DEMO_MODEL_MIB=4
# where it stores it, under its home (CHATTY_STORE)
DEMO_MODEL_STORE=.cache/chatty-tool/models

# demo_plant SIM DIR: the model in the lab's web root, DIR/home/.ssh/id_ed25519 (fake),
# DIR/bin/chatty-tool (a copy of SIM). DIR must not be under a home directory. 0 or 1.
demo_plant() {
	local sim=$1 dir=$2
	[ -n "${LAB_DIR:-}" ] || { echo "demo_plant: no lab (lab_up first)" >&2; return 1; }
	mkdir -p "$LAB_DIR/www/$(dirname "$DEMO_MODEL_PATH")" "$dir/home" "$dir/bin" || return 1
	# a GGUF v3 header with one key, general.name, then zeros
	/usr/bin/python3 - "$LAB_DIR/www/$DEMO_MODEL_PATH" "$DEMO_MODEL_MIB" <<'PY' || return 1
import struct, sys
def s(b): return struct.pack("<Q", len(b)) + b
head = b"GGUF" + struct.pack("<IQQ", 3, 0, 1) + s(b"general.name") + struct.pack("<I", 8) \
    + s(b"chatty demo (not a model)")
with open(sys.argv[1], "wb") as f:
    f.write(head + b"\0" * (int(sys.argv[2]) * 1024 * 1024 - len(head)))
PY
	mkdir -m 700 "$dir/home/.ssh" || return 1
	cat >"$dir/home/.ssh/id_ed25519" <<'KEY' || return 1
-----BEGIN OPENSSH PRIVATE KEY-----
FAKE: written by llmwatch's `make demo` for its simulator to read. Not a key.
-----END OPENSSH PRIVATE KEY-----
KEY
	chmod 600 "$dir/home/.ssh/id_ed25519" || return 1
	cp "$sim" "$dir/bin/chatty-tool"
}
