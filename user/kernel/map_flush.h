/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Reporting and removing the entries of a connection or flow map (`conns`, `flows`) when
 * their owner exits or llmwatch stops, exactly once: the kernel reports the same entries
 * at their socket's close, and each side reports only the entries its own delete took.
 */
#ifndef LW_MAP_FLUSH_H
#define LW_MAP_FLUSH_H

#include <stddef.h>
#include <stdint.h>

#include "llmwatch/events.h"

/* What the flush does with one entry (its fill function says). */
enum map_flush_what {
	MAP_FLUSH_REPORT, /* report it and remove it */
	MAP_FLUSH_LEAVE,  /* leave it where it is: its socket's close or the stop reports it */
};

/*
 * Fills r's fields from one map entry and says whose it is (*pid, *tool); flush_pid is the
 * flush's (0: the stop), arg the fill's own state. Called once per entry, in the walk.
 */
typedef enum map_flush_what (*map_flush_fill_fn)(void *arg, uint32_t flush_pid, const void *key,
						 const void *val, struct lw_rec_conn_bytes *r,
						 uint32_t *pid, uint16_t *tool);

/* The running counts a value holds, to add what came in between the walk and the take. */
typedef void (*map_flush_counts_fn)(const void *val, uint64_t *bytes, uint64_t *packets);

struct map_flush {
	int fd;		 /* the map */
	size_t ksz, vsz; /* its key and value sizes (at most MAP_FLUSH_KEY_MAX, _VAL_MAX) */
	map_flush_fill_fn fill;
	map_flush_counts_fn counts;
	void *arg; /* the fill's */
};

#define MAP_FLUSH_KEY_MAX 32
#define MAP_FLUSH_VAL_MAX 56

/*
 * Reports (as LW_REC_CONN_BYTES records through emit, with reason) and removes the entries
 * of f->fd that pid made (all of them if pid is 0). Walks the map first and takes the
 * entries after (deleting under the walk restarts it): an entry the kernel took meanwhile
 * (its socket closed, and the kernel reported it) is not reported again; one still there
 * is taken with its counts at that moment where the kernel can look up and delete in one
 * call (hash maps, 5.14 on), else deleted, and reported only if the delete took it.
 * Returns 0, -ENOMEM (entries reported but kept, so possibly reported again at their close:
 * a duplicate beats a loss), -EINVAL (sizes too big) or the first failed take's -errno
 * (that entry reported anyway, for the same reason).
 */
int map_flush(const struct map_flush *f, uint32_t pid, uint32_t reason,
	      void (*emit)(void *m, const void *rec, size_t len), void *m);

/*
 * arr with room for one more element of esz bytes after its n (*cap allocated, doubling
 * from 16), or NULL when it cannot grow (arr is then as it was).
 */
void *map_flush_grow(void *arr, size_t n, size_t *cap, size_t esz);

#endif /* LW_MAP_FLUSH_H */
