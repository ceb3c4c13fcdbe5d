// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Recognising tools run by an interpreter by their command line (see cmdlinescan.h). */
#include "core/cmdlinescan.h"

#include <string.h>

#include "core/procscan.h"

unsigned int cmdlinescan_match(const struct profile_set *set, const char *proc_root, uint32_t pid,
			       const char *comm, char *buf, size_t size, bool *read)
{
	int cut;

	*read = false;
	buf[0] = '\0';
	if (!profiles_is_interpreter(set, comm))
		return 0;
	*read = true;
	if (size > CMDLINESCAN_BYTES)
		size = CMDLINESCAN_BYTES;
	if (procscan_read_cmdline(proc_root, pid, buf, size, &cut) <= 0)
		return 0; /* gone, or a zombie's empty command line */
	return profiles_match_cmdline(set, comm, buf);
}

static size_t slot_of(uint32_t pid)
{
	return pid % CMDLINESCAN_SEEN;
}

bool cmdlinescan_cache_has(const struct cmdlinescan_cache *c, uint32_t pid, uint64_t start,
			   const char *comm)
{
	const struct cmdlinescan_seen *s = &c->slot[slot_of(pid)];

	return s->pid == pid && s->start == start &&
	       strncmp(s->comm, comm, sizeof(s->comm) - 1) == 0;
}

void cmdlinescan_cache_put(struct cmdlinescan_cache *c, uint32_t pid, uint64_t start,
			   const char *comm)
{
	struct cmdlinescan_seen *s = &c->slot[slot_of(pid)];

	s->pid = pid;
	s->start = start;
	memset(s->comm, 0, sizeof(s->comm));
	strncpy(s->comm, comm, sizeof(s->comm) - 1);
}
