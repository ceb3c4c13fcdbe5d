// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Reporting a connection or flow map's entries at an exit or the stop (map_flush.h). */
#include "kernel/map_flush.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/timefmt.h"

/* The kernel's own "not supported", which the bpf syscall hands to user space as is. */
#define LW_ENOTSUPP 524

void *map_flush_grow(void *arr, size_t n, size_t *cap, size_t esz)
{
	size_t ncap;
	void *v;

	if (n < *cap)
		return arr;
	ncap = *cap ? *cap * 2 : 16;
	v = realloc(arr, ncap * esz);
	if (v)
		*cap = ncap;
	return v;
}

/* An entry the walk chose, to be taken after it. */
struct taken {
	_Alignas(8) unsigned char key[MAP_FLUSH_KEY_MAX];
	struct lw_rec_conn_bytes r; /* as the walk read it */
	uint64_t bytes, packets;    /* the map's own counts then */
	uint32_t owner;
	uint16_t tool;
};

static void emit_rec(struct lw_rec_conn_bytes *r, uint32_t owner, uint16_t tool,
		     void (*emit)(void *m, const void *rec, size_t len), void *m)
{
	uint8_t flags = r->hdr.flags; /* the fill's (LW_F_READ_FAILED) */

	lw_rec_hdr_init(&r->hdr, LW_REC_CONN_BYTES, sizeof(*r), tool, owner, timefmt_boot_now());
	r->hdr.flags = flags;
	emit(m, r, sizeof(*r));
}

/*
 * Takes one entry: 1 if this call removed it (t->r then holds its counts), 0 if it was gone
 * already (the kernel took and reported it), or -errno. *one_call says whether the kernel
 * looks up and deletes in one call; cleared the first time it says it cannot.
 */
static int take(const struct map_flush *f, struct taken *t, bool *one_call)
{
	_Alignas(8) unsigned char val[MAP_FLUSH_VAL_MAX];
	uint64_t bytes, packets;

	if (*one_call) {
		if (bpf_map_lookup_and_delete_elem(f->fd, t->key, val) == 0) {
			/* what was sent between the walk's read and now is counted too */
			f->counts(val, &bytes, &packets);
			if (bytes >= t->bytes && packets >= t->packets) {
				t->r.bytes += bytes - t->bytes;
				t->r.packets += packets - t->packets;
			}
			return 1;
		}
		if (errno == ENOENT)
			return 0;
		if (errno != EINVAL && errno != LW_ENOTSUPP && errno != EOPNOTSUPP)
			return -errno;
		*one_call = false; /* hash maps before 5.14 */
	}
	if (bpf_map_delete_elem(f->fd, t->key) == 0)
		return 1;
	return errno == ENOENT ? 0 : -errno;
}

int map_flush(const struct map_flush *f, uint32_t pid, uint32_t reason,
	      void (*emit)(void *m, const void *rec, size_t len), void *m)
{
	_Alignas(8) unsigned char key[MAP_FLUSH_KEY_MAX], next[MAP_FLUSH_KEY_MAX],
		val[MAP_FLUSH_VAL_MAX];
	unsigned char *prev = NULL;
	struct taken *ts = NULL;
	size_t nt = 0, cap = 0;
	bool one_call = true;
	int err = 0;

	if (f->ksz > MAP_FLUSH_KEY_MAX || f->vsz > MAP_FLUSH_VAL_MAX)
		return -EINVAL;
	while (bpf_map_get_next_key(f->fd, prev, next) == 0) {
		struct lw_rec_conn_bytes r = { .reason = reason };
		struct taken *t;
		uint32_t owner;
		uint16_t tool;

		memcpy(key, next, f->ksz);
		prev = key;
		if (bpf_map_lookup_elem(f->fd, key, val))
			continue;
		if (f->fill(f->arg, pid, key, val, &r, &owner, &tool) == MAP_FLUSH_LEAVE ||
		    (pid && owner != pid))
			continue;
		t = map_flush_grow(ts, nt, &cap, sizeof(*ts));
		if (!t) {
			/* reported now and left: its close may report it again */
			err = -ENOMEM;
			emit_rec(&r, owner, tool, emit, m);
			continue;
		}
		ts = t;
		t = &ts[nt++];
		memset(t->key, 0, sizeof(t->key));
		memcpy(t->key, key, f->ksz);
		t->r = r;
		f->counts(val, &t->bytes, &t->packets);
		t->owner = owner;
		t->tool = tool;
	}
	for (size_t i = 0; i < nt; i++) {
		int got = take(f, &ts[i], &one_call);

		if (got == 0)
			continue;
		if (got < 0 && !err)
			err = got; /* still there: reported, so that the stop loses nothing */
		emit_rec(&ts[i].r, ts[i].owner, ts[i].tool, emit, m);
	}
	free(ts);
	return err;
}
