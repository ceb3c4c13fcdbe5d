// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The JSON sink: one JSON object per line (schema in README.md, "JSON output"). */
#include "sinks/sink.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/jsonw.h"
#include "util/openflags.h"
#include "rules/rules_output.h"
#include "sinks/sink_file.h"
#include "util/sockfmt.h"
#include "util/timefmt.h"

struct json_sink {
	struct sink sink;
	struct sink_file out;
	struct jsonw w;
};

static void put_addr(struct jsonw *w, const struct lw_event *ev, const char *addr_key,
		     const char *port_key)
{
	const struct lw_sockaddr *a = ev->addr;
	char buf[SOCKFMT_ADDR_LEN], fam[16];

	if (!a)
		return;
	jsonw_str(w, "family", sockfmt_family(a->family, fam));
	if (a->family == 1) {
		/* abstract names keep their leading NUL, escaped as \x00 */
		jsonw_bytes(w, "unix_path", ev->unix_path ? ev->unix_path : "", ev->unix_path_len);
		return;
	}
	if (a->family == 2 || a->family == 10) {
		jsonw_str(w, addr_key, sockfmt_addr(a, buf));
		jsonw_uint(w, port_key, a->port);
	}
}

static void put_result(struct jsonw *w, int64_t ret)
{
	const char *e = sockfmt_errno_name(ret);

	jsonw_int(w, "ret", ret);
	if (e)
		jsonw_str(w, "error", e);
}

/* A fold summary's count and times (struct lw_fold): "fold": {"count": N, ...}. */
static void put_fold(struct jsonw *w, const struct lw_fold *f)
{
	char ts[48];

	jsonw_open(w, "fold", '{');
	jsonw_uint(w, "count", f->count);
	timefmt_rfc3339(ts, sizeof(ts), f->first);
	jsonw_str(w, "first", ts);
	timefmt_rfc3339(ts, sizeof(ts), f->last);
	jsonw_str(w, "last", ts);
	jsonw_uint(w, "window_s", f->window_s);
	jsonw_close(w, '}');
}

/* Writes the line built in w (jsonw_end_line()) in one piece. Returns 0 or -errno. */
static int put_line(struct sink *s, struct jsonw *w)
{
	return sink_file_write(&((struct json_sink *)s)->out, w->buf, w->len);
}

/*
 * A loss alert's report: "lost" (since the last loss alert), "lost_total", "interval_ms", and
 * "losses": each counter that grew, {type, reason, count (the increase), total} for the
 * kernel's, {counter, count, total} for user space's: the summary's names.
 */
static void put_losses(struct jsonw *w, const struct stats_loss_report *r)
{
	jsonw_uint(w, "lost", r->increase);
	jsonw_uint(w, "lost_total", r->total);
	jsonw_uint(w, "interval_ms", (uint64_t)(r->seconds * 1000.0));
	jsonw_open(w, "losses", '[');
	for (size_t i = 0; i < r->n_grew; i++) {
		jsonw_open(w, NULL, '{');
		if (r->grew[i].type) {
			jsonw_str(w, "type", r->grew[i].type);
			jsonw_str(w, "reason", r->grew[i].reason);
		} else {
			jsonw_str(w, "counter", r->grew[i].reason);
		}
		jsonw_uint(w, "count", r->grew[i].increase);
		jsonw_uint(w, "total", r->grew[i].total);
		jsonw_close(w, '}');
	}
	jsonw_close(w, ']');
}

static int json_event(struct sink *s, const struct lw_event *ev, const struct rules_verdict *v,
		      size_t nv)
{
	struct jsonw *w = &((struct json_sink *)s)->w;
	char ts[48], tmp[256], st[16];

	timefmt_rfc3339(ts, sizeof(ts), ev->wall);
	jsonw_begin(w);
	jsonw_str(w, "kind", rules_output_is_alert(v, nv) ? "alert" : "event");
	jsonw_str(w, "ts", ts);
	jsonw_str(w, "type", event_type_name(ev->type));
	jsonw_str(w, "tool", ev->tool);
	jsonw_uint(w, "pid", ev->pid);
	jsonw_uint(w, "ppid", ev->ppid);
	jsonw_uint(w, "tid", ev->tid);
	jsonw_uint(w, "uid", ev->uid);
	jsonw_str(w, "comm", ev->comm);
	jsonw_str(w, "exe", ev->exe);
	if (ev->evidence)
		jsonw_str(w, "evidence", ev->evidence);
	switch (ev->type) {
	case LW_REC_EXEC:
		jsonw_str(w, "filename", ev->filename);
		break;
	case LW_REC_EXIT:
		jsonw_int(w, "exit_code", ev->exit_code);
		break;
	case LW_REC_CONNECT:
	case LW_REC_SEND:
		put_addr(w, ev, "daddr", "dport");
		goto sock_common;
	case LW_REC_BIND:
		put_addr(w, ev, "addr", "port");
sock_common:
		jsonw_str(w, "sock_type", sockfmt_socktype(ev->sock_type, st));
		jsonw_int(w, "fd", ev->fd);
		if (ev->type == LW_REC_SEND)
			jsonw_uint(w, "bytes", ev->bytes);
		/* the first datagram of a flow: its conn_bytes (protocol udp) counts them all */
		if (ev->type == LW_REC_SEND && (ev->flags & LW_F_FLOW_FIRST))
			jsonw_bool(w, "flow_first", true);
		if (ev->flags & LW_F_CGROUP_HOOK)
			jsonw_str(w, "via", "cgroup");
		else
			put_result(w, ev->ret);
		if (ev->cookie)
			jsonw_uint(w, "cookie", ev->cookie);
		break;
	case LW_REC_LISTEN:
		put_addr(w, ev, "addr", "port");
		jsonw_int(w, "fd", ev->fd);
		jsonw_int(w, "backlog", ev->backlog);
		put_result(w, ev->ret);
		break;
	case LW_REC_OPEN:
		jsonw_bytes(w, "path", ev->path, ev->path_len);
		jsonw_uint(w, "flags", ev->open_flags);
		jsonw_str(w, "flags_text", openflags_str(ev->open_flags, tmp, sizeof(tmp)));
		jsonw_str(w, "access", openflags_access(ev->open_flags));
		jsonw_int(w, "dfd", ev->dfd);
		/* below the syscalls (io_uring): ret is the permission check's, 0 or -errno */
		if (ev->flags & LW_F_BELOW_SYSCALL)
			jsonw_str(w, "via", "file_hook");
		put_result(w, ev->ret);
		break;
	case LW_REC_CONN_BYTES:
		put_addr(w, ev, "daddr", "dport");
		jsonw_uint(w, "bytes", ev->bytes);
		jsonw_uint(w, "packets", ev->packets);
		jsonw_uint(w, "cookie", ev->cookie);
		/* a datagram flow (socket, destination); a connection's protocol is unsaid */
		if (ev->sock_type == 2 /* SOCK_DGRAM */)
			jsonw_str(w, "protocol", "udp");
		jsonw_str(w, "reason", sockfmt_close_reason(ev->close_reason));
		break;
	case LW_EV_LOSSES:
		if (ev->losses)
			put_losses(w, ev->losses);
		break;
	}
	if (ev->type == LW_REC_CONNECT || ev->type == LW_REC_SEND ||
	    ev->type == LW_REC_CONN_BYTES) {
		if (ev->host)
			jsonw_str(w, "host", ev->host);
		else
			jsonw_null(w, "host");
		jsonw_str(w, "host_source", ev->host_source ? ev->host_source : "none");
	}
	if (ev->flags & (LW_F_TRUNCATED | LW_F_READ_FAILED)) {
		jsonw_open(w, "flags_seen", '[');
		if (ev->flags & LW_F_TRUNCATED)
			jsonw_elem_str(w, "truncated");
		if (ev->flags & LW_F_READ_FAILED)
			jsonw_elem_str(w, "read_failed");
		jsonw_close(w, ']');
	}
	if (nv) {
		jsonw_open(w, "verdicts", '[');
		rules_output_json(w, v, nv);
		jsonw_close(w, ']');
	}
	if (ev->fold)
		put_fold(w, ev->fold);
	if (jsonw_end_line(w))
		return -ENOMEM;
	return put_line(s, w);
}

static int json_summary(struct sink *s, const struct lw_stats *st)
{
	struct jsonw *w = &((struct json_sink *)s)->w;
	int err;

	jsonw_begin(w);
	jsonw_str(w, "kind", "summary");
	jsonw_uint(w, "records", st->records);
	jsonw_uint(w, "lost", stats_total_losses(st));
	jsonw_open(w, "losses", '[');
	for (unsigned int i = 0; i < LW_LOSS_SLOTS; i++) {
		if (!st->kernel_losses[i])
			continue;
		jsonw_open(w, NULL, '{');
		jsonw_str(w, "type", event_type_name(i / LW_LOSS_REASON_MAX));
		jsonw_str(w, "reason", stats_loss_reason_name(i % LW_LOSS_REASON_MAX));
		jsonw_uint(w, "count", st->kernel_losses[i]);
		jsonw_close(w, '}');
	}
	jsonw_close(w, ']');
	jsonw_uint(w, "decode_errors", st->decode_errors);
	jsonw_uint(w, "proc_table_full", st->proc_full);
	jsonw_uint(w, "output_errors", st->output_errors);
	jsonw_uint(w, "rejected_candidates", st->rejected_procs);
	jsonw_uint(w, "verdicts_dropped", st->verdicts_dropped);
	jsonw_uint(w, "names_dropped", st->names_dropped);
	jsonw_uint(w, "cgroup_unattached", st->cgroup_unattached);
	jsonw_uint(w, "capture_records_lost", st->capture_lost);
	jsonw_uint(w, "capture_blocks_lost", st->capture_blocks_lost);
	jsonw_uint(w, "payloads_malformed", st->payloads_malformed);
	jsonw_uint(w, "cmdlines_unreadable", st->cmdline_unreadable);
	jsonw_uint(w, "cmdlines_cut", st->cmdline_cut);
	jsonw_uint(w, "alerts_folded", st->alerts_folded);
	jsonw_uint(w, "fold_full", st->fold_full);
	jsonw_uint(w, "names_evicted", st->names_evicted);
	if (st->n_outputs) {
		jsonw_open(w, "outputs", '[');
		for (size_t i = 0; i < st->n_outputs && i < LW_OUTPUTS_MAX; i++) {
			jsonw_open(w, NULL, '{');
			jsonw_str(w, "output", st->outputs[i].name);
			jsonw_uint(w, "output_errors", st->outputs[i].errors);
			jsonw_close(w, '}');
		}
		jsonw_close(w, ']');
	}
	if (jsonw_end_line(w))
		return -ENOMEM;
	err = put_line(s, w);
	return err ? err : sink_file_flush(&((struct json_sink *)s)->out);
}

static int json_flush(struct sink *s)
{
	return sink_file_flush(&((struct json_sink *)s)->out);
}

static void json_destroy(struct sink *s)
{
	struct json_sink *j = (struct json_sink *)s;

	sink_file_close(&j->out);
	jsonw_free(&j->w);
	free(j);
}

static int json_reopen(struct sink *s)
{
	return sink_file_reopen(&((struct json_sink *)s)->out);
}

static const struct sink_ops json_ops = {
	.event = json_event,
	.summary = json_summary,
	.destroy = json_destroy,
	.flush = json_flush,
	.reopen = json_reopen,
};

struct sink *sink_json_new(FILE *out)
{
	struct json_sink *j = calloc(1, sizeof(*j));

	if (!j || sink_file_borrow(&j->out, out)) {
		free(j);
		errno = ENOMEM;
		return NULL;
	}
	j->sink.ops = &json_ops;
	jsonw_init(&j->w);
	return &j->sink;
}

struct sink *sink_json_open(const char *arg, char *err, size_t errsz)
{
	struct json_sink *j = calloc(1, sizeof(*j));
	int e;

	if (!j) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	e = sink_file_open(&j->out, arg, err, errsz);
	if (e) {
		free(j);
		errno = -e;
		return NULL;
	}
	j->sink.ops = &json_ops;
	jsonw_init(&j->w);
	return &j->sink;
}
