// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The raw BTF walker behind the start-up probes: hand-built blobs with every kind it knows,
 * malformed ones it must refuse, and the running kernel's BTF, where each answer must be
 * libbpf's (the walker replaces btf__find_by_name_kind() there).
 */
#include <bpf/btf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "kernel/kernel_btf.h"

/* A little-endian BTF blob under construction: types and strings, then the header. */
struct blob {
	uint8_t types[512];
	size_t ntypes_len;
	char strs[256];
	size_t strs_len;
	uint8_t out[1024];
	size_t out_len;
};

static void put32le(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4); /* the walker reads host order: BTF from this kernel is */
}

static uint32_t add_str(struct blob *b, const char *s)
{
	uint32_t off = (uint32_t)b->strs_len;

	memcpy(b->strs + b->strs_len, s, strlen(s) + 1);
	b->strs_len += strlen(s) + 1;
	return off;
}

/* Appends a type record of kind with vlen and extra zeroed bytes after it. */
static void add_type(struct blob *b, const char *name, unsigned int kind, unsigned int vlen,
		     size_t extra)
{
	uint8_t *p = b->types + b->ntypes_len;

	memset(p, 0, 12 + extra);
	put32le(p, name ? add_str(b, name) : 0);
	put32le(p + 4, (kind << 24) | vlen);
	b->ntypes_len += 12 + extra;
}

static void blob_init(struct blob *b)
{
	memset(b, 0, sizeof(*b));
	b->strs_len = 1; /* the empty name at offset 0 */
}

static void blob_finish(struct blob *b)
{
	uint8_t *h = b->out;

	h[0] = 0x9f;
	h[1] = 0xeb;
	h[2] = 1;
	h[3] = 0;
	put32le(h + 4, 24);
	put32le(h + 8, 0);
	put32le(h + 12, (uint32_t)b->ntypes_len);
	put32le(h + 16, (uint32_t)b->ntypes_len);
	put32le(h + 20, (uint32_t)b->strs_len);
	memcpy(h + 24, b->types, b->ntypes_len);
	memcpy(h + 24 + b->ntypes_len, b->strs, b->strs_len);
	b->out_len = 24 + b->ntypes_len + b->strs_len;
}

/* One record of every kind, each with the bytes its kind carries after it. */
static void build_all_kinds(struct blob *b)
{
	blob_init(b);
	add_type(b, "int", 1, 0, 4);			      /* 1 INT */
	add_type(b, NULL, 2, 0, 0);			      /* 2 PTR */
	add_type(b, NULL, 3, 0, 12);			      /* 3 ARRAY */
	add_type(b, "task_struct", 4, 2, 24);		      /* 4 STRUCT, 2 members */
	add_type(b, "u", 5, 1, 12);			      /* 5 UNION */
	add_type(b, "e", 6, 3, 24);			      /* 6 ENUM, 3 values */
	add_type(b, "fwd", 7, 0, 0);			      /* 7 FWD */
	add_type(b, "btf_trace_sched_process_exec", 8, 0, 0); /* 8 TYPEDEF */
	add_type(b, NULL, 9, 0, 0);			      /* 9 VOLATILE */
	add_type(b, NULL, 10, 0, 0);			      /* 10 CONST */
	add_type(b, NULL, 11, 0, 0);			      /* 11 RESTRICT */
	add_type(b, NULL, 13, 2, 16);			      /* 12 FUNC_PROTO, 2 params */
	add_type(b, "security_file_open", 12, 0, 0);	      /* 13 FUNC */
	add_type(b, "v", 14, 0, 4);			      /* 14 VAR */
	add_type(b, ".data", 15, 1, 12);		      /* 15 DATASEC */
	add_type(b, "float", 16, 0, 0);			      /* 16 FLOAT */
	add_type(b, "tag", 17, 0, 4);			      /* 17 DECL_TAG */
	add_type(b, "tt", 18, 0, 0);			      /* 18 TYPE_TAG */
	add_type(b, "e64", 19, 2, 24);			      /* 19 ENUM64 */
	add_type(b, "security_file_open", 8, 0, 0);	      /* 20: same name, another kind */
	blob_finish(b);
}

static void test_all_kinds(void)
{
	struct blob b;
	struct kernel_btf k;

	build_all_kinds(&b);
	CHECK_INT(kernel_btf_init(&k, b.out, b.out_len), 0);
	CHECK_INT(k.ntypes, 20);
	/* the walk must step over each kind's bytes exactly to land on these ids */
	CHECK_INT(kernel_btf_find(&k, "btf_trace_sched_process_exec", KERNEL_BTF_KIND_TYPEDEF), 8);
	CHECK_INT(kernel_btf_find(&k, "security_file_open", KERNEL_BTF_KIND_FUNC), 13);
	CHECK_INT(kernel_btf_find(&k, "security_file_open", KERNEL_BTF_KIND_TYPEDEF), 20);
	CHECK_INT(kernel_btf_find(&k, "task_struct", 4), 4);
	CHECK_INT(kernel_btf_find(&k, "e64", 19), 19);
	/* wrong kind, unknown name, a prefix of a name: not found */
	CHECK_INT(kernel_btf_find(&k, "task_struct", KERNEL_BTF_KIND_FUNC), -ENOENT);
	CHECK_INT(kernel_btf_find(&k, "security_socket_connect", KERNEL_BTF_KIND_FUNC), -ENOENT);
	CHECK_INT(kernel_btf_find(&k, "security_file", KERNEL_BTF_KIND_FUNC), -ENOENT);
	/* data that is not at a 4-byte boundary is read all the same */
	{
		static uint8_t shifted[1025];

		memcpy(shifted + 1, b.out, b.out_len);
		CHECK_INT(kernel_btf_init(&k, shifted + 1, b.out_len), 0);
		CHECK_INT(kernel_btf_find(&k, "security_file_open", KERNEL_BTF_KIND_FUNC), 13);
	}
}

static void test_refused(void)
{
	struct blob b, bad;
	struct kernel_btf k;

	build_all_kinds(&b);
	/*
	 * Every truncation of a valid blob is refused, and never read past: each copy is
	 * exactly as long as the truncation (fuzz/fuzz_btf.c runs the walker under ASan).
	 */
	size_t refused = 0;

	for (size_t n = 0; n < b.out_len; n++) {
		uint8_t *copy = malloc(n ? n : 1);

		memcpy(copy, b.out, n);
		refused += kernel_btf_init(&k, copy, n) == -EINVAL;
		free(copy);
	}
	CHECK_INT(refused, b.out_len);
	/* wrong magic (another byte order), version */
	bad = b;
	bad.out[0] = 0xeb;
	bad.out[1] = 0x9f;
	CHECK_INT(kernel_btf_init(&k, bad.out, bad.out_len), -EINVAL);
	bad = b;
	bad.out[2] = 2;
	CHECK_INT(kernel_btf_init(&k, bad.out, bad.out_len), -EINVAL);
	/* sections past the end, a header longer than the blob, a wrapping offset */
	bad = b;
	put32le(bad.out + 12, 0xfffffff0);
	CHECK_INT(kernel_btf_init(&k, bad.out, bad.out_len), -EINVAL);
	bad = b;
	put32le(bad.out + 4, 2000);
	CHECK_INT(kernel_btf_init(&k, bad.out, bad.out_len), -EINVAL);
	bad = b;
	put32le(bad.out + 16, 0xffffffff);
	CHECK_INT(kernel_btf_init(&k, bad.out, bad.out_len), -EINVAL);
	/* a string section that does not end in NUL */
	bad = b;
	bad.out[bad.out_len - 1] = 'x';
	CHECK_INT(kernel_btf_init(&k, bad.out, bad.out_len), -EINVAL);
	/* a name offset outside the strings */
	bad = b;
	put32le(bad.out + 24, (uint32_t)b.strs_len);
	CHECK_INT(kernel_btf_init(&k, bad.out, bad.out_len), -EINVAL);
	/* a kind it does not know (20 and up, 0) */
	bad = b;
	put32le(bad.out + 24 + 4, 20u << 24);
	CHECK_INT(kernel_btf_init(&k, bad.out, bad.out_len), -EINVAL);
	bad = b;
	put32le(bad.out + 24 + 4, 0);
	CHECK_INT(kernel_btf_init(&k, bad.out, bad.out_len), -EINVAL);
	/* a vlen whose members run past the section */
	bad = b;
	/* record 2 (a PTR) made a STRUCT of 65535 members */
	put32le(bad.out + 24 + 16 + 4, (4u << 24) | 0xffff);
	CHECK_INT(kernel_btf_init(&k, bad.out, bad.out_len), -EINVAL);
	/* an empty file, a file that is not there */
	CHECK_INT(kernel_btf_open(&k, "/dev/null"), -EINVAL);
	CHECK_INT(kernel_btf_open(&k, "/nonexistent/btf"), -ENOENT);
}

/* The running kernel's BTF: each lookup the loader makes, answered as libbpf answers it. */
static void test_running_kernel(void)
{
	static const struct {
		const char *name;
		unsigned int kind;
	} names[] = {
		{ "security_file_open", KERNEL_BTF_KIND_FUNC },
		{ "security_socket_connect", KERNEL_BTF_KIND_FUNC },
		{ "security_socket_bind", KERNEL_BTF_KIND_FUNC },
		{ "btf_trace_sched_process_exec", KERNEL_BTF_KIND_TYPEDEF },
		{ "btf_trace_sched_process_fork", KERNEL_BTF_KIND_TYPEDEF },
		{ "btf_trace_sched_process_exit", KERNEL_BTF_KIND_TYPEDEF },
		{ "task_struct", 4 },
		{ "no_such_function_in_any_kernel", KERNEL_BTF_KIND_FUNC },
	};
	struct kernel_btf k;
	struct btf *ref;
	int err;

	if (access(KERNEL_BTF_PATH, R_OK) != 0) {
		/* CI runs on a kernel with BTF: there, a missing file is a failure */
		const char *ci = getenv("CI");

		if (ci && strcmp(ci, "true") == 0)
			CHECK(!"CI=true but " KERNEL_BTF_PATH " is not readable");
		else
			fprintf(stderr, "test_kernel_btf: skip: no %s\n", KERNEL_BTF_PATH);
		return;
	}
	err = kernel_btf_open(&k, KERNEL_BTF_PATH);
	CHECK_INT(err, 0);
	ref = btf__load_vmlinux_btf();
	CHECK(ref != NULL);
	if (err || !ref) {
		btf__free(ref);
		return;
	}
	CHECK_INT(k.ntypes + 1, btf__type_cnt(ref));
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		int want = btf__find_by_name_kind(ref, names[i].name, names[i].kind);

		CHECK_INT(kernel_btf_find(&k, names[i].name, names[i].kind),
			  want > 0 ? want : -ENOENT);
	}
	/* the ones llmwatch needs are there on any kernel it runs on */
	CHECK(kernel_btf_find(&k, "btf_trace_sched_process_exec", KERNEL_BTF_KIND_TYPEDEF) > 0);
	btf__free(ref);
	kernel_btf_close(&k);
}

int main(void)
{
	test_all_kinds();
	test_refused();
	test_running_kernel();
	return check_summary("test_kernel_btf");
}
