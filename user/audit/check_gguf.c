// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * gguf-files (check_gguf.h): finds the GGUF models in each tool's model directories (files
 * named *.gguf, and the files of a "blobs" directory that start with "GGUF": Ollama's blobs
 * and the Hugging Face cache's carry no suffix) and the --gguf files, and validates each with
 * gguf_check over a mapping guarded against SIGBUS.
 */
#include "audit/check_gguf.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit_files.h"
#include "audit/audit_stores.h"

#define GGUF_SOURCE                                                                              \
	"ggml docs/gguf.md; llama.cpp ggml/src/gguf.cpp @067d44f6; research/inference-tools.md " \
	"section 6 (docs/gguf-check.md)"
#define GGUF_FIX                                                                              \
	"do not load this file: delete it, or download it again from a source you trust and " \
	"compare its SHA-256 with the publisher's"

/* ---- the SIGBUS guard -------------------------------------------------------------------
 *
 * gguf_check_mem() wants the whole file as one buffer, because it checks every tensor's
 * offset against the file's size; reading the header region with pread() would need to know
 * where the tensor table ends before parsing it. So the file is mapped, and the one hazard of
 * a mapping is caught instead: a file truncated while mapped (a download being replaced, a
 * store pruned) makes every touch past its new end raise SIGBUS. The handler jumps back to the
 * guarded call when the fault is in this thread's guarded range, and otherwise hands the
 * signal to whoever had it before (the default: the process dies, as it would have).
 */
static _Thread_local sigjmp_buf *guard_jmp;
static _Thread_local const char *guard_lo, *guard_hi;
static pthread_mutex_t guard_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned int guard_users;
static struct sigaction guard_prev;

static void guard_handler(int sig, siginfo_t *si, void *uc)
{
	const char *a = si ? (const char *)si->si_addr : NULL;

	if (guard_jmp && a >= guard_lo && a < guard_hi)
		siglongjmp(*guard_jmp, 1);
	if ((guard_prev.sa_flags & SA_SIGINFO) && guard_prev.sa_sigaction) {
		guard_prev.sa_sigaction(sig, si, uc);
		return;
	}
	if (guard_prev.sa_handler != SIG_DFL && guard_prev.sa_handler != SIG_IGN) {
		guard_prev.sa_handler(sig);
		return;
	}
	/* Not ours: back to the default, and the faulting access runs again and gets it. */
	signal(sig, SIG_DFL);
}

static int guard_install(void)
{
	struct sigaction sa = { .sa_sigaction = guard_handler, .sa_flags = SA_SIGINFO };
	int err = 0;

	sigemptyset(&sa.sa_mask);
	pthread_mutex_lock(&guard_lock);
	if (guard_users == 0 && sigaction(SIGBUS, &sa, &guard_prev))
		err = -errno;
	if (!err)
		guard_users++;
	pthread_mutex_unlock(&guard_lock);
	return err;
}

static void guard_remove(void)
{
	pthread_mutex_lock(&guard_lock);
	if (--guard_users == 0)
		sigaction(SIGBUS, &guard_prev, NULL);
	pthread_mutex_unlock(&guard_lock);
}

/*
 * What the parse allocated, where the jump out of it can still find it: this thread's, not
 * in the frames the jump discards.
 */
static _Thread_local struct gguf_check_work guard_work;

int check_gguf_guarded(const void *map, size_t len, struct gguf_check_result *r)
{
	sigjmp_buf jb;
	volatile int ret = 0;
	int err;

	err = guard_install();
	if (err) {
		memset(r, 0, sizeof(*r));
		snprintf(r->text, sizeof(r->text), "sigaction(SIGBUS): %s", strerror(-err));
		return err;
	}
	guard_lo = map;
	guard_hi = (const char *)map + len;
	/* savemask 1: the jump out of the handler unblocks SIGBUS again. */
	if (sigsetjmp(jb, 1) == 0) {
		guard_jmp = &jb;
		ret = gguf_check_mem_work(map, len, r, &guard_work);
	} else {
		memset(r, 0, sizeof(*r));
		snprintf(r->text, sizeof(r->text),
			 "the file shrank while it was read (SIGBUS on its mapping)");
		ret = -EIO;
	}
	guard_jmp = NULL;
	guard_lo = guard_hi = NULL;
	gguf_check_work_free(&guard_work); /* on both paths: the jump skipped the parse's own */
	guard_remove();
	return ret;
}

int check_gguf_fd(int fd, size_t size, struct gguf_check_result *r)
{
	void *map;
	int err;

	if (size == 0) /* mmap refuses a length of 0: an empty file is still judged */
		return gguf_check_mem("", 0, r);
	map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED) {
		err = -errno;
		memset(r, 0, sizeof(*r));
		snprintf(r->text, sizeof(r->text), "mmap: %s", strerror(-err));
		return err;
	}
	err = check_gguf_guarded(map, size, r);
	munmap(map, size);
	return err;
}

/* ---- the walk ------------------------------------------------------------------------- */

struct file_id {
	dev_t dev;
	ino_t ino;
};

struct gguf_walk {
	const struct audit_ctx *c;
	struct audit_report *r;
	const struct audit_store *store; /* the store walked, NULL for --gguf files */
	char path[PATH_MAX];		 /* a --gguf file or a store that is a file */
	/* this store's walk */
	struct audit_walk walk;
	size_t unreadable_blobs;
	/* the whole audit */
	struct file_id seen[CHECK_GGUF_MAX_FILES];
	size_t n_seen, not_checked, found, stores;
};

static bool seen_before(struct gguf_walk *w, const struct stat *st)
{
	for (size_t i = 0; i < w->n_seen; i++)
		if (w->seen[i].dev == st->st_dev && w->seen[i].ino == st->st_ino)
			return true;
	if (w->n_seen < CHECK_GGUF_MAX_FILES)
		w->seen[w->n_seen++] = (struct file_id){ st->st_dev, st->st_ino };
	return false;
}

static const char *human_size(char *buf, size_t size, uint64_t n)
{
	static const char *const unit[] = { "bytes", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)n;
	unsigned int u = 0;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, size, "%llu bytes", (unsigned long long)n);
	else
		snprintf(buf, size, "%.1f %s", v, unit[u]);
	return buf;
}

static void add(struct gguf_walk *w, enum audit_status s, const char *path, const char *evidence,
		const char *fix)
{
	audit_add(w->r, &(struct audit_finding){
				.item = AUDIT_ITEM_GGUF,
				.status = s,
				.check = "gguf-files",
				.tool = w->store ? w->store->tool : NULL,
				.subject = path,
				.evidence = evidence,
				.fix = fix,
				.source = s == AUDIT_PASS || s == AUDIT_FAIL ? GGUF_SOURCE : NULL,
			});
}

static void report_result(struct gguf_walk *w, const char *path, int err,
			  const struct gguf_check_result *res)
{
	const struct gguf_facts *f = &res->facts;
	char size[32];

	if (err == -EIO) {
		add(w, AUDIT_SKIP, path,
		    audit_fmt(w->r, "%s: check it again when nothing is writing it", res->text),
		    NULL);
		return;
	}
	if (err) {
		add(w, AUDIT_SKIP, path, audit_fmt(w->r, "could not be read: %s", res->text), NULL);
		return;
	}
	if (!res->ok) {
		add(w, AUDIT_FAIL, path,
		    audit_fmt(w->r, "malformed GGUF (%s): %s", gguf_problem_name(res->code),
			      res->text),
		    GGUF_FIX);
		return;
	}
	add(w, AUDIT_PASS, path,
	    audit_fmt(w->r, "GGUF v%u, %llu tensors, %llu keys, architecture %s%s%s%s, %s",
		      f->version, (unsigned long long)f->n_tensors, (unsigned long long)f->n_kv,
		      f->architecture.present ? f->architecture.raw : "(none)",
		      f->name.present ? " (general.name " : "", f->name.present ? f->name.raw : "",
		      f->name.present ? ")" : "", human_size(size, sizeof(size), f->file_size)),
	    NULL);
}

/* Validates the file at path; sniff: only when it starts with "GGUF" (a blob). */
static void check_one(struct gguf_walk *w, const char *path, bool sniff)
{
	struct gguf_check_result res;
	struct stat st;
	char magic[4];
	int fd, err;

	if (w->n_seen >= CHECK_GGUF_MAX_FILES) {
		w->not_checked++;
		return;
	}
	fd = audit_open(w->c, path, O_RDONLY | O_NONBLOCK);
	if (fd < 0) {
		if (sniff) {
			w->unreadable_blobs++;
			return;
		}
		memset(&res, 0, sizeof(res));
		snprintf(res.text, sizeof(res.text), "%s%s", strerror(-fd),
			 fd == -EACCES && !w->c->privileged ? " (not root)" : "");
		w->found++;
		report_result(w, path, fd, &res);
		return;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode))
		goto out;
	if (sniff && (pread(fd, magic, sizeof(magic), 0) != (ssize_t)sizeof(magic) ||
		      memcmp(magic, "GGUF", 4) != 0))
		goto out;
	if (seen_before(w, &st)) /* a link and its blob, a store listed twice */
		goto out;
	w->found++;
	if ((uint64_t)st.st_size > SIZE_MAX) {
		memset(&res, 0, sizeof(res));
		snprintf(res.text, sizeof(res.text), "too large to map");
		err = -EFBIG;
	} else {
		err = check_gguf_fd(fd, (size_t)st.st_size, &res);
	}
	report_result(w, path, err, &res);
out:
	close(fd);
}

static bool gguf_named(const char *name)
{
	size_t n = strlen(name);

	return n > 5 && strcasecmp(name + n - 5, ".gguf") == 0;
}

/*
 * The walk's callback. Links are not followed into directories (the walk's policy); a link
 * named *.gguf is validated where it leads (inside the root), once per file. The files of a
 * directory named "blobs" are sniffed for the magic (flags 1).
 */
static int gguf_entry(void *arg, struct audit_walk_entry *e)
{
	struct gguf_walk *w = arg;

	if (!e->st)
		return AUDIT_WALK_SKIP;
	if (e->type == DT_DIR) {
		e->flags = !strcmp(e->name, "blobs");
		return 0;
	}
	if (e->type == DT_REG || e->type == DT_LNK) {
		if (gguf_named(e->name))
			check_one(w, e->path, false);
		else if (e->flags)
			check_one(w, e->path, true);
	}
	return 0;
}

/* What the walk of one store could not look at, as a SKIP (nothing when it saw it all). */
static void report_walk_limits(struct gguf_walk *w, const char *path)
{
	char what[512];
	int n = 0;

	what[0] = '\0';
	if (w->walk.cut)
		n += snprintf(what + n, sizeof(what) - (size_t)n, "; stopped after %u entries",
			      CHECK_GGUF_MAX_ENTRIES);
	if (w->walk.deep && n < (int)sizeof(what))
		n += snprintf(what + n, sizeof(what) - (size_t)n,
			      "; %zu directories deeper than %u levels not entered", w->walk.deep,
			      CHECK_GGUF_MAX_DEPTH);
	if (w->walk.unreadable && n < (int)sizeof(what))
		n += snprintf(what + n, sizeof(what) - (size_t)n,
			      "; %zu directories could not be read%s", w->walk.unreadable,
			      w->c->privileged ? "" : " (not root)");
	if (w->unreadable_blobs && n < (int)sizeof(what))
		snprintf(what + n, sizeof(what) - (size_t)n, "; %zu blobs could not be read%s",
			 w->unreadable_blobs, w->c->privileged ? "" : " (not root)");
	if (what[0])
		add(w, AUDIT_SKIP, path,
		    audit_fmt(w->r, "%s: not every file was looked at%s", w->store->what, what),
		    NULL);
}

static int visit_store(void *arg, const struct audit_store_hit *h)
{
	struct gguf_walk *w = arg;
	size_t plen = strlen(h->path);
	int err;

	w->store = h->store;
	audit_walk_reset(&w->walk);
	w->unreadable_blobs = 0;
	w->stores++;
	if (plen >= sizeof(w->path))
		return 0;
	if (!h->is_dir) {
		memcpy(w->path, h->path, plen + 1);
		check_one(w, w->path, !gguf_named(w->path));
		return 0;
	}
	err = audit_walk_dir(w->c, &w->walk, h->path, 0);
	if (err < 0) {
		add(w, AUDIT_SKIP, h->path,
		    audit_fmt(w->r, "%s: could not be read: %s%s", h->store->what, strerror(-err),
			      err == -EACCES && !w->c->privileged ? " (not root)" : ""),
		    NULL);
		return 0;
	}
	report_walk_limits(w, h->path);
	return 0;
}

int check_gguf_files(const struct audit_ctx *c, struct audit_report *r)
{
	struct gguf_walk *w = calloc(1, sizeof(*w));

	if (!w)
		return -ENOMEM;
	w->c = c;
	w->r = r;
	w->walk = (struct audit_walk){ .max_depth = CHECK_GGUF_MAX_DEPTH,
				       .max_entries = CHECK_GGUF_MAX_ENTRIES,
				       .fn = gguf_entry,
				       .arg = w };
	/* The --gguf files first: named by the user, they are never the ones cut. */
	for (size_t i = 0; i < c->n_gguf; i++) {
		size_t n = strlen(c->gguf[i]);

		if (n >= sizeof(w->path))
			continue;
		memcpy(w->path, c->gguf[i], n + 1);
		check_one(w, w->path, false);
	}
	audit_stores_each(c, AUDIT_STORE_MODELS, NULL, visit_store, w);
	w->store = NULL;
	if (w->not_checked)
		add(w, AUDIT_SKIP, "model files",
		    audit_fmt(r,
			      "%zu more files not validated: at most %u per audit (give them "
			      "with --gguf to check them alone)",
			      w->not_checked, CHECK_GGUF_MAX_FILES),
		    NULL);
	if (w->found == 0 && w->stores == 0 && c->n_gguf == 0)
		add(w, AUDIT_SKIP, "model directories",
		    "no model directory of a known tool found in the audited homes", NULL);
	else if (w->found == 0 && c->n_gguf == 0)
		add(w, AUDIT_PASS, "model directories",
		    audit_fmt(r, "no GGUF file in the %zu model directories found", w->stores),
		    NULL);
	free(w);
	return 0;
}
