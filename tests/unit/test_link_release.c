// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * link_release_all(): every link released once, each from a thread of its own and at the
 * same time (so that the kernel's grace periods overlap), and a failing release reported
 * by index without keeping the others from being released.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "kernel/link_release.h"

#define NLINKS 6
#define HOLD_MS 200

struct fake_link {
	int fail; /* what its release returns */
	atomic_int released;
	pthread_t by;
};

static pthread_t main_thread;
static atomic_int inside, most_inside;

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Holds like a detach waiting for a grace period, counting how many hold at once. */
static int fake_release(void *arg)
{
	struct fake_link *l = arg;
	int n = atomic_fetch_add(&inside, 1) + 1, m = atomic_load(&most_inside);

	while (n > m && !atomic_compare_exchange_weak(&most_inside, &m, n))
		;
	l->by = pthread_self();
	atomic_fetch_add(&l->released, 1);
	usleep(HOLD_MS * 1000);
	atomic_fetch_sub(&inside, 1);
	return l->fail;
}

static void test_all_at_once(void)
{
	struct fake_link links[NLINKS] = {};
	void *v[NLINKS];
	int errs[NLINKS];
	uint64_t t0, took;

	for (int i = 0; i < NLINKS; i++) {
		v[i] = &links[i];
		errs[i] = 12345;
	}
	links[2].fail = -EIO;
	links[4].fail = -EBADF;
	atomic_store(&most_inside, 0);
	t0 = now_ms();
	CHECK_INT(link_release_all(v, NLINKS, fake_release, errs), -EIO);
	took = now_ms() - t0;
	for (int i = 0; i < NLINKS; i++) {
		CHECK_INT(atomic_load(&links[i].released), 1);
		CHECK_INT(errs[i], links[i].fail);
		CHECK(!pthread_equal(links[i].by, main_thread));
	}
	/* one after the other would be NLINKS x HOLD_MS; at once, about one of them */
	CHECK(atomic_load(&most_inside) >= 2);
	CHECK(took < (uint64_t)(NLINKS * HOLD_MS) / 2);
	CHECK_INT(atomic_load(&inside), 0);
}

static void test_none(void)
{
	int errs[1] = { 7 };

	CHECK_INT(link_release_all(NULL, 0, fake_release, errs), 0);
	CHECK_INT(errs[0], 7);
}

static void test_all_good(void)
{
	struct fake_link links[2] = {};
	void *v[2] = { &links[0], &links[1] };
	int errs[2] = { 1, 1 };

	CHECK_INT(link_release_all(v, 2, fake_release, errs), 0);
	CHECK_INT(errs[0], 0);
	CHECK_INT(errs[1], 0);
	CHECK_INT(atomic_load(&links[0].released) + atomic_load(&links[1].released), 2);
}

int main(void)
{
	main_thread = pthread_self();
	test_all_at_once();
	test_none();
	test_all_good();
	return check_summary("link_release");
}
