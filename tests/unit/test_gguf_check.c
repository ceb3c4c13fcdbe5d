// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests of the GGUF validator (audit/gguf_check.c): models built here byte by byte, a
 * valid one and one per refusal, each checked from an exactly sized heap copy (so that a
 * sanitizer build catches a read one byte past the end); then the generator's fixtures in
 * fuzz/corpus/gguf (tests/gguf/make_gguf.py) through the mapped-file path.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "corpus.h"
#include "audit/gguf_check.h"

/* ---- a little-endian GGUF builder --------------------------------------------------- */

struct gb {
	uint8_t *b;
	size_t n, cap;
};

static void put(struct gb *g, const void *p, size_t n)
{
	if (g->n + n > g->cap) {
		g->cap = (g->n + n) * 2 + 64;
		g->b = realloc(g->b, g->cap);
		if (!g->b) {
			perror("realloc");
			exit(2);
		}
	}
	if (n)
		memcpy(g->b + g->n, p, n);
	g->n += n;
}

static void p32(struct gb *g, uint32_t v)
{
	uint8_t b[4];

	for (int i = 0; i < 4; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	put(g, b, 4);
}

static void p64(struct gb *g, uint64_t v)
{
	uint8_t b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	put(g, b, 8);
}

static void pstr(struct gb *g, const char *s)
{
	p64(g, strlen(s));
	put(g, s, strlen(s));
}

enum {
	T_U8,
	T_I8,
	T_U16,
	T_I16,
	T_U32,
	T_I32,
	T_F32,
	T_BOOL,
	T_STR,
	T_ARR,
	T_U64
};

/* The key-value section being built and how many pairs it holds. */
struct kvs {
	struct gb g;
	uint64_t n;
};

static void kv_str(struct kvs *k, const char *key, const char *v)
{
	pstr(&k->g, key);
	p32(&k->g, T_STR);
	pstr(&k->g, v);
	k->n++;
}

static void kv_u32(struct kvs *k, const char *key, uint32_t v)
{
	pstr(&k->g, key);
	p32(&k->g, T_U32);
	p32(&k->g, v);
	k->n++;
}

static void kv_strs(struct kvs *k, const char *key, const char *const *v, size_t n)
{
	pstr(&k->g, key);
	p32(&k->g, T_ARR);
	p32(&k->g, T_STR);
	p64(&k->g, n);
	for (size_t i = 0; i < n; i++)
		pstr(&k->g, v[i]);
	k->n++;
}

static void kv_u32s(struct kvs *k, const char *key, uint32_t etype, size_t n)
{
	pstr(&k->g, key);
	p32(&k->g, T_ARR);
	p32(&k->g, etype);
	p64(&k->g, n);
	for (size_t i = 0; i < n; i++)
		p32(&k->g, (uint32_t)i);
	k->n++;
}

static const char *const tokens[] = { "<unk>", "<s>", "</s>", "a", "b" };

static void base_kvs(struct kvs *k)
{
	kv_str(k, "general.architecture", "llama");
	kv_str(k, "general.name", "lw-tiny");
	kv_u32(k, "llama.block_count", 1);
	kv_strs(k, "tokenizer.ggml.tokens", tokens, 5);
	kv_u32s(k, "tokenizer.ggml.scores", T_F32, 5);
	kv_u32s(k, "tokenizer.ggml.token_type", T_I32, 5);
}

struct tspec {
	const char *name;
	uint32_t type;
	uint32_t n_dims;
	int64_t ne[5];
	uint64_t nbytes; /* of the data written */
	bool set_offset; /* offset below instead of the contiguous one */
	uint64_t offset;
};

/* f16 [32,5] = 320 bytes, f32 [32] = 128, q8_0 [32,4] = 4 blocks of 34 = 136, f32 [32] */
static const struct tspec base_tensors[4] = {
	{ "token_embd.weight", 1, 2, { 32, 5 }, 320, false, 0 },
	{ "blk.0.attn_norm.weight", 0, 1, { 32 }, 128, false, 0 },
	{ "blk.0.ffn_down.weight", 8, 2, { 32, 4 }, 136, false, 0 },
	{ "output_norm.weight", 0, 1, { 32 }, 128, false, 0 },
};

static uint64_t pad(uint64_t n, uint64_t a)
{
	return (n + a - 1) / a * a;
}

struct model {
	uint32_t version;
	bool set_counts;
	uint64_t n_tensors, n_kv; /* declared, when set_counts */
	uint32_t alignment;	  /* for the layout; the KV is added by the case */
	size_t nt;
	struct tspec t[6];
};

static struct model base_model(void)
{
	struct model m = { .version = 3, .alignment = 32, .nt = 4 };

	memcpy(m.t, base_tensors, sizeof(base_tensors));
	return m;
}

/* The file: header, key-value pairs, tensor table, padding, each tensor's data padded. */
static void build(struct gb *out, const struct kvs *k, const struct model *m)
{
	uint64_t off = 0;

	out->n = 0;
	put(out, "GGUF", 4);
	p32(out, m->version);
	p64(out, m->set_counts ? m->n_tensors : m->nt);
	p64(out, m->set_counts ? m->n_kv : k->n);
	put(out, k->g.b, k->g.n);
	for (size_t i = 0; i < m->nt; i++) {
		const struct tspec *t = &m->t[i];

		pstr(out, t->name);
		p32(out, t->n_dims);
		for (uint32_t j = 0; j < t->n_dims; j++)
			p64(out, (uint64_t)t->ne[j]);
		p32(out, t->type);
		p64(out, t->set_offset ? t->offset : off);
		off += pad(t->nbytes, m->alignment);
	}
	while (out->n % m->alignment)
		put(out, "", 1);
	for (size_t i = 0; i < m->nt; i++) {
		for (uint64_t j = 0; j < pad(m->t[i].nbytes, m->alignment); j++)
			put(out, (const uint8_t[]){ (uint8_t)j }, 1);
	}
}

/* Checks an exactly sized copy of g's bytes. */
static void check_gb(const struct gb *g, struct gguf_check_result *r)
{
	void *copy = corpus_exact(g->b, g->n);

	CHECK_INT(gguf_check_mem(copy, g->n, r), 0);
	free(copy);
}

/* Builds from the base key-values plus whatever extra() adds, and the model m. */
static void run(const struct model *m, void (*extra)(struct kvs *), struct gguf_check_result *r)
{
	struct kvs k = { 0 };
	struct gb out = { 0 };

	base_kvs(&k);
	if (extra)
		extra(&k);
	build(&out, &k, m);
	check_gb(&out, r);
	free(out.b);
	free(k.g.b);
}

#define EXPECT(r, want, needle)                                                             \
	do {                                                                                \
		CHECK(!(r).ok);                                                             \
		CHECK_STR(gguf_problem_name((r).code), gguf_problem_name(want));            \
		if (!strstr((r).text, needle)) {                                            \
			check_failed++;                                                     \
			fprintf(stderr, "%s:%d: \"%s\" lacks \"%s\"\n", __FILE__, __LINE__, \
				(r).text, needle);                                          \
		} else {                                                                    \
			check_passed++;                                                     \
		}                                                                           \
	} while (0)

/* ---- the valid model ------------------------------------------------------------------ */

static void test_valid(void)
{
	struct model m = base_model();
	struct gguf_check_result r;

	run(&m, NULL, &r);
	CHECK(r.ok);
	CHECK_INT(r.code, GGUF_OK);
	CHECK_STR(r.text, "");
	CHECK_INT(r.facts.version, 3);
	CHECK_INT(r.facts.n_kv, 6);
	CHECK_INT(r.facts.n_tensors, 4);
	CHECK_INT(r.facts.alignment, 32);
	CHECK(!r.facts.alignment_set);
	CHECK(r.facts.architecture.present);
	CHECK_STR(r.facts.architecture.raw, "llama");
	CHECK_INT(r.facts.name.len, 7);
	CHECK_STR(r.facts.name.raw, "lw-tiny");
	CHECK_INT(r.facts.data_size, 320 + 128 + 160 + 128);
	CHECK_INT(r.facts.data_offset % 32, 0);
	CHECK_INT(r.facts.data_offset + r.facts.data_size, r.facts.file_size);
	CHECK_INT(r.facts.trailing_bytes, 0);

	/* version 2 has the same layout */
	m.version = 2;
	run(&m, NULL, &r);
	CHECK(r.ok);
	CHECK_INT(r.facts.version, 2);

	/* no tensors at all: the data section is empty and starts right after the table */
	m = base_model();
	m.nt = 0;
	run(&m, NULL, &r);
	CHECK(r.ok);
	CHECK_INT(r.facts.data_size, 0);
	CHECK_INT(r.facts.data_offset + r.facts.trailing_bytes, r.facts.file_size);
	CHECK(r.facts.trailing_bytes > 0 && r.facts.trailing_bytes < 32); /* build()'s padding */

	/* a zero-element tensor is representable (llama.cpp) and takes no bytes */
	m = base_model();
	m.t[4] = (struct tspec){ "empty", 0, 2, { 0, 7 }, 0, false, 0 };
	m.nt = 5;
	run(&m, NULL, &r);
	CHECK(r.ok);
}

static void extra_align64(struct kvs *k)
{
	kv_u32(k, "general.alignment", 64);
}

static void test_alignment_and_facts(void)
{
	struct model m = base_model();
	struct gguf_check_result r;
	struct kvs k = { 0 };
	struct gb out = { 0 };
	char name[400];

	m.alignment = 64;
	run(&m, extra_align64, &r);
	CHECK(r.ok);
	CHECK_INT(r.facts.alignment, 64);
	CHECK(r.facts.alignment_set);
	CHECK_INT(r.facts.data_offset % 64, 0);
	CHECK_INT(r.facts.data_size, 320 + 128 + 192 + 128);

	/* general.name longer than the facts keep: its declared length and a cut raw copy */
	memset(name, 'N', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	name[0] = '\x1b';
	kv_str(&k, "general.name", name);
	m = base_model();
	m.nt = 0;
	build(&out, &k, &m);
	check_gb(&out, &r);
	CHECK(r.ok);
	CHECK(!r.facts.architecture.present);
	CHECK_INT(r.facts.name.len, 399);
	CHECK_INT(r.facts.name.kept, GGUF_FACT_STR_MAX);
	CHECK_INT(r.facts.name.raw[0], '\x1b');
	CHECK_INT(strlen(r.facts.name.raw), GGUF_FACT_STR_MAX);
	free(out.b);
	free(k.g.b);
}

/* ---- the header ------------------------------------------------------------------------- */

static void test_header(void)
{
	struct model m = base_model();
	struct gguf_check_result r;
	struct kvs k = { 0 };
	struct gb out = { 0 };
	uint8_t v3be[4] = { 0, 0, 0, 3 };

	base_kvs(&k);
	build(&out, &k, &m);

	/* shorter than its header, at every length */
	for (size_t n = 0; n < 24; n++) {
		struct gb cut = { .b = out.b, .n = n };

		check_gb(&cut, &r);
		CHECK(!r.ok);
		CHECK_INT(r.code, GGUF_E_TRUNCATED);
	}
	{
		struct gb cut = { .b = out.b, .n = 10 };

		check_gb(&cut, &r);
		EXPECT(r, GGUF_E_TRUNCATED, "offset 0x8: header: tensor_count (8 bytes)");
	}

	out.b[0] = 'X';
	check_gb(&out, &r);
	EXPECT(r, GGUF_E_MAGIC, "magic 0x46554758");
	out.b[0] = 'G';

	/* a big-endian v3 reads as 0x03000000 */
	memcpy(out.b + 4, v3be, 4);
	check_gb(&out, &r);
	EXPECT(r, GGUF_E_BYTE_SWAPPED, "version 0x03000000 is version 3 byte-swapped");

	out.b[4] = 1, out.b[7] = 0;
	check_gb(&out, &r);
	EXPECT(r, GGUF_E_VERSION, "version 1 is refused");
	out.b[4] = 4;
	check_gb(&out, &r);
	EXPECT(r, GGUF_E_VERSION, "version 4 is not 2 or 3");
	out.b[4] = 0;
	check_gb(&out, &r);
	EXPECT(r, GGUF_E_VERSION, "version 0 is not 2 or 3");
	free(out.b);
	free(k.g.b);

	/* counts: negative, huge, overhead overflow, more than the file holds, past the caps */
	m.set_counts = true;
	m.n_tensors = 4;
	m.n_kv = 1ULL << 40;
	run(&m, NULL, &r);
	EXPECT(r, GGUF_E_COUNT, "offset 0x10: metadata_kv_count 1099511627776: more than");
	m.n_kv = UINT64_MAX;
	run(&m, NULL, &r);
	EXPECT(r, GGUF_E_COUNT, "metadata_kv_count -1 is negative");
	m.n_kv = 6;
	m.n_tensors = 1ULL << 62;
	run(&m, NULL, &r);
	EXPECT(r, GGUF_E_TENSOR_OVERHEAD, "tensor_count 4611686018427387904 times");
	m.n_tensors = 1ULL << 50;
	run(&m, NULL, &r);
	EXPECT(r, GGUF_E_COUNT, "offset 0x8: tensor_count 1125899906842624: more than");
	m.n_tensors = 1ULL << 63;
	run(&m, NULL, &r);
	EXPECT(r, GGUF_E_COUNT, "is negative");
	/* more key-value pairs declared than written: the last one runs past the end */
	m.n_tensors = 4;
	m.n_kv = 7;
	run(&m, NULL, &r);
	CHECK(!r.ok);
}

static void test_limits(void)
{
	/* a memory image with room for more than GGUF_CHECK_MAX_KV pairs, declaring that many */
	static const uint8_t head[8] = { 'G', 'G', 'U', 'F', 3, 0, 0, 0 };
	size_t n = 24 + (GGUF_CHECK_MAX_KV + 1ULL) * 14;
	uint8_t *b = calloc(1, n);
	struct gguf_check_result r;

	if (!b) {
		perror("calloc");
		exit(2);
	}
	memcpy(b, head, sizeof(head));
	b[16 + 2] = 0x10; /* n_kv = 0x100001 */
	b[16] = 1;
	CHECK_INT(gguf_check_mem(b, n, &r), 0);
	EXPECT(r, GGUF_E_LIMIT, "metadata_kv_count 1048577 > this checker's cap 1048576");
	free(b);
}

/* ---- the key-value section -------------------------------------------------------------- */

static void extra_dup(struct kvs *k)
{
	kv_str(k, "general.name", "again");
}

static void extra_empty_key(struct kvs *k)
{
	kv_str(k, "", "x");
}

static void extra_long_key(struct kvs *k)
{
	pstr(&k->g, ""); /* replaced below */
	k->g.n -= 8;
	p64(&k->g, 65536);
	k->n++;
}

static void extra_nested(struct kvs *k)
{
	pstr(&k->g, "lw.nested");
	p32(&k->g, T_ARR);
	p32(&k->g, T_ARR);
	p64(&k->g, 1);
	p32(&k->g, T_U8);
	p64(&k->g, 0);
	k->n++;
}

static void extra_bad_type(struct kvs *k)
{
	pstr(&k->g, "lw.odd");
	p32(&k->g, 13);
	p32(&k->g, 0);
	k->n++;
}

static void extra_bad_etype(struct kvs *k)
{
	pstr(&k->g, "lw.odd");
	p32(&k->g, T_ARR);
	p32(&k->g, 0x80000000u);
	p64(&k->g, 0);
	k->n++;
}

static void extra_array_cap(struct kvs *k)
{
	pstr(&k->g, "lw.big");
	p32(&k->g, T_ARR);
	p32(&k->g, T_U8);
	p64(&k->g, GGUF_MAX_ARRAY_ELEMENTS + 1);
	k->n++;
}

static void extra_array_past_end(struct kvs *k)
{
	pstr(&k->g, "lw.big");
	p32(&k->g, T_ARR);
	p32(&k->g, T_U64);
	p64(&k->g, 1000000);
	k->n++;
}

static void extra_string_cap(struct kvs *k)
{
	pstr(&k->g, "lw.s");
	p32(&k->g, T_STR);
	p64(&k->g, GGUF_MAX_STRING_LENGTH + 1);
	k->n++;
}

static void extra_string_past_end(struct kvs *k)
{
	pstr(&k->g, "lw.s");
	p32(&k->g, T_STR);
	p64(&k->g, 100000);
	k->n++;
}

static void extra_strarray_elem(struct kvs *k)
{
	pstr(&k->g, "lw.strs");
	p32(&k->g, T_ARR);
	p32(&k->g, T_STR);
	p64(&k->g, 2);
	pstr(&k->g, "ok");
	p64(&k->g, 100000);
	k->n++;
}

static void extra_alignment(struct kvs *k, uint32_t a)
{
	kv_u32(k, "general.alignment", a);
}

static void extra_align48(struct kvs *k)
{
	extra_alignment(k, 48);
}

static void extra_align0(struct kvs *k)
{
	extra_alignment(k, 0);
}

static void extra_align2m(struct kvs *k)
{
	extra_alignment(k, 2u << 20);
}

static void extra_align_u64(struct kvs *k)
{
	pstr(&k->g, "general.alignment");
	p32(&k->g, T_U64);
	p64(&k->g, 32);
	k->n++;
}

static void test_kv(void)
{
	struct model m = base_model();
	struct gguf_check_result r;
	struct kvs k = { 0 };
	struct gb out = { 0 };

	run(&m, extra_dup, &r);
	EXPECT(r, GGUF_E_DUP_KEY, "key 6 'general.name': duplicate key");
	run(&m, extra_empty_key, &r);
	EXPECT(r, GGUF_E_KEY, "key 6: empty key");
	run(&m, extra_long_key, &r);
	EXPECT(r, GGUF_E_KEY, "key 6: key length 65536 > 65535");
	run(&m, extra_nested, &r);
	EXPECT(r, GGUF_E_NESTED_ARRAY, "key 6 'lw.nested': an array of arrays");
	run(&m, extra_bad_type, &r);
	EXPECT(r, GGUF_E_VALUE_TYPE, "key 6 'lw.odd': unknown value type 13");
	run(&m, extra_bad_etype, &r);
	EXPECT(r, GGUF_E_VALUE_TYPE, "unknown array element type 2147483648");
	run(&m, extra_array_cap, &r);
	EXPECT(r, GGUF_E_ARRAY_CAP, "array length 1073741825 > 1073741824");
	run(&m, extra_array_past_end, &r);
	EXPECT(r, GGUF_E_LENGTH, "array of 1000000 u64 runs past the end");
	run(&m, extra_string_cap, &r);
	EXPECT(r, GGUF_E_STRING_CAP, "string value length 1073741825 > 1073741824");
	run(&m, extra_string_past_end, &r);
	EXPECT(r, GGUF_E_LENGTH, "key 6 'lw.s': string value length 100000 runs past the end");
	run(&m, extra_strarray_elem, &r);
	EXPECT(r, GGUF_E_LENGTH, "key 6 'lw.strs': element 1 length 100000 runs past");
	run(&m, extra_align48, &r);
	EXPECT(r, GGUF_E_ALIGNMENT, "general.alignment = 48: not a power of two");
	run(&m, extra_align0, &r);
	EXPECT(r, GGUF_E_ALIGNMENT, "general.alignment = 0");
	run(&m, extra_align2m, &r);
	EXPECT(r, GGUF_E_ALIGNMENT, "general.alignment = 2097152");
	run(&m, extra_align_u64, &r);
	EXPECT(r, GGUF_E_KEY_TYPE,
	       "key 6 'general.alignment': type u64, llama.cpp reads it as u32");

	/* tokenizer scores as an i8 array: what the vocabulary reads as f32 */
	kv_str(&k, "general.architecture", "llama");
	kv_u32s(&k, "tokenizer.ggml.scores", T_I8, 0);
	m.nt = 0;
	build(&out, &k, &m);
	check_gb(&out, &r);
	EXPECT(r, GGUF_E_KEY_TYPE,
	       "'tokenizer.ggml.scores': type arr[i8], llama.cpp reads it as arr[f32]");
	/* general.name as a u32 */
	k.g.n = 0, k.n = 0;
	kv_u32(&k, "general.name", 7);
	build(&out, &k, &m);
	check_gb(&out, &r);
	EXPECT(r, GGUF_E_KEY_TYPE, "'general.name': type u32, llama.cpp reads it as str");
	/* a key with a terminal escape is quoted escaped */
	k.g.n = 0, k.n = 0;
	kv_str(&k, "a\x1b[2Jb", "x");
	kv_str(&k, "a\x1b[2Jb", "x");
	build(&out, &k, &m);
	check_gb(&out, &r);
	EXPECT(r, GGUF_E_DUP_KEY, "key 1 'a\\x1b[2Jb': duplicate key");
	free(out.b);
	free(k.g.b);
}

/* ---- the tensor table and the data section ----------------------------------------------- */

static void test_tensors(void)
{
	struct model m;
	struct gguf_check_result r;

	m = base_model();
	m.t[1].name = "token_embd.weight";
	run(&m, NULL, &r);
	EXPECT(r, GGUF_E_DUP_TENSOR, "tensor 1 'token_embd.weight': duplicate tensor name");

	m = base_model();
	m.t[1].name = "a_name_that_is_exactly_sixty_four_bytes_long_which_is_too_long_x";
	run(&m, NULL, &r);
	EXPECT(r, GGUF_E_TENSOR_NAME, "is 64 bytes long, not < 64");

	m = base_model();
	m.t[1].n_dims = 5;
	run(&m, NULL, &r);
	EXPECT(r, GGUF_E_N_DIMS, "tensor 1 'blk.0.attn_norm.weight': n_dims = 5 > 4");

	m = base_model();
	m.t[0].ne[1] = -5;
	run(&m, NULL, &r);
	EXPECT(r, GGUF_E_NE_NEGATIVE, "ne[1] = -5 is negative");

	m = base_model();
	m.t[2].ne[1] = INT64_C(1) << 62; /* 32 * 2^62 */
	run(&m, NULL, &r);
	EXPECT(r, GGUF_E_NE_OVERFLOW,
	       "tensor 2 'blk.0.ffn_down.weight': ne[1] = 4611686018427387904: product overflows");
	/* llama.cpp also refuses a product of exactly INT64_MAX */
	m = base_model();
	m.t[1].ne[0] = INT64_MAX;
	run(&m, NULL, &r);
	EXPECT(r, GGUF_E_NE_OVERFLOW, "ne[0] = 9223372036854775807: product overflows int64");

	m = base_model();
	m.t[1].type = 43;
	run(&m, NULL, &r);
	EXPECT(r, GGUF_E_TENSOR_TYPE, "ggml type 43 is unknown");
	m.t[1].type = 0xffffffffu; /* -1 as llama.cpp's int32 */
	run(&m, NULL, &r);
	EXPECT(r, GGUF_E_TENSOR_TYPE, "ggml type 4294967295 is unknown");
	for (uint32_t t = 0; t < 43; t++) {
		bool removed = t == 4 || t == 5 || (t >= 31 && t <= 33) || (t >= 36 && t <= 38);

		m.t[1].type = t;
		m.t[1].ne[0] = 256 * 4; /* a multiple of every block size, 128 of them at most */
		m.t[1].nbytes = 0;	/* wrong size for most types: stop before the offsets */
		run(&m, NULL, &r);
		if (removed) {
			CHECK_INT(r.code, GGUF_E_TENSOR_TYPE_REMOVED);
		} else {
			CHECK(r.code != GGUF_E_TENSOR_TYPE &&
			      r.code != GGUF_E_TENSOR_TYPE_REMOVED && r.code != GGUF_E_BLOCK);
			CHECK(gguf_ggml_type_name(t) != NULL);
		}
	}
	m = base_model();
	m.t[1].type = 31;
	run(&m, NULL, &r);
	EXPECT(r, GGUF_E_TENSOR_TYPE_REMOVED, "ggml type 31 (q4_0_4_4) was removed");

	m = base_model();
	m.t[2].ne[0] = 31;
	run(&m, NULL, &r);
	EXPECT(r, GGUF_E_BLOCK, "ne[0] = 31 is not a multiple of q8_0's block size 32");

	/* f32 over 2^62 elements: the element count fits in int64, its 4 bytes each do not */
	m = base_model();
	m.t[1] = (struct tspec){ "big", 0, 1, { INT64_C(1) << 62 }, 128, false, 0 };
	run(&m, NULL, &r);
	EXPECT(r, GGUF_E_NBYTES_OVERFLOW,
	       "tensor 1 'big': 4611686018427387904 elements of f32: the byte size overflows");
}

static void test_offsets(void)
{
	struct model m;
	struct gguf_check_result r;

	m = base_model();
	m.t[3].set_offset = true;
	m.t[3].offset = 1 << 20;
	run(&m, NULL, &r);
	EXPECT(r, GGUF_E_PAST_EOF,
	       "tensor 'output_norm.weight' offset 0x100000 + 128 bytes ends past");
	m.t[3].offset = UINT64_MAX - 64;
	run(&m, NULL, &r);
	EXPECT(r, GGUF_E_PAST_EOF, "ends past the end of the file");

	m = base_model();
	m.t[1].set_offset = true;
	m.t[1].offset = 320 + 8;
	run(&m, NULL, &r);
	EXPECT(r, GGUF_E_OFFSET_ALIGN, "offset 0x148 is not a multiple of the alignment 32");

	m = base_model();
	m.t[1].set_offset = true;
	m.t[1].offset = 0;
	run(&m, NULL, &r);
	EXPECT(r, GGUF_E_OFFSET_OVERLAP,
	       "tensor 'blk.0.attn_norm.weight' offset 0x0 overlaps tensor 'token_embd.weight' [0x0, 0x140)");

	/* the tensors' data swapped in the table: the second points before the first */
	m = base_model();
	m.t[0].set_offset = true;
	m.t[0].offset = 128;
	m.t[1].set_offset = true;
	m.t[1].offset = 0;
	run(&m, NULL, &r);
	EXPECT(r, GGUF_E_OFFSET_GAP, "tensor 'token_embd.weight' offset 0x80, expected 0x0");
	m.t[0].offset = 0;
	m.t[1].offset = 320;
	m.t[2].set_offset = true;
	m.t[2].offset = 0x100;
	run(&m, NULL, &r);
	EXPECT(r, GGUF_E_OFFSET_ORDER,
	       "offset 0x100 is before tensor 'blk.0.attn_norm.weight' at 0x140: out of order");

	m = base_model();
	m.t[2].set_offset = true;
	m.t[2].offset = 320 + 128 + 64;
	m.t[3].set_offset = true;
	m.t[3].offset = 320 + 128 + 64 + 160;
	run(&m, NULL, &r);
	EXPECT(r, GGUF_E_OFFSET_GAP, "offset 0x200, expected 0x1c0: not contiguous");

	/* data cut short: the last tensor ends past the file */
	{
		struct kvs k = { 0 };
		struct gb out = { 0 };

		m = base_model();
		base_kvs(&k);
		build(&out, &k, &m);
		out.n -= 100;
		check_gb(&out, &r);
		EXPECT(r, GGUF_E_PAST_EOF, "tensor 'output_norm.weight'");
		/* a file that ends with the tensor table, before the data section's padding */
		m.nt = 1;
		m.t[0] = (struct tspec){ "e", 0, 1, { 0 }, 0, false, 0 };
		build(&out, &k, &m);
		out.n = 24 + k.g.n + 8 + 1 + 4 + 8 + 4 + 8;
		CHECK(out.n % 32 != 0);
		check_gb(&out, &r);
		EXPECT(r, GGUF_E_PAST_EOF, "the data section would start at");
		free(out.b);
		free(k.g.b);
	}
}

/* ---- the generator's fixtures, through the mapped file ------------------------------- */

static void fixture(const char *name, enum gguf_problem want, const char *needle)
{
	char path[256];
	struct gguf_check_result r, rm;
	static uint8_t buf[1 << 16];
	size_t n;

	snprintf(path, sizeof(path), "fuzz/corpus/gguf/%s.gguf", name);
	CHECK_INT(gguf_check_file(path, &r), 0);
	if (want == GGUF_OK) {
		if (!r.ok)
			fprintf(stderr, "%s: %s\n", path, r.text);
		CHECK(r.ok);
	} else {
		EXPECT(r, want, needle);
	}
	/* the same verdict from memory */
	snprintf(path, sizeof(path), "gguf/%s.gguf", name);
	n = corpus_read(path, buf, sizeof(buf));
	{
		void *copy = corpus_exact(buf, n);

		CHECK_INT(gguf_check_mem(copy, n, &rm), 0);
		free(copy);
	}
	CHECK_INT(rm.code, r.code);
	CHECK_STR(rm.text, r.text);
}

static void test_fixtures(void)
{
	struct gguf_check_result r;
	char tmp[] = "/tmp/lw-gguf-XXXXXX";
	int fd;

	fixture("valid", GGUF_OK, "");
	CHECK(gguf_check_file("fuzz/corpus/gguf/valid.gguf", &r) == 0 && r.ok);
	CHECK_STR(r.facts.architecture.raw, "llama");
	CHECK_STR(r.facts.name.raw, "lw-tiny");
	CHECK_INT(r.facts.n_kv, 10);
	CHECK_INT(r.facts.n_tensors, 4);
	CHECK_INT(r.facts.data_size, 512 + 128 + 160 + 128);
	fixture("valid-align64", GGUF_OK, "");
	fixture("short-header", GGUF_E_TRUNCATED, "header: tensor_count");
	fixture("truncated", GGUF_E_TRUNCATED, "tensor 3 'output_norm.weight': ne (8 bytes)");
	fixture("huge-nkv", GGUF_E_COUNT, "metadata_kv_count 1099511627776");
	fixture("string-past-eof", GGUF_E_LENGTH,
		"key 1 'general.name': string value length 1000000");
	fixture("shape-overflow", GGUF_E_NE_OVERFLOW, "'huge.weight': ne[1] = 4294967296: product");
	fixture("offset-past-eof", GGUF_E_PAST_EOF, "'output_norm.weight' offset 0x100000");
	fixture("overlap", GGUF_E_OFFSET_OVERLAP, "overlaps tensor 'token_embd.weight'");
	fixture("bad-alignment", GGUF_E_ALIGNMENT, "general.alignment = 48");
	fixture("dup-key", GGUF_E_DUP_KEY, "'general.name': duplicate key");
	fixture("nested-array", GGUF_E_NESTED_ARRAY, "'lw.nested': an array of arrays");
	fixture("unknown-type", GGUF_E_TENSOR_TYPE, "ggml type 99 is unknown");
	fixture("not-block-multiple", GGUF_E_BLOCK, "ne[0] = 31 is not a multiple");

	/* what cannot be mapped: a missing file, a directory, an empty file */
	CHECK_INT(gguf_check_file("fuzz/corpus/gguf/no-such.gguf", &r), -ENOENT);
	CHECK(strstr(r.text, "no-such.gguf: No such file") != NULL);
	CHECK_INT(gguf_check_file("fuzz/corpus/gguf", &r), -EINVAL);
	CHECK(strstr(r.text, "not a regular file") != NULL);
	fd = mkstemp(tmp);
	CHECK(fd >= 0);
	if (fd >= 0) {
		close(fd);
		CHECK_INT(gguf_check_file(tmp, &r), 0);
		EXPECT(r, GGUF_E_TRUNCATED, "offset 0x0: header: magic");
		unlink(tmp);
	}
}

static void test_names(void)
{
	CHECK_STR(gguf_problem_name(GGUF_E_PAST_EOF), "past-eof");
	CHECK_STR(gguf_problem_name(GGUF_E_COUNT_), "unknown");
	for (int c = 0; c < GGUF_E_COUNT_; c++)
		CHECK(gguf_problem_name(c) != NULL && strcmp(gguf_problem_name(c), "unknown") != 0);
	CHECK_STR(gguf_ggml_type_name(8), "q8_0");
	CHECK(gguf_ggml_type_name(43) == NULL);
}

int main(void)
{
	test_valid();
	test_alignment_and_facts();
	test_header();
	test_limits();
	test_kv();
	test_tensors();
	test_offsets();
	test_fixtures();
	test_names();
	return check_summary("gguf_check");
}
