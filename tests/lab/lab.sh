#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The test lab: a small internet inside two network namespaces that this script creates,
# so end-to-end tests can run real clients (curl, openssl, python3) against real DNS, TLS
# and HTTP servers without a packet leaving the machine.
#
#   client namespace LAB_CLI            server namespace LAB_SRV
#   veth0 203.0.113.2/24  <-- veth -->  veth0 203.0.113.1/24  dnsmasq :53 (the resolver)
#         2001:db8:113::2/64                      2001:db8:113::1/64  dnsmasq :53 too
#   no other route                            203.0.113.10/32 api.mixpanel.com (DNS answer)
#   /etc/netns/LAB_CLI/resolv.conf            203.0.113.20/32 (no name anywhere)
#                                             203.0.113.30/32 huggingface.co (DNS answer)
#     -> nameserver 203.0.113.1               openssl s_server :443, python3 http.server :80
#                                             198-18-X-Y.synth.lab answered 198.18.X.Y (as
#                                             many distinct names as a test wants; no
#                                             server there)
#
# 203.0.113.0/24 is TEST-NET-3 (RFC 5737): never routed on the internet, yet outside every
# private range, so llmwatch classifies the lab servers as public addresses. 2001:db8::/32
# (RFC 3849) is IPv6's documentation prefix, for a resolver reached over IPv6. The client
# namespace's only route is the veth's /24: a lab client cannot reach anything else, and
# nothing here ever sends from the host namespace (whose default route leads outside).
#
# Sourced (bats):  . tests/lab/lab.sh; lab_up DIR; lab_run CMD...; lab_down
# As a script:     tests/lab/lab.sh up DIR   (prints the namespace names; state in DIR)
#                  tests/lab/lab.sh run DIR CMD...   (CMD inside the client namespace)
#                  tests/lab/lab.sh down DIR
# lab_down removes everything lab_up made (namespaces, /etc/netns dirs, servers), also
# after a partial lab_up, and may be called any number of times.

LAB_NET=203.0.113
LAB_DNS=$LAB_NET.1		# server side of the veth, and dnsmasq
LAB_DNS6=2001:db8:113::1	# the same over IPv6
LAB_CLI_ADDR6=2001:db8:113::2
LAB_CLI_ADDR=$LAB_NET.2		# client side of the veth
LAB_MIXPANEL=$LAB_NET.10	# what the lab's DNS answers for api.mixpanel.com
LAB_UNNAMED=$LAB_NET.20		# a server no DNS answer names
LAB_HF=$LAB_NET.30		# what the lab's DNS answers for huggingface.co (model downloads)
LAB_PY=/usr/bin/python3		# not a pyenv shim: the lab must not depend on a user's setup

# lab_names: unique names for this run: its owner's pid (LAB_OWNER, default this shell),
# the test number and a random tag.
lab_names() {
	local tag
	tag="${LAB_OWNER:-$$}-${BATS_TEST_NUMBER:-0}-$RANDOM"
	LAB_SRV="lwlab-srv-$tag"
	LAB_CLI="lwlab-cli-$tag"
}

# lab_retry N CMD...: CMD up to N times, 0.1 s apart, until it succeeds.
lab_retry() {
	local n=$1 i
	shift
	for ((i = 0; i < n; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# lab_listening PROTO PORT: a socket in the server namespace listens on PORT (tcp or udp).
lab_listening() {
	local opt=-ltnH
	[ "$1" = udp ] && opt=-lunH
	ip netns exec "$LAB_SRV" ss "$opt" "sport = :$2" 2>/dev/null | grep -q .
}

# lab_bg NAME CMD...: start CMD in the server namespace, output to LAB_DIR/NAME.log, and
# remember its pid for lab_down. `ip netns exec` execs CMD, so the pid is the server's.
lab_bg() {
	local name=$1
	shift
	ip netns exec "$LAB_SRV" "$@" >"$LAB_DIR/$name.log" 2>&1 </dev/null 3>&- &
	echo "$!" >>"$LAB_DIR/pids"
}

lab_save() {
	printf 'LAB_SRV=%q\nLAB_CLI=%q\nLAB_DIR=%q\n' "$LAB_SRV" "$LAB_CLI" "$LAB_DIR" \
		>"$LAB_DIR/lab.env"
}

# lab_reap: removes the namespaces of earlier labs whose creator is gone (a run killed
# before its teardown), with their servers and /etc/netns dirs. Labs of live runs stay.
lab_reap() {
	local ns owner pid
	for ns in $(ip netns list 2>/dev/null | awk '$1 ~ /^lwlab-(srv|cli)-[0-9]+-/ {print $1}'); do
		owner=${ns#lwlab-???-}
		owner=${owner%%-*}
		kill -0 "$owner" 2>/dev/null && continue
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null
		done
		rm -rf "/etc/netns/$ns"
		ip netns del "$ns" 2>/dev/null
	done
	return 0
}

# lab_up DIR: builds the lab; DIR (created) holds its state, certificate and logs.
# Returns 0 when every server answers, else 1 (after cleaning up what it made).
lab_up() {
	LAB_DIR=$1
	mkdir -p "$LAB_DIR/www" || return 1
	: >"$LAB_DIR/pids"
	lab_reap
	lab_names
	lab_save
	if ! lab_build; then
		echo "lab: setup failed; logs in $LAB_DIR" >&2
		for f in "$LAB_DIR"/*.log; do
			[ -s "$f" ] && sed "s|^|lab: $(basename "$f"): |" "$f" >&2
		done
		lab_down
		return 1
	fi
}

lab_build() {
	local ns
	ip netns add "$LAB_SRV" || return 1
	ip netns add "$LAB_CLI" || return 1
	# the pair is created inside the namespaces: no name is ever taken in the host's
	ip link add name veth0 netns "$LAB_SRV" type veth peer name veth0 netns "$LAB_CLI" ||
		return 1
	for ns in "$LAB_SRV" "$LAB_CLI"; do
		ip -n "$ns" link set lo up || return 1
		ip -n "$ns" link set veth0 up || return 1
	done
	ip -n "$LAB_SRV" addr add "$LAB_DNS/24" dev veth0 || return 1
	ip -n "$LAB_SRV" addr add "$LAB_MIXPANEL/32" dev veth0 || return 1
	ip -n "$LAB_SRV" addr add "$LAB_UNNAMED/32" dev veth0 || return 1
	ip -n "$LAB_SRV" addr add "$LAB_HF/32" dev veth0 || return 1
	ip -n "$LAB_CLI" addr add "$LAB_CLI_ADDR/24" dev veth0 || return 1
	# nodad: usable at once, not after duplicate address detection's second or so
	ip -n "$LAB_SRV" addr add "$LAB_DNS6/64" dev veth0 nodad || return 1
	ip -n "$LAB_CLI" addr add "$LAB_CLI_ADDR6/64" dev veth0 nodad || return 1
	# the guarantee everything else rests on: the client reaches the lab's /24 and nothing
	if [ -n "$(ip -n "$LAB_CLI" route show default)" ] ||
	   [ -n "$(ip -n "$LAB_CLI" -6 route show default)" ]; then
		echo "lab: the client namespace has a default route" >&2
		return 1
	fi

	mkdir -p "/etc/netns/$LAB_CLI" || return 1
	printf 'nameserver %s\noptions timeout:1 attempts:2\n' "$LAB_DNS" \
		>"/etc/netns/$LAB_CLI/resolv.conf" || return 1
	# an empty hosts file: names come from the lab's DNS only
	printf '127.0.0.1 localhost\n' >"/etc/netns/$LAB_CLI/hosts" || return 1

	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
		-subj /CN=api.mixpanel.com -addext "subjectAltName=DNS:api.mixpanel.com" \
		-keyout "$LAB_DIR/key.pem" -out "$LAB_DIR/cert.pem" \
		>"$LAB_DIR/openssl-req.log" 2>&1 || return 1
	echo "lab ok" >"$LAB_DIR/www/index.html"
	echo "lab ok" >"$LAB_DIR/www/track"

	lab_bg dnsmasq dnsmasq --no-daemon --conf-file=/dev/null --no-resolv --no-hosts \
		--user=root --group=root --pid-file="$LAB_DIR/dnsmasq.pid" \
		--listen-address="$LAB_DNS" --listen-address="$LAB_DNS6" --bind-interfaces \
		--log-queries \
		--host-record=api.mixpanel.com,"$LAB_MIXPANEL" \
		--host-record=huggingface.co,"$LAB_HF" --synth-domain=synth.lab,198.18.0.0/16 \
		--local=/#/
	lab_bg tls openssl s_server -quiet -www -accept 443 \
		-cert "$LAB_DIR/cert.pem" -key "$LAB_DIR/key.pem"
	lab_bg http "$LAB_PY" -m http.server --bind 0.0.0.0 --directory "$LAB_DIR/www" 80
	lab_retry 100 lab_listening udp 53 || return 1
	lab_retry 100 lab_listening tcp 443 || return 1
	lab_retry 100 lab_listening tcp 80 || return 1
}

# lab_run CMD...: CMD inside the client namespace (foreground).
lab_run() {
	ip netns exec "$LAB_CLI" "$@"
}

# lab_down: stops the servers, deletes the namespaces and /etc/netns/LAB_CLI.
lab_down() {
	local pid
	[ -n "${LAB_DIR:-}" ] || return 0
	if [ -f "$LAB_DIR/pids" ]; then
		while read -r pid; do
			kill "$pid" 2>/dev/null
		done <"$LAB_DIR/pids"
		while read -r pid; do
			lab_retry 30 lab_gone "$pid" || kill -KILL "$pid" 2>/dev/null
		done <"$LAB_DIR/pids"
		rm -f "$LAB_DIR/pids"
	fi
	if [ -n "${LAB_CLI:-}" ]; then
		case $LAB_CLI in lwlab-cli-*) rm -rf "/etc/netns/$LAB_CLI" ;; esac
		ip netns del "$LAB_CLI" 2>/dev/null
	fi
	[ -n "${LAB_SRV:-}" ] && ip netns del "$LAB_SRV" 2>/dev/null
	LAB_SRV='' LAB_CLI=''
	return 0
}

lab_gone() {
	! kill -0 "$1" 2>/dev/null
}

# As a script: up / run / down with the state kept in DIR.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -u
	cmd=${1:-}
	dir=${2:-}
	if [ -z "$cmd" ] || [ -z "$dir" ]; then
		echo "usage: $0 up|run|down DIR [CMD...]" >&2
		exit 2
	fi
	case $cmd in
	up)
		# the lab outlives this script: it belongs to the shell that called it
		LAB_OWNER=$PPID
		lab_up "$dir" || exit 1
		echo "server namespace $LAB_SRV, client namespace $LAB_CLI"
		;;
	run | down)
		# shellcheck disable=SC1091
		. "$dir/lab.env" || exit 1
		if [ "$cmd" = down ]; then
			lab_down
		else
			shift 2
			lab_run "$@"
		fi
		;;
	*)
		echo "usage: $0 up|run|down DIR [CMD...]" >&2
		exit 2
		;;
	esac
fi
