#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Installs the Debian packages llmwatch needs to build and test, and only those missing.
# Called by `make deps`, by the README's first commands and by .ci/run.
set -euo pipefail

# build: BPF compiler, skeleton generator, libraries the binary links against (libncurses-dev:
# ncursesw for the live view's screen)
# (libsystemd: journal entries and sd_notify; libssl: SHA-256 and TLS to syslog collectors)
build_pkgs=(make gcc clang llvm pkg-config bpftool libbpf-dev libelf-dev zlib1g-dev
	libcjson-dev libncurses-dev libsystemd-dev libssl-dev)
# test: bats, the network lab (namespaces, DNS, TLS, HTTP), io_uring, sanitizer and fuzzing
# runtime, the quality gates (format-check, lint), the real log daemons the sinks are tested
# against (a standalone systemd-journald and journalctl, rsyslogd with its TLS driver), and
# a real browser the HTML report is rendered in (chromium, headless), and the terminal the
# live view is driven in (tmux)
test_pkgs=(bats iproute2 dnsmasq-base openssl curl python3 liburing-dev libclang-rt-14-dev
	procps util-linux clang-format clang-tidy cppcheck systemd rsyslog rsyslog-openssl
	chromium tmux)
# make demo: the build, and what the network lab needs (tools/demo/demo.sh, tests/lab/lab.sh)
demo_pkgs=(iproute2 dnsmasq-base openssl python3)
# kernel matrix (issue 5): qemu and a static busybox for the initramfs
matrix_pkgs=(qemu-system-x86 busybox-static cpio)

want=("${build_pkgs[@]}")
case "${1:-all}" in
build) ;;
demo) want+=("${demo_pkgs[@]}") ;;
test) want+=("${test_pkgs[@]}") ;;
all) want+=("${test_pkgs[@]}" "${matrix_pkgs[@]}") ;;
*) echo "usage: $0 [build|demo|test|all]" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null; then SUDO=sudo; else
		echo "install-deps: missing packages: ${missing[*]}; run this script as root" >&2
		exit 2
	fi
else SUDO=; fi
echo "install-deps: installing ${missing[*]}" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
