// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The "Model integrity" checks (check_integrity.h; findings explained in
 * docs/audit-integrity.md). Ollama's store is content-addressed, so it can be verified
 * without any list: a blob's name is its SHA-256, and manifests name the blobs a model is
 * made of with their sizes. The other tools keep plain files, which can only be recorded,
 * or compared with a list of hashes the user approved.
 */
#include "audit/check_integrity.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit_approved.h"
#include "audit/audit_files.h"
#include "audit/audit_hash.h"
#include "audit/audit_settings.h"
#include "audit/audit_stores.h"

#define MANIFEST_MAX (4u << 20) /* a manifest is a few hundred bytes; a list a few KiB */
#define MANIFESTS_MAX 100000
#define BLOBS_MAX 1000000
#define MODELS_MAX 200000
#define WALK_DEPTH 12	    /* LM Studio: models/<publisher>/<repo>/file; HF: 5 levels */
#define PROBLEMS_LISTED 200 /* per store: the rest are counted in one finding */
#define FILES_LISTED 100    /* integrity-models: PASS findings listed one by one */

#define SRC_VERIFY                                                                      \
	"ollama server/images.go verifyBlob (L1449); manifest/manifest.go (blob names " \
	"^sha256[:-][0-9a-fA-F]{64}$)"
#define SRC_CVE "CVE-2024-37032 (GHSA-8hqg-whrw-pv92), fixed in ollama 0.1.34 (2a21363bb)"
#define SRC_PRUNE "ollama server/routes.go Serve() L1963-1981 (prunes unless OLLAMA_NOPRUNE)"
#define FIX_TAMPERED                                                                     \
	"Do not run the models that use it: remove them (ollama rm NAME) and pull them " \
	"again from a registry you trust, then find out what wrote to the store"
#define FIX_MISSING "Pull the model again (ollama pull NAME) or remove it (ollama rm NAME)"

static bool all_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strchr("0123456789abcdefABCDEF", s[i]) || !s[i])
			return false;
	return true;
}

/* ===================================================================================== */
/* Ollama's store                                                                        */
/* ===================================================================================== */

struct blob {
	char hex[2 * AUDIT_SHA256_LEN + 1]; /* lower case */
	char *path;
	uint64_t size; /* from stat */
	size_t users;
	const char *first_user; /* the first model that uses it */
	bool size_bad;		/* a manifest gave another size: reported there */
};

struct ostore {
	const struct audit_ctx *c;
	struct audit_report *r;
	const char *path; /* the store, as opened */
	struct blob *blobs;
	size_t n_blobs, cap_blobs;
	size_t partial, temp, other;
	size_t manifests, manifests_bad;
	size_t problems, unlisted, unlisted_fail;
	char **names; /* model names the blobs point to */
	size_t n_names, cap_names;
	const struct audit_approved *ap; /* --approved, or NULL */
	struct weight *weights;		 /* with --approved: each model's weights layers */
	size_t n_weights, cap_weights;
	int err; /* -ENOMEM: stop */
};

/* A model's weights (a layer of media type ...image.model), checked against --approved. */
struct weight {
	const struct blob *b;
	const char *model;
};

/* A problem: listed while fewer than PROBLEMS_LISTED were, counted after that. */
static void problem(struct ostore *s, enum audit_status st, const char *subject,
		    const char *evidence, const char *fix, const char *source)
{
	if (s->problems++ >= PROBLEMS_LISTED) {
		s->unlisted++;
		s->unlisted_fail += st == AUDIT_FAIL;
		return;
	}
	if (audit_add(s->r, &(struct audit_finding){ .item = AUDIT_ITEM_INTEGRITY,
						     .status = st,
						     .check = "integrity-ollama",
						     .tool = "ollama",
						     .subject = subject,
						     .evidence = evidence,
						     .fix = fix,
						     .source = source }))
		s->err = -ENOMEM;
}

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return n > 0;
}

/* Ollama's digest pattern, ^sha256[:-][0-9a-fA-F]{64}$: the CVE-2024-37032 fix. */
static bool digest_ok(const char *d)
{
	return strlen(d) == 71 && !strncmp(d, "sha256", 6) && (d[6] == ':' || d[6] == '-') &&
	       all_hex(d + 7, 64);
}

enum blob_name {
	NAME_BLOB,
	NAME_PARTIAL,
	NAME_TEMP,
	NAME_OTHER
};

/*
 * What a name in blobs/ is. Blobs are sha256-<hex> (sha256:<hex> before fixblobs.go
 * renamed them). Downloads write <blob>-partial and its part records <blob>-partial-N
 * (server/download.go); NewLayer and manifest writes use os.CreateTemp(blobs, "sha256-"),
 * which appends a decimal random number: sha256-<digits>, never 64 long.
 */
static enum blob_name classify(const char *name)
{
	size_t n = strlen(name);

	if (n < 8 || strncmp(name, "sha256", 6) != 0)
		return NAME_OTHER;
	if (n == 71 && (name[6] == '-' || name[6] == ':') && all_hex(name + 7, 64))
		return NAME_BLOB;
	if (name[6] != '-')
		return NAME_OTHER;
	if (n >= 79 && all_hex(name + 7, 64) && !strncmp(name + 71, "-partial", 8) &&
	    (n == 79 || (name[79] == '-' && all_digits(name + 80, n - 80))))
		return NAME_PARTIAL;
	if (n <= 27 && all_digits(name + 7, n - 7))
		return NAME_TEMP;
	return NAME_OTHER;
}

static int blob_cmp(const void *a, const void *b)
{
	return strcmp(((const struct blob *)a)->hex, ((const struct blob *)b)->hex);
}

static struct blob *blob_find(struct ostore *s, const char *hex64)
{
	struct blob key = { .users = 0 };

	for (size_t i = 0; i < 64; i++)
		key.hex[i] =
			(char)((hex64[i] >= 'A' && hex64[i] <= 'F') ? hex64[i] + 32 : hex64[i]);
	key.hex[64] = '\0';
	if (!s->n_blobs)
		return NULL; /* no blobs: s->blobs may be NULL, which bsearch() must not be given */
	return bsearch(&key, s->blobs, s->n_blobs, sizeof(*s->blobs), blob_cmp);
}

static int list_blobs(struct ostore *s)
{
	char dir[PATH_MAX];
	struct dirent *e;
	DIR *d;

	if (snprintf(dir, sizeof(dir), "%s/blobs", s->path) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	d = audit_opendir(s->c, dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((e = readdir(d)) && s->n_blobs < BLOBS_MAX) {
		struct stat st;
		struct blob *b;

		if (e->d_name[0] == '.' && (!e->d_name[1] || !strcmp(e->d_name, "..")))
			continue;
		switch (classify(e->d_name)) {
		case NAME_PARTIAL:
			s->partial++;
			continue;
		case NAME_TEMP:
			s->temp++;
			continue;
		case NAME_OTHER:
			s->other++;
			continue;
		case NAME_BLOB:
			break;
		}
		if (s->n_blobs == s->cap_blobs) {
			size_t cap = s->cap_blobs ? 2 * s->cap_blobs : 64;
			struct blob *g = realloc(s->blobs, cap * sizeof(*g));

			if (!g)
				goto nomem;
			s->blobs = g;
			s->cap_blobs = cap;
		}
		b = &s->blobs[s->n_blobs];
		*b = (struct blob){};
		for (size_t i = 0; i < 64; i++) {
			char ch = e->d_name[7 + i];

			b->hex[i] = (char)(ch >= 'A' && ch <= 'F' ? ch + 32 : ch);
		}
		if (asprintf(&b->path, "%s/%s", dir, e->d_name) < 0) {
			b->path = NULL;
			goto nomem;
		}
		/* relative to the directory, not following a link: stays inside the root */
		if (!fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW))
			b->size = (uint64_t)st.st_size;
		s->n_blobs++;
	}
	closedir(d);
	if (s->n_blobs)
		qsort(s->blobs, s->n_blobs, sizeof(*s->blobs), blob_cmp);
	return 0;
nomem:
	closedir(d);
	return -ENOMEM;
}

static const char *keep_name(struct ostore *s, const char *name)
{
	char *copy;

	if (s->n_names == s->cap_names) {
		size_t cap = s->cap_names ? 2 * s->cap_names : 16;
		char **g = realloc(s->names, cap * sizeof(*g));

		if (!g)
			return NULL;
		s->names = g;
		s->cap_names = cap;
	}
	copy = strdup(name);
	if (copy)
		s->names[s->n_names++] = copy;
	return copy;
}

static void add_weight(struct ostore *s, const struct blob *b, const char *model)
{
	for (size_t i = 0; i < s->n_weights; i++)
		if (s->weights[i].b == b && s->weights[i].model == model)
			return; /* a list naming one child twice */
	if (s->n_weights == s->cap_weights) {
		size_t cap = s->cap_weights ? 2 * s->cap_weights : 16;
		struct weight *g = realloc(s->weights, cap * sizeof(*g));

		if (!g) {
			s->err = -ENOMEM;
			return;
		}
		s->weights = g;
		s->cap_weights = cap;
	}
	s->weights[s->n_weights++] = (struct weight){ .b = b, .model = model };
}

/* One manifest being checked. */
struct mctx {
	struct ostore *s;
	const char *path;  /* the manifest file */
	const char *model; /* "llama3:latest" */
};

/* A whole, non-negative number of bytes that a double holds exactly. */
static bool size_of(const cJSON *v, uint64_t *out)
{
	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble < 0 ||
	    v->valuedouble > 9007199254740992.0 || floor(v->valuedouble) != v->valuedouble)
		return false;
	*out = (uint64_t)v->valuedouble;
	return true;
}

/*
 * One reference to a blob (the config, a layer, a child manifest): a well-formed digest,
 * a blob of that name, and the size the manifest gives. Returns the blob, or NULL.
 */
static struct blob *check_ref(struct mctx *m, const cJSON *obj, const char *what, bool sized)
{
	struct ostore *s = m->s;
	const cJSON *dg = cJSON_GetObjectItemCaseSensitive(obj, "digest");
	uint64_t size = 0;
	struct blob *b;

	if (!cJSON_IsString(dg) || !dg->valuestring) {
		problem(s, AUDIT_FAIL, m->path,
			audit_fmt(s->r, "model %s, %s: no \"digest\" string", m->model, what),
			FIX_MISSING, SRC_VERIFY);
		return NULL;
	}
	if (!digest_ok(dg->valuestring)) {
		problem(s, AUDIT_FAIL, m->path,
			audit_fmt(s->r,
				  "model %s, %s: digest \"%.200s\" is not sha256:<64 hex> (the "
				  "path traversal of CVE-2024-37032)",
				  m->model, what, dg->valuestring),
			"Remove this manifest and do not pull from the registry it came from; "
			"Ollama before 0.1.34 follows such a digest out of its store: update it",
			SRC_CVE);
		return NULL;
	}
	if (sized && !size_of(cJSON_GetObjectItemCaseSensitive(obj, "size"), &size)) {
		problem(s, AUDIT_FAIL, m->path,
			audit_fmt(s->r, "model %s, %s: no valid \"size\"", m->model, what),
			FIX_MISSING, SRC_VERIFY);
		sized = false;
	}
	b = blob_find(s, dg->valuestring + 7);
	if (!b) {
		problem(s, AUDIT_FAIL, m->path,
			audit_fmt(s->r, "model %s, %s: blob sha256-%.64s is missing from %s/blobs",
				  m->model, what, dg->valuestring + 7, s->path),
			FIX_MISSING, SRC_VERIFY);
		return NULL;
	}
	if (!b->users++)
		b->first_user = m->model;
	if (s->ap) {
		const cJSON *mt = cJSON_GetObjectItemCaseSensitive(obj, "mediaType");

		if (cJSON_IsString(mt) &&
		    !strcmp(mt->valuestring, "application/vnd.ollama.image.model"))
			add_weight(s, b, m->model);
	}
	if (sized && size != b->size) {
		b->size_bad = true;
		problem(s, AUDIT_FAIL, b->path,
			audit_fmt(s->r,
				  "model %s, %s: the manifest says %llu bytes, the blob holds %llu",
				  m->model, what, (unsigned long long)size,
				  (unsigned long long)b->size),
			FIX_TAMPERED, SRC_VERIFY);
	}
	return b;
}

static void unparsable(struct mctx *m, const char *text, size_t len, const char *end,
		       const char *what)
{
	size_t off = end && end >= text && end <= text + len ? (size_t)(end - text) : 0;

	m->s->manifests_bad++;
	problem(m->s, AUDIT_FAIL, m->path,
		audit_fmt(m->s->r, "model %s%s%s: not JSON: error at line %u (byte %zu of %zu)",
			  m->model, what ? ", " : "", what ? what : "",
			  audit_line_of(text, len, off), off, len),
		"Remove the model (ollama rm NAME) and pull it again", SRC_VERIFY);
}

static void check_manifest(struct mctx *m, const cJSON *j, const char *label, int depth);

/* A manifest list's child given by digest only: a manifest stored as a blob. */
static void check_child_ref(struct mctx *m, const cJSON *child, const char *what, int depth)
{
	struct blob *b = check_ref(m, child, what, false);
	const char *end = NULL;
	size_t len;
	char *text;
	cJSON *j;

	if (!b || audit_read_file(m->s->c, b->path, MANIFEST_MAX, &text, &len))
		return; /* unreadable: the blob pass reports it */
	j = cJSON_ParseWithLengthOpts(text, len, &end, false);
	if (!j)
		unparsable(m, text, len, end, what);
	else
		check_manifest(m, j, what, depth + 1);
	cJSON_Delete(j);
	free(text);
}

static void check_manifest(struct mctx *m, const cJSON *j, const char *label, int depth)
{
	const cJSON *mt = cJSON_GetObjectItemCaseSensitive(j, "mediaType");
	const cJSON *cfg, *layers, *child;
	char what[96];
	int i = 0;

	if (!cJSON_IsObject(j)) {
		problem(m->s, AUDIT_FAIL, m->path,
			audit_fmt(m->s->r, "model %s: %s is not a JSON object", m->model,
				  label ? label : "the manifest"),
			"Remove the model (ollama rm NAME) and pull it again", SRC_VERIFY);
		return;
	}
	if (cJSON_IsString(mt) &&
	    !strcmp(mt->valuestring, "application/vnd.ollama.manifest.list.v2+json")) {
		if (depth > 0) {
			problem(m->s, AUDIT_FAIL, m->path,
				audit_fmt(m->s->r, "model %s: %s: a manifest list inside a list",
					  m->model, label ? label : "manifest"),
				"Remove the model (ollama rm NAME) and pull it again", SRC_VERIFY);
			return;
		}
		cJSON_ArrayForEach(child, cJSON_GetObjectItemCaseSensitive(j, "manifests"))
		{
			snprintf(what, sizeof(what), "manifests[%d]", i++);
			if (cJSON_GetObjectItemCaseSensitive(child, "config") ||
			    cJSON_GetObjectItemCaseSensitive(child, "layers"))
				check_manifest(m, child, what, depth + 1);
			else
				check_child_ref(m, child, what, depth);
		}
		return;
	}
	cfg = cJSON_GetObjectItemCaseSensitive(j, "config");
	if (cfg) {
		snprintf(what, sizeof(what), "%s%sconfig", label ? label : "", label ? "." : "");
		check_ref(m, cfg, what, true);
	}
	layers = cJSON_GetObjectItemCaseSensitive(j, "layers");
	if (!cJSON_IsArray(layers)) {
		problem(m->s, AUDIT_FAIL, m->path,
			audit_fmt(m->s->r, "model %s: %s has no \"layers\" array", m->model,
				  label ? label : "the manifest"),
			"Remove the model (ollama rm NAME) and pull it again", SRC_VERIFY);
		return;
	}
	cJSON_ArrayForEach(child, layers)
	{
		snprintf(what, sizeof(what), "%s%slayers[%d]", label ? label : "", label ? "." : "",
			 i++);
		check_ref(m, child, what, true);
	}
}

/* Ollama's short name: "llama3:latest" for the default registry and namespace. */
static void model_name(char *out, size_t size, const char *const part[4])
{
	if ((!strcmp(part[0], "registry.ollama.ai") || !strcmp(part[0], "ollama.com")) &&
	    !strcmp(part[1], "library"))
		snprintf(out, size, "%s:%s", part[2], part[3]);
	else
		snprintf(out, size, "%s/%s/%s:%s", part[0], part[1], part[2], part[3]);
}

static void check_manifest_file(struct ostore *s, const char *path, const char *const part[4])
{
	unsigned char sum[AUDIT_SHA256_LEN];
	char name[PATH_MAX], hex[2 * AUDIT_SHA256_LEN + 1];
	struct mctx m = { .s = s, .path = path };
	const char *end = NULL;
	unsigned int md_len = 0;
	struct blob *b;
	size_t len;
	char *text;
	cJSON *j;
	int err;

	model_name(name, sizeof(name), part);
	m.model = keep_name(s, name);
	if (!m.model) {
		s->err = -ENOMEM;
		return;
	}
	s->manifests++;
	err = audit_read_file(s->c, path, MANIFEST_MAX, &text, &len);
	if (err) {
		s->manifests_bad++;
		problem(s,
			err == -EACCES && !s->c->privileged ? AUDIT_SKIP :
			err == -EFBIG			    ? AUDIT_FAIL :
							      AUDIT_WARN,
			path,
			audit_fmt(s->r, "model %s: the manifest could not be read: %s", m.model,
				  err == -EFBIG ? "larger than 4 MiB" : strerror(-err)),
			err == -EACCES ? "Run the audit as root" : NULL, SRC_VERIFY);
		return;
	}
	/* Since manifests-v2 a manifest is itself a blob, named by the hash of its bytes. */
	if (EVP_Digest(text, len, sum, &md_len, EVP_sha256(), NULL) == 1) {
		audit_hash_hex(sum, hex);
		b = blob_find(s, hex);
		if (b && !b->users++)
			b->first_user = m.model;
	}
	j = cJSON_ParseWithLengthOpts(text, len, &end, false);
	if (!j)
		unparsable(&m, text, len, end, NULL);
	else
		check_manifest(&m, j, NULL, 0);
	cJSON_Delete(j);
	free(text);
}

/*
 * manifests/<host>/<namespace>/<model>/<tag> (and manifests-v2/, the same shape, whose
 * tags are links to manifest blobs): files exactly four levels down, as Ollama's glob
 * of four wildcards finds them.
 */
static int walk_manifests(struct ostore *s, const char *dir, int depth, const char *part[4])
{
	struct dirent *e;
	DIR *d = audit_opendir(s->c, dir);

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((e = readdir(d)) && !s->err && s->manifests < MANIFESTS_MAX) {
		char path[PATH_MAX];
		bool is_dir = e->d_type == DT_DIR;

		if (e->d_name[0] == '.')
			continue; /* ".", "..", and copyManifestFile's .manifest-* temporaries */
		if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= (int)sizeof(path))
			continue;
		if (e->d_type == DT_UNKNOWN || e->d_type == DT_LNK)
			audit_exists(s->c, path, &is_dir);
		part[depth] = e->d_name;
		if (depth < 3 && is_dir)
			walk_manifests(s, path, depth + 1, part);
		else if (depth == 3 && !is_dir)
			check_manifest_file(s, path, part);
	}
	closedir(d);
	return 0;
}

static void report_blob(struct ostore *s, const struct blob *b, const struct audit_hash_item *it)
{
	unsigned char want[AUDIT_SHA256_LEN];
	char got[2 * AUDIT_SHA256_LEN + 1];

	if (it->err) {
		bool denied = it->err == -EACCES && !s->c->privileged;

		problem(s, denied ? AUDIT_SKIP : AUDIT_WARN, b->path,
			audit_fmt(s->r, "could not be read: %s", strerror(-it->err)),
			denied ? "Run the audit as root" : "Check the file and the disk", NULL);
		return;
	}
	audit_hash_unhex(b->hex, 64, want);
	if (memcmp(want, it->sha256, AUDIT_SHA256_LEN) != 0) {
		audit_hash_hex(it->sha256, got);
		problem(s, AUDIT_FAIL, b->path,
			audit_fmt(s->r,
				  "tampered: the content hashes to sha256:%s, not the name's "
				  "digest; %s%s",
				  got, b->users ? "used by model " : "used by no manifest",
				  b->users ? b->first_user : ""),
			FIX_TAMPERED, SRC_VERIFY);
		return;
	}
	if (!b->users)
		problem(s, AUDIT_WARN, b->path,
			audit_fmt(s->r, "no manifest uses it (%llu bytes)%s",
				  (unsigned long long)b->size,
				  s->manifests_bad ? "; some manifests could not be read: one of "
						     "them may" :
						     ""),
			"Remove it if no model needs it: Ollama removes unused blobs when it "
			"starts, unless OLLAMA_NOPRUNE is set",
			SRC_PRUNE);
}

static void human(char *out, size_t size, uint64_t bytes)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)bytes;
	unsigned int u = 0;

	while (v >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1024;
		u++;
	}
	snprintf(out, size, u ? "%.1f %s" : "%.0f %s", v, units[u]);
}

/* A directory of the store that could not be listed: SKIP without root, else WARN. */
static void unreadable_dir(struct ostore *s, const char *dir, int err)
{
	bool denied = (err == -EACCES || err == -EPERM) && !s->c->privileged;

	problem(s, denied ? AUDIT_SKIP : AUDIT_WARN, dir,
		audit_fmt(s->r, "could not be read: %s%s", strerror(-err),
			  denied ? " (not root): its models are not verified" : ""),
		denied ? "Run the audit as root" : "Check the directory and the disk", NULL);
}

/* One store: blobs listed, manifests checked against them, blobs hashed. */
static int check_store(const struct audit_ctx *c, struct audit_report *r, const char *path,
		       const struct audit_approved *ap, const char *from)
{
	struct ostore s = { .c = c, .r = r, .path = path, .ap = ap };
	struct audit_hash_item *items = NULL;
	struct audit_hash_stats hs = {};
	const char *part[4] = {};
	char dir[PATH_MAX], bytes[32];
	size_t good = 0;
	uint64_t good_bytes = 0;
	int err;

	err = list_blobs(&s);
	if (err && err != -ENOMEM) {
		/* the store cannot be checked; the rest of the audit can */
		snprintf(dir, sizeof(dir), "%s/blobs", path);
		unreadable_dir(&s, dir, err);
		err = 0;
		goto out;
	}
	if (err)
		goto out;
	for (int v = 0; v < 2 && !s.err; v++) {
		snprintf(dir, sizeof(dir), "%s/%s", path, v ? "manifests-v2" : "manifests");
		err = walk_manifests(&s, dir, 0, part);
		if (err && err != -ENOMEM) {
			unreadable_dir(&s, dir, err);
			err = 0;
		}
		if (err)
			goto out;
	}
	err = s.err;
	if (err)
		goto out;
	items = calloc(s.n_blobs ? s.n_blobs : 1, sizeof(*items));
	if (!items) {
		err = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < s.n_blobs; i++)
		items[i].path = s.blobs[i].path;
	err = audit_hash_files(c, items, s.n_blobs, &hs);
	if (err)
		goto out;
	for (size_t i = 0; i < s.n_blobs; i++) {
		unsigned char want[AUDIT_SHA256_LEN];

		report_blob(&s, &s.blobs[i], &items[i]);
		audit_hash_unhex(s.blobs[i].hex, 64, want);
		if (!items[i].err && !memcmp(want, items[i].sha256, AUDIT_SHA256_LEN) &&
		    !s.blobs[i].size_bad && s.blobs[i].users) {
			good++;
			good_bytes += items[i].size;
		}
	}
	for (size_t i = 0; i < s.n_weights && s.ap; i++) {
		const struct blob *b = s.weights[i].b;
		const struct audit_hash_item *it = &items[b - s.blobs];
		unsigned char want[AUDIT_SHA256_LEN];
		bool ok;

		audit_hash_unhex(b->hex, 64, want);
		if (it->err || memcmp(want, it->sha256, AUDIT_SHA256_LEN) != 0)
			continue; /* unreadable or tampered: said above */
		ok = audit_approved_has(s.ap, want);
		if (ok && s.problems >= PROBLEMS_LISTED)
			continue;
		if (ok)
			err = audit_add(r,
					&(struct audit_finding){
						.item = AUDIT_ITEM_INTEGRITY,
						.status = AUDIT_PASS,
						.check = "integrity-ollama",
						.tool = "ollama",
						.subject = b->path,
						.evidence = audit_fmt(r,
								      "model %s: weights "
								      "sha256:%s approved",
								      s.weights[i].model, b->hex),
					});
		else
			problem(&s, AUDIT_FAIL, b->path,
				audit_fmt(r,
					  "model %s: weights sha256:%s are not in the approved "
					  "list %s",
					  s.weights[i].model, b->hex, c->approved->file),
				"Find out where this model came from; remove it (ollama rm NAME), or "
				"add its digest to the approved list if it is trusted",
				NULL);
		if (err || s.err)
			goto out;
	}
	if (s.unlisted)
		audit_add(
			r,
			&(struct audit_finding){
				.item = AUDIT_ITEM_INTEGRITY,
				.status = s.unlisted_fail ? AUDIT_FAIL : AUDIT_WARN,
				.check = "integrity-ollama",
				.tool = "ollama",
				.subject = path,
				.evidence = audit_fmt(r,
						      "%zu more problems not listed (%zu of "
						      "them FAIL): only the first %d are",
						      s.unlisted, s.unlisted_fail, PROBLEMS_LISTED),
				.fix = "Deal with the problems listed and run the audit again: the next "
				       "ones are listed then",
				.source = SRC_VERIFY });
	human(bytes, sizeof(bytes), good_bytes);
	if (good || !s.problems) {
		const char *ev = audit_fmt(
			r,
			"%zu of %zu blobs (%s) match their names and the digests and sizes of %zu "
			"manifest%s; %zu hashed, %zu from the cache; ignored: %zu partial "
			"downloads, %zu temporary files, %zu other files",
			good, s.n_blobs, bytes, s.manifests, s.manifests == 1 ? "" : "s", hs.hashed,
			hs.cached, s.partial, s.temp, s.other);

		if (from)
			ev = audit_fmt(r, "%s; OLLAMA_MODELS names this store at %s", ev, from);
		err = audit_add(r, &(struct audit_finding){ .item = AUDIT_ITEM_INTEGRITY,
							    .status = AUDIT_PASS,
							    .check = "integrity-ollama",
							    .tool = "ollama",
							    .subject = path,
							    .evidence = ev,
							    .source = SRC_VERIFY });
	}
out:
	for (size_t i = 0; i < s.n_blobs; i++)
		free(s.blobs[i].path);
	free(s.blobs);
	for (size_t i = 0; i < s.n_names; i++)
		free(s.names[i]);
	free(s.names);
	free(s.weights);
	free(items);
	return err ?: s.err;
}

struct seen {
	dev_t dev[64];
	ino_t ino[64];
	size_t n;
};

/* Whether a directory was audited already (two homes, or a home and $OLLAMA_MODELS). */
static bool seen_before(const struct audit_ctx *c, struct seen *sn, const char *path)
{
	struct stat st;
	int fd = audit_open(c, path, O_PATH | O_DIRECTORY);

	if (fd < 0)
		return false;
	if (fstat(fd, &st)) {
		close(fd);
		return false;
	}
	close(fd);
	for (size_t i = 0; i < sn->n; i++)
		if (sn->dev[i] == st.st_dev && sn->ino[i] == st.st_ino)
			return true;
	if (sn->n < 64) {
		sn->dev[sn->n] = st.st_dev;
		sn->ino[sn->n++] = st.st_ino;
	}
	return false;
}

struct ollama_walk {
	const struct audit_ctx *c;
	struct audit_report *r;
	const struct audit_approved *ap;
	struct seen seen;
	size_t stores;
};

static int ollama_store(void *arg, const struct audit_store_hit *h)
{
	struct ollama_walk *w = arg;

	if (!h->is_dir || seen_before(w->c, &w->seen, h->path))
		return 0;
	w->stores++;
	return check_store(w->c, w->r, h->path, w->ap, NULL);
}

/*
 * A store that OLLAMA_MODELS moves elsewhere, set in a running server's environment or in
 * a unit that starts one (envconfig.Models()). Only absolute paths: systemd does not expand
 * ~ and a relative one would be relative to a working directory this does not know.
 */
static int ollama_models_env(void *arg, const struct audit_setting *st)
{
	struct ollama_walk *w = arg;
	char path[PATH_MAX];
	size_t n;
	bool is_dir;

	if (st->value[0] != '/' || audit_path(w->c, path, sizeof(path), "%s", st->value))
		return 0;
	n = strlen(path);
	while (n > 1 && path[n - 1] == '/')
		path[--n] = '\0';
	if (!audit_exists(w->c, path, &is_dir) || !is_dir || seen_before(w->c, &w->seen, path))
		return 0;
	w->stores++;
	return check_store(w->c, w->r, path, w->ap, st->where);
}

int check_integrity_ollama(const struct audit_ctx *c, struct audit_report *r)
{
	struct ollama_walk w = { .c = c, .r = r };
	int err;

	if (c->approved) {
		err = audit_approved_use(c->approved, stderr);
		if (err)
			return err;
		w.ap = c->approved;
	}
	err = audit_stores_each(c, AUDIT_STORE_MODELS, "ollama", ollama_store, &w);
	if (!err && c->profiles) {
		/* what cannot be read (not root) only hides a moved store: not an error */
		err = audit_env_find(c, (const char *const[]){ "OLLAMA_MODELS" }, 1,
				     ollama_models_env, &w);
		if (err == -EACCES || err == -EPERM || err == -ENOENT)
			err = 0;
	}
	if (err)
		return err;
	if (!w.stores)
		return audit_add(r,
				 &(struct audit_finding){
					 .item = AUDIT_ITEM_INTEGRITY,
					 .status = AUDIT_SKIP,
					 .check = "integrity-ollama",
					 .tool = "ollama",
					 .subject = "~/.ollama/models",
					 .evidence = audit_fmt(r,
							       "no Ollama model store in the %zu "
							       "homes audited (the service's is "
							       "/usr/share/ollama/.ollama/models)",
							       c->n_homes),
					 .source = "ollama docs/faq.mdx L235-236" });
	return 0;
}

/* ===================================================================================== */
/* The other tools' model files                                                          */
/* ===================================================================================== */

struct model_file {
	const struct audit_store *store;
	char *path;
};

struct models {
	const struct audit_ctx *c;
	const struct audit_store *store; /* the store walked */
	struct model_file *f;
	size_t n, cap;
	size_t stores;
	size_t dirs_unreadable; /* directories that could not be listed */
	char first_unreadable[PATH_MAX];
	int first_errno;
	struct audit_walk walk;
};

static bool model_ext(const char *name)
{
	size_t n = strlen(name);

	return (n > 5 && !strcasecmp(name + n - 5, ".gguf")) ||
	       (n > 12 && !strcasecmp(name + n - 12, ".safetensors"));
}

/*
 * The walk's callback: collects the model files by name. Links to files are kept (the
 * Hugging Face cache's snapshots are links into its blobs/, hashed where they lead); the
 * walk does not follow links to directories (no loops, no leaving the store).
 */
static int model_entry(void *arg, struct audit_walk_entry *e)
{
	struct models *m = arg;

	if (m->n >= MODELS_MAX)
		return AUDIT_WALK_STOP;
	if (e->type == DT_DIR || !model_ext(e->name))
		return 0;
	if (m->n == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 64;
		struct model_file *g = realloc(m->f, cap * sizeof(*g));

		if (!g)
			return -ENOMEM;
		m->f = g;
		m->cap = cap;
	}
	m->f[m->n].store = m->store;
	m->f[m->n].path = strdup(e->path);
	if (!m->f[m->n].path)
		return -ENOMEM;
	m->n++;
	return 0;
}

/* A directory that could not be listed: counted, the first named. */
static void models_unreadable(struct models *m, const char *dir, int err)
{
	if (!m->dirs_unreadable++) {
		snprintf(m->first_unreadable, sizeof(m->first_unreadable), "%s", dir);
		m->first_errno = err;
	}
}

static int models_store(void *arg, const struct audit_store_hit *h)
{
	struct models *m = arg;
	int err;

	if (!strcmp(h->store->tool, "ollama") || !h->is_dir)
		return 0; /* Ollama's blobs are integrity-ollama's */
	m->stores++;
	m->store = h->store;
	audit_walk_reset(&m->walk);
	err = audit_walk_dir(m->c, &m->walk, h->path, 0);
	if (err == -ENOMEM)
		return err;
	if (err < 0 && err != -ENOENT)
		models_unreadable(m, h->path, -err);
	if (m->walk.unreadable) {
		models_unreadable(m, m->walk.first_unreadable, m->walk.first_errno);
		m->dirs_unreadable += m->walk.unreadable - 1;
	}
	return 0;
}

/* An item and where it is in the list, sorted by the file it names. */
struct item_ref {
	const struct audit_hash_item *it;
	size_t i;
};

static int ref_cmp(const void *a, const void *b)
{
	const struct item_ref *x = a, *y = b;

	if (x->it->dev != y->it->dev)
		return x->it->dev < y->it->dev ? -1 : 1;
	if (x->it->ino != y->it->ino)
		return x->it->ino < y->it->ino ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i; /* the first path found stays */
}

/*
 * Marks the items that repeat an earlier one: two store rows or two hard links reaching
 * one file are one model. dup[i] is set for every item but the first of each file.
 */
static int mark_duplicates(const struct audit_hash_item *items, size_t n, bool *dup)
{
	struct item_ref *by = calloc(n ? n : 1, sizeof(struct item_ref));

	if (!by)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		by[i] = (struct item_ref){ .it = &items[i], .i = i };
	if (n)
		qsort(by, n, sizeof(struct item_ref), ref_cmp);
	for (size_t i = 1; i < n; i++)
		if (!by[i].it->err && !by[i - 1].it->err && by[i].it->dev == by[i - 1].it->dev &&
		    by[i].it->ino == by[i - 1].it->ino)
			dup[by[i].i] = true;
	free(by);
	return 0;
}

int check_integrity_models(const struct audit_ctx *c, struct audit_report *r)
{
	struct models m = {
		.c = c,
		/* the depth of LM Studio's and the HF cache's layouts; no entry bound:
			     * MODELS_MAX files end the walk */
		.walk = { .max_depth = WALK_DEPTH + 1, .max_entries = SIZE_MAX, .fn = model_entry }
	};
	const struct audit_approved *ap = c->approved;
	struct audit_hash_item *items = NULL;
	struct audit_hash_stats hs = {};
	bool *dup = NULL;
	size_t listed_pass = 0, more_pass = 0, failed = 0, files = 0;
	uint64_t more_bytes = 0, total = 0;
	char hex[2 * AUDIT_SHA256_LEN + 1], bytes[32];
	int err;

	if (ap) {
		err = audit_approved_use(c->approved, stderr);
		if (err)
			return err;
	}
	m.walk.arg = &m;
	err = audit_stores_each(c, AUDIT_STORE_MODELS, NULL, models_store, &m);
	if (err)
		goto out;
	if (!m.stores) {
		err = audit_add(r,
				&(struct audit_finding){
					.item = AUDIT_ITEM_INTEGRITY,
					.status = AUDIT_SKIP,
					.check = "integrity-models",
					.subject = "model directories",
					.evidence = audit_fmt(r,
							      "no model directory of LM Studio, "
							      "GPT4All, Jan, llama.cpp or the "
							      "Hugging Face cache in the %zu homes "
							      "audited",
							      c->n_homes),
				});
		goto out;
	}
	items = calloc(m.n ? m.n : 1, sizeof(*items));
	dup = calloc(m.n ? m.n : 1, sizeof(*dup));
	if (!items || !dup) {
		err = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < m.n; i++)
		items[i].path = m.f[i].path;
	err = audit_hash_files(c, items, m.n, &hs);
	if (!err)
		err = mark_duplicates(items, m.n, dup);
	if (err)
		goto out;
	for (size_t i = 0; i < m.n && !err; i++) {
		const struct audit_hash_item *it = &items[i];
		struct audit_finding f = { .item = AUDIT_ITEM_INTEGRITY,
					   .check = "integrity-models",
					   .tool = m.f[i].store->tool,
					   .subject = it->path,
					   .source = m.f[i].store->source };

		if (it->err) {
			bool denied = it->err == -EACCES && !c->privileged;

			f.status = denied ? AUDIT_SKIP : AUDIT_WARN;
			f.evidence = audit_fmt(r, "could not be read: %s", strerror(-it->err));
			f.fix = denied ? "Run the audit as root" : "Check the file and the disk";
			err = audit_add(r, &f);
			continue;
		}
		if (dup[i])
			continue;
		files++;
		total += it->size;
		audit_hash_hex(it->sha256, hex);
		human(bytes, sizeof(bytes), it->size);
		if (ap && !audit_approved_has(ap, it->sha256)) {
			/* every unapproved model is listed: each is a decision to make */
			failed++;
			f.status = AUDIT_FAIL;
			f.evidence = audit_fmt(r, "sha256 %s, %s: not in the approved list %s", hex,
					       bytes, ap->file);
			f.fix = "Find out where this model came from; remove it, or add its "
				"line (sha256sum FILE) to the approved list if it is trusted";
			err = audit_add(r, &f);
			continue;
		}
		if (listed_pass >= FILES_LISTED) {
			more_pass++;
			more_bytes += it->size;
			continue;
		}
		listed_pass++;
		f.status = AUDIT_PASS;
		f.evidence = ap ? audit_fmt(r, "sha256 %s, %s: approved", hex, bytes) :
				  audit_fmt(r,
					    "sha256 %s, %s: recorded (no --approved list to "
					    "check it against)",
					    hex, bytes);
		err = audit_add(r, &f);
	}
	if (err)
		goto out;
	if (m.dirs_unreadable) {
		bool denied = (m.first_errno == EACCES || m.first_errno == EPERM) && !c->privileged;

		err = audit_add(r,
				&(struct audit_finding){
					.item = AUDIT_ITEM_INTEGRITY,
					.status = denied ? AUDIT_SKIP : AUDIT_WARN,
					.check = "integrity-models",
					.subject = m.first_unreadable,
					.evidence = audit_fmt(r,
							      "%zu director%s could not be read "
							      "(this one: %s): the models in them "
							      "are not listed",
							      m.dirs_unreadable,
							      m.dirs_unreadable == 1 ? "y" : "ies",
							      strerror(m.first_errno)),
					.fix = denied ? "Run the audit as root" :
							"Check the directories and the disk",
				});
		if (err)
			goto out;
	}
	if (more_pass) {
		human(bytes, sizeof(bytes), more_bytes);
		err = audit_add(r, &(struct audit_finding){
					   .item = AUDIT_ITEM_INTEGRITY,
					   .status = AUDIT_PASS,
					   .check = "integrity-models",
					   .subject = "model directories",
					   .evidence = audit_fmt(
						   r,
						   "%zu more model files (%s) %s, not "
						   "listed one by one",
						   more_pass, bytes, ap ? "approved" : "recorded"),
				   });
		if (err)
			goto out;
	}
	human(bytes, sizeof(bytes), total);
	err = audit_add(
		r, &(struct audit_finding){
			   .item = AUDIT_ITEM_INTEGRITY,
			   .status = AUDIT_PASS,
			   .check = "integrity-models",
			   .subject = "model directories",
			   .evidence = audit_fmt(
				   r,
				   "%zu model files (%s) in %zu directories: %zu hashed, %zu from "
				   "the cache, %zu unreadable; %s",
				   files, bytes, m.stores, hs.hashed, hs.cached, hs.unreadable,
				   ap ? audit_fmt(r, "%zu not approved", failed) :
					"no --approved list: hashes recorded, not checked"),
		   });
out:
	for (size_t i = 0; i < m.n; i++)
		free(m.f[i].path);
	free(m.f);
	free(items);
	free(dup);
	return err;
}
