/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Internals of the rules engine, one section per file of user/rules/ (see README.md there for
 * which calls which). Nothing outside user/rules/ and the rules unit tests includes this.
 */
#ifndef LW_RULES_INT_H
#define LW_RULES_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "llmwatch/events.h"
#include "rules/rules.h"
#include "rules/rules_json.h"

#define RULES_EV(t) (1u << (t))
#define RULES_EV_NET                                                                \
	(RULES_EV(LW_REC_CONNECT) | RULES_EV(LW_REC_SEND) | RULES_EV(LW_REC_BIND) | \
	 RULES_EV(LW_REC_LISTEN) | RULES_EV(LW_REC_CONN_BYTES))
/* events with a far end that llmwatch names (bind and listen have a local address) */
#define RULES_EV_REMOTE \
	(RULES_EV(LW_REC_CONNECT) | RULES_EV(LW_REC_SEND) | RULES_EV(LW_REC_CONN_BYTES))
#define RULES_EV_PATH (RULES_EV(LW_REC_OPEN) | RULES_EV(LW_REC_EXEC))
#define RULES_EV_RESULT                                                             \
	(RULES_EV(LW_REC_CONNECT) | RULES_EV(LW_REC_SEND) | RULES_EV(LW_REC_BIND) | \
	 RULES_EV(LW_REC_LISTEN) | RULES_EV(LW_REC_OPEN))
#define RULES_EV_BYTES (RULES_EV(LW_REC_SEND) | RULES_EV(LW_REC_CONN_BYTES))
#define RULES_EV_ALL 0xffffffffu

/* ---- rules_map.c: rule-index vectors, and a hash map from byte strings to them --------- */

struct rules_ids {
	uint32_t *v;
	uint32_t n, cap;
};

/* Appends id unless it is already the last element. Returns 0 or -ENOMEM. */
int rules_map_ids_push(struct rules_ids *ids, uint32_t id);
void rules_map_ids_free(struct rules_ids *ids);

struct rules_map_ent {
	uint64_t hash;
	char *key; /* NULL: empty slot */
	size_t klen;
	struct rules_ids ids;
};

struct rules_map {
	struct rules_map_ent *ents;
	size_t cap, used; /* cap is 0 or a power of two */
};

/* FNV-1a, usable incrementally: h = rules_map_hash_step(h, byte) from RULES_MAP_HASH_INIT. */
#define RULES_MAP_HASH_INIT 0xcbf29ce484222325ull
static inline uint64_t rules_map_hash_step(uint64_t h, unsigned char c)
{
	return (h ^ c) * 0x100000001b3ull;
}
uint64_t rules_map_hash(const void *key, size_t len);

/* Adds id under key. Returns 0 or -ENOMEM. */
int rules_map_add(struct rules_map *m, const void *key, size_t klen, uint32_t id);
/* The ids under key (hash = rules_map_hash(key, klen)), or NULL. */
const struct rules_ids *rules_map_get(const struct rules_map *m, const void *key, size_t klen,
				      uint64_t hash);
void rules_map_free(struct rules_map *m);

/* ---- rules_lpm.c: binary trie for every-prefix matching of addresses ----------------- */

struct rules_lpm_node {
	uint32_t child[2]; /* 0: none (the root is node 0 and never a child) */
	struct rules_ids ids;
};

struct rules_lpm {
	struct rules_lpm_node *nodes;
	uint32_t n, cap;
};

typedef int (*rules_ids_fn)(const struct rules_ids *ids, void *ctx);

/* Adds id for addr/prefix (prefix in bits). Returns 0 or -ENOMEM. */
int rules_lpm_add(struct rules_lpm *t, const uint8_t *addr, unsigned int prefix, uint32_t id);
/* Calls fn for the ids of every prefix containing addr (nbits long), shortest first. */
int rules_lpm_walk(const struct rules_lpm *t, const uint8_t *addr, unsigned int nbits,
		   rules_ids_fn fn, void *ctx);
void rules_lpm_free(struct rules_lpm *t);

/* ---- rules_cidr.c: address prefixes and address classes ------------------------------ */

/* An address prefix. IPv4-mapped IPv6 prefixes (::ffff:0:0/96 and longer) become IPv4. */
struct rules_cidr {
	uint8_t family; /* 4 or 6 */
	uint8_t prefix;
	uint8_t addr[16];
};

/*
 * Parses "a.b.c.d[/n]" or "v6[/n]". Returns 0, or -EINVAL with a reason in *why (static
 * text): not an address, prefix out of range, bits set after the prefix.
 */
int rules_cidr_parse(const char *s, struct rules_cidr *out, const char **why);
bool rules_cidr_contains(const struct rules_cidr *c, int family, const uint8_t *addr);

/* Address classes (condition "addr_class"). */
enum rules_class {
	RULES_C_LOOPBACK = 1u << 0,
	RULES_C_ANY = 1u << 1,	      /* 0.0.0.0, :: */
	RULES_C_PRIVATE = 1u << 2,    /* 10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7 */
	RULES_C_LINK_LOCAL = 1u << 3, /* 169.254/16, fe80::/10 */
	RULES_C_MULTICAST = 1u << 4,  /* 224/4, 255.255.255.255, ff00::/8 */
	RULES_C_PUBLIC = 1u << 5,     /* every other IPv4/IPv6 address */
	RULES_C_UNIX = 1u << 6,
	RULES_C_NONE = 1u << 7, /* no address in the event */
};
#define RULES_C_OTHER (RULES_C_PRIVATE | RULES_C_LINK_LOCAL | RULES_C_MULTICAST | RULES_C_PUBLIC)

/* The RULES_C_* class of an IPv4 (family 4, 4 bytes) or IPv6 (6, 16 bytes) address. */
uint32_t rules_cidr_class(int family, const uint8_t *addr);

/* ---- rules_path.c, rules_glob.c: paths and path patterns ----------------------------- */

/*
 * Lexically normalizes a path into dst (size >= len + 1): "//" and "/./" collapse, ".."
 * removes the previous component, a trailing '/' goes. Returns the new length.
 */
size_t rules_path_normalize(char *dst, const char *src, size_t len);

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
 * Text globs, for command lines and process names (docs/rules.md, "Processes"): `*` is any
 * run of bytes without a space (within one argument), `?` one byte that is not a space,
 * `**` any run of bytes, spaces included; `\` makes the next byte literal; everything else
 * is literal and the pattern matches the whole text.
 */
#define RULES_TEXT_GLOB_MAX 512 /* pattern bytes */
#define RULES_TEXT_MAX 4096	/* the longest text matched; longer text matches nothing */

/* Checks a text glob. Returns 0, or -EINVAL with a reason in *why (static text). */
int rules_glob_text_check(const char *pat, const char **why);

/*
 * Matches a checked text glob against s[0..n). With icase, ASCII letters of s are compared in
 * lower case (the pattern must then be lower case already).
 */
bool rules_glob_text_match(const char *pat, const char *s, size_t n, bool icase);

/* ---- rules_home.c: home directories, for "~/" in path patterns ------------------------ */

struct rules_home_cache;

/* A cache that looks homes up with fn (NULL: getpwuid_r), or NULL with errno = ENOMEM. */
struct rules_home_cache *rules_home_new(rules_home_fn fn, void *ctx);
void rules_home_free(struct rules_home_cache *hc);

/* ---- rules_match.c: an event as the conditions see it -------------------------------- */

/* How the event's host name was learned (condition "host_source"). */
enum rules_host_source {
	RULES_HS_DNS = 1u << 0,
	RULES_HS_SNI = 1u << 1,
	RULES_HS_HTTP = 1u << 2,
	RULES_HS_NONE = 1u << 3, /* no usable name: the event has only its address */
	RULES_HS_RULE = 1u << 4, /* a rule's own host name, resolved by llmwatch: a guess */
};

/* Open flags (condition "flags", message field {flags}). */
enum rules_oflag {
	RULES_F_READ = 1u << 0,
	RULES_F_WRITE = 1u << 1,
	RULES_F_CREATE = 1u << 2,
	RULES_F_TRUNCATE = 1u << 3,
};

struct rules_view {
	const struct lw_event *ev;
	struct rules_home_cache *homes;
	int tool_idx;	  /* the named tool (struct rules' tools) ev->tool is, or -1 */
	bool ok;	  /* the call succeeded (or is a connect in progress) */
	uint32_t oflags;  /* RULES_F_* of ev->open_flags */
	int fam;	  /* 4, 6, or 0 */
	uint8_t addr[16]; /* v4-mapped IPv6 becomes IPv4 */
	bool has_port;
	uint16_t port;
	uint32_t cls;	  /* RULES_C_* */
	const char *host; /* lowercased, or NULL */
	size_t host_len;
	char hostbuf[256];
	uint32_t host_src; /* RULES_HS_*: NONE without a name, 0: another source */
	const char *path;  /* normalized, or NULL */
	size_t path_len;
	int home_state; /* 0: not computed, 1: homepath valid, -1: none */
	size_t homepath_len;
	char pathbuf[LW_PATH_MAX + 1];
	char homepath[LW_PATH_MAX + 2];
};

/*
 * The view's path relative to a home as "~/...", computed on first use: relative to its own
 * user's home if the path lies under it, else to the home of any user that holds it (the
 * longest such home). NULL when no home holds it. (rules_home.c)
 */
const char *rules_home_path(struct rules_view *v);

/* ---- rules_load.c: turning JSON values into compiled pieces, with positioned errors -- */

/* A rule file or text, and its parsed tree during a build. */
struct rules_src {
	char *name;
	char *text;
	size_t len;
	bool is_default;
	struct rules_json *root;
};

/* A named list ("lists": {"name": [...]}): the member holds the key position and items. */
struct rules_list {
	const char *name;
	const struct rules_json *key_node;
	const struct rules_src *src;
};

/* The errors of a build, each "file:line:col: message". */
struct rules_errors {
	char **v;
	size_t n;
	bool capped;
};

/* What compiling one value needs: where errors go, the lists, the rule being compiled. */
struct rules_load {
	struct rules_errors *errs;
	const struct rules_src *src;
	const struct rules_list *lists;
	size_t n_lists;
	const char *const *tools; /* the named tools "tools" may name (struct rules' tools) */
	size_t n_tools;
	uint32_t events;	/* of the rule being compiled */
	const char *event_name; /* one of them, for messages */
};

/* A value after list expansion, with the file it was written in. */
struct rules_load_item {
	const struct rules_json *v;
	const struct rules_src *src;
	const char *list; /* the list it came from, or NULL */
};

/* A vector of n items of one type, as the list conditions compile to. */
struct rules_vec {
	void *v;
	size_t n;
};

/* Records an error at line:col of src (line 0: the whole file; src NULL: no place). */
__attribute__((format(printf, 5, 6))) void rules_load_errorf(struct rules_errors *e,
							     const struct rules_src *src, int line,
							     int col, const char *fmt, ...);
/* Records an error at value v of the file being compiled. */
#define rules_load_err(c, v, ...) \
	rules_load_errorf((c)->errs, (c)->src, (v)->line, (v)->col, __VA_ARGS__)
/* Records an error at an item (in the file of its list, if it came from one). */
#define rules_load_item_err(c, it, ...) \
	rules_load_errorf((c)->errs, (it)->src, (it)->v->line, (it)->v->col, __VA_ARGS__)
void rules_load_errors_free(struct rules_errors *e);

/* Escaped copy of an untrusted string for a message, in buf. */
const char *rules_load_esc(char *buf, size_t size, const char *s);
/* " (did you mean \"<prefix>x\"?)" when one of cands is close to word, else "". */
const char *rules_load_suggest(char *buf, size_t size, const char *word, const char *prefix,
			       const char *const *cands, size_t n);
/* " (in list \"x\")" for an item from a list, else "". */
const char *rules_load_in_list(char *buf, size_t size, const struct rules_load_item *it);
/* Edit distance, for suggestions (capped at 99). */
unsigned int rules_load_distance(const char *a, const char *b);
/* Whether s is a rule id or list name: 1-64 letters, digits, '.', '_' or '-'. */
bool rules_load_valid_name(const char *s);
/* Index of s in names[0..n), or -1. */
int rules_load_lookup(const char *s, const char *const *names, size_t n);

/* Whether v has type t (TRUE also accepts FALSE); else reports "\"key\" must be what". */
bool rules_load_want(struct rules_load *c, const struct rules_json *v, const char *key,
		     enum rules_json_type t, const char *what);
/* strdup, reporting "out of memory" at v. */
char *rules_load_strdup(struct rules_load *c, const struct rules_json *v, const char *s);

/* calloc that does not take an empty list for out of memory (calloc(0) may return NULL). */
void *rules_load_calloc(size_t n, size_t size);
/*
 * Expands a value named key (a scalar, or an array whose strings "@name" stand for the items
 * of list name) into *out. Returns the count, or -1 after reporting an error.
 */
long rules_load_expand(struct rules_load *c, const struct rules_json *v, const char *key,
		       struct rules_load_item **out);
/* Whether every item is a string; reports the first that is not. */
bool rules_load_strings(struct rules_load *c, const struct rules_load_item *it, long n,
			const char *key);

/*
 * A string, or an array of strings, from the vocabulary names[0..n) into *mask: bits[i] per
 * name i found (bits NULL: 1 << i). `what` names the vocabulary in messages ("open flag").
 * Returns false after reporting an error.
 */
bool rules_load_keywords(struct rules_load *c, const struct rules_json *v, const char *const *names,
			 const uint32_t *bits, size_t n, const char *what, uint32_t *mask);

/* Parses one list item into out (zeroed). Returns false after reporting an error. */
typedef bool (*rules_load_item_fn)(struct rules_load *c, const struct rules_load_item *it,
				   void *out);

/*
 * Compiles a list value (an item or an array of them, "@list" expanded) into a new struct
 * rules_vec in *data: one item_size item per value, parsed by parse; with strings, every
 * value must be a string. Every bad item is reported. Returns false after an error; the
 * vector then holds exactly the items that parsed, for the condition's free.
 */
bool rules_load_list(struct rules_load *c, const struct rules_json *v, bool strings,
		     size_t item_size, rules_load_item_fn parse, void **data);

/* ---- rules_files.c: reading rule and profile files ------------------------------------ */

/* Takes one file read: its path as named and its text. Returns 0 or -ENOMEM. */
typedef int (*rules_files_fn)(void *ctx, const char *name, const char *text, size_t len);

/*
 * Reads path: a file, or every "*.json" file (not hidden) of a directory in name order, each
 * at most 16 MiB, and hands each to fn. A path that cannot be read, or a directory without
 * "*.json" files, is recorded in e naming the path. Returns 0 or the first -errno.
 */
int rules_files_read(const char *path, struct rules_errors *e, rules_files_fn fn, void *ctx);

/* ---- rules_cond.c: THE table of conditions ------------------------------------------- */

/*
 * One row per condition, in the order docs/rules.md lists their keys (the order of "did you
 * mean"). ROW(name, events, slow): the key "name", allowed in rules on `events`, implemented
 * by rules_cond_<name>_compile, _match and _free (in rules_cond_*.c); slow 1 when matching
 * walks patterns (evaluated after the others, which only compare numbers or masks).
 */
#define RULES_COND_TABLE(ROW)                \
	ROW(host, RULES_EV_NET, 1)           \
	ROW(addr, RULES_EV_NET, 1)           \
	ROW(port, RULES_EV_NET, 0)           \
	ROW(path, RULES_EV_PATH, 1)          \
	ROW(flags, RULES_EV(LW_REC_OPEN), 0) \
	ROW(addr_class, RULES_EV_NET, 0)     \
	ROW(bytes, RULES_EV_BYTES, 0)        \
	ROW(result, RULES_EV_RESULT, 0)      \
	ROW(tool, RULES_EV_ALL, 0)           \
	ROW(host_source, RULES_EV_REMOTE, 0) \
	ROW(exe, RULES_EV_ALL, 1)            \
	ROW(comm, RULES_EV_ALL, 1)           \
	ROW(parent_exe, RULES_EV_ALL, 1)     \
	ROW(parent_comm, RULES_EV_ALL, 1)    \
	ROW(argv, RULES_EV_ALL, 1)           \
	ROW(root_argv, RULES_EV_ALL, 1)      \
	ROW(netns, RULES_EV_ALL, 0)

/* What a row of RULES_COND_TABLE becomes. */
struct rules_cond_type {
	const char *key;
	uint32_t events;
	/*
	 * Compiles member v (its key is v->key) into *data, which is set even on failure (the
	 * free function takes it). Returns false after reporting an error.
	 */
	bool (*compile)(struct rules_load *c, const struct rules_json *v, void **data);
	bool (*match)(const void *data, struct rules_view *view);
	void (*free)(void *data); /* NULL is ignored */
};

enum rules_cond_id {
#define RULES_COND_ID(name, events, slow) RULES_COND_##name,
	RULES_COND_TABLE(RULES_COND_ID)
#undef RULES_COND_ID
	RULES_COND_N
};
#define RULES_COND_BIT(name) (1u << RULES_COND_##name)

#define RULES_COND_DECLARE(name, events, slow)                                             \
	bool rules_cond_##name##_compile(struct rules_load *c, const struct rules_json *v, \
					 void **data);                                     \
	bool rules_cond_##name##_match(const void *data, struct rules_view *view);         \
	void rules_cond_##name##_free(void *data);
RULES_COND_TABLE(RULES_COND_DECLARE)
#undef RULES_COND_DECLARE

extern const struct rules_cond_type rules_cond_types[RULES_COND_N];

/* A rule's conditions, or one of its exceptions. */
struct rules_cond {
	uint32_t keys;		  /* RULES_COND_BIT() of each condition present */
	void *data[RULES_COND_N]; /* what each present condition compiled to */
};

/*
 * Compiles an object of conditions (what: "conditions" or "exceptions", for messages).
 * Returns false after reporting an error; cd is then cleared by the caller.
 */
bool rules_cond_compile(struct rules_load *c, const struct rules_json *obj, const char *what,
			struct rules_cond *cd);
/* Whether every condition present, except those in skip (RULES_COND_BIT()s), matches. */
bool rules_cond_match(const struct rules_cond *cd, struct rules_view *view, uint32_t skip);
void rules_cond_clear(struct rules_cond *cd);

/* What the indexed conditions compile to (rules_cond_net.c, rules_cond_file.c). */
struct rules_host {
	char *name;  /* lowercased, without "*." */
	bool suffix; /* "*.name": any subdomain of name */
};
struct rules_port_range {
	uint16_t lo, hi;
};
struct rules_glob {
	char *pat;
	bool home; /* starts with "~/": matched against the home-relative form */
};
/* host: struct rules_vec of struct rules_host; addr: of rules_cidr; port: of rules_port_range;
 * path: of rules_glob. */

/* ---- rules_message.c: message templates --------------------------------------------- */

struct rules_message;
struct rules_rule;

/* Compiles the template v for the rule being compiled. NULL after reporting an error. */
struct rules_message *rules_message_compile(struct rules_load *c, const struct rules_json *v);
/* Writes r's message about the viewed event into buf (escaped, one line, maybe cut). */
void rules_message_format(const struct rules_rule *r, const struct rules_view *view, char *buf,
			  size_t size);
void rules_message_free(struct rules_message *m);

/* ---- rules.c: the compiled model ----------------------------------------------------- */

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
	uint32_t events; /* 1 << LW_REC_* */
	void *tools;	 /* what rules_cond_tool_compile() made of "tools" */
	struct rules_cond cond;
	struct rules_cond *exceptions;
	size_t n_exceptions;
	struct rules_message *message;
	enum rules_index_kind ix;
	char *source; /* "file:line:col" */
};

/* Per event type: every way in to the rules of that type. */
struct rules_bucket {
	struct rules_map host_exact;  /* lowercased name */
	struct rules_map host_suffix; /* "example.com" from "*.example.com" */
	struct rules_lpm lpm4, lpm6;
	struct rules_map path_exact;  /* "/etc/shadow", "~/.netrc" */
	struct rules_map path_prefix; /* "/dev/", "~/.ssh/", "" */
	struct rules_map port;	      /* 2 bytes, host order */
	struct rules_ids scan;	      /* evaluated for every event of this type */
	bool has_home;		      /* some path key starts with "~" */
	bool has_path, has_host, has_addr;
};

/*
 * The named tools rules may use in "tools": the built-in profiles in table order, then those
 * of --profiles files (rules_builder_set_profiles()). Bit i of a rule's tool mask is tools[i].
 */
#define RULES_TOOLS_MAX 64

struct rules {
	struct rules_rule *rules;
	size_t n;
	char *tools[RULES_TOOLS_MAX];
	size_t n_tools;
	struct rules_bucket buckets[LW_REC_TYPE_MAX];
	struct rules_home_cache *homes;		/* mutable through a const rule set: see rules.h */
	unsigned char digest[RULES_DIGEST_LEN]; /* rules_digest() */
};

/* "info", "low", ... and "alert", "log", "block", indexed by the enums. */
#define RULES_N_SEVERITIES 5
#define RULES_N_ACTIONS 3
extern const char *const rules_severity_names[RULES_N_SEVERITIES];
extern const char *const rules_action_names[RULES_N_ACTIONS];

/*
 * A rule set that takes over rules[0..n) (allocated with malloc), knows the named tools
 * tools[0..n_tools) (copied; n_tools <= RULES_TOOLS_MAX), looks homes up with home_fn and is
 * indexed. NULL with errno = ENOMEM; rules are then cleared and freed.
 */
struct rules *rules_new(struct rules_rule *rules, size_t n, const char *const *tools,
			size_t n_tools, rules_home_fn home_fn, void *home_ctx);
/* Frees one compiled rule's contents (not the struct itself). */
void rules_rule_clear(struct rules_rule *r);

/* ---- rules_compile.c: one rule object into a compiled rule --------------------------- */

/* Compiles obj into r (zeroed; cleared by the caller on failure). False after an error. */
bool rules_compile_rule(struct rules_load *c, const struct rules_json *obj, struct rules_rule *r);

/* ---- rules_index.c: the per-event-type indexes --------------------------------------- */

/* Builds the indexes of a rule set whose rules are filled. 0 or -ENOMEM. */
int rules_index_build(struct rules *r);
void rules_index_free(struct rules *r);
/* Calls fn with every index entry of b the viewed event reaches (ids may repeat). */
void rules_index_lookup(const struct rules_bucket *b, struct rules_view *view, rules_ids_fn fn,
			void *ctx);
/* The conditions (RULES_COND_BIT()s) the index a rule was reached by has already proved. */
uint32_t rules_index_proven(const struct rules_rule *r);

/* ---- the default pack (generated at build time from rules/ *.json, see mk/rules.mk) ----- */

struct rules_pack_file {
	const char *name;
	const char *text;
	size_t len;
};
extern const struct rules_pack_file rules_default_pack[];
extern const size_t rules_default_pack_count;

#endif /* LW_RULES_INT_H */
