// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit tests of the process table: upsert/get/remove, the size bound, reaping, iteration. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/proctable.h"

static void test_basic(void)
{
	struct proctable pt;
	struct proc_entry *e, *again;

	CHECK_INT(proctable_init(&pt, 16), 0);
	CHECK(proctable_get(&pt, 1) == NULL);

	e = proctable_upsert(&pt, 100);
	CHECK(e != NULL);
	if (!e)
		return;
	CHECK_INT(e->pid, 100);
	CHECK_STR(e->exe, "");
	CHECK_INT(e->tool, 0);
	CHECK_INT(e->state, PROC_CANDIDATE); /* zeroed */
	CHECK(!e->exited);
	CHECK_INT(pt.count, 1);

	e->tool = 4;
	CHECK_INT(proctable_set_exe(e, "/usr/bin/ollama"), 0);
	again = proctable_upsert(&pt, 100);
	CHECK(again == e); /* existing entry, untouched */
	CHECK_INT(again->tool, 4);
	CHECK_STR(again->exe, "/usr/bin/ollama");
	CHECK_INT(pt.count, 1);
	CHECK(proctable_get(&pt, 100) == e);
	CHECK(proctable_get(&pt, 101) == NULL);

	CHECK_INT(proctable_set_exe(e, "/opt/x"), 0);
	CHECK_STR(e->exe, "/opt/x");

	/* pid 0 and the largest pid are ordinary keys */
	CHECK(proctable_upsert(&pt, 0) != NULL);
	CHECK(proctable_upsert(&pt, UINT32_MAX) != NULL);
	CHECK(proctable_get(&pt, 0) && proctable_get(&pt, 0)->pid == 0);
	CHECK(proctable_get(&pt, UINT32_MAX) && proctable_get(&pt, UINT32_MAX)->pid == UINT32_MAX);
	CHECK_INT(pt.count, 3);

	proctable_remove(&pt, 100);
	CHECK(proctable_get(&pt, 100) == NULL);
	CHECK_INT(pt.count, 2);
	proctable_remove(&pt, 100); /* absent: no-op */
	proctable_remove(&pt, 12345);
	CHECK_INT(pt.count, 2);

	proctable_free(&pt);
	CHECK_INT(pt.count, 0);
	CHECK(pt.buckets == NULL);
}

static void test_bound(void)
{
	struct proctable pt;

	CHECK_INT(proctable_init(&pt, 3), 0);
	CHECK(proctable_upsert(&pt, 1) && proctable_upsert(&pt, 2) && proctable_upsert(&pt, 3));
	errno = 0;
	CHECK(proctable_upsert(&pt, 4) == NULL);
	CHECK_INT(errno, ENOSPC);
	CHECK_INT(pt.full_drops, 1);
	CHECK(proctable_upsert(&pt, 5) == NULL);
	CHECK_INT(pt.full_drops, 2);
	CHECK_INT(pt.count, 3);
	/* a full table still finds what it holds, and does not count that as a drop */
	CHECK(proctable_upsert(&pt, 2) != NULL);
	CHECK_INT(pt.full_drops, 2);
	/* room again after a removal */
	proctable_remove(&pt, 1);
	CHECK(proctable_upsert(&pt, 4) != NULL);
	CHECK(proctable_get(&pt, 4) != NULL);
	CHECK_INT(pt.count, 3);
	proctable_free(&pt);

	CHECK_INT(proctable_init(&pt, 0), 0);
	CHECK(proctable_upsert(&pt, 1) == NULL);
	CHECK_INT(pt.full_drops, 1);
	proctable_free(&pt);
}

static void test_reap(void)
{
	struct proctable pt;
	struct proc_entry *a, *b, *c;

	CHECK_INT(proctable_init(&pt, 16), 0);
	a = proctable_upsert(&pt, 10);
	b = proctable_upsert(&pt, 11);
	c = proctable_upsert(&pt, 12);
	CHECK(a && b && c);
	if (!a || !b || !c)
		return;
	a->exited = true, a->exit_ns = 1000;
	b->exited = true, b->exit_ns = 2000;
	c->exit_ns = 0; /* alive */

	CHECK_INT(proctable_reap(&pt, 1500, 500), 0); /* a exited exactly grace ago: kept */
	CHECK_INT(proctable_reap(&pt, 1501, 500), 1);
	CHECK(proctable_get(&pt, 10) == NULL);
	CHECK(proctable_get(&pt, 11) != NULL);
	CHECK_INT(proctable_reap(&pt, 1000000, 500), 1);
	CHECK(proctable_get(&pt, 11) == NULL);
	CHECK(proctable_get(&pt, 12) != NULL); /* never reaped while alive */
	CHECK_INT(pt.count, 1);
	CHECK_INT(proctable_reap(&pt, UINT64_MAX / 2, 500), 0);
	proctable_free(&pt);
}

struct visit {
	unsigned int seen[4096];
	size_t n;
	uint32_t stop_at;
};

static int visit_fn(struct proc_entry *e, void *arg)
{
	struct visit *v = arg;

	if (v->n < 4096)
		v->seen[v->n] = e->pid;
	v->n++;
	return e->pid == v->stop_at ? 7 : 0;
}

static int cmp_u(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

	return x < y ? -1 : x > y;
}

static void test_foreach(void)
{
	struct proctable pt;
	struct visit v = { .stop_at = 0xffffffff };

	CHECK_INT(proctable_init(&pt, 16), 0);
	CHECK_INT(proctable_foreach(&pt, visit_fn, &v), 0);
	CHECK_INT(v.n, 0);
	proctable_upsert(&pt, 30);
	proctable_upsert(&pt, 10);
	proctable_upsert(&pt, 20);
	CHECK_INT(proctable_foreach(&pt, visit_fn, &v), 0);
	CHECK_INT(v.n, 3);
	qsort(v.seen, 3, sizeof(v.seen[0]), cmp_u);
	CHECK(v.seen[0] == 10 && v.seen[1] == 20 && v.seen[2] == 30);

	/* stops at the first non-zero return and hands it back */
	memset(&v, 0, sizeof(v));
	v.stop_at = 20;
	CHECK_INT(proctable_foreach(&pt, visit_fn, &v), 7);
	CHECK(v.n >= 1 && v.n <= 3);
	CHECK_INT(v.seen[v.n - 1], 20);
	proctable_free(&pt);
}

static void test_many(void)
{
	struct proctable pt;
	struct visit v = { .stop_at = 0xffffffff };
	int missing = 0, wrong = 0;

	/*
	 * 3000 pids in a table of at least 4096 buckets, chosen to collide: multiples of
	 * 65536 share their low bits, which is all the bucket index keeps of pid * constant.
	 */
	CHECK_INT(proctable_init(&pt, 3000), 0);
	for (uint32_t i = 0; i < 1000; i++) {
		CHECK(proctable_upsert(&pt, i + 1) != NULL);
		CHECK(proctable_upsert(&pt, (i + 1) << 16) != NULL);
		CHECK(proctable_upsert(&pt, 4000000 - i * 7) != NULL);
	}
	CHECK_INT(pt.count, 3000);
	CHECK(proctable_upsert(&pt, 999999999) == NULL);
	for (uint32_t i = 0; i < 1000; i++) {
		uint32_t keys[3] = { i + 1, (i + 1) << 16, 4000000 - i * 7 };

		for (int k = 0; k < 3; k++) {
			struct proc_entry *e = proctable_get(&pt, keys[k]);

			if (!e)
				missing++;
			else if (e->pid != keys[k])
				wrong++;
		}
	}
	CHECK_INT(missing, 0);
	CHECK_INT(wrong, 0);
	CHECK_INT(proctable_foreach(&pt, visit_fn, &v), 0);
	CHECK_INT(v.n, 3000);

	/* remove every other one of the colliding keys; the rest stay reachable */
	for (uint32_t i = 0; i < 1000; i += 2)
		proctable_remove(&pt, (i + 1) << 16);
	CHECK_INT(pt.count, 2500);
	missing = 0;
	for (uint32_t i = 0; i < 1000; i++) {
		struct proc_entry *e = proctable_get(&pt, (i + 1) << 16);

		if ((i % 2 == 0) != (e == NULL))
			missing++;
	}
	CHECK_INT(missing, 0);
	proctable_free(&pt);
}

/* What the rules may ask about a process: set, replaced, cleared for a new program. */
static void test_info(void)
{
	struct proctable pt;
	struct proc_entry *e;

	CHECK_INT(proctable_init(&pt, 8), 0);
	e = proctable_upsert(&pt, 10);
	CHECK(e != NULL);
	if (!e)
		return;
	CHECK(!e->info_ready);
	CHECK_INT(e->cmdline_state, PROC_CMDLINE_UNREAD);
	CHECK(e->cmdline == NULL && e->parent_exe == NULL);
	CHECK_INT(proctable_set_cmdline(e, "curl -fL u -o f", PROC_CMDLINE_FULL), 0);
	CHECK_STR(e->cmdline, "curl -fL u -o f");
	CHECK_INT(proctable_set_cmdline(e, "python3 a", PROC_CMDLINE_CUT), 0);
	CHECK_STR(e->cmdline, "python3 a");
	CHECK_INT(e->cmdline_state, PROC_CMDLINE_CUT);
	CHECK_INT(proctable_set_parent_exe(e, "/usr/bin/bash"), 0);
	CHECK_STR(e->parent_exe, "/usr/bin/bash");
	memcpy(e->parent_comm, "bash", 5);
	e->netns_ino = 4026531840ull;
	e->info_ready = true;
	proctable_clear_info(e);
	CHECK(!e->info_ready);
	CHECK(e->cmdline == NULL && e->parent_exe == NULL);
	CHECK_INT(e->cmdline_state, PROC_CMDLINE_UNREAD);
	CHECK_STR(e->parent_comm, "");
	CHECK(e->netns_ino == 0);
	/* freed with the entry */
	CHECK_INT(proctable_set_cmdline(e, "x", PROC_CMDLINE_FULL), 0);
	CHECK_INT(proctable_set_parent_exe(e, "/x"), 0);
	proctable_free(&pt);
}

int main(void)
{
	test_info();
	test_basic();
	test_bound();
	test_reap();
	test_foreach();
	test_many();
	return check_summary("test_proctable");
}
