/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Internals of the rules engine shared by rules_load.c (parse, validate, compile),
 * rules_index.c (the lookup structures and pattern matchers) and rules.c (matching and
 * verdicts). Nothing outside user/rules*.c and the rules unit tests includes this.
 */
#ifndef LW_RULES_INT_H
#define LW_RULES_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "llmwatch/events.h"
#include "rules/rules.h"

/* ---- small growable array of rule indexes --------------------------------------------- */

struct rules_ids {
	uint32_t *v;
	uint32_t n, cap;
};

/* Appends id unless it is already the last element. Returns 0 or -ENOMEM. */
int rules_ids_push(struct rules_ids *ids, uint32_t id);
void rules_ids_free(struct rules_ids *ids);

/* ---- hash map: byte string -> rule indexes -------------------------------------------- */

struct rules_map_ent {
	uint64_t hash;
	char *key;		/* NULL: empty slot */
	size_t klen;
	struct rules_ids ids;
};

struct rules_map {
	struct rules_map_ent *ents;
	size_t cap, used;	/* cap is 0 or a power of two */
};

/* FNV-1a, usable incrementally: h = rules_hash_step(h, byte) from RULES_HASH_INIT. */
#define RULES_HASH_INIT 0xcbf29ce484222325ull
static inline uint64_t rules_hash_step(uint64_t h, unsigned char c)
{
	return (h ^ c) * 0x100000001b3ull;
}
uint64_t rules_hash(const void *key, size_t len);

/* Adds id under key. Returns 0 or -ENOMEM. */
int rules_map_add(struct rules_map *m, const void *key, size_t klen, uint32_t id);
/* The ids under key (hash = rules_hash(key, klen)), or NULL. */
const struct rules_ids *rules_map_get(const struct rules_map *m, const void *key, size_t klen,
				      uint64_t hash);
void rules_map_free(struct rules_map *m);

/* ---- binary trie for longest-prefix (here: every-prefix) matching --------------------- */

struct rules_lpm_node {
	uint32_t child[2];	/* 0: none (the root is node 0 and never a child) */
	struct rules_ids ids;
};

struct rules_lpm {
	struct rules_lpm_node *nodes;
	uint32_t n, cap;
};

/* Adds id for addr/prefix (prefix in bits). Returns 0 or -ENOMEM. */
int rules_lpm_add(struct rules_lpm *t, const uint8_t *addr, unsigned int prefix, uint32_t id);
/* Calls fn for the ids of every prefix containing addr (nbits long), shortest first. */
int rules_lpm_walk(const struct rules_lpm *t, const uint8_t *addr, unsigned int nbits,
		   int (*fn)(const struct rules_ids *ids, void *ctx), void *ctx);
void rules_lpm_free(struct rules_lpm *t);

/* ---- patterns ------------------------------------------------------------------------- */

/* An address prefix. IPv4-mapped IPv6 prefixes (::ffff:0:0/96 and longer) become IPv4. */
struct rules_cidr {
	uint8_t family;		/* 4 or 6 */
	uint8_t prefix;
	uint8_t addr[16];
};

/*
 * Parses "a.b.c.d[/n]" or "v6[/n]". Returns 0, or -EINVAL with a reason in *why (static
 * text): not an address, prefix out of range, bits set after the prefix.
 */
int rules_cidr_parse(const char *s, struct rules_cidr *out, const char **why);
bool rules_cidr_contains(const struct rules_cidr *c, int family, const uint8_t *addr);

/*
 * Checks a path glob (docs/rules.md, "Paths"). Returns 0, or -EINVAL with a reason in *why.
 * *literal_len receives the length of the literal prefix used for indexing: up to and
 * including the last '/' before the first wildcard, or the whole pattern if it has none
 * (*has_wild false).
 */
int rules_glob_check(const char *pat, size_t *literal_len, bool *has_wild, const char **why);

/*
 * Matches a checked glob against a normalized path (see rules_path_normalize). `*` and `?`
 * never match '/', `**` matches any number of whole components (at the end: at least one).
 */
bool rules_glob_match(const char *pat, const char *path);

/*
 * Lexically normalizes a path into dst (size >= len + 1): "//" and "/./" collapse, ".."
 * removes the previous component, a trailing '/' goes. Returns the new length.
 */
size_t rules_path_normalize(char *dst, const char *src, size_t len);

/*
 * Checks and lowercases a host pattern: "name.example" or "*.name.example". Returns 0 or
 * -EINVAL with *why (a name over 253 characters, "*." and a final '.' not counted, is refused
 * before dst overflows: 254 bytes are enough). On success dst holds the lowercased name
 * without "*." and *suffix tells whether it had it.
 */
int rules_host_check(const char *pat, char *dst, bool *suffix, const char **why);

/* Edit distance, for "did you mean" suggestions (capped at 99). */
unsigned int rules_edit_distance(const char *a, const char *b);

/* ---- compiled rules ------------------------------------------------------------------- */

enum rules_key {
	RULES_K_HOST = 1u << 0,
	RULES_K_ADDR = 1u << 1,
	RULES_K_PORT = 1u << 2,
	RULES_K_PATH = 1u << 3,
	RULES_K_FLAGS = 1u << 4,
	RULES_K_CLASS = 1u << 5,
	RULES_K_BYTES = 1u << 6,
	RULES_K_RESULT = 1u << 7,
	RULES_K_TOOL = 1u << 8,
	RULES_K_HOST_SOURCE = 1u << 9,
};

/* Address classes (condition "addr_class"). */
enum rules_class {
	RULES_C_LOOPBACK = 1u << 0,
	RULES_C_ANY = 1u << 1,		/* 0.0.0.0, :: */
	RULES_C_PRIVATE = 1u << 2,	/* 10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7 */
	RULES_C_LINK_LOCAL = 1u << 3,	/* 169.254/16, fe80::/10 */
	RULES_C_MULTICAST = 1u << 4,	/* 224/4, 255.255.255.255, ff00::/8 */
	RULES_C_PUBLIC = 1u << 5,	/* every other IPv4/IPv6 address */
	RULES_C_UNIX = 1u << 6,
	RULES_C_NONE = 1u << 7,		/* no address in the event */
};
#define RULES_C_OTHER (RULES_C_PRIVATE | RULES_C_LINK_LOCAL | RULES_C_MULTICAST | RULES_C_PUBLIC)

/* How the event's host name was learned (condition "host_source"). */
enum rules_host_source {
	RULES_HS_DNS = 1u << 0,
	RULES_HS_SNI = 1u << 1,
	RULES_HS_HTTP = 1u << 2,
	RULES_HS_NONE = 1u << 3,	/* no usable name: the event has only its address */
	RULES_HS_RULE = 1u << 4,	/* a rule's own host name, resolved by llmwatch: a guess */
};

/* Open flags (condition "flags"). */
enum rules_oflag {
	RULES_F_READ = 1u << 0,
	RULES_F_WRITE = 1u << 1,
	RULES_F_CREATE = 1u << 2,
	RULES_F_TRUNCATE = 1u << 3,
};

enum rules_result { RULES_R_ANY, RULES_R_OK, RULES_R_FAILED };

#define RULES_N_PROFILES 8
extern const char *const rules_profile_names[RULES_N_PROFILES];

struct rules_tools {
	bool any;		/* "*" */
	uint32_t mask;		/* bit i: rules_profile_names[i] */
	char **names;		/* "watch:x", "pid:n" */
	size_t n_names;
};

struct rules_glob {
	char *pat;
	bool home;		/* starts with "~/": matched against the home-relative form */
};

struct rules_port_range {
	uint16_t lo, hi;
};

struct rules_cond {
	uint32_t keys;		/* RULES_K_* present */
	char **host_exact;
	size_t n_host_exact;
	char **host_suffix;	/* "example.com" for "*.example.com" */
	size_t n_host_suffix;
	struct rules_cidr *addrs;
	size_t n_addrs;
	struct rules_port_range *ports;
	size_t n_ports;
	struct rules_glob *globs;
	size_t n_globs;
	uint32_t flags;		/* RULES_F_* */
	uint32_t classes;	/* RULES_C_* */
	uint32_t host_sources;	/* RULES_HS_* */
	uint64_t bytes_min, bytes_max;
	enum rules_result result;
	struct rules_tools tool;
};

/* Template pieces: literal text, or a field. */
enum rules_field {
	RULES_FLD_TEXT,
	RULES_FLD_TOOL, RULES_FLD_PID, RULES_FLD_PPID, RULES_FLD_UID, RULES_FLD_COMM,
	RULES_FLD_EXE, RULES_FLD_HOST, RULES_FLD_DADDR, RULES_FLD_DPORT, RULES_FLD_DEST,
	RULES_FLD_PATH, RULES_FLD_FLAGS, RULES_FLD_BYTES, RULES_FLD_RESULT, RULES_FLD_EVENT,
	RULES_FLD_RULE, RULES_FLD_SEVERITY, RULES_FLD_FILENAME,
};

struct rules_tpl_piece {
	enum rules_field field;
	char *text;		/* RULES_FLD_TEXT */
	size_t len;
};

/* Which index a rule is reachable from (exactly one per event type it applies to). */
enum rules_index_kind {
	RULES_IX_SCAN,
	RULES_IX_HOST,
	RULES_IX_ADDR,
	RULES_IX_PATH,
	RULES_IX_PORT,
};

struct rules_rule {
	char *id;
	char *description;
	enum rules_severity severity;
	enum rules_action action;
	bool fallback;
	bool is_default;
	char **tags;
	size_t n_tags;
	uint32_t events;	/* 1 << LW_REC_* */
	struct rules_tools tools;
	struct rules_cond cond;
	struct rules_cond *exceptions;
	size_t n_exceptions;
	struct rules_tpl_piece *tpl;
	size_t n_tpl;
	enum rules_index_kind ix;
	char *source;		/* "file:line:col" */
};

/* Per event type: every way in to the rules of that type. */
struct rules_bucket {
	struct rules_map host_exact;	/* lowercased name */
	struct rules_map host_suffix;	/* "example.com" from "*.example.com" */
	struct rules_lpm lpm4, lpm6;
	struct rules_map path_exact;	/* "/etc/shadow", "~/.netrc" */
	struct rules_map path_prefix;	/* "/dev/", "~/.ssh/", "" */
	struct rules_map port;		/* 2 bytes, host order */
	struct rules_ids scan;		/* evaluated for every event of this type */
	bool has_home;			/* some path key starts with "~" */
	bool has_path, has_host, has_addr;
};

struct rules_home_ent {
	uint32_t uid;
	bool used;
	bool found;
	char *home;
};

struct rules_home_cache {
	struct rules_home_ent *ents;	/* open addressing on uid */
	size_t cap, used;
	rules_home_fn fn;
	void *ctx;
	/*
	 * Every user's home (passwd), longest first: "~" in a rule means any user's home,
	 * not only the home of the process's own user (a tool running as its service user
	 * reading /home/alice/.ssh is the case that matters most). Loaded on first use.
	 */
	char **all;
	size_t n_all;
	bool all_loaded;
};

struct rules {
	struct rules_rule *rules;
	size_t n;
	struct rules_bucket buckets[LW_REC_TYPE_MAX];
	struct rules_home_cache *homes;	/* mutable through a const rule set: see rules.h */
};

/* Frees one compiled rule's contents (not the struct itself). */
void rules_rule_clear(struct rules_rule *r);

/* Builds the per-event-type indexes of a rule set whose rules are filled. 0 or -ENOMEM. */
int rules_index_build(struct rules *r);
void rules_index_free(struct rules *r);

/* The default pack (generated at build time from rules/ *.json, see mk/rules.mk). */
struct rules_pack_file {
	const char *name;
	const char *text;
	size_t len;
};
extern const struct rules_pack_file rules_default_pack[];
extern const size_t rules_default_pack_count;

#endif /* LW_RULES_INT_H */
