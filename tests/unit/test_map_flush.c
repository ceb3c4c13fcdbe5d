// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * map_flush() without a kernel: this file defines the four libbpf calls it makes
 * (bpf_map_get_next_key, bpf_map_lookup_elem, bpf_map_delete_elem,
 * bpf_map_lookup_and_delete_elem) over a fake hash map, and a definition in the executable
 * takes precedence over libbpf.so's. A hook runs before each take, where the kernel's
 * close may take an entry or a send add to it, so that the test sees each entry reported
 * once, by whichever side removed it, with its counts at that moment.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "kernel/map_flush.h"

/* ---- the fake map: cookie -> { pid, bytes, packets }, in insertion order --------------- */

struct val {
	uint32_t pid;
	uint32_t pad;
	uint64_t bytes, packets;
};

#define SLOTS 8
static struct {
	bool used;
	uint64_t key;
	struct val v;
} map[SLOTS];
static bool old_kernel;			  /* lookup_and_delete refused, as before 5.14 */
static void (*before_take)(uint64_t key); /* what the kernel does meanwhile */
static int takes, deletes;

static int find(const void *key)
{
	uint64_t k;

	memcpy(&k, key, sizeof(k));
	for (int i = 0; i < SLOTS; i++)
		if (map[i].used && map[i].key == k)
			return i;
	return -1;
}

int bpf_map_get_next_key(int fd, const void *key, void *next_key)
{
	int i = key ? find(key) : -1;

	(void)fd;
	/* a hash map starts again from the first when the key is gone */
	for (int j = i + 1; j < SLOTS; j++) {
		if (map[j].used) {
			memcpy(next_key, &map[j].key, sizeof(map[j].key));
			return 0;
		}
	}
	errno = ENOENT;
	return -ENOENT;
}

int bpf_map_lookup_elem(int fd, const void *key, void *value)
{
	int i = find(key);

	(void)fd;
	if (i < 0) {
		errno = ENOENT;
		return -ENOENT;
	}
	memcpy(value, &map[i].v, sizeof(map[i].v));
	return 0;
}

int bpf_map_delete_elem(int fd, const void *key)
{
	int i;

	(void)fd;
	if (before_take) {
		uint64_t k;

		memcpy(&k, key, sizeof(k));
		before_take(k);
	}
	deletes++;
	i = find(key);
	if (i < 0) {
		errno = ENOENT;
		return -ENOENT;
	}
	map[i].used = false;
	return 0;
}

int bpf_map_lookup_and_delete_elem(int fd, const void *key, void *value)
{
	int i;

	(void)fd;
	takes++;
	if (old_kernel) {
		errno = 524; /* ENOTSUPP */
		return -524;
	}
	if (before_take) {
		uint64_t k;

		memcpy(&k, key, sizeof(k));
		before_take(k);
	}
	i = find(key);
	if (i < 0) {
		errno = ENOENT;
		return -ENOENT;
	}
	memcpy(value, &map[i].v, sizeof(map[i].v));
	map[i].used = false;
	return 0;
}

static void put(uint64_t key, uint32_t pid, uint64_t bytes, uint64_t packets)
{
	for (int i = 0; i < SLOTS; i++) {
		if (!map[i].used) {
			map[i].used = true;
			map[i].key = key;
			map[i].v = (struct val){ .pid = pid, .bytes = bytes, .packets = packets };
			return;
		}
	}
}

/* ---- the flush's side ------------------------------------------------------------------ */

static enum map_flush_what fill(void *arg, uint32_t flush_pid, const void *key, const void *val,
				struct lw_rec_conn_bytes *r, uint32_t *pid, uint16_t *tool)
{
	const struct val *v = val;

	(void)arg;
	(void)flush_pid;
	memcpy(&r->cookie, key, sizeof(r->cookie));
	r->bytes = v->bytes;
	r->packets = v->packets;
	*pid = v->pid;
	*tool = 3;
	/* cookie 99 is one the fill leaves to its socket's close */
	return r->cookie == 99 ? MAP_FLUSH_LEAVE : MAP_FLUSH_REPORT;
}

static void counts(const void *val, uint64_t *bytes, uint64_t *packets)
{
	const struct val *v = val;

	*bytes = v->bytes;
	*packets = v->packets;
}

static struct lw_rec_conn_bytes got[SLOTS * 2];
static int ngot;

static void emit(void *m, const void *rec, size_t len)
{
	(void)m;
	CHECK_INT(len, sizeof(got[0]));
	if (ngot < (int)(sizeof(got) / sizeof(got[0])))
		memcpy(&got[ngot++], rec, sizeof(got[0]));
}

static const struct map_flush flush = {
	7, sizeof(uint64_t), sizeof(struct val), fill, counts, NULL
};

static void reset(void)
{
	memset(map, 0, sizeof(map));
	old_kernel = false;
	before_take = NULL;
	takes = deletes = ngot = 0;
	memset(got, 0, sizeof(got));
}

/* the kernel's close of cookie 2 takes (and reports) it between the walk and the take */
static void close_2(uint64_t key)
{
	if (key == 2) {
		int i = find(&key);

		if (i >= 0)
			map[i].used = false;
	}
}

/* a datagram to cookie 1 is counted between the walk and the take */
static void send_1(uint64_t key)
{
	if (key == 1) {
		int i = find(&key);

		if (i >= 0) {
			map[i].v.bytes += 100;
			map[i].v.packets++;
		}
	}
}

static void test_all_at_the_stop(void)
{
	reset();
	put(1, 10, 500, 5);
	put(2, 11, 40, 1);
	put(99, 10, 1, 1);
	CHECK_INT(map_flush(&flush, 0, LW_CLOSE_END, emit, NULL), 0);
	CHECK_INT(ngot, 2);
	CHECK_INT(got[0].cookie, 1);
	CHECK_INT(got[0].bytes, 500);
	CHECK_INT(got[0].packets, 5);
	CHECK_INT(got[0].reason, LW_CLOSE_END);
	CHECK_INT(got[0].hdr.type, LW_REC_CONN_BYTES);
	CHECK_INT(got[0].hdr.pid, 10);
	CHECK_INT(got[0].hdr.tool, 3);
	CHECK_INT(got[1].cookie, 2);
	CHECK_INT(got[1].hdr.pid, 11);
	/* the one left stays; the others are gone */
	CHECK_INT(find(&(uint64_t){ 99 }), 2);
	CHECK_INT(find(&(uint64_t){ 1 }), -1);
	CHECK_INT(find(&(uint64_t){ 2 }), -1);
}

static void test_one_owner(void)
{
	reset();
	put(1, 10, 500, 5);
	put(2, 11, 40, 1);
	CHECK_INT(map_flush(&flush, 11, LW_CLOSE_EXIT, emit, NULL), 0);
	CHECK_INT(ngot, 1);
	CHECK_INT(got[0].cookie, 2);
	CHECK_INT(got[0].reason, LW_CLOSE_EXIT);
	CHECK_INT(find(&(uint64_t){ 1 }), 0);
}

/* the socket closed while the flush ran: the kernel reported it, the flush does not */
static void test_closed_meanwhile(void)
{
	for (int old = 0; old < 2; old++) {
		reset();
		old_kernel = old;
		put(1, 10, 500, 5);
		put(2, 10, 40, 1);
		put(3, 10, 7, 1);
		before_take = close_2;
		CHECK_INT(map_flush(&flush, 10, LW_CLOSE_EXIT, emit, NULL), 0);
		CHECK_INT(ngot, 2);
		CHECK_INT(got[0].cookie, 1);
		CHECK_INT(got[1].cookie, 3);
		/* an old kernel is asked once, then deleted from */
		CHECK_INT(takes, old ? 1 : 3);
		CHECK_INT(deletes, old ? 3 : 0);
	}
}

/* what was sent between the walk and the take is counted where the kernel takes in one call */
static void test_sent_meanwhile(void)
{
	reset();
	put(1, 10, 500, 5);
	before_take = send_1;
	CHECK_INT(map_flush(&flush, 0, LW_CLOSE_END, emit, NULL), 0);
	CHECK_INT(ngot, 1);
	CHECK_INT(got[0].bytes, 600);
	CHECK_INT(got[0].packets, 6);
}

/* too big a key or value is refused, not overrun */
static void test_sizes(void)
{
	struct map_flush big = flush;

	reset();
	put(1, 10, 500, 5);
	big.ksz = MAP_FLUSH_KEY_MAX + 1;
	CHECK_INT(map_flush(&big, 0, LW_CLOSE_END, emit, NULL), -EINVAL);
	big = flush;
	big.vsz = MAP_FLUSH_VAL_MAX + 1;
	CHECK_INT(map_flush(&big, 0, LW_CLOSE_END, emit, NULL), -EINVAL);
	CHECK_INT(ngot, 0);
	CHECK_INT(find(&(uint64_t){ 1 }), 0);
}

int main(void)
{
	test_all_at_the_stop();
	test_one_owner();
	test_closed_meanwhile();
	test_sent_meanwhile();
	test_sizes();
	return check_summary("test_map_flush");
}
