/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A decoded record: the view the rules engine and every sink read. Built by event_decode()
 * (event.c) from a ring-buffer record that has been size-checked, and enriched from the
 * process table and (issue 4) the host-name cache. Strings point into the record or the
 * process table and live only as long as the callback that receives the event.
 */
#ifndef LW_EVENT_H
#define LW_EVENT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "llmwatch/events.h"

/*
 * A summary of identical alerts (same rules, tool and subject) folded within a window
 * (monitor/alert_fold.c): the first was written when it came, the others only counted. The
 * summary is written as a copy of the window's last alert carrying this (lw_event.fold).
 */
struct lw_fold {
	uint64_t count;		     /* alerts in the window, the first (written) included */
	struct timespec first, last; /* CLOCK_REALTIME of the first and of the last */
	uint32_t window_s;	     /* the window's length (--fold-window) */
};

/*
 * Event kinds user space makes itself, never the kernel (so never in the ring buffer or a
 * capture): numbered from 256, above every record type, so the two never collide. Every
 * sink writes them like the others, by their name (event_type_name()).
 */
#define LW_EV_LOSSES 256 /* events were lost since the last such alert (monitor/loss_alert.c) */
#define LW_EV_LAST LW_EV_LOSSES

/* Slots for counting by kind: the record types, then the user-side kinds in order. */
#define LW_EV_KINDS (LW_REC_TYPE_MAX + (LW_EV_LAST - LW_EV_LOSSES + 1))

struct stats_loss_report; /* core/stats.h */

struct lw_event {
	uint16_t type;	      /* LW_REC_* */
	uint8_t flags;	      /* LW_F_* */
	uint64_t ts_boot_ns;  /* as recorded, CLOCK_BOOTTIME */
	struct timespec wall; /* the same instant in CLOCK_REALTIME */

	uint32_t pid, tid, ppid, uid;
	uint16_t tool_id;	    /* 0: none */
	const char *tool;	    /* profile name, "" when none */
	char comm[LW_COMM_LEN + 1]; /* NUL-terminated copy: untrusted bytes */
	const char *exe;	    /* executable path from the process table, "" if unknown */
	/*
	 * Why the process is watched, on its first event after user space started watching it
	 * for what it maps ("runtime:*" tools): the mapped file. NULL otherwise. Untrusted.
	 */
	const char *evidence;
	/*
	 * What the rules may ask about the process (docs/rules.md, "Processes"), from the
	 * process table: read from /proc once per watched program, never for anything else.
	 * Untrusted bytes. NULL or "" when unknown; an unknown value matches no condition.
	 */
	const char *parent_exe;	 /* the parent's executable, "" if unknown */
	const char *parent_comm; /* the parent's name, "" if unknown */
	const char *argv;	 /* command line, arguments joined by spaces; NULL: unknown */
	uint8_t argv_state;	 /* enum event_argv_state */
	const char *root_argv;	 /* the same for the root of the watched tree */
	uint8_t root_argv_state;
	uint8_t netns; /* enum event_netns */

	/* connect, bind, listen, send, conn_bytes */
	const struct lw_sockaddr *addr; /* NULL for other types */
	const char *unix_path;		/* AF_UNIX: not NUL-terminated, see unix_path_len */
	size_t unix_path_len;
	int32_t fd;
	int64_t ret;	    /* syscall result: >= 0 or -errno */
	uint64_t bytes;	    /* send: bytes; conn_bytes: payload bytes sent */
	uint32_t sock_type; /* conn_bytes: SOCK_DGRAM for a datagram flow, else 0 (unsaid) */

	/* open */
	const char *path; /* NUL-terminated, untrusted */
	size_t path_len;
	uint64_t open_flags;
	int32_t dfd;

	/* exec */
	const char *filename; /* NUL-terminated, untrusted */
	uint32_t match;	      /* LW_MATCH_* */

	/* exit */
	int32_t exit_code;

	/* listen */
	int32_t backlog;

	/* conn_bytes */
	uint64_t cookie;
	uint64_t packets;
	uint32_t close_reason; /* LW_CLOSE_*; a flow's counts are its totals so far */

	/* host naming (issue 4): NULL host means not known */
	const char *host;
	const char *host_source; /* "dns", "sni", "http", "rule", "none" */

	/* payload (addr is the far end, cookie the connection): untrusted bytes */
	const uint8_t *payload;
	size_t payload_len;
	uint32_t payload_offset;   /* where payload starts in the outbound stream */
	uint8_t payload_direction; /* LW_DIR_* */
	uint8_t payload_protocol;  /* IPPROTO_TCP or IPPROTO_UDP */

	/* set on a fold summary (see struct lw_fold); NULL on every event as it happened */
	const struct lw_fold *fold;
	/* LW_EV_LOSSES: what was lost since the last loss alert, and in all */
	const struct stats_loss_report *losses;
};

/* What an event's argv (or root_argv) holds. */
enum event_argv_state {
	EVENT_ARGV_UNKNOWN, /* not read, or unreadable (the process was gone): argv NULL */
	EVENT_ARGV_FULL,    /* the whole command line */
	EVENT_ARGV_CUT,	    /* only its first bytes: the rest did not fit */
};

/* Whether the event's process shares the host's network namespace. */
enum event_netns {
	EVENT_NETNS_UNKNOWN, /* not read, or unreadable */
	EVENT_NETNS_HOST,    /* the host's (PID 1's, or llmwatch's own if that was unreadable) */
	EVENT_NETNS_OTHER,   /* another one: a container's, or one made with unshare -n */
};

/*
 * Checks that data[0..len) is a well-formed record of a known type and version and fills
 * ev from it. Pointers in ev point into data. Process-table fields (ppid, exe, tool name)
 * are left for the caller: tool is "", exe is "".
 * Returns 0, -EPROTO for an unknown version, -ENOMSG for an unknown type, or -EBADMSG when
 * the record is shorter than its type needs or a length field points outside it.
 */
int event_decode(const void *data, size_t len, struct lw_event *ev);

/* Name of a record type or user-side kind ("connect", "open", "events_lost"), or "unknown". */
const char *event_type_name(unsigned int type);

/* The counting slot of a record type or kind, in [0, LW_EV_KINDS), or -1 if unknown. */
int event_kind_slot(unsigned int type);

/* The record type or kind counted in slot (the inverse of event_kind_slot()). */
unsigned int event_slot_kind(unsigned int slot);

#endif /* LW_EVENT_H */
