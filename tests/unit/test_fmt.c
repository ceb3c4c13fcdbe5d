// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit tests of the small formatters: open flags, socket addresses and results, loss stats. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "check.h"
#include "util/openflags.h"
#include "util/sockfmt.h"
#include "core/stats.h"

static void test_openflags(void)
{
	char b[256];

	CHECK_STR(openflags_access(O_RDONLY), "read");
	CHECK_STR(openflags_access(O_WRONLY | O_CREAT), "write");
	CHECK_STR(openflags_access(O_RDWR | O_APPEND), "rdwr");

	CHECK_STR(openflags_str(0, b, sizeof(b)), "O_RDONLY");
	CHECK_STR(openflags_str(O_RDONLY | O_CLOEXEC, b, sizeof(b)), "O_RDONLY|O_CLOEXEC");
	CHECK_STR(openflags_str(O_WRONLY | O_CREAT | O_TRUNC, b, sizeof(b)),
		  "O_WRONLY|O_CREAT|O_TRUNC");
	CHECK_STR(openflags_str(O_RDWR | O_EXCL | O_NOFOLLOW | O_DIRECTORY, b, sizeof(b)),
		  "O_RDWR|O_EXCL|O_DIRECTORY|O_NOFOLLOW");
	/* multi-bit flags: O_SYNC contains O_DSYNC, O_TMPFILE contains O_DIRECTORY */
	CHECK_STR(openflags_str(O_WRONLY | O_SYNC, b, sizeof(b)), "O_WRONLY|O_SYNC");
	CHECK_STR(openflags_str(O_WRONLY | O_DSYNC, b, sizeof(b)), "O_WRONLY|O_DSYNC");
	CHECK_STR(openflags_str(O_RDWR | O_TMPFILE, b, sizeof(b)), "O_RDWR|O_TMPFILE");
	CHECK_STR(openflags_str(O_PATH | O_CLOEXEC, b, sizeof(b)), "O_RDONLY|O_CLOEXEC|O_PATH");
#if defined(__x86_64__)
	/* the kernel's O_LARGEFILE bit, which Go's syscall.Open passes on amd64 */
	CHECK_STR(openflags_str(0x8000 | O_CLOEXEC, b, sizeof(b)),
		  "O_RDONLY|O_LARGEFILE|O_CLOEXEC");
#endif
	/* bits without a name are kept as hex */
	CHECK_STR(openflags_str(O_RDONLY | (1ull << 40), b, sizeof(b)), "O_RDONLY|0x10000000000");
	/* a small buffer is cut, never overrun */
	memset(b, 'Q', sizeof(b));
	openflags_str(O_WRONLY | O_CREAT | O_TRUNC, b, 12);
	CHECK_STR(b, "O_WRONLY|O_");
	CHECK(b[12] == 'Q');
}

static void test_sockfmt(void)
{
	struct lw_sockaddr a;
	char buf[SOCKFMT_ADDR_LEN], s16[16];

	memset(&a, 0, sizeof(a));
	CHECK_STR(sockfmt_addr(&a, buf), "");
	a.family = AF_INET;
	a.addr[0] = 192, a.addr[1] = 168, a.addr[2] = 0, a.addr[3] = 10;
	CHECK_STR(sockfmt_addr(&a, buf), "192.168.0.10");
	memset(a.addr, 0, sizeof(a.addr));
	a.family = AF_INET6;
	a.addr[15] = 1;
	CHECK_STR(sockfmt_addr(&a, buf), "::1");
	a.addr[10] = 0xff, a.addr[11] = 0xff, a.addr[12] = 127, a.addr[15] = 1;
	CHECK_STR(sockfmt_addr(&a, buf), "::ffff:127.0.0.1");
	memset(a.addr, 0xff, sizeof(a.addr));
	CHECK_STR(sockfmt_addr(&a, buf), "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	a.family = AF_UNIX;
	CHECK_STR(sockfmt_addr(&a, buf), "");

	CHECK_STR(sockfmt_family(AF_INET, s16), "ipv4");
	CHECK_STR(sockfmt_family(AF_INET6, s16), "ipv6");
	CHECK_STR(sockfmt_family(AF_UNIX, s16), "unix");
	CHECK_STR(sockfmt_family(0, s16), "none");
	CHECK_STR(sockfmt_family(65535, s16), "family-65535");

	/* why a connection's or flow's count was reported; an unknown number says nothing */
	CHECK_STR(sockfmt_close_reason(LW_CLOSE_TCP), "tcp_close");
	CHECK_STR(sockfmt_close_reason(LW_CLOSE_RELEASE), "socket_closed");
	CHECK_STR(sockfmt_close_reason(LW_CLOSE_INTERIM), "interim");
	CHECK_STR(sockfmt_close_reason(0), "");
	CHECK_STR(sockfmt_close_reason(99), "");
	CHECK_STR(sockfmt_socktype(0, s16), "");
	CHECK_STR(sockfmt_socktype(SOCK_STREAM, s16), "stream");
	CHECK_STR(sockfmt_socktype(SOCK_DGRAM, s16), "dgram");
	CHECK_STR(sockfmt_socktype(SOCK_SEQPACKET, s16), "seqpacket");
	CHECK_STR(sockfmt_socktype(0xffffffffu, s16), "type-4294967295");

	CHECK(sockfmt_errno_name(0) == NULL);
	CHECK(sockfmt_errno_name(5) == NULL);
	CHECK_STR(sockfmt_errno_name(-ECONNREFUSED), "ECONNREFUSED");
	CHECK_STR(sockfmt_errno_name(-EINPROGRESS), "EINPROGRESS");
	CHECK_STR(sockfmt_errno_name(-EACCES), "EACCES");
	CHECK_STR(sockfmt_errno_name(-9999), "E?");
	CHECK_STR(sockfmt_errno_name(INT64_MIN), "E?");
}

static void test_stats(void)
{
	struct lw_stats s;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	memset(&s, 0, sizeof(s));
	CHECK_INT(stats_total_losses(&s), 0);
	s.records = 1234;
	s.kernel_losses[LW_REC_CONNECT * LW_LOSS_REASON_MAX + LW_LOSS_RESERVE] = 5;
	s.kernel_losses[LW_REC_OPEN * LW_LOSS_REASON_MAX + LW_LOSS_READ] = 2;
	s.decode_errors = 1;
	s.proc_full = 3;
	s.output_errors = 4;
	s.rejected_procs = 2;
	s.rejected_records = 9;
	s.verdicts_dropped = 6;
	s.names_dropped = 8;
	s.payloads_malformed = 11;
	s.cmdline_unreadable = 12;
	s.cmdline_cut = 1;
	s.names_evicted = 13;
	CHECK_INT(stats_kernel_losses(&s), 7);
	/*
	 * rejected records are dropped on purpose, malformed payloads refused, command lines
	 * unread only make argv conditions match nothing, evicted names are not records: not
	 * losses
	 */
	CHECK_INT(stats_total_losses(&s), 29);
	CHECK_STR(stats_loss_reason_name(LW_LOSS_MAP), "map_full");
	CHECK_STR(stats_loss_reason_name(LW_LOSS_REASON_MAX), "unknown");

	f = open_memstream(&text, &len);
	stats_print(&s, f);
	fclose(f);
	CHECK_STR(text,
		  "llmwatch: 1234 records, 29 lost\n"
		  "llmwatch: lost 5 connect records (ring_full)\n"
		  "llmwatch: lost 2 open records (read_failed)\n"
		  "llmwatch: lost 1 malformed records\n"
		  "llmwatch: 3 processes not attributed (process table full)\n"
		  "llmwatch: lost 4 output lines (write failed)\n"
		  "llmwatch: lost 6 rule verdicts (more matched one event than it can carry)\n"
		  "llmwatch: 8 connections not named from their first bytes (stream table full)\n"
		  "llmwatch: 11 DNS answers or stream heads refused as malformed\n"
		  "llmwatch: 13 host names forgotten to make room (the host-name cache full, or an "
		  "address past the names it keeps): later connections to those addresses may "
		  "have gone unnamed\n"
		  "llmwatch: 12 watched programs' command lines unreadable (gone first), 1 cut: "
		  "argv conditions matched neither\n"
		  "llmwatch: 2 name matches were not the tool (9 of their records ignored)\n");
	free(text);

	memset(&s, 0, sizeof(s));
	text = NULL;
	f = open_memstream(&text, &len);
	stats_print(&s, f);
	fclose(f);
	CHECK_STR(text, "llmwatch: 0 records, 0 lost\n");
	free(text);
}

int main(void)
{
	test_openflags();
	test_sockfmt();
	test_stats();
	return check_summary("test_fmt");
}
