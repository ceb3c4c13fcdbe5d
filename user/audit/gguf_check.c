// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The GGUF validator: one bounds-checked cursor over the file's bytes, the checks llama.cpp's
 * gguf_init_from_reader() makes today (ggml-org/llama.cpp ggml/src/gguf.cpp @067d44f6) and
 * those that past parser bugs call for (research/inference-tools.md section 6), each refusal
 * naming the field, its offset and its value. Layout and rationale: docs/gguf-check.md.
 */
#include "audit/gguf_check.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/escape.h"

/* ---- the tables ------------------------------------------------------------------------ */

enum gguf_vtype {
	GGUF_T_U8,
	GGUF_T_I8,
	GGUF_T_U16,
	GGUF_T_I16,
	GGUF_T_U32,
	GGUF_T_I32,
	GGUF_T_F32,
	GGUF_T_BOOL,
	GGUF_T_STRING,
	GGUF_T_ARRAY,
	GGUF_T_U64,
	GGUF_T_I64,
	GGUF_T_F64,
	GGUF_T_COUNT,
};

/* gguf.cpp's GGUF_TYPE_SIZE and GGUF_TYPE_NAME (a bool is one byte; strings, arrays vary). */
static const struct {
	const char *name;
	unsigned int size;
} vtypes[GGUF_T_COUNT] = {
	{ "u8", 1 },  { "i8", 1 },  { "u16", 2 },  { "i16", 2 }, { "u32", 4 },
	{ "i32", 4 }, { "f32", 4 }, { "bool", 1 }, { "str", 0 }, { "arr", 0 },
	{ "u64", 8 }, { "i64", 8 }, { "f64", 8 },
};

/*
 * ggml's tensor types: block size (elements per block) and type size (bytes per block), from
 * ggml-org/llama.cpp ggml/include/ggml.h @37b53fd4 (enum ggml_type, GGML_TYPE_COUNT = 43) and
 * the block structs of ggml/src/ggml-common.h @01243c58 (their static_asserts give the
 * sizes; ggml.c's type_traits pair each type with its block). QK_K is 256. A zero block size
 * marks a number that is not a type: 4 and 5 (Q4_2, Q4_3), 31-33 (Q4_0_4_4...) and 36-38
 * (IQ4_NL_4_4...) were removed, and ggml.h says their support "has been removed from gguf
 * files"; llama.cpp itself has no type_traits entry for them (block size 0), so it refuses
 * them at its blck_size == 0 check.
 */
#define GGML_TYPE_COUNT 43
static const struct {
	const char *name;
	uint32_t blck;
	uint32_t size;
} ggml_types[GGML_TYPE_COUNT] = {
	[0] = { "f32", 1, 4 },	       [1] = { "f16", 1, 2 },	      [2] = { "q4_0", 32, 18 },
	[3] = { "q4_1", 32, 20 },      [4] = { "q4_2", 0, 0 },	      [5] = { "q4_3", 0, 0 },
	[6] = { "q5_0", 32, 22 },      [7] = { "q5_1", 32, 24 },      [8] = { "q8_0", 32, 34 },
	[9] = { "q8_1", 32, 36 },      [10] = { "q2_K", 256, 84 },    [11] = { "q3_K", 256, 110 },
	[12] = { "q4_K", 256, 144 },   [13] = { "q5_K", 256, 176 },   [14] = { "q6_K", 256, 210 },
	[15] = { "q8_K", 256, 292 },   [16] = { "iq2_xxs", 256, 66 }, [17] = { "iq2_xs", 256, 74 },
	[18] = { "iq3_xxs", 256, 98 }, [19] = { "iq1_s", 256, 50 },   [20] = { "iq4_nl", 32, 18 },
	[21] = { "iq3_s", 256, 110 },  [22] = { "iq2_s", 256, 82 },   [23] = { "iq4_xs", 256, 136 },
	[24] = { "i8", 1, 1 },	       [25] = { "i16", 1, 2 },	      [26] = { "i32", 1, 4 },
	[27] = { "i64", 1, 8 },	       [28] = { "f64", 1, 8 },	      [29] = { "iq1_m", 256, 56 },
	[30] = { "bf16", 1, 2 },       [31] = { "q4_0_4_4", 0, 0 },   [32] = { "q4_0_4_8", 0, 0 },
	[33] = { "q4_0_8_8", 0, 0 },   [34] = { "tq1_0", 256, 54 },   [35] = { "tq2_0", 256, 66 },
	[36] = { "iq4_nl_4_4", 0, 0 }, [37] = { "iq4_nl_4_8", 0, 0 }, [38] = { "iq4_nl_8_8", 0, 0 },
	[39] = { "mxfp4", 32, 17 },    [40] = { "nvfp4", 64, 36 },    [41] = { "q1_0", 128, 18 },
	[42] = { "q2_0", 64, 18 },
};

/*
 * Keys that llama.cpp reads with a fixed type: general.alignment must be a u32 (gguf.cpp
 * refuses another type), and the tokenizer's arrays are read as the type the vocabulary
 * expects (src/llama-vocab.cpp), so an array of another element type there (an i8 array
 * read as f32) is an out-of-bounds read in the consumer (research section 6, "extra checks").
 */
static const struct {
	const char *key;
	enum gguf_vtype type;
	bool array;
} known_keys[] = {
	{ "general.alignment", GGUF_T_U32, false },
	{ "general.architecture", GGUF_T_STRING, false },
	{ "general.name", GGUF_T_STRING, false },
	{ "tokenizer.ggml.tokens", GGUF_T_STRING, true },
	{ "tokenizer.ggml.scores", GGUF_T_F32, true },
	{ "tokenizer.ggml.token_type", GGUF_T_I32, true },
	{ "tokenizer.ggml.merges", GGUF_T_STRING, true },
};

/*
 * ggml_tensor_overhead() on a 64-bit host: GGML_OBJECT_SIZE (32) + GGML_TENSOR_SIZE (336 in
 * current ggml; 368 is kept as the larger of the values it has had). llama.cpp multiplies
 * n_tensors (+1) by it before allocating its context: the overflow of that product and of
 * its sum with the data size are CVE-2026-27940 (GHSA-3p4r-fq3f-q74v).
 */
#define GGUF_TENSOR_OVERHEAD 368u
/* The fewest bytes a key-value pair (8-byte length, a 1-byte key, type, a 1-byte value) and
 * a tensor info (8-byte length, empty name, n_dims 0, type, offset) can take. */
#define GGUF_MIN_KV_BYTES 14u
#define GGUF_MIN_TENSOR_BYTES 24u
#define GGUF_HEADER_BYTES 24u

static const char *const problem_names[GGUF_E_COUNT_] = {
	[GGUF_OK] = "ok",
	[GGUF_E_TRUNCATED] = "truncated",
	[GGUF_E_MAGIC] = "magic",
	[GGUF_E_VERSION] = "version",
	[GGUF_E_BYTE_SWAPPED] = "byte-swapped",
	[GGUF_E_COUNT] = "count",
	[GGUF_E_TENSOR_OVERHEAD] = "tensor-overhead",
	[GGUF_E_LIMIT] = "limit",
	[GGUF_E_LENGTH] = "length-past-end",
	[GGUF_E_STRING_CAP] = "string-cap",
	[GGUF_E_ARRAY_CAP] = "array-cap",
	[GGUF_E_KEY] = "key",
	[GGUF_E_DUP_KEY] = "dup-key",
	[GGUF_E_VALUE_TYPE] = "value-type",
	[GGUF_E_NESTED_ARRAY] = "nested-array",
	[GGUF_E_KEY_TYPE] = "key-type",
	[GGUF_E_ALIGNMENT] = "alignment",
	[GGUF_E_TENSOR_NAME] = "tensor-name",
	[GGUF_E_DUP_TENSOR] = "dup-tensor",
	[GGUF_E_N_DIMS] = "n-dims",
	[GGUF_E_NE_NEGATIVE] = "ne-negative",
	[GGUF_E_NE_OVERFLOW] = "ne-overflow",
	[GGUF_E_TENSOR_TYPE] = "tensor-type",
	[GGUF_E_TENSOR_TYPE_REMOVED] = "tensor-type-removed",
	[GGUF_E_BLOCK] = "block",
	[GGUF_E_NBYTES_OVERFLOW] = "nbytes-overflow",
	[GGUF_E_DATA_OVERFLOW] = "data-overflow",
	[GGUF_E_PAST_EOF] = "past-eof",
	[GGUF_E_OFFSET_ALIGN] = "offset-align",
	[GGUF_E_OFFSET_ORDER] = "offset-order",
	[GGUF_E_OFFSET_OVERLAP] = "offset-overlap",
	[GGUF_E_OFFSET_GAP] = "offset-gap",
};

const char *gguf_problem_name(enum gguf_problem code)
{
	if ((unsigned int)code >= GGUF_E_COUNT_)
		return "unknown";
	return problem_names[code];
}

const char *gguf_ggml_type_name(uint32_t type)
{
	return type < GGML_TYPE_COUNT ? ggml_types[type].name : NULL;
}

/* ---- the cursor: the only way the checker reads the file ------------------------------ */

struct cursor {
	const uint8_t *base;
	size_t len;
	size_t pos;
};

static size_t cur_left(const struct cursor *c)
{
	return c->len - c->pos;
}

/* The next n bytes, or NULL (cursor unmoved) when fewer are left. */
static const uint8_t *cur_take(struct cursor *c, uint64_t n)
{
	const uint8_t *p;

	if (n > cur_left(c))
		return NULL;
	p = c->base + c->pos;
	c->pos += (size_t)n;
	return p;
}

static uint64_t le(const uint8_t *p, unsigned int n)
{
	uint64_t v = 0;

	for (unsigned int i = n; i-- > 0;)
		v = v << 8 | p[i];
	return v;
}

/* ---- a set of byte strings (keys, tensor names) that point into the file -------------- */

struct view {
	const uint8_t *p;
	uint32_t n;
};

struct view_set {
	struct view *slot;
	size_t mask;
};

static int set_init(struct view_set *s, uint64_t n)
{
	size_t cap = 16;

	/* at most half full; n is already bounded by the caps, so this cannot overflow */
	while (cap < 2 * n)
		cap <<= 1;
	s->slot = calloc(cap, sizeof(*s->slot));
	s->mask = cap - 1;
	return s->slot ? 0 : -ENOMEM;
}

static uint64_t fnv1a(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

/* Adds p[0..n); returns false when it is already there. */
static bool set_add(struct view_set *s, const uint8_t *p, uint32_t n)
{
	size_t i = (size_t)fnv1a(p, n) & s->mask;

	while (s->slot[i].p) {
		if (s->slot[i].n == n && memcmp(s->slot[i].p, p, n) == 0)
			return false;
		i = (i + 1) & s->mask;
	}
	s->slot[i].p = p;
	s->slot[i].n = n;
	return true;
}

/* ---- the checker ------------------------------------------------------------------------ */

struct tensor {
	uint64_t off;	 /* the declared offset, relative to the data section */
	uint64_t nbytes; /* ggml_nbytes() */
	uint64_t padded; /* nbytes padded to the alignment */
	size_t off_at;	 /* where the offset field is in the file */
	const uint8_t *name;
	uint32_t name_len;
};

struct checker {
	struct cursor c;
	struct gguf_check_result *r;
	char where[160]; /* the item being read, for messages: "key 3 'general.name'" */
};

/* Records the first problem. */
__attribute__((format(printf, 4, 5))) static void problem(struct checker *k, enum gguf_problem code,
							  uint64_t at, const char *fmt, ...)
{
	struct gguf_check_result *r = k->r;
	va_list ap;
	int n;

	r->ok = false;
	r->code = code;
	r->offset = at;
	n = snprintf(r->text, sizeof(r->text), "offset 0x%" PRIx64 ": ", at);
	if (n < 0 || (size_t)n >= sizeof(r->text))
		return;
	va_start(ap, fmt);
	vsnprintf(r->text + n, sizeof(r->text) - (size_t)n, fmt, ap);
	va_end(ap);
}

/* `return FAIL(...)`: records the problem and returns -1, visibly to the analyzers too. */
#define FAIL(...) (problem(__VA_ARGS__), -1)

/* The escaped form of untrusted bytes for a message, cut to fit with "..." when too long. */
static const char *esc(char *buf, size_t size, const uint8_t *p, size_t n)
{
	if (escape_bytes(buf, size - 3, (const char *)p, n) >= size - 3)
		strcat(buf, "...");
	return buf;
}

static int rd(struct checker *k, unsigned int n, uint64_t *v, const char *what)
{
	size_t at = k->c.pos;
	const uint8_t *p = cur_take(&k->c, n);

	*v = 0;
	if (!p)
		return FAIL(k, GGUF_E_TRUNCATED, at,
			    "%s: %s (%u bytes) runs past the end (%zu left)", k->where, what, n,
			    cur_left(&k->c));
	*v = le(p, n);
	return 0;
}

static int rd_u32(struct checker *k, uint32_t *v, const char *what)
{
	uint64_t x = 0;

	if (rd(k, 4, &x, what))
		return -1;
	*v = (uint32_t)x;
	return 0;
}

/*
 * A string: a u64 length, then its bytes. The cap is checked before the bytes left, as
 * llama.cpp does (a length past 1 GiB is refused whatever the file size), so that both say
 * which rule a length breaks. The bytes are a view into the file.
 */
static int rd_str(struct checker *k, const char *what, uint64_t cap, enum gguf_problem cap_code,
		  const uint8_t **p, uint64_t *n)
{
	size_t at = k->c.pos;

	if (rd(k, 8, n, what))
		return -1;
	if (*n > cap)
		return FAIL(k, cap_code, at, "%s: %s length %" PRIu64 " > %" PRIu64, k->where, what,
			    *n, cap);
	*p = cur_take(&k->c, *n);
	if (!*p)
		return FAIL(k, GGUF_E_LENGTH, at,
			    "%s: %s length %" PRIu64 " runs past the end (%zu bytes left)",
			    k->where, what, *n, cur_left(&k->c));
	return 0;
}

static void keep_str(struct gguf_str *s, const uint8_t *p, uint64_t n)
{
	s->present = true;
	s->len = n;
	s->kept = n < GGUF_FACT_STR_MAX ? (size_t)n : GGUF_FACT_STR_MAX;
	memcpy(s->raw, p, s->kept);
	s->raw[s->kept] = '\0';
}

static bool key_is(const uint8_t *p, uint64_t n, const char *name)
{
	return n == strlen(name) && memcmp(p, name, n) == 0;
}

/* The header: magic, version, the two counts, bounded before anything is allocated. */
static int check_header(struct checker *k)
{
	struct gguf_facts *f = &k->r->facts;
	uint64_t nt, nkv, left;
	uint32_t magic, v;

	snprintf(k->where, sizeof(k->where), "header");
	if (rd_u32(k, &magic, "magic"))
		return -1;
	if (magic != 0x46554747u) /* "GGUF" */
		return FAIL(k, GGUF_E_MAGIC, 0, "magic 0x%08" PRIx32 " is not \"GGUF\"", magic);
	if (rd_u32(k, &v, "version"))
		return -1;
	f->version = v;
	/* llama.cpp's test: a big-endian v3 file reads as 0x03000000 on a little-endian host */
	if (v != 0 && (v & 0xffffu) == 0)
		return FAIL(k, GGUF_E_BYTE_SWAPPED, 4,
			    "version 0x%08" PRIx32 " is version %" PRIu32
			    " byte-swapped: a big-endian GGUF, which this checker does not read",
			    v, __builtin_bswap32(v));
	if (v == 1)
		return FAIL(k, GGUF_E_VERSION, 4,
			    "version 1 is refused (llama.cpp dropped GGUFv1: 32-bit counts)");
	if (v != 2 && v != 3)
		return FAIL(k, GGUF_E_VERSION, 4, "version %" PRIu32 " is not 2 or 3", v);

	if (rd(k, 8, &nt, "tensor_count"))
		return -1;
	f->n_tensors = nt;
	if ((int64_t)nt < 0) /* llama.cpp reads the counts as int64 */
		return FAIL(k, GGUF_E_COUNT, 8, "tensor_count %" PRId64 " is negative",
			    (int64_t)nt);
	if (nt + 1 > SIZE_MAX / GGUF_TENSOR_OVERHEAD)
		return FAIL(k, GGUF_E_TENSOR_OVERHEAD, 8,
			    "tensor_count %" PRIu64
			    " times ggml's %u-byte tensor overhead overflows (CVE-2026-27940)",
			    nt, GGUF_TENSOR_OVERHEAD);
	if (rd(k, 8, &nkv, "metadata_kv_count"))
		return -1;
	f->n_kv = nkv;
	if ((int64_t)nkv < 0)
		return FAIL(k, GGUF_E_COUNT, 16, "metadata_kv_count %" PRId64 " is negative",
			    (int64_t)nkv);

	/* CVE-2024-23605 (n_kv) and CVE-2024-25664..25668 (counts): each item takes bytes */
	left = cur_left(&k->c);
	if (nt > left / GGUF_MIN_TENSOR_BYTES)
		return FAIL(k, GGUF_E_COUNT, 8,
			    "tensor_count %" PRIu64 ": more than the %" PRIu64
			    " bytes left can hold (%u bytes each at least)",
			    nt, left, GGUF_MIN_TENSOR_BYTES);
	left -= nt * GGUF_MIN_TENSOR_BYTES;
	if (nkv > left / GGUF_MIN_KV_BYTES)
		return FAIL(k, GGUF_E_COUNT, 16,
			    "metadata_kv_count %" PRIu64 ": more than the %" PRIu64
			    " bytes left after the tensor table can hold (%u bytes each at least)",
			    nkv, left, GGUF_MIN_KV_BYTES);
	if (nt > GGUF_CHECK_MAX_TENSORS)
		return FAIL(k, GGUF_E_LIMIT, 8, "tensor_count %" PRIu64 " > this checker's cap %u",
			    nt, GGUF_CHECK_MAX_TENSORS);
	if (nkv > GGUF_CHECK_MAX_KV)
		return FAIL(k, GGUF_E_LIMIT, 16,
			    "metadata_kv_count %" PRIu64 " > this checker's cap %u", nkv,
			    GGUF_CHECK_MAX_KV);
	return 0;
}

/* The value of a known key must have the type llama.cpp reads it as. */
static int check_key_type(struct checker *k, size_t at, const uint8_t *key, uint64_t key_len,
			  uint32_t type, bool array)
{
	for (size_t i = 0; i < sizeof(known_keys) / sizeof(known_keys[0]); i++) {
		if (!key_is(key, key_len, known_keys[i].key))
			continue;
		if (known_keys[i].type == type && known_keys[i].array == array)
			return 0;
		return FAIL(k, GGUF_E_KEY_TYPE, at, "%s: type %s%s%s, llama.cpp reads it as %s%s%s",
			    k->where, array ? "arr[" : "", vtypes[type].name, array ? "]" : "",
			    known_keys[i].array ? "arr[" : "", vtypes[known_keys[i].type].name,
			    known_keys[i].array ? "]" : "");
	}
	return 0;
}

/*
 * One value of a scalar type (not an array). Strings are walked, fixed sizes skipped; the
 * values of general.alignment, general.architecture and general.name are kept.
 */
static int check_value(struct checker *k, uint32_t type, const uint8_t *key, uint64_t key_len,
		       size_t *alignment_at)
{
	struct gguf_facts *f = &k->r->facts;
	const uint8_t *p;
	uint64_t n;

	if (type == GGUF_T_STRING) {
		if (rd_str(k, "string value", GGUF_MAX_STRING_LENGTH, GGUF_E_STRING_CAP, &p, &n))
			return -1;
		if (key_is(key, key_len, "general.architecture"))
			keep_str(&f->architecture, p, n);
		else if (key_is(key, key_len, "general.name"))
			keep_str(&f->name, p, n);
		return 0;
	}
	if (key_is(key, key_len, "general.alignment")) {
		*alignment_at = k->c.pos;
		if (rd_u32(k, &f->alignment, "value"))
			return -1;
		f->alignment_set = true;
		return 0;
	}
	return rd(k, vtypes[type].size, &n, "value");
}

static int check_kv(struct checker *k, uint64_t i, struct view_set *keys, size_t *alignment_at)
{
	const uint8_t *key;
	uint64_t key_len, count;
	uint32_t type, etype;
	size_t at = k->c.pos, type_at;
	char name[96];

	snprintf(k->where, sizeof(k->where), "key %" PRIu64, i);
	if (rd_str(k, "key", GGUF_MAX_KEY_LENGTH, GGUF_E_KEY, &key, &key_len))
		return -1;
	if (key_len == 0)
		return FAIL(k, GGUF_E_KEY, at, "%s: empty key", k->where);
	snprintf(k->where, sizeof(k->where), "key %" PRIu64 " '%s'", i,
		 esc(name, sizeof(name), key, key_len));
	if (!set_add(keys, key, (uint32_t)key_len))
		return FAIL(k, GGUF_E_DUP_KEY, at, "%s: duplicate key", k->where);

	type_at = k->c.pos;
	if (rd_u32(k, &type, "value type"))
		return -1;
	if (type >= GGUF_T_COUNT)
		return FAIL(k, GGUF_E_VALUE_TYPE, type_at, "%s: unknown value type %" PRIu32,
			    k->where, type);
	if (type != GGUF_T_ARRAY) {
		if (check_key_type(k, type_at, key, key_len, type, false))
			return -1;
		return check_value(k, type, key, key_len, alignment_at);
	}

	type_at = k->c.pos;
	if (rd_u32(k, &etype, "array element type"))
		return -1;
	if (etype == GGUF_T_ARRAY)
		return FAIL(k, GGUF_E_NESTED_ARRAY, type_at,
			    "%s: an array of arrays (llama.cpp refuses nested arrays)", k->where);
	if (etype >= GGUF_T_COUNT)
		return FAIL(k, GGUF_E_VALUE_TYPE, type_at,
			    "%s: unknown array element type %" PRIu32, k->where, etype);
	if (check_key_type(k, type_at, key, key_len, etype, true))
		return -1;
	at = k->c.pos;
	if (rd(k, 8, &count, "array length"))
		return -1;
	if (count > GGUF_MAX_ARRAY_ELEMENTS)
		return FAIL(k, GGUF_E_ARRAY_CAP, at, "%s: array length %" PRIu64 " > %llu",
			    k->where, count, GGUF_MAX_ARRAY_ELEMENTS);
	/* count <= 2^30 and sizes <= 8: no overflow; a string takes its 8-byte length at least */
	if (count * (etype == GGUF_T_STRING ? 8 : vtypes[etype].size) > cur_left(&k->c))
		return FAIL(k, GGUF_E_LENGTH, at,
			    "%s: array of %" PRIu64 " %s runs past the end (%zu bytes left)",
			    k->where, count, vtypes[etype].name, cur_left(&k->c));
	if (etype != GGUF_T_STRING) {
		cur_take(&k->c, count * vtypes[etype].size);
		return 0;
	}
	for (uint64_t j = 0; j < count; j++) {
		const uint8_t *p;
		uint64_t n;
		char what[48];

		snprintf(what, sizeof(what), "element %" PRIu64, j);
		if (rd_str(k, what, GGUF_MAX_STRING_LENGTH, GGUF_E_STRING_CAP, &p, &n))
			return -1;
	}
	return 0;
}

/* One tensor info: name, shape, type (its byte size computed, overflow-checked), offset. */
static int check_tensor_info(struct checker *k, uint64_t i, struct view_set *names,
			     uint32_t alignment, struct tensor *t)
{
	int64_t ne[GGUF_MAX_DIMS] = { 1, 1, 1, 1 };
	size_t ne_at[GGUF_MAX_DIMS] = { 0 };
	size_t at = k->c.pos;
	uint64_t n, nel, blocks;
	uint32_t n_dims, type;
	const uint8_t *name;
	char ename[96];
	bool empty = false;

	snprintf(k->where, sizeof(k->where), "tensor %" PRIu64, i);
	if (rd_str(k, "name", GGUF_MAX_STRING_LENGTH, GGUF_E_STRING_CAP, &name, &n))
		return -1;
	esc(ename, sizeof(ename), name, n);
	if (n >= GGUF_MAX_TENSOR_NAME)
		return FAIL(k, GGUF_E_TENSOR_NAME, at,
			    "%s: name '%s' is %" PRIu64 " bytes long, not < %u (GGML_MAX_NAME)",
			    k->where, ename, n, GGUF_MAX_TENSOR_NAME);
	snprintf(k->where, sizeof(k->where), "tensor %" PRIu64 " '%s'", i, ename);
	if (!set_add(names, name, (uint32_t)n))
		return FAIL(k, GGUF_E_DUP_TENSOR, at, "%s: duplicate tensor name", k->where);
	t->name = name;
	t->name_len = (uint32_t)n;

	at = k->c.pos;
	if (rd_u32(k, &n_dims, "n_dims"))
		return -1;
	if (n_dims > GGUF_MAX_DIMS)
		return FAIL(k, GGUF_E_N_DIMS, at, "%s: n_dims = %" PRIu32 " > %u", k->where, n_dims,
			    GGUF_MAX_DIMS);
	for (uint32_t j = 0; j < n_dims; j++) {
		uint64_t v;

		ne_at[j] = k->c.pos;
		if (rd(k, 8, &v, "ne"))
			return -1;
		ne[j] = (int64_t)v;
		if (ne[j] < 0) /* CVE-2024-21802: info->ne */
			return FAIL(k, GGUF_E_NE_NEGATIVE, ne_at[j],
				    "%s: ne[%" PRIu32 "] = %" PRId64 " is negative", k->where, j,
				    ne[j]);
		if (ne[j] == 0)
			empty = true;
	}
	/* llama.cpp refuses a product >= INT64_MAX; a zero-element tensor is representable */
	nel = empty ? 0 : 1;
	for (uint32_t j = 0; !empty && j < n_dims; j++) {
		int64_t p;

		if (__builtin_mul_overflow((int64_t)nel, ne[j], &p) || p == INT64_MAX)
			return FAIL(k, GGUF_E_NE_OVERFLOW, ne_at[j],
				    "%s: ne[%" PRIu32 "] = %" PRId64 ": product overflows int64",
				    k->where, j, ne[j]);
		nel = (uint64_t)p;
	}

	at = k->c.pos;
	if (rd_u32(k, &type, "type"))
		return -1;
	if (type >= GGML_TYPE_COUNT)
		return FAIL(k, GGUF_E_TENSOR_TYPE, at,
			    "%s: ggml type %" PRIu32 " is unknown (ggml has 0..%d)", k->where, type,
			    GGML_TYPE_COUNT - 1);
	if (ggml_types[type].blck == 0)
		return FAIL(k, GGUF_E_TENSOR_TYPE_REMOVED, at,
			    "%s: ggml type %" PRIu32 " (%s) was removed from GGUF files", k->where,
			    type, ggml_types[type].name);
	if (ne[0] % ggml_types[type].blck != 0)
		return FAIL(k, GGUF_E_BLOCK, ne_at[0],
			    "%s: ne[0] = %" PRId64 " is not a multiple of %s's block size %" PRIu32,
			    k->where, ne[0], ggml_types[type].name, ggml_types[type].blck);
	/* ggml_nbytes() of a contiguous tensor; its overflow is CVE-2026-33298 */
	blocks = nel / ggml_types[type].blck;
	if (__builtin_mul_overflow(blocks, (uint64_t)ggml_types[type].size, &t->nbytes) ||
	    t->nbytes > SIZE_MAX)
		return FAIL(k, GGUF_E_NBYTES_OVERFLOW, at,
			    "%s: %" PRIu64 " elements of %s: the byte size overflows", k->where,
			    nel, ggml_types[type].name);
	/* GGML_PAD() must not wrap to 0 (research section 6) */
	if (t->nbytes > UINT64_MAX - (alignment - 1))
		return FAIL(k, GGUF_E_NBYTES_OVERFLOW, at,
			    "%s: %" PRIu64 " bytes padded to %" PRIu32 " overflows", k->where,
			    t->nbytes, alignment);
	t->padded = (t->nbytes + alignment - 1) & ~(uint64_t)(alignment - 1);

	t->off_at = k->c.pos;
	return rd(k, 8, &t->off, "offset");
}

/*
 * The data section: each tensor's data inside the file, aligned, and, as llama.cpp requires,
 * right after the previous one's padded end (gguf.cpp: "tensor has offset %, expected %").
 * Each rule has its own code so that a report says which one broke.
 */
static int check_offsets(struct checker *k, const struct tensor *t, uint64_t n, uint32_t alignment)
{
	struct gguf_facts *f = &k->r->facts;
	uint64_t size = 0;
	char a[96], b[96];

	for (uint64_t i = 0; i < n; i++) {
		const struct tensor *cur = &t[i], *prev = i ? &t[i - 1] : NULL;
		uint64_t end;

		esc(a, sizeof(a), cur->name, cur->name_len);
		/* Ollama's CVE-2026-7482: the last offset plus its size past the file size */
		if (__builtin_add_overflow(cur->off, cur->nbytes, &end) ||
		    __builtin_add_overflow(end, f->data_offset, &end) || end > f->file_size)
			return FAIL(k, GGUF_E_PAST_EOF, cur->off_at,
				    "tensor '%s' offset 0x%" PRIx64 " + %" PRIu64
				    " bytes ends past the end of the file (data at 0x%" PRIx64
				    ", file size 0x%" PRIx64 ")",
				    a, cur->off, cur->nbytes, f->data_offset, f->file_size);
		if (cur->off % alignment)
			return FAIL(k, GGUF_E_OFFSET_ALIGN, cur->off_at,
				    "tensor '%s' offset 0x%" PRIx64
				    " is not a multiple of the alignment %" PRIu32,
				    a, cur->off, alignment);
		if (prev && cur->off < prev->off)
			return FAIL(k, GGUF_E_OFFSET_ORDER, cur->off_at,
				    "tensor '%s' offset 0x%" PRIx64
				    " is before tensor '%s' at 0x%" PRIx64
				    ": out of order (llama.cpp requires table order)",
				    a, cur->off, esc(b, sizeof(b), prev->name, prev->name_len),
				    prev->off);
		if (prev && cur->off < prev->off + prev->nbytes)
			return FAIL(k, GGUF_E_OFFSET_OVERLAP, cur->off_at,
				    "tensor '%s' offset 0x%" PRIx64
				    " overlaps tensor '%s' [0x%" PRIx64 ", 0x%" PRIx64 ")",
				    a, cur->off, esc(b, sizeof(b), prev->name, prev->name_len),
				    prev->off, prev->off + prev->nbytes);
		if (cur->off != size)
			return FAIL(k, GGUF_E_OFFSET_GAP, cur->off_at,
				    "tensor '%s' offset 0x%" PRIx64 ", expected 0x%" PRIx64
				    ": not contiguous (llama.cpp requires each tensor right after"
				    " the previous, padded)",
				    a, cur->off, size);
		/* CVE-2025-53630: the sum of the padded sizes overflowing */
		if (__builtin_add_overflow(size, cur->padded, &size))
			return FAIL(k, GGUF_E_DATA_OVERFLOW, cur->off_at,
				    "tensor '%s': the data size overflows adding %" PRIu64 " bytes",
				    a, cur->padded);
	}
	f->data_size = size;
	/* CVE-2026-27940: (n_tensors + 1) * overhead + ctx->size, as llama.cpp allocates it */
	if (size > SIZE_MAX - (n + 1) * GGUF_TENSOR_OVERHEAD)
		return FAIL(k, GGUF_E_TENSOR_OVERHEAD, 8,
			    "the tensors' overhead plus %" PRIu64 " bytes of data overflows", size);
	return 0;
}

/*
 * Each allocation is handed to w before the next read of the file: a fault on that read
 * (SIGBUS, a mapping truncated) jumps out of here, and w is what the caller frees.
 */
static int check(struct checker *k, struct gguf_check_work *w)
{
	struct gguf_facts *f = &k->r->facts;
	struct view_set keys_set = { 0 }, names_set = { 0 }, *keys = &keys_set, *names = &names_set;
	struct tensor *tensors;
	size_t alignment_at = 0;
	uint64_t pad;
	int err;

	if (check_header(k))
		return -1;
	err = set_init(keys, f->n_kv);
	w->keys = keys->slot;
	if (!err)
		err = set_init(names, f->n_tensors);
	w->names = names->slot;
	if (err)
		return err;
	tensors = calloc(f->n_tensors ? f->n_tensors : 1, sizeof(*tensors));
	w->tensors = tensors;
	if (!tensors)
		return -ENOMEM;

	for (uint64_t i = 0; i < f->n_kv; i++)
		if (check_kv(k, i, keys, &alignment_at))
			return -1;
	if (!f->alignment_set)
		f->alignment = GGUF_DEFAULT_ALIGNMENT;
	else if (f->alignment == 0 || (f->alignment & (f->alignment - 1)) ||
		 f->alignment > GGUF_MAX_ALIGNMENT)
		return FAIL(k, GGUF_E_ALIGNMENT, alignment_at,
			    "general.alignment = %" PRIu32
			    ": not a power of two in 1..%u (ggml PR #1516's cap)",
			    f->alignment, GGUF_MAX_ALIGNMENT);

	for (uint64_t i = 0; i < f->n_tensors; i++)
		if (check_tensor_info(k, i, names, f->alignment, &tensors[i]))
			return -1;

	/* llama.cpp seeks to the padded end of the table only when there are tensors */
	f->data_offset = k->c.pos;
	if (f->n_tensors) {
		pad = (f->data_offset + f->alignment - 1) & ~(uint64_t)(f->alignment - 1);
		if (pad > f->file_size)
			return FAIL(k, GGUF_E_PAST_EOF, k->c.pos,
				    "the data section would start at 0x%" PRIx64
				    ", past the end of the file (0x%" PRIx64 ")",
				    pad, f->file_size);
		f->data_offset = pad;
	}
	if (check_offsets(k, tensors, f->n_tensors, f->alignment))
		return -1;
	f->trailing_bytes = f->file_size - f->data_offset > f->data_size ?
				    f->file_size - f->data_offset - f->data_size :
				    0;
	return 0;
}

void gguf_check_work_free(struct gguf_check_work *w)
{
	free(w->keys);
	free(w->names);
	free(w->tensors);
	*w = (struct gguf_check_work){ 0 };
}

int gguf_check_mem(const void *buf, size_t len, struct gguf_check_result *r)
{
	struct gguf_check_work w = { 0 };
	int err = gguf_check_mem_work(buf, len, r, &w);

	gguf_check_work_free(&w);
	return err;
}

int gguf_check_mem_work(const void *buf, size_t len, struct gguf_check_result *r,
			struct gguf_check_work *w)
{
	struct checker k = { .c = { .base = buf, .len = len }, .r = r };
	int err;

	memset(r, 0, sizeof(*r));
	r->facts.file_size = len;
	err = check(&k, w);
	if (err == -ENOMEM) {
		r->ok = false;
		snprintf(r->text, sizeof(r->text), "out of memory checking %" PRIu64 " tensors",
			 r->facts.n_tensors);
		return -ENOMEM;
	}
	r->ok = err == 0;
	if (r->ok)
		r->code = GGUF_OK;
	return 0;
}

int gguf_check_file(const char *path, struct gguf_check_result *r)
{
	struct stat st;
	void *map;
	int fd, err;

	memset(r, 0, sizeof(*r));
	/* O_NONBLOCK: a FIFO named like a model must not hang the audit at open() */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		err = -errno;
		snprintf(r->text, sizeof(r->text), "%s: %s", path, strerror(-err));
		return err;
	}
	if (fstat(fd, &st) < 0) {
		err = -errno;
		snprintf(r->text, sizeof(r->text), "%s: fstat: %s", path, strerror(-err));
		close(fd);
		return err;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(r->text, sizeof(r->text), "%s: not a regular file", path);
		close(fd);
		return -EINVAL;
	}
	if (st.st_size == 0) { /* mmap refuses a length of 0: an empty image is still judged */
		close(fd);
		return gguf_check_mem("", 0, r);
	}
	if ((uint64_t)st.st_size > SIZE_MAX) {
		close(fd);
		snprintf(r->text, sizeof(r->text), "%s: too large to map", path);
		return -EFBIG;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	err = map == MAP_FAILED ? -errno : 0;
	close(fd);
	if (err) {
		snprintf(r->text, sizeof(r->text), "%s: mmap: %s", path, strerror(-err));
		return err;
	}
	err = gguf_check_mem(map, (size_t)st.st_size, r);
	munmap(map, (size_t)st.st_size);
	return err;
}
