// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The capture file's reader (see capture_reader.h and docs/capture-format.md). */
#include "capture/capture_reader.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

static int sha256(const unsigned char *prev, const void *a, size_t alen, const void *b, size_t blen,
		  unsigned char *md)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	unsigned int n = 0;
	int ok = c && EVP_DigestInit_ex(c, EVP_sha256(), NULL) &&
		 (!prev || EVP_DigestUpdate(c, prev, CAPTURE_HASH_LEN)) &&
		 EVP_DigestUpdate(c, a, alen) && (!blen || EVP_DigestUpdate(c, b, blen)) &&
		 EVP_DigestFinal_ex(c, md, &n);

	EVP_MD_CTX_free(c);
	return ok && n == CAPTURE_HASH_LEN ? 0 : -EIO;
}

__attribute__((format(printf, 3, 4))) static void problem(const struct capture_read_ops *ops,
							  void *ctx, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (ops->problem)
		ops->problem(ctx, msg);
}

static void procs(const unsigned char *p, size_t len, const struct capture_read_ops *ops, void *ctx,
		  uint64_t block, size_t off)
{
	size_t at = 0;

	while (at < len) {
		struct capture_proc cp;

		if (len - at < sizeof(cp)) {
			problem(ops, ctx,
				"block %" PRIu64 " at offset %zu: a process entry cut short", block,
				off);
			return;
		}
		memcpy(&cp, p + at, sizeof(cp));
		if (cp.exe_len > len - at - sizeof(cp)) {
			problem(ops, ctx,
				"block %" PRIu64 " at offset %zu: a process's exe (%u bytes) runs "
				"past the block",
				block, off, cp.exe_len);
			return;
		}
		if (ops->proc)
			ops->proc(ctx, &cp, (const char *)p + at + sizeof(cp), cp.exe_len);
		at += sizeof(cp) + cp.exe_len;
	}
}

static void losses(const unsigned char *p, size_t len, const struct capture_read_ops *ops,
		   void *ctx, uint64_t block, size_t off)
{
	struct capture_losses l;
	uint64_t v[1024];

	if (len < sizeof(l)) {
		problem(ops, ctx, "block %" PRIu64 " at offset %zu: loss counters cut short", block,
			off);
		return;
	}
	memcpy(&l, p, sizeof(l));
	if ((uint64_t)l.n_kernel + l.n_user > sizeof(v) / sizeof(v[0]) ||
	    len != sizeof(l) + ((size_t)l.n_kernel + l.n_user) * sizeof(uint64_t)) {
		problem(ops, ctx,
			"block %" PRIu64 " at offset %zu: %u + %u loss counters do not fit its %zu "
			"bytes",
			block, off, l.n_kernel, l.n_user, len);
		return;
	}
	memcpy(v, p + sizeof(l), len - sizeof(l));
	if (ops->losses)
		ops->losses(ctx, &l, v);
}

static void from_key(struct exe_file_key *out, const struct capture_exe_key *k)
{
	*out = (struct exe_file_key){ k->dev, k->ino, k->size, k->mtime_ns };
}

/* Copies n bytes of untrusted text at src into dst (NUL-terminated), a NUL cutting it. */
static const char *text(char *dst, const unsigned char *src, size_t n)
{
	memcpy(dst, src, n);
	dst[n] = '\0';
	return dst;
}

/* One process fact, its lengths checked against its entry's; -1 when they do not add up. */
static int fact_proc(const unsigned char *p, size_t len, const struct capture_read_ops *ops,
		     void *ctx)
{
	static __thread char s[4][CAPTURE_FACT_STR_MAX + 1];
	struct capture_fact_proc cp;
	struct proc_facts f;
	const unsigned char *at = p + sizeof(cp);
	size_t n[4];

	if (len < sizeof(cp))
		return -1;
	memcpy(&cp, p, sizeof(cp));
	n[0] = cp.exe_len, n[1] = cp.cmdline_len, n[2] = cp.parent_exe_len;
	n[3] = cp.evidence_len;
	for (int i = 0; i < 4; i++) {
		if (n[i] > CAPTURE_FACT_STR_MAX)
			return -1;
	}
	if (sizeof(cp) + n[0] + n[1] + n[2] + n[3] != len)
		return -1;
	f = (struct proc_facts){
		.pid = cp.pid,
		.ppid = cp.ppid,
		.root_pid = cp.root_pid,
		.uid = cp.uid,
		.start_ns = cp.start_ns,
		.ts_ns = cp.ts_ns,
		.tool = cp.tool,
		.origin = cp.origin,
		.why = cp.why,
		.cmdline_state = cp.cmdline_state,
		.netns_ino = cp.netns_ino,
		.host_netns_ino = cp.host_netns_ino,
	};
	memcpy(f.comm, cp.comm, sizeof(cp.comm));
	memcpy(f.parent_comm, cp.parent_comm, sizeof(cp.parent_comm));
	from_key(&f.exe_key, &cp.exe_key);
	f.exe_from = cp.exe_from;
	f.exe = text(s[0], at, n[0]);
	at += n[0];
	f.cmdline = text(s[1], at, n[1]);
	at += n[1];
	f.parent_exe = text(s[2], at, n[2]);
	at += n[2];
	f.evidence = text(s[3], at, n[3]);
	if (ops->facts)
		ops->facts(ctx, &f);
	return 0;
}

/* One connection's name; -1 when its lengths do not add up. */
static int conn_name(const unsigned char *p, size_t len, const struct capture_read_ops *ops,
		     void *ctx)
{
	struct capture_fact_conn_name c;
	struct conn_name_fact f;
	char host[256];

	if (len < sizeof(c))
		return -1;
	memcpy(&c, p, sizeof(c));
	if (c.host_len > 255 || sizeof(c) + c.host_len != len)
		return -1;
	f = (struct conn_name_fact){
		.cookie = c.cookie,
		.ts_ns = c.ts_ns,
		.pid = c.pid,
		.root_pid = c.root_pid,
		.remote = { .family = c.remote.family,
			    .port = c.remote.port,
			    .scope_id = c.remote.scope_id },
		.source = c.source,
		.host = text(host, p + sizeof(c), c.host_len),
	};
	memcpy(f.remote.addr, c.remote.addr, sizeof(f.remote.addr));
	if (ops->conn_name)
		ops->conn_name(ctx, &f);
	return 0;
}

/* A tool id named after the header; -1 when its lengths do not add up. */
static int profile(const unsigned char *p, size_t len, const struct capture_read_ops *ops,
		   void *ctx)
{
	struct capture_fact_profile f;
	char name[CAPTURE_PROFILE_NAME_MAX + 1];

	if (len < sizeof(f))
		return -1;
	memcpy(&f, p, sizeof(f));
	if (f.name_len > CAPTURE_PROFILE_NAME_MAX || sizeof(f) + f.name_len != len || !f.id)
		return -1;
	if (ops->profile)
		ops->profile(ctx, f.id, text(name, p + sizeof(f), f.name_len));
	return 0;
}

static void facts(const unsigned char *p, size_t len, const struct capture_read_ops *ops, void *ctx,
		  uint64_t block, size_t off)
{
	size_t at = 0;

	while (at < len) {
		struct capture_fact_hdr h;
		struct capture_fact_exe_hash eh;
		struct exe_file_key k;
		int bad = 0;

		if (len - at < sizeof(h)) {
			bad = 1;
		} else {
			memcpy(&h, p + at, sizeof(h));
			bad = h.len < sizeof(h) || h.len > len - at;
		}
		if (bad) {
			problem(ops, ctx,
				"block %" PRIu64 " at offset %zu: a fact's length runs past the "
				"block (the rest of it skipped)",
				block, off);
			return;
		}
		if (h.type == CAPTURE_FACT_PROC) {
			bad = fact_proc(p + at, h.len, ops, ctx);
		} else if (h.type == CAPTURE_FACT_EXE_HASH) {
			bad = h.len != sizeof(eh);
			if (!bad) {
				memcpy(&eh, p + at, sizeof(eh));
				from_key(&k, &eh.key);
				if (ops->exe_hash)
					ops->exe_hash(ctx, &k, eh.status == CAPTURE_HASH_OK,
						      eh.sha256);
			}
		} else if (h.type == CAPTURE_FACT_CONN_NAME) {
			bad = conn_name(p + at, h.len, ops, ctx);
		} else if (h.type == CAPTURE_FACT_PROFILE) {
			bad = profile(p + at, h.len, ops, ctx);
		} /* a type a newer writer added: skipped by its length */
		if (bad)
			problem(ops, ctx,
				"block %" PRIu64 " at offset %zu: a fact of type %u whose lengths "
				"do not add up, skipped",
				block, off, h.type);
		at += h.len;
	}
}

/* Hands one decoded block's payload to the callbacks. */
static void deliver(const struct capture_block_header *h, const unsigned char *p, size_t len,
		    const struct capture_read_ops *ops, void *ctx, struct capture_read_result *r,
		    size_t off)
{
	switch (h->kind) {
	case CAPTURE_BLOCK_RECORDS:
		if (ops->records)
			ops->records(ctx, h->seq, p, len, h->count);
		r->records += h->count;
		break;
	case CAPTURE_BLOCK_PROCS:
		procs(p, len, ops, ctx, h->seq, off);
		break;
	case CAPTURE_BLOCK_LOSSES:
		losses(p, len, ops, ctx, h->seq, off);
		break;
	case CAPTURE_BLOCK_FACTS:
		facts(p, len, ops, ctx, h->seq, off);
		break;
	default: /* a kind a newer writer added: skipped, said */
		problem(ops, ctx, "block %" PRIu64 " at offset %zu: unknown kind %u, skipped",
			h->seq, off, h->kind);
	}
}

int capture_read_mem(const void *buf, size_t len, const struct capture_read_ops *ops, void *ctx,
		     struct capture_read_result *r)
{
	const unsigned char *p = buf;
	struct capture_file_header fh;
	unsigned char prev[CAPTURE_HASH_LEN], md[CAPTURE_HASH_LEN];
	unsigned char *raw = NULL;
	size_t raw_size = 0;
	size_t off;
	uint64_t n;

	memset(r, 0, sizeof(*r));
	r->chain_ok = true;
	if (len < CAPTURE_MAGIC_LEN || memcmp(p, CAPTURE_MAGIC, CAPTURE_MAGIC_LEN) != 0) {
		snprintf(r->error, sizeof(r->error),
			 "offset 0: not an llmwatch capture (bad magic)");
		return -EBADMSG;
	}
	if (len < sizeof(fh)) {
		snprintf(r->error, sizeof(r->error),
			 "offset 0: %zu bytes, less than a capture header (%zu)", len, sizeof(fh));
		return -EBADMSG;
	}
	memcpy(&fh, p, sizeof(fh));
	if (fh.bom != CAPTURE_BOM) {
		snprintf(r->error, sizeof(r->error),
			 "offset %zu: byte-order mark 0x%08x, expected 0x%08x (little-endian)",
			 offsetof(struct capture_file_header, bom), fh.bom, CAPTURE_BOM);
		return -EBADMSG;
	}
	if (fh.version < 1 || fh.version > CAPTURE_VERSION) {
		snprintf(r->error, sizeof(r->error),
			 "offset %zu: format version %u, this llmwatch reads 1 to %u",
			 offsetof(struct capture_file_header, version), fh.version,
			 (unsigned int)CAPTURE_VERSION);
		return -EBADMSG;
	}
	r->version = fh.version;
	if (fh.meta_len > CAPTURE_META_MAX || fh.meta_len > len - sizeof(fh)) {
		snprintf(r->error, sizeof(r->error),
			 "offset %zu: header text of %u bytes (at most %u, %zu left in the file)",
			 offsetof(struct capture_file_header, meta_len), fh.meta_len,
			 CAPTURE_META_MAX, len - sizeof(fh));
		return -EBADMSG;
	}
	if (sha256(NULL, &fh, sizeof(fh), p + sizeof(fh), fh.meta_len, prev)) {
		snprintf(r->error, sizeof(r->error), "SHA-256 unavailable");
		return -EBADMSG;
	}
	if (ops->header)
		ops->header(ctx, &fh, (const char *)p + sizeof(fh), fh.meta_len);
	off = sizeof(fh) + fh.meta_len;
	for (n = 0; off < len; n++) {
		struct capture_block_header h;
		size_t left = len - off, whole;
		const unsigned char *payload;
		bool hash_ok;
		uLongf got;

		if (left < sizeof(h)) {
			r->truncated = true;
			break;
		}
		memcpy(&h, p + off, sizeof(h));
		if (h.magic != CAPTURE_BLOCK_MAGIC) {
			snprintf(r->error, sizeof(r->error),
				 "block %" PRIu64 " at offset %zu: no block header (bad magic)", n,
				 off);
			free(raw);
			return -EBADMSG;
		}
		if (h.stored_len > CAPTURE_BLOCK_STORED_MAX || h.raw_len > CAPTURE_BLOCK_RAW_MAX ||
		    (!(h.flags & CAPTURE_BF_ZLIB) && h.stored_len != h.raw_len)) {
			snprintf(r->error, sizeof(r->error),
				 "block %" PRIu64 " at offset %zu: lengths %u stored, %u raw (at "
				 "most %u and %u)",
				 n, off, h.stored_len, h.raw_len, CAPTURE_BLOCK_STORED_MAX,
				 CAPTURE_BLOCK_RAW_MAX);
			free(raw);
			return -EBADMSG;
		}
		whole = sizeof(h) + h.stored_len + CAPTURE_HASH_LEN;
		if (whole > left) {
			r->truncated = true;
			break;
		}
		payload = p + off + sizeof(h);
		hash_ok = !sha256(prev, p + off, sizeof(h) + h.stored_len, NULL, 0, md) &&
			  memcmp(md, payload + h.stored_len, CAPTURE_HASH_LEN) == 0;
		if (!hash_ok || h.seq != n) {
			if (r->chain_ok) {
				r->first_bad_hash = n;
				r->first_bad_offset = off;
			}
			r->chain_ok = false;
			/* a changed seq field changes the hash too: both said */
			problem(ops, ctx,
				"block %" PRIu64 " at offset %zu: %s%s%s: the chain is broken here",
				n, off, hash_ok ? "" : "hash mismatch",
				!hash_ok && h.seq != n ? ", " : "",
				h.seq != n ? "out of sequence" : "");
		}
		/* the chain goes on from the stored hash, so only a changed block is named */
		memcpy(prev, payload + h.stored_len, CAPTURE_HASH_LEN);
		if (h.kind == CAPTURE_BLOCK_FOOTER) {
			if (h.stored_len != sizeof(r->footer)) {
				problem(ops, ctx,
					"block %" PRIu64 " at offset %zu: a footer of %u bytes", n,
					off, h.stored_len);
			} else {
				memcpy(&r->footer, payload, sizeof(r->footer));
				r->sealed = r->footer.blocks == n;
				if (!r->sealed)
					problem(ops, ctx,
						"block %" PRIu64
						" at offset %zu: the footer counts "
						"%" PRIu64 " blocks before it",
						n, off, r->footer.blocks);
			}
			off += whole;
			r->blocks++;
			if (off < len) {
				r->sealed = false;
				problem(ops, ctx, "offset %zu: %zu bytes after the footer", off,
					len - off);
			}
			off = len;
			break;
		}
		if (!(h.flags & CAPTURE_BF_ZLIB)) {
			deliver(&h, payload, h.raw_len, ops, ctx, r, off);
			r->blocks++;
			off += whole;
			continue;
		}
		/* raw_len is within CAPTURE_BLOCK_RAW_MAX (checked above): the most ever held */
		if (h.raw_len > raw_size || !raw) {
			unsigned char *grown = realloc(raw, h.raw_len ? h.raw_len : 1);

			if (!grown) {
				free(raw);
				snprintf(r->error, sizeof(r->error), "out of memory");
				return -ENOMEM;
			}
			raw = grown;
			raw_size = h.raw_len;
		}
		got = h.raw_len;
		if (uncompress(raw, &got, payload, h.stored_len) != Z_OK || got != h.raw_len) {
			r->bad_blocks++;
			problem(ops, ctx,
				"block %" PRIu64 " at offset %zu: does not decompress to its %u "
				"bytes, skipped",
				n, off, h.raw_len);
		} else {
			deliver(&h, raw, got, ops, ctx, r, off);
			r->blocks++;
		}
		off += whole;
	}
	if (r->truncated) {
		r->truncated_block = n;
		r->truncated_offset = off;
		problem(ops, ctx,
			"block %" PRIu64 " at offset %zu: truncated (%zu bytes; a torn tail)", n,
			off, len - off);
	}
	free(raw);
	return 0;
}

int capture_read_file(const char *path, const struct capture_read_ops *ops, void *ctx,
		      struct capture_read_result *r)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), err;
	struct stat st;
	void *map;

	memset(r, 0, sizeof(*r));
	if (fd < 0 || fstat(fd, &st)) {
		err = -errno;
		if (fd >= 0)
			close(fd);
		return err;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	if (st.st_size == 0) {
		close(fd);
		return capture_read_mem("", 0, ops, ctx, r);
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	err = map == MAP_FAILED ? -errno : 0;
	close(fd);
	if (err)
		return err;
	err = capture_read_mem(map, (size_t)st.st_size, ops, ctx, r);
	munmap(map, (size_t)st.st_size);
	return err;
}

bool capture_read_verdict(const char *name, const struct capture_read_result *r, FILE *f)
{
	bool whole = r->chain_ok && r->sealed && !r->truncated && !r->bad_blocks;

	fprintf(f, "llmwatch: capture %s: version %u, %" PRIu64 " blocks, %" PRIu64 " records; ",
		name, r->version, r->blocks, r->records);
	if (r->chain_ok)
		fprintf(f, "chain intact");
	else
		fprintf(f, "chain BROKEN from block %" PRIu64 " (offset %" PRIu64 ")",
			r->first_bad_hash, r->first_bad_offset);
	if (r->sealed)
		fprintf(f, "; sealed (a clean stop)");
	else
		fprintf(f, "; NOT sealed (llmwatch did not stop cleanly, or the end is missing)");
	if (r->truncated)
		fprintf(f, "; torn tail: block %" PRIu64 " at offset %" PRIu64 " truncated",
			r->truncated_block, r->truncated_offset);
	if (r->bad_blocks)
		fprintf(f, "; %" PRIu64 " blocks could not be decoded", r->bad_blocks);
	if (r->sealed && (r->footer.write_errors || r->footer.lost_records))
		fprintf(f, "; the writer lost %" PRIu64 " blocks (%" PRIu64 " records)",
			r->footer.write_errors, r->footer.lost_records);
	fprintf(f, "\n");
	return whole;
}
