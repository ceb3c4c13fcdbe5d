// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The facts a replay restores, waiting for the record path (see facts_store.h). */
#include "monitor/facts_store.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct fact_slot {
	bool used;
	struct proc_facts f; /* its strings point into blob */
	char *blob;
};

struct facts_store {
	struct fact_slot *slot; /* a ring: head is the oldest */
	size_t max, head, count;
	uint64_t dropped;
};

struct facts_store *facts_store_new(size_t max)
{
	struct facts_store *s = calloc(1, sizeof(*s));

	if (!s || !max || !(s->slot = calloc(max, sizeof(*s->slot)))) {
		free(s);
		return NULL;
	}
	s->max = max;
	return s;
}

static void clear(struct fact_slot *sl)
{
	free(sl->blob);
	memset(sl, 0, sizeof(*sl));
}

/* Frees the slots used at the head. */
static void compact(struct facts_store *s)
{
	while (s->count && !s->slot[s->head].used) {
		s->head = (s->head + 1) % s->max;
		s->count--;
	}
}

void facts_store_free(struct facts_store *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->max; i++)
		clear(&s->slot[i]);
	free(s->slot);
	free(s);
}

int facts_store_add(struct facts_store *s, const struct proc_facts *f)
{
	const char *str[4] = { f->exe, f->cmdline, f->parent_exe, f->evidence };
	const char **dst[4];
	size_t len[4], total = 0, off = 0;
	struct fact_slot *sl;
	int dropped = 0;
	char *blob;

	for (int i = 0; i < 4; i++) {
		len[i] = str[i] ? strlen(str[i]) + 1 : 1;
		total += len[i];
	}
	blob = malloc(total);
	if (!blob)
		return -ENOMEM;
	if (s->count == s->max) {
		clear(&s->slot[s->head]);
		s->dropped++;
		dropped = 1;
		compact(s);
	}
	sl = &s->slot[(s->head + s->count) % s->max];
	s->count++;
	sl->used = true;
	sl->blob = blob;
	sl->f = *f;
	dst[0] = &sl->f.exe, dst[1] = &sl->f.cmdline, dst[2] = &sl->f.parent_exe;
	dst[3] = &sl->f.evidence;
	for (int i = 0; i < 4; i++) {
		if (str[i])
			memcpy(blob + off, str[i], len[i]);
		else
			blob[off] = '\0';
		*dst[i] = blob + off;
		off += len[i];
	}
	return dropped;
}

const struct proc_facts *facts_store_find(struct facts_store *s, uint32_t pid, uint64_t start_ns)
{
	const struct proc_facts *found = NULL;

	for (size_t i = 0; i < s->count && !found; i++) {
		struct fact_slot *sl = &s->slot[(s->head + i) % s->max];

		if (!sl->used || sl->f.pid != pid)
			continue;
		if (!start_ns || !sl->f.start_ns || sl->f.start_ns == start_ns) {
			found = &sl->f;
		} else if (sl->f.start_ns < start_ns) {
			clear(sl); /* an earlier process with this pid's: never to be needed */
			s->dropped++;
		}
	}
	compact(s);
	return found;
}

void facts_store_take(struct facts_store *s, const struct proc_facts *f)
{
	struct fact_slot *sl = (struct fact_slot *)((char *)f - offsetof(struct fact_slot, f));

	clear(sl);
	compact(s);
}

uint64_t facts_store_dropped(const struct facts_store *s)
{
	return s ? s->dropped : 0;
}
