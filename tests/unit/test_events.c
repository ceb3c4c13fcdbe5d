// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The shared record header (include/llmwatch/events.h) seen from user space: the header
 * initialiser both sides use, the pinned loss-reason numbers, and a printed name for
 * every one of them.
 */
#include <string.h>

#include "check.h"
#include "core/stats.h"
#include "llmwatch/events.h"

/* Every field set, none left as the memory held (a reused buffer, ring memory). */
static void test_hdr_init(void)
{
	struct lw_rec_conn_bytes r;
	const char zero[LW_COMM_LEN] = { 0 };

	memset(&r, 0xa5, sizeof(r));
	lw_rec_hdr_init(&r.hdr, LW_REC_CONN_BYTES, sizeof(r), 7, 4242, 5123456789ull);
	CHECK_INT(r.hdr.type, LW_REC_CONN_BYTES);
	CHECK_INT(r.hdr.size, sizeof(r));
	CHECK_INT(r.hdr.version, LW_RECORD_VERSION);
	CHECK_INT(r.hdr.flags, 0);
	CHECK_INT(r.hdr.tool, 7);
	CHECK_INT(r.hdr.ts_ns, 5123456789ull);
	CHECK_INT(r.hdr.pid, 4242);
	CHECK_INT(r.hdr.tid, 0);
	CHECK_INT(r.hdr.uid, 0);
	CHECK_INT(r.hdr.reserved, 0);
	CHECK(memcmp(r.hdr.comm, zero, sizeof(zero)) == 0);
	/* the header only: the body is the caller's */
	CHECK_INT(r.cookie, 0xa5a5a5a5a5a5a5a5ull);
}

/* Pinned: counters and their names must keep meaning the same thing. */
static void test_loss_numbers(void)
{
	CHECK_INT(LW_LOSS_RESERVE, 0);
	CHECK_INT(LW_LOSS_READ, 1);
	CHECK_INT(LW_LOSS_MAP, 2);
	CHECK_INT(LW_LOSS_UNHOOKED, 3);
	CHECK_INT(LW_LOSS_LOOKUP, 4);
	CHECK_INT(LW_LOSS_REASON_MAX, 5);
	CHECK_INT(LW_LOSS_SLOTS, LW_REC_TYPE_MAX * LW_LOSS_REASON_MAX);
}

/* A reason the kernel counts but user space cannot name would print as "unknown". */
static void test_loss_names(void)
{
	for (unsigned int r = 0; r < LW_LOSS_REASON_MAX; r++) {
		const char *name = stats_loss_reason_name(r);

		CHECK(name && strcmp(name, "unknown") != 0);
		for (unsigned int o = 0; o < r; o++)
			CHECK(name && strcmp(name, stats_loss_reason_name(o)) != 0);
	}
	CHECK_STR(stats_loss_reason_name(LW_LOSS_LOOKUP), "lookup_failed");
	CHECK_STR(stats_loss_reason_name(LW_LOSS_REASON_MAX), "unknown");
}

int main(void)
{
	test_hdr_init();
	test_loss_numbers();
	test_loss_names();
	return check_summary("test_events");
}
