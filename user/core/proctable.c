// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The process table: a chained hash of tracked processes keyed by pid (see proctable.h). */
#include "core/proctable.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static size_t bucket_of(const struct proctable *pt, uint32_t pid)
{
	/* Fibonacci hashing spreads sequential pids */
	return (size_t)((pid * 2654435761u) & (pt->nbuckets - 1));
}

int proctable_init(struct proctable *pt, size_t max)
{
	size_t n = 64;

	memset(pt, 0, sizeof(*pt));
	while (n < max && n < (1u << 20))
		n <<= 1;
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
	pt->buckets = calloc(n, sizeof(*pt->buckets));
	if (!pt->buckets)
		return -ENOMEM;
	pt->nbuckets = n;
	pt->max = max;
	return 0;
}

static void entry_free(struct proc_entry *e)
{
	free(e->exe);
	free(e->evidence);
	free(e->cmdline);
	free(e->parent_exe);
	free(e);
}

void proctable_free(struct proctable *pt)
{
	for (size_t i = 0; i < pt->nbuckets; i++) {
		struct proc_entry *e = pt->buckets[i], *n;

		for (; e; e = n) {
			n = e->next;
			entry_free(e);
		}
	}
	free(pt->buckets);
	memset(pt, 0, sizeof(*pt));
}

struct proc_entry *proctable_get(const struct proctable *pt, uint32_t pid)
{
	struct proc_entry *e = pt->buckets[bucket_of(pt, pid)];

	while (e && e->pid != pid)
		e = e->next;
	return e;
}

struct proc_entry *proctable_upsert(struct proctable *pt, uint32_t pid)
{
	struct proc_entry *e = proctable_get(pt, pid);
	size_t b;

	if (e)
		return e;
	if (pt->count >= pt->max) {
		pt->full_drops++;
		errno = ENOSPC;
		return NULL;
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->exe = strdup("");
	if (!e->exe) {
		free(e);
		return NULL;
	}
	e->pid = pid;
	b = bucket_of(pt, pid);
	e->next = pt->buckets[b];
	pt->buckets[b] = e;
	pt->count++;
	return e;
}

int proctable_set_exe(struct proc_entry *e, const char *path)
{
	char *copy = strdup(path);

	if (!copy)
		return -ENOMEM;
	free(e->exe);
	e->exe = copy;
	return 0;
}

int proctable_set_evidence(struct proc_entry *e, const char *what)
{
	char *copy = NULL;

	if (what && !(copy = strdup(what)))
		return -ENOMEM;
	free(e->evidence);
	e->evidence = copy;
	return 0;
}

int proctable_set_cmdline(struct proc_entry *e, const char *text, enum proc_cmdline_state state)
{
	char *copy = NULL;

	if (text && !(copy = strdup(text))) {
		free(e->cmdline);
		e->cmdline = NULL;
		e->cmdline_state = PROC_CMDLINE_UNREADABLE;
		return -ENOMEM;
	}
	free(e->cmdline);
	e->cmdline = copy;
	e->cmdline_state = (uint8_t)state;
	return 0;
}

int proctable_set_parent_exe(struct proc_entry *e, const char *path)
{
	char *copy = NULL;

	if (path && !(copy = strdup(path)))
		return -ENOMEM;
	free(e->parent_exe);
	e->parent_exe = copy;
	return 0;
}

void proctable_clear_info(struct proc_entry *e)
{
	proctable_set_cmdline(e, NULL, PROC_CMDLINE_UNREAD);
	proctable_set_parent_exe(e, NULL);
	e->parent_comm[0] = '\0';
	e->netns_ino = 0;
	e->info_ready = false;
}

void proctable_remove(struct proctable *pt, uint32_t pid)
{
	struct proc_entry **pp = &pt->buckets[bucket_of(pt, pid)];

	for (; *pp; pp = &(*pp)->next) {
		if ((*pp)->pid == pid) {
			struct proc_entry *e = *pp;

			*pp = e->next;
			entry_free(e);
			pt->count--;
			return;
		}
	}
}

size_t proctable_reap(struct proctable *pt, uint64_t now_ns, uint64_t grace_ns)
{
	size_t n = 0;

	for (size_t i = 0; i < pt->nbuckets; i++) {
		struct proc_entry **pp = &pt->buckets[i];

		while (*pp) {
			struct proc_entry *e = *pp;

			if (e->exited && e->exit_ns + grace_ns < now_ns) {
				*pp = e->next;
				entry_free(e);
				pt->count--;
				n++;
			} else {
				pp = &e->next;
			}
		}
	}
	return n;
}

int proctable_foreach(struct proctable *pt, int (*fn)(struct proc_entry *e, void *arg), void *arg)
{
	for (size_t i = 0; i < pt->nbuckets; i++) {
		struct proc_entry *e = pt->buckets[i], *n;

		for (; e; e = n) {
			int r;

			n = e->next; /* fn may not remove, but reading next first costs nothing */
			r = fn(e, arg);
			if (r)
				return r;
		}
	}
	return 0;
}
