/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The capture file's layout (docs/capture-format.md), shared by the writer and the reader:
 * a file header, then blocks, each a block header, a zlib-compressed payload and a SHA-256
 * chained over the previous block's. Integers are little-endian, as on every host llmwatch
 * builds for (the header carries a byte-order mark that the reader checks).
 */
#ifndef LW_CAPTURE_FORMAT_H
#define LW_CAPTURE_FORMAT_H

#include <stdint.h>

#define CAPTURE_MAGIC "LWCAPT\r\n" /* 8 bytes; \r\n finds a file mangled by a text transfer */
#define CAPTURE_MAGIC_LEN 8
#define CAPTURE_VERSION 1		/* this writer's; the reader reads 1..CAPTURE_VERSION */
#define CAPTURE_BOM 0x01020304u		/* read back as 0x04030201 on a big-endian host */
#define CAPTURE_BLOCK_MAGIC 0x4b42574cu /* "LWBK" */
#define CAPTURE_HASH_LEN 32		/* SHA-256 */

/* Limits the reader checks before allocating anything; the writer stays well inside them. */
#define CAPTURE_META_MAX (64u << 10)	    /* the header's text */
#define CAPTURE_BLOCK_RAW_MAX (4u << 20)    /* a block's uncompressed payload */
#define CAPTURE_BLOCK_STORED_MAX (5u << 20) /* its compressed payload (zlib's worst case) */

/* Block kinds. Pinned numbers: append only. */
#define CAPTURE_BLOCK_RECORDS 1 /* ring-buffer records end to end, as events.h lays them */
#define CAPTURE_BLOCK_PROCS 2	/* processes already running: struct capture_proc + exe */
#define CAPTURE_BLOCK_LOSSES 3	/* loss counters at a point in time: capture_losses + u64s */
#define CAPTURE_BLOCK_FOOTER 4	/* the seal of a clean stop: struct capture_footer */
#define CAPTURE_BLOCK_FACTS 5	/* what the live run learned: capture_fact_hdr entries */

/* 24 bytes, then meta_len bytes of "key=value\n" text. */
struct capture_file_header {
	char magic[CAPTURE_MAGIC_LEN];
	uint32_t bom;		 /* CAPTURE_BOM */
	uint16_t version;	 /* CAPTURE_VERSION */
	uint16_t record_version; /* LW_RECORD_VERSION of the records */
	uint32_t meta_len;	 /* bytes of text after this header, <= CAPTURE_META_MAX */
	uint32_t reserved;
};

/* 32 bytes, then stored_len bytes of payload, then the block's SHA-256. */
struct capture_block_header {
	uint32_t magic;	     /* CAPTURE_BLOCK_MAGIC */
	uint16_t kind;	     /* CAPTURE_BLOCK_* */
	uint16_t flags;	     /* CAPTURE_BF_* */
	uint32_t stored_len; /* payload bytes in the file */
	uint32_t raw_len;    /* payload bytes once uncompressed */
	uint32_t count;	     /* records, processes or counters in it */
	uint32_t reserved;
	uint64_t seq; /* 0 for the first block, one more each block */
};

#define CAPTURE_BF_ZLIB (1u << 0) /* the payload is a zlib stream; else stored as is */

/* One running process (CAPTURE_BLOCK_PROCS), followed by exe_len bytes of its exe path. */
struct capture_proc {
	uint32_t pid, ppid, uid, root_pid;
	uint16_t tool; /* profile id, named by the header's profile.N lines */
	uint16_t exe_len;
	char comm[16];
	uint32_t reserved;
};

/* CAPTURE_BLOCK_LOSSES: this, then n_kernel + n_user uint64_t counters. */
struct capture_losses {
	uint64_t ts_ns;	   /* CLOCK_BOOTTIME of the snapshot */
	uint32_t n_kernel; /* the kernel's type x reason slots (LW_LOSS_SLOTS when written) */
	uint32_t n_user;   /* the user side's, in stats_loss_counters() order */
};

/* CAPTURE_BLOCK_FOOTER payload (never compressed). */
struct capture_footer {
	uint64_t blocks;       /* blocks before this one */
	uint64_t records;      /* records in them */
	uint64_t write_errors; /* blocks the writer failed to write (lost) */
	uint64_t lost_records; /* records in those */
	uint64_t end_ts_ns;    /* CLOCK_BOOTTIME at the stop */
};

/*
 * CAPTURE_BLOCK_FACTS: entries end to end, each starting with this header; len is the
 * entry's bytes, header included (a reader skips a type it does not know by it). Pinned
 * types, append only.
 */
struct capture_fact_hdr {
	uint16_t type; /* CAPTURE_FACT_* */
	uint16_t reserved;
	uint32_t len;
};

#define CAPTURE_FACT_PROC 1	 /* struct capture_fact_proc + its strings */
#define CAPTURE_FACT_EXE_HASH 2	 /* struct capture_fact_exe_hash */
#define CAPTURE_FACT_CONN_NAME 3 /* struct capture_fact_conn_name + its host */
#define CAPTURE_FACT_PROFILE 4	 /* struct capture_fact_profile + its name */

/* An executable file: all zero when not known. */
struct capture_exe_key {
	uint64_t dev, ino, size;
	int64_t mtime_ns;
};

/*
 * What the live monitor read from /proc about a watched process, and how it confirmed it
 * (core/procfacts.h), followed by exe_len, cmdline_len, parent_exe_len and evidence_len
 * bytes of those strings (no NULs), in that order.
 */
struct capture_fact_proc {
	struct capture_fact_hdr h;
	uint32_t pid, ppid, root_pid, uid;
	uint64_t start_ns, ts_ns;
	uint16_t tool;
	uint8_t origin, why, cmdline_state;
	uint8_t exe_from; /* CAPTURE_EXE_FROM_*: which file exe_key (and its hash) is */
	uint8_t reserved[2];
	uint64_t netns_ino, host_netns_ino;
	char comm[16], parent_comm[16];
	struct capture_exe_key exe_key; /* the file /proc/PID/exe was when it was first seen */
	uint16_t exe_len, cmdline_len, parent_exe_len, evidence_len;
};

/*
 * Where a process fact's exe_key came from. Pinned numbers (0 is what files written before
 * this field hold, and was always /proc/PID/exe).
 */
#define CAPTURE_EXE_FROM_PROC 0 /* /proc/PID/exe while it ran: the file it executes */
#define CAPTURE_EXE_FROM_PATH 1 /* gone before that: the file at its exe path, moments later */

/* The SHA-256 of an executable file, once per file and capture file. */
struct capture_fact_exe_hash {
	struct capture_fact_hdr h;
	struct capture_exe_key key;
	uint32_t status; /* CAPTURE_HASH_*: sha256 is meaningful only when OK */
	uint32_t reserved;
	unsigned char sha256[32];
};

/*
 * What naming decided from a connection's own first bytes (core/procfacts.h), followed by
 * host_len bytes of the name (no NUL; 0 with CONN_NAME_NONE).
 */
struct capture_fact_conn_name {
	struct capture_fact_hdr h;
	uint64_t cookie, ts_ns;
	uint32_t pid, root_pid;
	struct capture_sockaddr {
		uint16_t family, port; /* port in host order, as events.h's lw_sockaddr */
		uint32_t scope_id;
		uint8_t addr[16];
	} remote;
	uint8_t source; /* enum conn_name_source */
	uint8_t reserved;
	uint16_t host_len; /* at most 255 */
	uint32_t reserved2;
};

/*
 * A tool id the run added after the header was written ("runtime:KIND", found by
 * --runtime-scan), followed by name_len bytes of its name (no NUL): before the first
 * record or fact that carries the id, and again at the top of each rotated file.
 */
struct capture_fact_profile {
	struct capture_fact_hdr h;
	uint16_t id;
	uint16_t name_len; /* at most CAPTURE_PROFILE_NAME_MAX */
	uint32_t reserved;
};

#define CAPTURE_PROFILE_NAME_MAX 63

#define CAPTURE_HASH_OK 0
#define CAPTURE_HASH_UNREADABLE 1 /* a read of the file failed */

/* The longest strings a process fact holds: a path, a command line, an evidence. */
#define CAPTURE_FACT_STR_MAX 4096

_Static_assert(sizeof(struct capture_fact_hdr) == 8, "capture fact header layout");
_Static_assert(sizeof(struct capture_exe_key) == 32, "capture exe key layout");
_Static_assert(sizeof(struct capture_fact_proc) == 136, "capture fact proc layout");
_Static_assert(sizeof(struct capture_fact_exe_hash) == 80, "capture exe hash layout");
_Static_assert(sizeof(struct capture_fact_conn_name) == 64, "capture conn name layout");
_Static_assert(sizeof(struct capture_fact_profile) == 16, "capture profile fact layout");
_Static_assert(sizeof(struct capture_file_header) == 24, "capture header layout");
_Static_assert(sizeof(struct capture_block_header) == 32, "capture block header layout");
_Static_assert(sizeof(struct capture_proc) == 40, "capture proc layout");
_Static_assert(sizeof(struct capture_losses) == 16, "capture losses layout");
_Static_assert(sizeof(struct capture_footer) == 40, "capture footer layout");

#endif /* LW_CAPTURE_FORMAT_H */
