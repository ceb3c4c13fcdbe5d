/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The records that cross the ring buffer: the only definition, shared by the BPF programs,
 * user space, the tests and (later) the capture file format.
 *
 * Rules for this file:
 *  - only fixed-width types and fixed arrays, so both compilers lay records out the same;
 *  - record type numbers and loss-reason numbers are pinned: never renumber or reuse one,
 *    old captures must stay readable;
 *  - a change to a record's layout bumps LW_RECORD_VERSION;
 *  - every record starts with struct lw_rec_hdr, whose `size` is the number of bytes the
 *    producer actually sent (records with a path are cut after the path's NUL); producers
 *    on both sides fill it with lw_rec_hdr_init().
 */
#ifndef LLMWATCH_EVENTS_H
#define LLMWATCH_EVENTS_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#include <linux/bpf.h> /* struct bpf_spin_lock */
#endif

#define LW_RECORD_VERSION 1

#define LW_COMM_LEN 16
/* Long enough for any path the kernel accepts (PATH_MAX); longer reads are flagged. */
#define LW_PATH_MAX 4096
/* sizeof(((struct sockaddr_un *)0)->sun_path) */
#define LW_UNIX_PATH_MAX 108

/* Record types. Pinned numbers: append only. */
#define LW_REC_EXEC 1	    /* a watched process executed a program (or a candidate did) */
#define LW_REC_FORK 2	    /* a watched process created a child process */
#define LW_REC_EXIT 3	    /* a watched process exited (its last thread) */
#define LW_REC_CONNECT 4    /* connect(2), or a connect that bypassed it (io_uring) */
#define LW_REC_BIND 5	    /* bind(2) */
#define LW_REC_LISTEN 6	    /* listen(2), with the socket's local address */
#define LW_REC_SEND 7	    /* a datagram sent to an explicit destination (sendto/sendmsg) */
#define LW_REC_OPEN 8	    /* openat(2) / openat2(2) */
#define LW_REC_CONN_BYTES 9 /* bytes sent on one connection or datagram flow, when it closes */
#define LW_REC_PAYLOAD 10   /* first bytes of a watched connection: DNS answers, stream heads */
#define LW_REC_TYPE_MAX 11  /* one past the highest type */

/* lw_rec_hdr.flags */
#define LW_F_CGROUP_HOOK (1u << 0)   /* seen by a cgroup sock_addr hook, not a syscall */
#define LW_F_TRUNCATED (1u << 1)     /* a path or address was longer than its field */
#define LW_F_READ_FAILED (1u << 2)   /* user memory could not be read; fields are partial */
#define LW_F_CANDIDATE (1u << 3)     /* tracked by executable name, awaiting confirmation */
#define LW_F_KERNEL_PATH (1u << 4)   /* open: path as the kernel resolved it (absolute) */
#define LW_F_BELOW_SYSCALL (1u << 5) /* open: seen by the file-open hook, not a syscall */
/*
 * send: the first datagram of a flow (socket, destination): the kernel counts this one and
 * those that follow, and reports them all in the flow's LW_REC_CONN_BYTES record (protocol
 * IPPROTO_UDP), so its bytes are not to be added again. Without it, a send stands alone
 * (DNS queries, AF_UNIX, a full flow table, and every send of a capture made before flows).
 */
#define LW_F_FLOW_FIRST (1u << 6)

/* Why a process is tracked (lw_rec_exec.match, lw_tracked.reason). */
#define LW_MATCH_NONE 0
#define LW_MATCH_NAME 1	     /* its executable name is a candidate name */
#define LW_MATCH_INHERITED 2 /* its parent was tracked when it forked */
#define LW_MATCH_USER 3	     /* user space added it (/proc scan, --pid) */

/*
 * Loss reasons. Each failure in the kernel increments one slot of the per-CPU `losses`
 * array, at index type * LW_LOSS_REASON_MAX + reason.
 */
#define LW_LOSS_RESERVE 0 /* the ring buffer was full */
#define LW_LOSS_READ 1	  /* a probe read of user or kernel memory failed */
#define LW_LOSS_MAP 2	  /* a map update failed (a table was full) */
#define LW_LOSS_UNHOOKED \
	3 /* a watched connection the cgroup programs did not see (with
				 * --cgroups watched, made before they reached its cgroup): its
				 * bytes and name are not known */
#define LW_LOSS_LOOKUP \
	4 /* a lookup that should not fail did (the per-CPU scratch
				 * area, the zeroes, an entry just inserted): nowhere to build
				 * the record or keep what it needed */
#define LW_LOSS_REASON_MAX 5
#define LW_LOSS_SLOTS (LW_REC_TYPE_MAX * LW_LOSS_REASON_MAX)

/* Common header: 48 bytes. */
struct lw_rec_hdr {
	__u16 type;   /* LW_REC_* */
	__u16 size;   /* bytes in this record, header included */
	__u8 version; /* LW_RECORD_VERSION */
	__u8 flags;   /* LW_F_* */
	__u16 tool;   /* profile id from the tracked map; 0 = none */
	__u64 ts_ns;  /* CLOCK_BOOTTIME nanoseconds */
	__u32 pid;    /* thread-group id of the process the record is about */
	__u32 tid;    /* thread that made the call (0 if not in process context) */
	__u32 uid;    /* its real uid */
	__u32 reserved;
	char comm[LW_COMM_LEN]; /* the thread's comm at the time: untrusted bytes */
};

/*
 * Fills h for a record about process pid made outside that process's context: by a BPF
 * program in softirq or on another task, or by user space (a connection flushed at exit).
 * Such a record has no thread, uid or comm: tid and uid are 0, comm is empty, flags 0.
 * size is the record's size, or 0 where the sender sets it (lw_emit). The one place
 * a header is filled field by field; BPF's lw_fill_hdr() starts from it too.
 */
static inline __attribute__((always_inline)) void
lw_rec_hdr_init(struct lw_rec_hdr *h, __u16 type, __u16 size, __u16 tool, __u32 pid, __u64 ts_ns)
{
	h->type = type;
	h->size = size;
	h->version = LW_RECORD_VERSION;
	h->flags = 0;
	h->tool = tool;
	h->ts_ns = ts_ns;
	h->pid = pid;
	h->tid = 0;
	h->uid = 0;
	h->reserved = 0;
	__builtin_memset(h->comm, 0, sizeof(h->comm));
}

/* A socket address in one shape for both families. */
struct lw_sockaddr {
	__u16 family;	/* AF_INET, AF_INET6, AF_UNIX, or 0 when none */
	__u16 port;	/* host byte order */
	__u32 scope_id; /* IPv6 scope */
	__u8 addr[16];	/* IPv4 in the first 4 bytes, IPv6 whole */
};

struct lw_rec_exec {
	struct lw_rec_hdr hdr;
	__u32 ppid;
	__u32 match;	    /* LW_MATCH_* */
	__u16 filename_len; /* bytes in filename, without the NUL */
	__u16 pad[3];
	char filename[LW_PATH_MAX]; /* as passed to execve: untrusted */
};

struct lw_rec_fork {
	struct lw_rec_hdr hdr; /* hdr.pid is the parent */
	__u32 child_pid;
	__u32 pad;
};

struct lw_rec_exit {
	struct lw_rec_hdr hdr;
	__s32 exit_code; /* as wait(2) reports it */
	__u32 pad;
};

/* connect, bind and send share one layout. */
struct lw_rec_sock {
	struct lw_rec_hdr hdr;
	__s32 fd;		 /* -1 when the hook has no fd (cgroup hooks) */
	__s32 ret;		 /* syscall result; 0 from cgroup hooks */
	__u64 bytes;		 /* send: bytes sent (or requested when ret < 0) */
	__u64 cookie;		 /* socket cookie, joins LW_REC_CONN_BYTES; 0 if unknown */
	struct lw_sockaddr addr; /* connect/send: destination; bind: local address */
	__u16 sock_type;	 /* SOCK_STREAM, SOCK_DGRAM, ...; 0 if unknown */
	__u16 unix_path_len;
	__u32 pad;
	char unix_path[LW_UNIX_PATH_MAX]; /* AF_UNIX only; abstract names start with NUL */
	__u8 pad2[4];
};

struct lw_rec_listen {
	struct lw_rec_hdr hdr;
	__s32 fd;
	__s32 ret;
	__s32 backlog;
	__u32 pad;
	struct lw_sockaddr local; /* family 0 if the socket could not be read */
};

/*
 * An open. From the syscall tracepoints: dfd, flags and mode as passed, ret the syscall's
 * result (fd or -errno), path as passed, or with LW_F_KERNEL_PATH the path the kernel
 * resolved (where the fexit hook on security_file_open loads). With LW_F_BELOW_SYSCALL
 * the open reached the kernel another way (io_uring, open(2), open_by_handle_at): path is
 * the kernel's, flags the file's f_flags, dfd AT_FDCWD, mode 0, and ret the permission
 * check's result (0 allowed, -errno refused), as no descriptor exists yet.
 */
struct lw_rec_open {
	struct lw_rec_hdr hdr;
	__s32 dfd;   /* directory fd; AT_FDCWD (-100) for the working directory */
	__s32 ret;   /* fd or -errno (see above) */
	__u64 flags; /* O_* open flags */
	__u32 mode;
	__u16 path_len; /* bytes in path, without the NUL */
	__u16 is_openat2;
	char path[LW_PATH_MAX]; /* as passed by the process, or the kernel's: untrusted */
};

#define LW_CLOSE_TCP 1	   /* the TCP connection reached CLOSE */
#define LW_CLOSE_EXIT 2	   /* flushed by user space when the owner exited */
#define LW_CLOSE_END 3	   /* flushed by user space at shutdown */
#define LW_CLOSE_RELEASE 4 /* the datagram socket was closed (its flows, its conns entry) */
#define LW_CLOSE_INTERIM 5 /* a long-lived flow's count so far; it goes on (see below) */

/*
 * A connection's bytes (TCP, or a connected UDP socket), or a datagram flow's: the
 * datagrams one socket sent to one destination, counted in the kernel (the first also
 * comes as a LW_REC_SEND with LW_F_FLOW_FIRST). Counts are totals since the flow's first
 * datagram, that one included: a long-lived flow reports its totals so far every
 * LW_FLOW_INTERIM_S seconds (LW_CLOSE_INTERIM; looked at every 64th datagram) and its
 * final ones when it ends, so a
 * reader keeps a flow's last record (cookie and daddr name the flow).
 */
#define LW_FLOW_INTERIM_S 60
struct lw_rec_conn_bytes {
	struct lw_rec_hdr hdr; /* hdr.pid is the process that opened the connection */
	__u64 cookie;
	__u64 bytes; /* payload bytes sent, transport headers excluded */
	__u64 packets;
	struct lw_sockaddr daddr;
	__u32 reason;  /* LW_CLOSE_* */
	__u8 protocol; /* IPPROTO_UDP for a datagram flow; 0 for a connection (records
			 * before flows had a pad of zeroes here: same layout, version 1) */
	__u8 pad[3];
};

/*
 * Bytes captured from a watched process's connections, for naming the far end: the first
 * LW_CAPTURE_OUT bytes each TCP connection sends (TLS ClientHello, HTTP request head), and
 * the DNS answers it receives. Bounded: one record holds at most LW_PAYLOAD_MAX bytes.
 */
#define LW_PAYLOAD_MAX 1024
#define LW_CAPTURE_OUT 2048
#define LW_DIR_OUT 1
#define LW_DIR_IN 2

struct lw_rec_payload {
	struct lw_rec_hdr hdr; /* hdr.pid is the process that opened the connection */
	__u64 cookie;
	struct lw_sockaddr remote; /* the far end */
	__u8 direction;		   /* LW_DIR_* */
	__u8 protocol;		   /* IPPROTO_TCP or IPPROTO_UDP */
	__u16 len;		   /* bytes in data */
	__u32 offset;		   /* where data starts in its stream (TCP; 0 for the first, and
				 * for UDP): out, the bytes sent; in, the bytes received */
	__u8 data[LW_PAYLOAD_MAX]; /* untrusted */
};

/* Value of the tracked-process map (key: tgid). */
struct lw_tracked {
	__u16 tool;	/* profile id */
	__u16 reason;	/* LW_MATCH_* */
	__u32 root_pid; /* the tracked ancestor whose tree this belongs to */
};

/*
 * The tracked map's filter (`track_filter`, an mmap-able array): one byte per possible tgid,
 * non-zero wherever `tracked` may hold that tgid, so that an unwatched process's syscall is
 * answered by one load from an array instead of a hash lookup. Entry k holds the bytes of
 * tgids 64k..64k+63. Written with plain byte stores from both sides, and by user space with
 * one atomic AND that clears LW_FILTER_UNMARKED (a locked read-modify-write of that byte
 * alone, so a store the kernel makes meanwhile is never undone). A tgid is below the kernel's
 * PID_MAX_LIMIT on 64-bit, so 65,536 blocks cover every tgid; user space sizes the map to
 * kernel.pid_max, and a tgid past its end is looked up in `tracked` as before.
 */
#define LW_FILTER_TRACKED 0x1 /* `tracked` may hold the tgid */
/*
 * The process may hold datagram sockets that nothing marked yet (made before it was
 * watched: a candidate's exec keeps its descriptors), until user space has marked them
 * (sock_marks.c). Meanwhile its send exits report a datagram on an unmarked socket
 * themselves, since the egress program does not see it.
 */
#define LW_FILTER_UNMARKED 0x2
#define LW_TRACK_FILTER_SPAN 64
#define LW_PID_LIMIT (4u << 20)
struct lw_track_filter_block {
	__u8 tracked[LW_TRACK_FILTER_SPAN];
};

/* Value of the connection map (key: socket cookie), filled by the cgroup hooks; a TCP
 * connection may be kept in its socket's storage instead (struct lw_sock_conn). */
#define LW_CONN_DNS (1u << 0) /* the far end is port 53: capture what it answers */

struct lw_conn {
	__u32 pid;
	__u16 tool;
	__u16 flags; /* LW_CONN_* */
	__u64 bytes;
	__u64 packets;
	struct lw_sockaddr daddr;
	__u32 captured; /* bytes of the stream head already sent up */
	__u32 sk_flow;	/* LW_SK_FLOW_*: in a datagram socket's own storage only, else 0 */
};

/*
 * A datagram socket's first counted flow may be counted in the socket's own storage
 * (struct lw_sock_conn's conn: daddr, bytes, packets), which the egress program has already
 * found for the packet, instead of in its `flows` entry, a hash lookup per datagram. The
 * egress program claims it once per socket, under lw_sock_flows.lock, when a flow of the
 * socket already in `flows` gets its next datagram: it flags that entry LW_FLOW_IN_SOCK,
 * writes the destination and then LW_SK_FLOW_READY. The destination never changes after
 * that, so a datagram counted there is always that flow's. A datagram that does not match it
 * (another destination, or one sent before READY) is counted in `flows` as before: a flow's
 * totals are its entry's plus, when the entry is flagged, the storage's. Where the socket's
 * close is not seen (no cgroup/sock_release program: 5.10), nothing is claimed.
 */
#define LW_SK_FLOW_NONE 0
#define LW_SK_FLOW_READY 1

/*
 * A watched socket's own storage (the `conn_marks` socket-storage map): what the packet
 * programs find on the socket, NULL for every socket nobody marked. mark says what it is:
 * LW_MARK_MAP, a socket with (or that may get) a `conns` entry (a DNS query, a UDP connect,
 * TCP where the close cannot read socket storage: 5.10); LW_MARK_FLOWS, a UDP socket with
 * datagram flows only; LW_MARK_CONN, a TCP connection kept here itself (conn, cookie), with
 * no `conns` entry; LW_MARK_DONE, such a connection already reported (closed, or flushed at
 * its owner's exit or the stop). User space writes LW_MARK_FLOWS on a socket a process held
 * before it was watched.
 */
#define LW_MARK_MAP 0
#define LW_MARK_FLOWS 1
#define LW_MARK_CONN 2
#define LW_MARK_DONE 3

struct lw_sock_conn {
	struct lw_conn conn; /* LW_MARK_CONN */
	__u64 cookie;	     /* the socket's: set by its connect (LW_MARK_CONN), else 0 until a
			      * packet program needed it (lw_skb_cookie) */
	/*
	 * The TCP close and the flush's walk may run at once on two CPUs: each moves
	 * LW_MARK_CONN to LW_MARK_DONE with one compare-and-swap of both words (state), and
	 * only the one that moved it reports the connection.
	 */
	union {
		struct {
			__u32 mark;	 /* LW_MARK_* */
			__u32 flush_gen; /* LW_MARK_DONE by the flush: which one (lw_iter_conns) */
		};
		__u64 state;
	};
};

_Static_assert(__builtin_offsetof(struct lw_sock_conn, state) % 8 == 0,
	       "lw_sock_conn.state: a compare-and-swap needs it 8-byte aligned");

/*
 * The datagram-flow map (key: socket cookie and destination), filled by the kernel and
 * flushed by user space like the connection map: one entry per (socket, destination) a
 * watched process sent unconnected datagrams to (DNS excepted: its queries stay records).
 * The destination is the normalised one the packets carry: IPv4-mapped IPv6 as AF_INET,
 * no scope id.
 */
struct lw_flow_key {
	__u64 cookie;
	struct lw_sockaddr daddr;
};

/* lw_flow.flags: more of the flow's counts are in its socket's storage (LW_SK_FLOW_READY) */
#define LW_FLOW_IN_SOCK (1u << 0)
/*
 * lw_flow.flags, the kernel's alone: the flow's destination is not in its socket's list
 * (struct lw_sock_flows, full), so it can never be the storage's flow: not asked again.
 */
#define LW_FLOW_NO_CLAIM (1u << 1)

struct lw_flow {
	__u32 pid;
	__u16 tool;
	__u16 flags;   /* LW_FLOW_* */
	__u64 bytes;   /* payload bytes sent, the first datagram's included */
	__u64 packets; /* datagrams sent */
	__u64 last_ns; /* BOOTTIME of its first datagram, then of its last interim report */
};

/*
 * The datagram flows of one socket, in the socket's own storage (key: the socket), so
 * that its close finds them without a walk of the flow map: the owner (the process that
 * made the socket, or that user space found holding it) and the first LW_SOCK_FLOWS
 * destinations; those past them are reported at the owner's exit or the stop, and
 * overflow says there are some. User space writes a fresh one (n 0) for a socket a
 * process held before it was watched.
 */
#define LW_SOCK_FLOWS 4

struct lw_sock_flows {
	__u64 cookie; /* the socket's */
	__u32 pid;
	__u16 tool;
	__u16 pad;
	__u32 n; /* destinations recorded in dst, at most LW_SOCK_FLOWS */
	__u32 overflow;
	struct lw_sockaddr dst[LW_SOCK_FLOWS];
	struct bpf_spin_lock lock; /* the claim of the socket's storage flow (LW_SK_FLOW_*) */
	__u32 sk_flow_claimed;	   /* under lock: 1 once the socket's storage holds a flow */
};

#define LW_STATIC_SIZE(t, n) \
	_Static_assert(sizeof(t) == (n), #t " layout changed: bump LW_RECORD_VERSION")
LW_STATIC_SIZE(struct lw_rec_hdr, 48);
LW_STATIC_SIZE(struct lw_sockaddr, 24);
LW_STATIC_SIZE(struct lw_rec_exec, 48 + 16 + LW_PATH_MAX);
LW_STATIC_SIZE(struct lw_rec_fork, 56);
LW_STATIC_SIZE(struct lw_rec_exit, 56);
LW_STATIC_SIZE(struct lw_rec_sock, 48 + 24 + 24 + 8 + LW_UNIX_PATH_MAX + 4);
LW_STATIC_SIZE(struct lw_rec_listen, 48 + 16 + 24);
LW_STATIC_SIZE(struct lw_rec_open, 48 + 24 + LW_PATH_MAX);
LW_STATIC_SIZE(struct lw_rec_conn_bytes, 48 + 24 + 24 + 8);
LW_STATIC_SIZE(struct lw_tracked, 8);
LW_STATIC_SIZE(struct lw_track_filter_block, 64);
LW_STATIC_SIZE(struct lw_conn, 56);
LW_STATIC_SIZE(struct lw_sock_conn, 72);
LW_STATIC_SIZE(struct lw_flow_key, 32);
LW_STATIC_SIZE(struct lw_flow, 32);
LW_STATIC_SIZE(struct lw_sock_flows, 24 + 24 * LW_SOCK_FLOWS + 8);
LW_STATIC_SIZE(struct lw_rec_payload, 48 + 8 + 24 + 8 + LW_PAYLOAD_MAX);

#endif /* LLMWATCH_EVENTS_H */
