// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target for the capture reader (capture/capture_reader.c): any bytes are read
 * or refused with a message; what the callbacks get lies inside the limits, nothing is read
 * past the input, and nothing big is allocated for a length the input merely claims. The
 * reader goes on past a bad hash, so the fuzzer reaches decompression and the block kinds
 * (process facts and executables' hashes too).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capture/capture_reader.h"

#define FUZZ_ASSERT(c)           \
	do {                     \
		if (!(c))        \
			abort(); \
	} while (0)

static volatile unsigned char sink;

/* Touches every byte handed over: ASan catches a view past its buffer. */
static void touch(const void *p, size_t n)
{
	const unsigned char *q = p;

	for (size_t i = 0; i < n; i++)
		sink ^= q[i];
}

static void f_header(void *ctx, const struct capture_file_header *h, const char *meta, size_t len)
{
	(void)ctx, (void)h;
	FUZZ_ASSERT(len <= CAPTURE_META_MAX);
	touch(meta, len);
}

static void f_records(void *ctx, uint64_t block, const void *buf, size_t len, uint32_t count)
{
	(void)ctx, (void)block, (void)count;
	FUZZ_ASSERT(len <= CAPTURE_BLOCK_RAW_MAX);
	touch(buf, len);
}

static void f_proc(void *ctx, const struct capture_proc *p, const char *exe, size_t exe_len)
{
	(void)ctx;
	FUZZ_ASSERT(exe_len == p->exe_len);
	touch(exe, exe_len);
}

static void f_losses(void *ctx, const struct capture_losses *l, const uint64_t *v)
{
	(void)ctx;
	touch(v, ((size_t)l->n_kernel + l->n_user) * sizeof(*v));
}

static void f_facts(void *ctx, const struct proc_facts *f)
{
	(void)ctx;
	/* each string NUL-terminated within the format's bound */
	FUZZ_ASSERT(strlen(f->exe) <= CAPTURE_FACT_STR_MAX);
	FUZZ_ASSERT(strlen(f->cmdline) <= CAPTURE_FACT_STR_MAX);
	FUZZ_ASSERT(strlen(f->parent_exe) <= CAPTURE_FACT_STR_MAX);
	FUZZ_ASSERT(strlen(f->evidence) <= CAPTURE_FACT_STR_MAX);
	FUZZ_ASSERT(strlen(f->comm) <= LW_COMM_LEN && strlen(f->parent_comm) <= LW_COMM_LEN);
}

static void f_exe_hash(void *ctx, const struct exe_file_key *key, bool ok,
		       const unsigned char sha256[32])
{
	(void)ctx, (void)ok;
	touch(key, sizeof(*key));
	touch(sha256, 32);
}

static void f_problem(void *ctx, const char *msg)
{
	(void)ctx;
	FUZZ_ASSERT(msg[0]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct capture_read_ops ops = {
		.header = f_header,
		.records = f_records,
		.proc = f_proc,
		.losses = f_losses,
		.facts = f_facts,
		.exe_hash = f_exe_hash,
		.problem = f_problem,
	};
	struct capture_read_result r;
	/* a copy of exactly size bytes, so ASan sees any read past the input */
	uint8_t *copy = malloc(size ? size : 1);
	int err;

	FUZZ_ASSERT(copy);
	memcpy(copy, data, size);
	err = capture_read_mem(copy, size, &ops, NULL, &r);
	FUZZ_ASSERT(err == 0 || err == -74 /* EBADMSG */ || err == -12 /* ENOMEM */);
	FUZZ_ASSERT(err == 0 || r.error[0]);
	FUZZ_ASSERT(!r.truncated || r.truncated_offset <= size);
	FUZZ_ASSERT(r.chain_ok || r.first_bad_offset < size);
	free(copy);
	return 0;
}
