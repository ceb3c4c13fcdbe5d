// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The words of one event, as the text sink shows them (see sink_textline.h). */
#include "sinks/sink_textline.h"

#include <inttypes.h>
#include <string.h>

#include "core/stats.h"
#include "util/escape.h"
#include "util/openflags.h"
#include "util/sockfmt.h"
#include "util/timefmt.h"

/* An escaped copy of n untrusted bytes, cut (validly) at the buffer size. */
static const char *esc(char *buf, size_t size, const char *s, size_t n)
{
	escape_bytes(buf, size, s, n);
	return buf;
}

static void print_addr(FILE *f, const struct lw_event *ev)
{
	const struct lw_sockaddr *a = ev->addr;
	char buf[SOCKFMT_ADDR_LEN], fam[16], path[LW_UNIX_PATH_MAX * 4 + 1];

	if (!a || a->family == 0) {
		fputs(" (no address)", f);
		return;
	}
	if (a->family == 1) {
		/* an abstract socket name starts with a NUL, shown as "@" like ss(8) does */
		if (ev->unix_path_len && ev->unix_path[0] == '\0')
			fprintf(f, " unix:@%s",
				esc(path, sizeof(path), ev->unix_path + 1, ev->unix_path_len - 1));
		else
			fprintf(f, " unix:%s",
				esc(path, sizeof(path), ev->unix_path ? ev->unix_path : "",
				    ev->unix_path_len));
		return;
	}
	if (a->family == 10)
		fprintf(f, " [%s]:%u", sockfmt_addr(a, buf), a->port);
	else if (a->family == 2)
		fprintf(f, " %s:%u", sockfmt_addr(a, buf), a->port);
	else
		fprintf(f, " %s", sockfmt_family(a->family, fam));
}

static void print_result(FILE *f, int64_t ret)
{
	const char *e = sockfmt_errno_name(ret);

	if (e)
		fprintf(f, " -> %s(%" PRId64 ")", e, -ret);
	else
		fprintf(f, " -> %" PRId64, ret);
}

/*
 * A loss alert (LW_EV_LOSSES): " lost=N total=T in=S.s" and each counter that grew,
 * "TYPE/REASON+N" or "COUNTER+N".
 */
static void print_losses(FILE *f, const struct lw_event *ev)
{
	const struct stats_loss_report *r = ev->losses;

	if (!r)
		return;
	fprintf(f, " lost=%" PRIu64 " total=%" PRIu64 " in=%.1fs", r->increase, r->total,
		r->seconds);
	for (size_t i = 0; i < r->n_grew; i++) {
		if (r->grew[i].type)
			fprintf(f, " %s/%s+%" PRIu64, r->grew[i].type, r->grew[i].reason,
				r->grew[i].increase);
		else
			fprintf(f, " %s+%" PRIu64, r->grew[i].reason, r->grew[i].increase);
	}
}

void sink_textline_event(FILE *f, const struct lw_event *ev)
{
	char ts[48], comm[LW_COMM_LEN * 4 + 1], big[LW_PATH_MAX * 4 + 1], tmp[256];
	char st[16];

	timefmt_rfc3339(ts, sizeof(ts), ev->wall);
	if (ev->type == LW_EV_LOSSES) {
		/* about llmwatch itself: no tool, and its own name and pid */
		fprintf(f, "%s llmwatch pid=%u ppid=%u %s", ts, ev->pid, ev->ppid,
			event_type_name(ev->type));
		print_losses(f, ev);
		return;
	}
	fprintf(f, "%s %s pid=%u ppid=%u %s", ts, ev->tool[0] ? ev->tool : "-", ev->pid, ev->ppid,
		event_type_name(ev->type));
	switch (ev->type) {
	case LW_REC_EXEC:
		fprintf(f, " %s", esc(big, sizeof(big), ev->filename, strlen(ev->filename)));
		break;
	case LW_REC_FORK:
		break;
	case LW_REC_EXIT:
		fprintf(f, " code=%d", ev->exit_code);
		break;
	case LW_REC_CONNECT:
	case LW_REC_BIND:
	case LW_REC_SEND:
		print_addr(f, ev);
		if (ev->sock_type)
			fprintf(f, " %s", sockfmt_socktype(ev->sock_type, st));
		if (ev->type == LW_REC_SEND)
			fprintf(f, " bytes=%" PRIu64, ev->bytes);
		if (ev->type == LW_REC_SEND && (ev->flags & LW_F_FLOW_FIRST))
			fputs(" flow-first", f);
		if (ev->flags & LW_F_CGROUP_HOOK)
			fputs(" via=cgroup", f);
		else
			print_result(f, ev->ret);
		break;
	case LW_REC_LISTEN:
		print_addr(f, ev);
		fprintf(f, " backlog=%d", ev->backlog);
		print_result(f, ev->ret);
		break;
	case LW_REC_OPEN:
		fprintf(f, " %s %s", esc(big, sizeof(big), ev->path, ev->path_len),
			openflags_str(ev->open_flags, tmp, sizeof(tmp)));
		/* below the syscalls (io_uring): ret is the permission check's, not an fd */
		if (ev->flags & LW_F_BELOW_SYSCALL)
			fputs(" via=file_hook", f);
		if (!(ev->flags & LW_F_BELOW_SYSCALL) || ev->ret < 0)
			print_result(f, ev->ret);
		break;
	case LW_REC_CONN_BYTES:
		print_addr(f, ev);
		fprintf(f, " sent=%" PRIu64 " packets=%" PRIu64, ev->bytes, ev->packets);
		if (ev->sock_type == 2 /* SOCK_DGRAM */)
			fputs(" udp-flow", f);
		if (*sockfmt_close_reason(ev->close_reason))
			fprintf(f, " (%s)", sockfmt_close_reason(ev->close_reason));
		break;
	}
	if (ev->host)
		fprintf(f, " host=%s(%s)", esc(tmp, sizeof(tmp), ev->host, strlen(ev->host)),
			ev->host_source ? ev->host_source : "?");
	if (ev->evidence)
		fprintf(f, " evidence=%s",
			esc(big, sizeof(big), ev->evidence, strlen(ev->evidence)));
	if (ev->flags & LW_F_TRUNCATED)
		fputs(" [truncated]", f);
	if (ev->flags & LW_F_READ_FAILED)
		fputs(" [partial: read failed]", f);
	fprintf(f, " comm=%s exe=%s", esc(comm, sizeof(comm), ev->comm, strlen(ev->comm)),
		esc(big, sizeof(big), ev->exe, strlen(ev->exe)));
}
