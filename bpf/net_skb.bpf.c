// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Per-connection bytes and payload heads from cgroup_skb egress/ingress (the stream heads
 * that name a far end, DNS answers), and the TCP close that reports a connection's count.
 */
#include "net.bpf.h"

/* ---- bytes per connection ------------------------------------------------------------ */

#define IPPROTO_TCP 6
#define IPPROTO_UDP 17
#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD

/*
 * Where the transport payload starts in a packet (skb->data is the network header in
 * cgroup_skb programs) and which protocol carries it. Returns the offset, or 0 if the
 * packet is not TCP or UDP over IP.
 */
static __always_inline __u32 lw_payload_offset(struct __sk_buff *skb, __u8 *proto)
{
	__u32 off;
	__u8 b;

	if (skb->protocol == bpf_htons(ETH_P_IP)) {
		if (bpf_skb_load_bytes(skb, 0, &b, 1) || bpf_skb_load_bytes(skb, 9, proto, 1))
			return 0;
		off = (b & 0x0f) * 4;
	} else if (skb->protocol == bpf_htons(ETH_P_IPV6)) {
		if (bpf_skb_load_bytes(skb, 6, proto, 1))
			return 0;
		off = 40; /* extension headers are rare on these flows */
	} else {
		return 0;
	}
	if (*proto == IPPROTO_TCP) {
		if (bpf_skb_load_bytes(skb, off + 12, &b, 1))
			return 0;
		return off + (b >> 4) * 4;
	}
	if (*proto == IPPROTO_UDP)
		return off + 8;
	return 0;
}

/* Sends up to LW_PAYLOAD_MAX payload bytes of this packet as a payload record. */
static __always_inline void lw_capture(struct __sk_buff *skb, struct lw_conn *c, __u64 cookie,
				       __u32 off, __u32 want, __u8 proto, __u8 dir,
				       __u32 stream_off)
{
	struct lw_rec_payload *r;
	__u64 n = want; /* 64-bit: no zero-extended copy for the verifier to lose */

	if (n > LW_PAYLOAD_MAX)
		n = LW_PAYLOAD_MAX;
	r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (!r) {
		lw_count_loss(LW_REC_PAYLOAD, LW_LOSS_RESERVE);
		return;
	}
	/* may run in softirq: no current task; the header names the connection's owner */
	lw_rec_hdr_init(&r->hdr, LW_REC_PAYLOAD, sizeof(*r), c->tool, c->pid,
			bpf_ktime_get_boot_ns());
	r->cookie = cookie;
	r->remote = c->daddr;
	r->direction = dir;
	r->protocol = proto;
	r->offset = stream_off;
	if (n == 0)
		goto fail;
	/*
	 * 1 <= n <= LW_PAYLOAD_MAX, on the very register the helper gets (see
	 * lw_read_sockaddr). Older verifiers (5.10, 6.1) learn no lower bound from n != 0 and
	 * refuse a size that may be 0, so bound n - 1 and add the 1 back.
	 */
	n -= 1;
	asm volatile("%[n] &= 0x3ff" : [n] "+r"(n));
	n += 1;
	if (bpf_skb_load_bytes(skb, off, r->data, n))
		goto fail;
	r->len = n;
	/* a payload record is a whole LW_PAYLOAD_MAX record; the tail past len is unused */
	bpf_ringbuf_submit(r, lw_wakeup_flags(sizeof(*r)));
	return;
fail:
	lw_count_loss(LW_REC_PAYLOAD, LW_LOSS_READ);
	bpf_ringbuf_discard(r, BPF_RB_NO_WAKEUP);
}

/* A read-only view of a kernel object (6.2 on): a move once verified, no call. */
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym __weak;

/*
 * Whether the packet's socket is one of a watched process's connections. Every packet of
 * the machine passes here, so the test is a socket-local storage read (a pointer that is
 * NULL for every socket we never marked), not a cookie and a hash lookup. The storage
 * helpers take a socket that may not be a full one (5.10 on) and answer NULL for a
 * request or time-wait socket themselves: no bpf_sk_fullsock() call first.
 * With cast (lw_cg_egress_cast, where bpf_rdonly_cast() exists), the socket's own storage
 * pointer is read first, NULL for every socket no BPF program gave storage to, so an
 * unwatched socket's packet makes no helper call (the helper's NULL cost ~40 ns a packet
 * on a VM that pays SRSO's safe RET: docs/perf-notes.md); a socket with storage of any map
 * goes on to the helper. A request or time-wait socket is a smaller object: what is read
 * there (a faulting read reads 0) only decides whether to ask the helper, which answers
 * NULL for them anyway.
 */
static __always_inline struct lw_sock_conn *lw_skb_marked(struct __sk_buff *skb,
							  struct bpf_sock **skp, const bool cast)
{
	struct bpf_sock *sk = skb->sk;

	if (!sk)
		return NULL;
	if (cast) {
		struct sock *ks = bpf_rdonly_cast(sk, bpf_core_type_id_kernel(struct sock));

		if (!ks->sk_bpf_storage)
			return NULL;
	}
	*skp = sk;
	return bpf_sk_storage_get(&conn_marks, sk, 0, 0);
}

/*
 * The socket's cookie, kept in its storage by the first packet that needed it (a connect
 * on the socket-storage path sets it there at once): the helper call, ~15 ns, is paid once
 * a socket instead of once a packet. A socket's cookie never changes.
 */
static __always_inline __u64 lw_skb_cookie(struct __sk_buff *skb, struct lw_sock_conn *sc)
{
	__u64 cookie = sc->cookie;

	if (!cookie) {
		cookie = bpf_get_socket_cookie(skb);
		sc->cookie = cookie;
	}
	return cookie;
}

/*
 * The first datagram of a flow, as a send the egress program saw: no syscall result or
 * descriptor (as for io_uring's), the socket's owner as the process.
 */
static __always_inline void lw_flow_first(const struct lw_flow_key *k, const struct lw_flow *f,
					  __u64 bytes, __u8 flags)
{
	struct lw_rec_sock r = {};

	/* may run in softirq or in another task: the header names the socket's owner */
	lw_rec_hdr_init(&r.hdr, LW_REC_SEND, 0, f->tool, f->pid, bpf_ktime_get_boot_ns());
	r.hdr.flags = LW_F_CGROUP_HOOK | flags;
	/* the sender's own context (not io_uring's worker, another process's or softirq) */
	if (lw_skb_task && bpf_get_current_pid_tgid() >> 32 == f->pid) {
		r.hdr.tid = (__u32)bpf_get_current_pid_tgid();
		r.hdr.uid = (__u32)bpf_get_current_uid_gid();
		bpf_get_current_comm(r.hdr.comm, sizeof(r.hdr.comm));
	}
	r.fd = -1;
	r.bytes = bytes;
	r.cookie = k->cookie;
	r.addr = k->daddr;
	r.sock_type = SOCK_DGRAM;
	lw_emit(&r, offsetof(struct lw_rec_sock, unix_path), sizeof(r));
}

/*
 * A marked socket's datagram with no flow yet (lw_flow_egress): a DNS query makes the
 * socket's connection entry, so that the answers are captured; any other datagram starts
 * its flow, counted from this one, and is reported as the flow's first. A full table is
 * counted, and the datagram reported on its own.
 */
static __always_inline void lw_flow_begin(struct bpf_sock *sk, struct lw_sock_conn *sc,
					  const struct lw_flow_key *k, __u32 len)
{
	struct lw_sock_flows *sf = bpf_sk_storage_get(&sock_flows, sk, 0, 0);
	struct lw_flow f = {};
	struct lw_flow *old;
	long err;

	if (!sf)
		return; /* marked by a connect, not a datagram socket's creation */
	f.pid = sf->pid;
	f.tool = sf->tool;
	if (k->daddr.port == 53) {
		struct lw_conn c = {};

		c.pid = sf->pid;
		c.tool = sf->tool;
		c.flags = LW_CONN_DNS;
		c.daddr = k->daddr;
		c.bytes = len;
		c.packets = 1;
		if (bpf_map_update_elem(&conns, &k->cookie, &c, BPF_NOEXIST))
			lw_count_loss(LW_REC_CONN_BYTES, LW_LOSS_MAP);
		else
			sc->mark = LW_MARK_MAP; /* the ingress program looks for the answers now */
		return;
	}
	f.bytes = len;
	f.packets = 1;
	f.last_ns = bpf_ktime_get_boot_ns();
	err = bpf_map_update_elem(&flows, k, &f, BPF_NOEXIST);
	if (err == -EEXIST) {
		/* another CPU's datagram started it just now */
		old = bpf_map_lookup_elem(&flows, k);
		if (old) {
			__sync_fetch_and_add(&old->bytes, len);
			__sync_fetch_and_add(&old->packets, 1);
		}
		return;
	}
	if (err) {
		lw_count_loss(LW_REC_CONN_BYTES, LW_LOSS_MAP);
		lw_flow_first(k, &f, len, 0);
		return;
	}
	sf->cookie = k->cookie;
	lw_sock_flows_add(sf, &k->daddr);
	lw_flow_first(k, &f, len, LW_F_FLOW_FIRST);
}

#define LW_FLOW_CLOCK_EVERY 64

/*
 * Makes sc count the flow f (to k's destination) from now on, if the socket's storage
 * holds no flow yet (see LW_SK_FLOW_*): once per socket, under its flows' lock, so that two
 * CPUs with two destinations cannot both claim it, and only for a destination the socket's
 * list holds, which its close reports. f is flagged first, so a report that finds the
 * storage ready also finds the flag.
 */
static __always_inline void lw_sk_flow_claim(struct bpf_sock *sk, struct lw_sock_conn *sc,
					     struct lw_flow *f, const struct lw_flow_key *k)
{
	struct lw_sock_flows *sf = bpf_sk_storage_get(&sock_flows, sk, 0, 0);
	const __u64 *b = (const __u64 *)&k->daddr;
	__u64 b0 = b[0], b1 = b[1], b2 = b[2];
	__u32 won = 0, listed = 0, claimed, n;

	if (!sf)
		return;
	bpf_spin_lock(&sf->lock);
	n = sf->n;
	claimed = sf->sk_flow_claimed;
	for (__u32 i = 0; i < LW_SOCK_FLOWS; i++) {
		const __u64 *a = (const __u64 *)&sf->dst[i];

		if (i < n && a[0] == b0 && a[1] == b1 && a[2] == b2) {
			listed = 1;
			break;
		}
	}
	if (!claimed && listed) {
		sf->sk_flow_claimed = 1;
		won = 1;
	}
	bpf_spin_unlock(&sf->lock);
	/*
	 * A destination the full list does not hold can never be the storage's flow: its
	 * datagrams stop asking (one storage lookup and a lock each, until another flow won).
	 */
	if (!listed)
		f->flags |= LW_FLOW_NO_CLAIM;
	if (!won)
		return;
	f->flags |= LW_FLOW_IN_SOCK;
	sc->conn.daddr = k->daddr;
	asm volatile("" ::: "memory");
	*(volatile __u32 *)&sc->conn.sk_flow = LW_SK_FLOW_READY;
}

/* A long-lived flow's totals so far, every LW_FLOW_INTERIM_S seconds. */
static __always_inline void lw_flow_interim(const struct lw_flow_key *k, struct lw_flow *f,
					    const struct lw_sock_conn *sc)
{
	__u64 now = bpf_ktime_get_boot_ns();

	if (now - f->last_ns >= LW_FLOW_INTERIM_NS) {
		/* two CPUs may both report: totals, so a repeat is harmless */
		f->last_ns = now;
		lw_flow_report(k, f, sc, LW_CLOSE_INTERIM);
	}
}

/*
 * Counts a datagram of a marked socket that is not a connection: in its flow, found by
 * the destination the packet carries (the kernel's copy, io_uring's sends included).
 * Reports a long-lived flow's totals every LW_FLOW_INTERIM_S seconds.
 */
static __always_inline void lw_flow_count(struct __sk_buff *skb, struct bpf_sock *sk,
					  struct lw_sock_conn *sc, __u64 cookie)
{
	struct lw_flow_key k = {};
	struct lw_flow *f;
	__u32 off, len;
	__u16 port;

	/*
	 * The IP header whole, in one load (a helper call each, ~10 ns, for its length,
	 * protocol and destination was most of what a datagram cost here), then the port.
	 */
	if (skb->protocol == bpf_htons(ETH_P_IP)) {
		__u8 ip[20];

		if (bpf_skb_load_bytes(skb, 0, ip, sizeof(ip)) || ip[9] != IPPROTO_UDP)
			return;
		off = (ip[0] & 0x0f) * 4 + 8;
		k.daddr.family = AF_INET;
		__builtin_memcpy(k.daddr.addr, &ip[16], 4);
	} else if (skb->protocol == bpf_htons(ETH_P_IPV6)) {
		__u8 ip6[40];

		/* extension headers are rare on these flows (as in lw_payload_offset) */
		if (bpf_skb_load_bytes(skb, 0, ip6, sizeof(ip6)) || ip6[6] != IPPROTO_UDP)
			return;
		off = 40 + 8;
		k.daddr.family = AF_INET6;
		__builtin_memcpy(k.daddr.addr, &ip6[24], 16);
	} else {
		return;
	}
	/* the UDP header's destination port, 8 bytes before the payload */
	if (bpf_skb_load_bytes(skb, off - 6, &port, 2))
		return;
	k.daddr.port = bpf_ntohs(port);
	k.cookie = cookie;
	len = skb->len > off ? skb->len - off : 0;
	/*
	 * The socket's own flow, counted in the storage found already: no `flows` lookup (a
	 * 32-byte key hashed, a bucket of a 1 MiB array), which was half of this program's time.
	 * The clock only every LW_FLOW_CLOCK_EVERY datagrams: a read costs ~85 ns here, more
	 * than the rest of the count (a flow slower than that is reported when it ends).
	 */
	if (lw_sk_flow_is(sc, &k.daddr)) {
		__sync_fetch_and_add(&sc->conn.bytes, len);
		__sync_fetch_and_add(&sc->conn.packets, 1);
		if (sc->conn.packets % LW_FLOW_CLOCK_EVERY)
			return;
		f = bpf_map_lookup_elem(&flows, &k);
		if (f)
			lw_flow_interim(&k, f, sc);
		return;
	}
	f = bpf_map_lookup_elem(&flows, &k);
	if (!f) {
		if (lw_flow_egress)
			lw_flow_begin(sk, sc, &k, len);
		return;
	}
	/* the flow's second datagram: its socket's storage counts the rest, if still free */
	if (lw_flow_egress && sc->conn.sk_flow == LW_SK_FLOW_NONE && !(f->flags & LW_FLOW_NO_CLAIM))
		lw_sk_flow_claim(sk, sc, f, &k);
	__sync_fetch_and_add(&f->bytes, len);
	__sync_fetch_and_add(&f->packets, 1);
	if (f->packets % LW_FLOW_CLOCK_EVERY)
		return;
	lw_flow_interim(&k, f, sc);
}

/* A packet out: its connection's or flow's count, and the head of a TCP stream. */
static __always_inline int lw_egress(struct __sk_buff *skb, const bool cast)
{
	struct bpf_sock *sk = NULL;
	struct lw_sock_conn *sc;
	struct lw_conn *c;
	__u32 off, len, captured, mark;
	__u64 cookie;
	__u8 proto = 0;

	sc = lw_skb_marked(skb, &sk, cast);
	if (!sc || !sk)
		return 1;
	mark = sc->mark;
	if (mark == LW_MARK_CONN) {
		/* the connection itself: no cookie, no lookup */
		c = &sc->conn;
		cookie = sc->cookie;
	} else if (mark == LW_MARK_DONE) {
		return 1; /* reported already */
	} else {
		cookie = lw_skb_cookie(skb, sc);
		/* a UDP socket with flows only: no connection entry to look for */
		c = mark == LW_MARK_FLOWS ? NULL : bpf_map_lookup_elem(&conns, &cookie);
		if (!c) {
			lw_flow_count(skb, sk, sc, cookie);
			return 1;
		}
	}
	off = lw_payload_offset(skb, &proto);
	len = off && skb->len > off ? skb->len - off : 0;
	__sync_fetch_and_add(&c->bytes, len);
	__sync_fetch_and_add(&c->packets, 1);
	/* the head of each outbound TCP stream names its far end (SNI, Host:) */
	captured = c->captured;
	if (proto == IPPROTO_TCP && len && captured < LW_CAPTURE_OUT && !(c->flags & LW_CONN_DNS)) {
		__u32 n = len < LW_CAPTURE_OUT - captured ? len : LW_CAPTURE_OUT - captured;

		c->captured = captured + n;
		lw_capture(skb, c, cookie, off, n, proto, LW_DIR_OUT, captured);
	}
	return 1;
}

/*
 * Two programs for one hook, told apart by name (user space loads one): this one on
 * kernels without bpf_rdonly_cast() (5.10, 6.1), the next where it exists.
 */
SEC("cgroup_skb/egress")
int lw_cg_egress(struct __sk_buff *skb)
{
	return lw_egress(skb, false);
}

SEC("cgroup_skb/egress")
int lw_cg_egress_cast(struct __sk_buff *skb)
{
	return lw_egress(skb, true);
}

/* Records a TCP DNS segment is sent in, at most: 4 KiB; the rest shows as a gap. */
#define LW_DNS_TCP_CHUNKS 4

/*
 * Whether an inbound packet may be a DNS answer: its source port is 53 (LW_CONN_DNS's far
 * end). Read in place from the headers the kernel has just handled, a few loads, so that
 * every other packet the machine receives skips the receiving socket's storage (a line of
 * the socket nothing else on the receive path reads; docs/perf-notes.md). A port past the
 * packet's linear part says "may": the storage decides, as before. Not TCP or UDP right
 * after the IP header: lw_payload_offset() would find no payload either.
 */
static __always_inline bool lw_skb_from_dns_port(struct __sk_buff *skb)
{
	__u8 *data = (__u8 *)(long)skb->data;
	__u8 *end = (__u8 *)(long)skb->data_end;
	__be16 *sport;
	__u32 off;
	__u8 proto;

	if (skb->protocol == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (struct iphdr *)data;

		if ((__u8 *)(ip + 1) > end)
			return true;
		off = (ip->ihl & 0x0f) * 4;
		proto = ip->protocol;
	} else if (skb->protocol == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (struct ipv6hdr *)data;

		if ((__u8 *)(ip6 + 1) > end)
			return true;
		off = sizeof(*ip6);
		proto = ip6->nexthdr;
	} else {
		return false;
	}
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return false;
	sport = (__be16 *)(data + off);
	if ((__u8 *)(sport + 1) > end)
		return true;
	return *sport == bpf_htons(53);
}

/* DNS answers to a watched process: the names behind the addresses it will connect to. */
SEC("cgroup_skb/ingress")
int lw_cg_ingress(struct __sk_buff *skb)
{
	struct bpf_sock *sk = NULL;
	struct lw_sock_conn *sc;
	struct lw_conn *c;
	__u32 off, len, mark;
	__u64 cookie;
	__u8 proto = 0;

	if (!lw_skb_from_dns_port(skb))
		return 1;
	/* only a connection's entry (a DNS query's) asks for what comes in */
	sc = lw_skb_marked(skb, &sk, false);
	if (!sc)
		return 1;
	mark = sc->mark;
	if (mark == LW_MARK_CONN) {
		c = &sc->conn; /* DNS over TCP */
		cookie = sc->cookie;
	} else if (mark == LW_MARK_MAP) {
		cookie = lw_skb_cookie(skb, sc);
		c = bpf_map_lookup_elem(&conns, &cookie);
	} else {
		return 1;
	}
	if (!c || !(c->flags & LW_CONN_DNS))
		return 1;
	off = lw_payload_offset(skb, &proto);
	len = off && skb->len > off ? skb->len - off : 0;
	if (!len)
		return 1;
	if (proto == IPPROTO_TCP) {
		/*
		 * DNS over TCP is a stream: an answer may span segments and a segment hold
		 * several answers. Send the segment whole, in records that say where they
		 * start in the stream, so user space can join them (a gap shows as a jump).
		 * DNS connections send no head of their own, so `captured` counts received bytes.
		 */
		__u32 rx = c->captured;

		c->captured = rx + len;
#pragma unroll
		for (int k = 0; k < LW_DNS_TCP_CHUNKS; k++) {
			__u32 done = k * LW_PAYLOAD_MAX;

			if (done >= len)
				break;
			lw_capture(skb, c, cookie, off + done, len - done, proto, LW_DIR_IN,
				   rx + done);
		}
		return 1;
	}
	lw_capture(skb, c, cookie, off, len, proto, LW_DIR_IN, 0);
	return 1;
}

/* A connection's record: its totals, reason LW_CLOSE_*. */
static __always_inline void lw_conn_report(const struct lw_conn *c, __u64 cookie, __u32 reason)
{
	struct lw_rec_conn_bytes r = {};

	/* may run in softirq, not in the owner's context: the header names the owner */
	lw_rec_hdr_init(&r.hdr, LW_REC_CONN_BYTES, sizeof(r), c->tool, c->pid,
			bpf_ktime_get_boot_ns());
	r.cookie = cookie;
	r.bytes = c->bytes;
	r.packets = c->packets;
	r.daddr = c->daddr;
	r.reason = reason;
	lw_emit(&r, sizeof(r), sizeof(r));
}

/*
 * A socket with a `conns` entry closed: report the entry and free it, if this delete took
 * it. User space's flush at an owner's exit takes entries the same way (map_flush.c), and
 * the socket may close while it runs: whichever delete succeeds reports, once.
 */
static __always_inline void lw_conn_take(__u64 cookie, __u32 reason)
{
	struct lw_conn *cp, c;

	cp = bpf_map_lookup_elem(&conns, &cookie);
	if (!cp)
		return;
	c = *cp;
	if (!bpf_map_delete_elem(&conns, &cookie))
		lw_conn_report(&c, cookie, reason);
}

/*
 * A TCP connection of a watched process closed (kept in `conns`): report what it sent. A
 * BTF tracepoint, like the one below: the cookie is a plain load, not a probe read, and the
 * kernel builds no trace record for each state change of every socket of the machine (the
 * classic tracepoint's cost, paid by everyone).
 */
SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(lw_tcp_state, struct sock *sk, int oldstate, int newstate)
{
	__u64 cookie;

	if (newstate != TCP_CLOSE)
		return 0;
	/* 0 for a socket whose cookie nobody asked for: not one a connect hook saw */
	cookie = sk->__sk_common.skc_cookie.counter;
	if (cookie)
		lw_conn_take(cookie, LW_CLOSE_TCP);
	return 0;
}

/*
 * Moves a connection kept in socket storage from LW_MARK_CONN to LW_MARK_DONE (with
 * *flush_gen, for the flush; else the generation it had): true if this call moved it, so
 * that the caller reports it, false if it was not LW_MARK_CONN or another CPU (the close,
 * or the flush's walk) moved it first. One compare-and-swap (5.12 on; the loader keeps
 * these programs to kernels whose iterator probe loads one).
 */
static __always_inline bool lw_conn_sk_take(struct lw_sock_conn *sc, const __u32 *flush_gen)
{
	struct lw_sock_conn was, now;

	was.state = sc->state;
	if (was.mark != LW_MARK_CONN)
		return false;
	now.mark = LW_MARK_DONE;
	now.flush_gen = flush_gen ? *flush_gen : was.flush_gen;
	return __sync_val_compare_and_swap(&sc->state, was.state, now.state) == was.state;
}

/*
 * The same where the connection is kept in its socket's storage (lw_conn_sk): a BTF
 * tracepoint, which may read socket storage (5.11 on; the classic one may not).
 */
SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(lw_tcp_state_sk, struct sock *sk, int oldstate, int newstate)
{
	struct lw_sock_conn *sc;

	if (newstate != TCP_CLOSE)
		return 0;
	sc = bpf_sk_storage_get(&conn_marks, sk, 0, 0);
	if (sc && lw_conn_sk_take(sc, NULL))
		lw_conn_report(&sc->conn, sc->cookie, LW_CLOSE_TCP);
	return 0;
}

/* Set by user space before each flush: whose connections (0: all), and which flush. */
__u32 lw_iter_pid = 0;
__u32 lw_iter_gen = 0;

/*
 * The flush of the connections kept in socket storage (lw_conn_sk), at an owner's exit or
 * the stop: a walk of `conn_marks` that writes each open connection of lw_iter_pid as a
 * record (user space sets the reason and the time) and marks it reported, so that its
 * close says nothing more. A socket whose record did not fit the read is shown again in
 * the next one: those this flush marked are written again.
 */
SEC("iter/bpf_sk_storage_map")
int lw_iter_conns(struct bpf_iter__bpf_sk_storage_map *ctx)
{
	struct lw_sock_conn *sc = ctx->value;
	struct lw_rec_conn_bytes r = {};
	__u32 pid = lw_iter_pid, gen = lw_iter_gen;

	if (!sc || !ctx->sk || (pid && sc->conn.pid != pid))
		return 0;
	/* this flush's own, shown again; else only one this walk takes from the close */
	if (!(sc->mark == LW_MARK_DONE && sc->flush_gen == gen) && !lw_conn_sk_take(sc, &gen))
		return 0;
	lw_rec_hdr_init(&r.hdr, LW_REC_CONN_BYTES, sizeof(r), sc->conn.tool, sc->conn.pid, 0);
	r.cookie = sc->cookie;
	r.bytes = sc->conn.bytes;
	r.packets = sc->conn.packets;
	r.daddr = sc->conn.daddr;
	bpf_seq_write(ctx->meta->seq, &r, sizeof(r));
	return 0;
}

/*
 * A watched process made a UDP socket (lw_flow_egress): mark it, so that the egress
 * program sees its datagrams, and note its owner for the flows. Once per socket, where a
 * sendmsg hook would run (and lock the socket) for every datagram of the machine.
 */
SEC("cgroup/sock_create")
int lw_cg_sock_create(struct bpf_sock *ctx)
{
	struct lw_sock_flows *sf;
	struct lw_tracked *t;
	struct lw_sock_conn *sc;
	__u32 tgid;

	if (ctx->type != SOCK_DGRAM || ctx->protocol != IPPROTO_UDP)
		return 1;
	t = lw_tracked_current(&tgid);
	if (!t)
		return 1;
	sf = bpf_sk_storage_get(&sock_flows, ctx, 0, BPF_SK_STORAGE_GET_F_CREATE);
	sc = sf ? bpf_sk_storage_get(&conn_marks, ctx, 0, BPF_SK_STORAGE_GET_F_CREATE) : NULL;
	if (!sc) {
		/* its datagrams will not be seen */
		lw_count_loss(LW_REC_CONN_BYTES, LW_LOSS_MAP);
		return 1;
	}
	sc->mark = LW_MARK_FLOWS;
	sf->pid = tgid;
	sf->tool = t->tool;
	return 1;
}

/*
 * A datagram socket closed: report its `conns` entry if it has one (connected, or a DNS
 * query's socket; left to the owner's exit, each DNS lookup of a long-lived tool, glibc
 * connecting a new socket for each, kept an entry until then, and the table filled), and
 * the datagram flows its storage lists (those past LW_SOCK_FLOWS wait for the owner's exit
 * or the stop, when user space walks the table). Each only if this delete took it, as
 * lw_conn_take().
 */
SEC("cgroup/sock_release")
int lw_cg_sock_release(struct bpf_sock *ctx)
{
	struct lw_sock_flows *sf;
	struct lw_sock_conn *sc;
	struct lw_flow_key k = {};
	struct lw_flow *f, fc;

	/*
	 * Only datagram sockets are reported here: every TCP socket of the machine (two a
	 * loopback connection) leaves before the storage lookup, a helper call of ~25 ns; a
	 * TCP connection's close is lw_tcp_state's. Every socket with flows has this storage
	 * too (made before the flow list is), so an unwatched socket pays one lookup.
	 */
	if (ctx->type != SOCK_DGRAM)
		return 1;
	sc = bpf_sk_storage_get(&conn_marks, ctx, 0, 0);
	if (!sc)
		return 1;
	if (sc->mark == LW_MARK_MAP)
		lw_conn_take(sc->cookie ? sc->cookie : bpf_get_socket_cookie(ctx),
			     LW_CLOSE_RELEASE);
	sf = bpf_sk_storage_get(&sock_flows, ctx, 0, 0);
	if (!sf)
		return 1;
	/* the counts of the flow the socket's storage keeps (LW_SK_FLOW_*) */
	k.cookie = sf->cookie;
	for (__u32 i = 0; i < LW_SOCK_FLOWS; i++) {
		if (i >= sf->n)
			break;
		k.daddr = sf->dst[i];
		f = bpf_map_lookup_elem(&flows, &k);
		if (!f)
			continue; /* flushed by user space already */
		fc = *f;
		if (!bpf_map_delete_elem(&flows, &k))
			lw_flow_report(&k, &fc, sc, LW_CLOSE_RELEASE);
	}
	return 1;
}
