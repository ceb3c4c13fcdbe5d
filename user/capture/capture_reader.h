/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Reads a capture file (docs/capture-format.md), every version up to CAPTURE_VERSION,
 * bounded: each length is checked against the format's limits before anything is allocated
 * for it. Hands each block's contents to the caller's callbacks and says how whole the file
 * is: a torn last block ("block N at offset O: truncated", the blocks before it read), the
 * first block whose hash breaks the chain, blocks that cannot be decoded (skipped, their
 * neighbours read), and whether a sealed footer ends it. The bytes are untrusted: what the
 * callbacks get is framed, not vetted (records go through record_stream_feed()).
 */
#ifndef LW_CAPTURE_READER_H
#define LW_CAPTURE_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "capture/capture_format.h"
#include "core/procfacts.h"

struct capture_read_ops {
	/* the header and its text (meta[meta_len], not NUL-terminated, untrusted) */
	void (*header)(void *ctx, const struct capture_file_header *h, const char *meta,
		       size_t meta_len);
	/* a block of records laid end to end, as the ring buffer gave them */
	void (*records)(void *ctx, uint64_t block, const void *buf, size_t len, uint32_t count);
	/* one process running at the start, exe[exe_len] not NUL-terminated */
	void (*proc)(void *ctx, const struct capture_proc *p, const char *exe, size_t exe_len);
	/* a loss-counter snapshot: n_kernel + n_user values */
	void (*losses)(void *ctx, const struct capture_losses *l, const uint64_t *v);
	/*
	 * what the live monitor learned about a process (untrusted strings, NUL-terminated,
	 * valid during the call), before the records it goes with
	 */
	void (*facts)(void *ctx, const struct proc_facts *f);
	/*
	 * the SHA-256 of an executable file, as the facts' exe_key names it (ok false: it
	 * could not be read); once per file and capture file, after the first fact naming it
	 */
	void (*exe_hash)(void *ctx, const struct exe_file_key *key, bool ok,
			 const unsigned char sha256[32]);
	/*
	 * what naming decided from a connection's own first bytes (host untrusted,
	 * NUL-terminated, valid during the call), before the records it goes with
	 */
	void (*conn_name)(void *ctx, const struct conn_name_fact *f);
	/*
	 * a tool id the run added after the header (runtime:KIND), before the records that
	 * carry it; name untrusted, NUL-terminated, valid during the call
	 */
	void (*profile)(void *ctx, unsigned int id, const char *name);
	/* each problem found, "block N at offset O: ..." (also counted in the result) */
	void (*problem)(void *ctx, const char *msg);
};

struct capture_read_result {
	uint16_t version;	 /* the file's format version */
	uint64_t blocks;	 /* blocks read whole (hash checked, decoded) */
	uint64_t records;	 /* records in the record blocks handed over */
	uint64_t bad_blocks;	 /* blocks skipped: could not be decoded */
	bool chain_ok;		 /* every block's hash matched */
	uint64_t first_bad_hash; /* the first block that did not (when !chain_ok) */
	uint64_t first_bad_offset;
	bool truncated; /* the file ends inside a block (a torn tail) */
	uint64_t truncated_block, truncated_offset;
	bool sealed; /* a footer ends it, and its counts match */
	struct capture_footer footer;
	char error[256]; /* why reading stopped early (-EBADMSG), else "" */
};

/*
 * Reads buf[len] as a capture. Returns 0 when every block was walked (check the result for
 * a torn tail, a broken chain, skipped blocks, a missing seal), or -EBADMSG when the
 * header or a block's framing makes going on impossible (error names the offset).
 */
int capture_read_mem(const void *buf, size_t len, const struct capture_read_ops *ops, void *ctx,
		     struct capture_read_result *r);

/* capture_read_mem() over the file at path (mapped, not copied); -errno if it cannot be read. */
int capture_read_file(const char *path, const struct capture_read_ops *ops, void *ctx,
		      struct capture_read_result *r);

/*
 * Prints the verdict: chain intact or the first block that is not, sealed or not, torn tail,
 * skipped blocks. Returns true when the capture is whole (chain intact, sealed, nothing torn
 * or skipped).
 */
bool capture_read_verdict(const char *name, const struct capture_read_result *r, FILE *f);

#endif /* LW_CAPTURE_READER_H */
