/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A bounds-checking GGUF validator (issue 17, `llmwatch audit --gguf`): reads a model file's
 * header, key-value section and tensor table, never its tensor data, and refuses, naming the
 * field, its offset and its value, the malformed shapes that GGUF parser exploits have used
 * (docs/gguf-check.md; /work/shared/research/inference-tools.md section 6).
 */
#ifndef LW_GGUF_CHECK_H
#define LW_GGUF_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* llama.cpp's caps (ggml/src/gguf.cpp @067d44f6): a string and an array of at most 1 GiB. */
#define GGUF_MAX_STRING_LENGTH (1024ULL * 1024 * 1024)
#define GGUF_MAX_ARRAY_ELEMENTS (1024ULL * 1024 * 1024)
/* The spec's cap on a key (ggml docs/gguf.md), ggml's GGML_MAX_NAME and GGML_MAX_DIMS. */
#define GGUF_MAX_KEY_LENGTH 65535u
#define GGUF_MAX_TENSOR_NAME 64u
#define GGUF_MAX_DIMS 4u
#define GGUF_DEFAULT_ALIGNMENT 32u
/* ggml PR #1516's proposed cap: a larger alignment is a way to push offsets off the file. */
#define GGUF_MAX_ALIGNMENT (1024u * 1024u)
/*
 * This checker's own work caps, far above real models (tens of keys, a few thousand tensors
 * per file): past them a file is refused as GGUF_E_LIMIT, not as malformed.
 */
#define GGUF_CHECK_MAX_KV (1u << 20)
#define GGUF_CHECK_MAX_TENSORS (1u << 20)
/* How many bytes of general.architecture and general.name are kept (the rest is counted). */
#define GGUF_FACT_STR_MAX 255u

enum gguf_problem {
	GGUF_OK = 0,
	GGUF_E_TRUNCATED,	/* a fixed-size field runs past the end (a short file) */
	GGUF_E_MAGIC,		/* not "GGUF" */
	GGUF_E_VERSION,		/* 0, 1 (refused by llama.cpp) or newer than 3 */
	GGUF_E_BYTE_SWAPPED,	/* the version reads as v << 16: a big-endian file */
	GGUF_E_COUNT,		/* n_kv or n_tensors negative or more than the bytes left hold */
	GGUF_E_TENSOR_OVERHEAD, /* n_tensors * ggml's per-tensor overhead overflows */
	GGUF_E_LIMIT,		/* past this checker's work caps (GGUF_CHECK_MAX_*) */
	GGUF_E_LENGTH,		/* a declared string length or array size past the end */
	GGUF_E_STRING_CAP,	/* a string longer than GGUF_MAX_STRING_LENGTH */
	GGUF_E_ARRAY_CAP,	/* an array longer than GGUF_MAX_ARRAY_ELEMENTS */
	GGUF_E_KEY,		/* an empty key or one longer than 65535 bytes */
	GGUF_E_DUP_KEY,
	GGUF_E_VALUE_TYPE,   /* a value or array element type that is not 0..12 */
	GGUF_E_NESTED_ARRAY, /* an array of arrays (llama.cpp refuses them) */
	GGUF_E_KEY_TYPE,     /* a key llama.cpp reads with a fixed type holds another */
	GGUF_E_ALIGNMENT,    /* general.alignment 0, not a power of two, or > 1 MiB */
	GGUF_E_TENSOR_NAME,  /* a tensor name of 64 bytes or more */
	GGUF_E_DUP_TENSOR,
	GGUF_E_N_DIMS, /* more than 4 dimensions */
	GGUF_E_NE_NEGATIVE,
	GGUF_E_NE_OVERFLOW,	    /* the product of the ne values does not fit in int64 */
	GGUF_E_TENSOR_TYPE,	    /* a ggml type this table does not know */
	GGUF_E_TENSOR_TYPE_REMOVED, /* a ggml type removed from GGUF files (4, 5, 31-33, 36-38) */
	GGUF_E_BLOCK,		    /* ne[0] not a multiple of the type's block size */
	GGUF_E_NBYTES_OVERFLOW,	    /* the tensor's byte size, or it padded, overflows */
	GGUF_E_DATA_OVERFLOW,	    /* the data section's size overflows as it is summed */
	GGUF_E_PAST_EOF,	    /* a tensor's data ends past the end of the file */
	GGUF_E_OFFSET_ALIGN,	    /* an offset not a multiple of the alignment */
	GGUF_E_OFFSET_ORDER,	    /* an offset before the previous tensor's */
	GGUF_E_OFFSET_OVERLAP,	    /* data that overlaps the previous tensor's */
	GGUF_E_OFFSET_GAP,	    /* an offset past the previous tensor's padded end */
	GGUF_E_COUNT_,		    /* the number of codes, not a code */
};

/*
 * An untrusted string from the file, raw: its first min(len, GGUF_FACT_STR_MAX) bytes,
 * NUL-terminated for convenience but possibly holding NULs, control bytes or invalid UTF-8.
 * Escape it (util/escape.h, the JSON writer) before it goes anywhere a person reads.
 */
struct gguf_str {
	bool present;
	uint64_t len; /* the length the file declares */
	size_t kept;  /* how many bytes of it are in raw */
	char raw[GGUF_FACT_STR_MAX + 1];
};

/* What a report says about the file. Filled as far as the reading got, also on a problem. */
struct gguf_facts {
	uint64_t file_size;
	uint32_t version;
	uint64_t n_kv;
	uint64_t n_tensors;
	uint32_t alignment;	      /* general.alignment, or GGUF_DEFAULT_ALIGNMENT */
	bool alignment_set;	      /* general.alignment was present */
	struct gguf_str architecture; /* general.architecture */
	struct gguf_str name;	      /* general.name */
	uint64_t data_offset;	      /* where the tensor data starts (valid when ok) */
	uint64_t data_size;	      /* llama.cpp's ctx->size: the tensors' sizes, each padded */
	uint64_t trailing_bytes;      /* bytes after the data section (valid when ok) */
};

struct gguf_check_result {
	bool ok;
	enum gguf_problem code; /* the first problem, GGUF_OK when ok */
	uint64_t offset;	/* the file offset of the field at fault */
	/* e.g. "offset 0x1a0: tensor 'blk.0' ne[1] = 4611686018427387904: product overflows int64" */
	char text[384];
	struct gguf_facts facts;
};

/*
 * Checks the GGUF image buf[0..len). Reads nothing outside it, allocates memory bounded by the
 * caps above and by len, never by a count the file merely claims. Returns 0 when it could
 * judge (r->ok says whether the file is valid; if not, r->code, r->offset and r->text say
 * the first problem) and -ENOMEM when it could not allocate (r->text says so).
 */
int gguf_check_mem(const void *buf, size_t len, struct gguf_check_result *r);

/*
 * What gguf_check_mem() allocates while it parses (the key and tensor-name sets, the tensor
 * table), each pointer set as soon as it is allocated. A caller that may leave the parse by
 * a jump (check_gguf_guarded's SIGBUS) passes its own and frees it on either path.
 */
struct gguf_check_work {
	void *keys, *names, *tensors;
};

/* gguf_check_mem() with the caller's work: w starts zeroed, gguf_check_work_free() after. */
int gguf_check_mem_work(const void *buf, size_t len, struct gguf_check_result *r,
			struct gguf_check_work *w);
void gguf_check_work_free(struct gguf_check_work *w);

/*
 * gguf_check_mem() over the file at path, mapped read-only: only the pages of the header, the
 * key-value section and the tensor table are touched. Returns 0 when it could judge, or
 * -errno when the file could not be opened, is not a regular file, or could not be mapped
 * (r->text names the path and the reason). A file truncated while it is mapped raises SIGBUS
 * on the pages past its new end: the caller audits files nobody is writing.
 */
int gguf_check_file(const char *path, struct gguf_check_result *r);

/* A short stable name for a code ("past-eof", "dup-key"...), for JSON and tests. */
const char *gguf_problem_name(enum gguf_problem code);

/* ggml's name of a tensor type ("q8_0"), or NULL for one the table does not know. */
const char *gguf_ggml_type_name(uint32_t type);

#endif /* LW_GGUF_CHECK_H */
