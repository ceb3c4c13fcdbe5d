// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Counts of written events and alerts by kind and tool (see evcount.h). */
#include "core/evcount.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The row of tool, created if new. NULL with errno set when there is no room. */
static struct evcount_row *row_for(struct evcount *c, const char *tool)
{
	struct evcount_row *r;

	/* few tools, and the same one comes in runs: a linear scan from the newest */
	for (size_t i = c->n; i-- > 0;) {
		if (strncmp(c->rows[i].tool, tool, EVCOUNT_TOOL_LEN - 1) == 0)
			return &c->rows[i];
	}
	if (c->n == EVCOUNT_TOOLS_MAX) {
		errno = ENOSPC;
		return NULL;
	}
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 8;

		r = realloc(c->rows, cap * sizeof(*r));
		if (!r)
			return NULL;
		c->rows = r;
		c->cap = cap;
	}
	r = &c->rows[c->n++];
	memset(r, 0, sizeof(*r));
	strncpy(r->tool, tool, sizeof(r->tool) - 1);
	return r;
}

int evcount_add(struct evcount *c, unsigned int type, const char *tool, bool alert)
{
	int slot = event_kind_slot(type);
	struct evcount_row *r;

	if (slot < 0) {
		c->uncounted++;
		return -EINVAL;
	}
	r = row_for(c, tool ? tool : "");
	if (!r) {
		c->uncounted++;
		return -errno;
	}
	r->events[slot]++;
	if (alert)
		r->alerts[slot]++;
	return 0;
}

void evcount_free(struct evcount *c)
{
	free(c->rows);
	memset(c, 0, sizeof(*c));
}
