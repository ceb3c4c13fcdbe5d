// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The syslog sink: RFC 5424 alerts to /dev/log, UDP, TCP or TLS (see sink_syslog.h). */
#include "sinks/sink_syslog.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rules/rules.h"
#include "util/timefmt.h"

/* At exit, how long undelivered alerts may still take to go out. */
#define DRAIN_MS 2000

struct syslog_sink {
	struct sink sink;
	struct syslog_ident id;
	struct syslog_transport *tr;
	char *name;  /* "syslog:tcp://..." */
	char *where; /* the target alone, for the dropped-count message */
	size_t queue;
	FILE *diag;
};

/* ---- options ------------------------------------------------------------------------------- */

static int set_file(char *dst, size_t size, const char *key, const char *val, char *err,
		    size_t errsz)
{
	if (!*val || strlen(val) >= size) {
		snprintf(err, errsz, "%s=\"%s\": a file name is needed", key, val);
		return -EINVAL;
	}
	strcpy(dst, val);
	return 0;
}

static int set_option(struct sink_syslog_config *c, const char *key, const char *val, char *err,
		      size_t errsz)
{
	if (strcmp(key, "facility") == 0) {
		int f = syslog_facility_parse(val);

		if (f < 0) {
			size_t used = (size_t)snprintf(
				err, errsz, "facility=\"%s\": unknown facility; known:", val);
			for (int i = 0; i < 24 && used < errsz; i++)
				used += (size_t)snprintf(err + used, errsz - used, "%s %s",
							 i ? "," : "", syslog_facility_name(i));
			return -EINVAL;
		}
		c->facility = f;
		return 0;
	}
	if (strcmp(key, "app") == 0) {
		if (!syslog_app_name_ok(val)) {
			snprintf(err, errsz,
				 "app=\"%s\": 1 to %d printable ASCII characters without spaces "
				 "(RFC 5424 APP-NAME)",
				 val, SYSLOG_APP_NAME_MAX);
			return -EINVAL;
		}
		strcpy(c->app, val);
		return 0;
	}
	if (strcmp(key, "queue") == 0) {
		char *end;
		unsigned long long n;

		errno = 0;
		n = strtoull(val, &end, 10);
		if (!*val || *end || errno || val[0] == '-' || val[0] == '+' || n < 1 ||
		    n > SINK_SYSLOG_QUEUE_MAX) {
			snprintf(err, errsz, "queue=\"%s\": a number of messages from 1 to %d", val,
				 SINK_SYSLOG_QUEUE_MAX);
			return -EINVAL;
		}
		c->queue = (size_t)n;
		return 0;
	}
	if (strcmp(key, "ca") == 0)
		return set_file(c->ca, sizeof(c->ca), key, val, err, errsz);
	if (strcmp(key, "cert") == 0)
		return set_file(c->cert, sizeof(c->cert), key, val, err, errsz);
	if (strcmp(key, "key") == 0)
		return set_file(c->key, sizeof(c->key), key, val, err, errsz);
	snprintf(err, errsz,
		 "unknown option \"%s\" (known: facility, app, queue, ca, cert, key; each as "
		 "NAME=VALUE)",
		 key);
	return -EINVAL;
}

int sink_syslog_parse(const char *arg, struct sink_syslog_config *c, char *err, size_t errsz)
{
	char *copy, *opt, *save = NULL, target[512];
	const char *comma;
	size_t tl;
	int e = 0;

	memset(c, 0, sizeof(*c));
	c->facility = 3; /* daemon */
	strcpy(c->app, "llmwatch");
	c->queue = SINK_SYSLOG_QUEUE_DEFAULT;
	if (!arg)
		arg = "";
	comma = strchr(arg, ',');
	tl = comma ? (size_t)(comma - arg) : strlen(arg);
	if (tl >= sizeof(target)) {
		snprintf(err, errsz, "bad target \"%.*s...\": too long", 64, arg);
		return -EINVAL;
	}
	memcpy(target, arg, tl);
	target[tl] = '\0';
	e = syslog_target_parse(target, &c->target, err, errsz);
	if (e || !comma)
		goto check;
	copy = strdup(comma + 1);
	if (!copy) {
		snprintf(err, errsz, "out of memory");
		return -ENOMEM;
	}
	for (opt = strtok_r(copy, ",", &save); opt && !e; opt = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(opt, '=');

		if (!eq) {
			snprintf(err, errsz, "option \"%s\": expected NAME=VALUE", opt);
			e = -EINVAL;
			break;
		}
		*eq = '\0';
		e = set_option(c, opt, eq + 1, err, errsz);
	}
	free(copy);
check:
	if (e)
		return e;
	if (c->target.proto != SYSLOG_TLS && (c->ca[0] || c->cert[0] || c->key[0])) {
		snprintf(err, errsz, "%s=%s: certificates are for tls:// targets only",
			 c->ca[0]   ? "ca" :
			 c->cert[0] ? "cert" :
				      "key",
			 c->ca[0]   ? c->ca :
			 c->cert[0] ? c->cert :
				      c->key);
		return -EINVAL;
	}
	return 0;
}

/* ---- the sink ------------------------------------------------------------------------------ */

static int dropped_msg(void *arg, uint64_t n, char *buf, size_t size)
{
	struct syslog_sink *s = arg;
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	return syslog_format_dropped(buf, size, &s->id, now, n, s->queue, s->where);
}

static int syslog_event(struct sink *sk, const struct lw_event *ev, const struct rules_verdict *v,
			size_t nv)
{
	struct syslog_sink *s = (struct syslog_sink *)sk;
	char msg[SYSLOG_MSG_MAX];
	int first = 0;

	for (size_t i = 0; i < nv; i++) {
		int n, e;

		if (v[i].action == RULES_ACTION_LOG)
			continue; /* a record, not an alert: the JSON and capture outputs keep it */
		n = syslog_format_alert(msg, sizeof(msg), &s->id, ev, &v[i]);
		e = n < 0 ? n : syslog_transport_send(s->tr, msg, (size_t)n, timefmt_boot_now());
		if (e && !first)
			first = e;
	}
	return first;
}

static int syslog_summary(struct sink *sk, const struct lw_stats *st)
{
	(void)sk;
	(void)st; /* the run's counters are for people: the monitor prints them */
	return 0;
}

static int syslog_flush(struct sink *sk)
{
	return syslog_transport_poll(((struct syslog_sink *)sk)->tr, timefmt_boot_now());
}

static void syslog_destroy(struct sink *sk)
{
	struct syslog_sink *s = (struct syslog_sink *)sk;
	struct syslog_transport_stats st;

	if (s->tr) {
		size_t left = syslog_transport_drain(s->tr, DRAIN_MS);

		syslog_transport_stats(s->tr, &st);
		if (s->diag && (left || st.dropped)) {
			fprintf(s->diag,
				"llmwatch: output %s: %llu alerts sent, %llu dropped (queue full)",
				s->name, (unsigned long long)st.sent,
				(unsigned long long)st.dropped);
			if (left)
				fprintf(s->diag, ", %zu undelivered at exit (link %s)", left,
					st.up ? "busy" : "down");
			fputc('\n', s->diag);
		}
		syslog_transport_free(s->tr);
	}
	free(s->name);
	free(s->where);
	free(s);
}

static const struct sink_ops syslog_ops = {
	.event = syslog_event,
	.summary = syslog_summary,
	.destroy = syslog_destroy,
	.flush = syslog_flush,
};

/* The host name for HOSTNAME: gethostname(), as PRINTUSASCII. */
static void own_hostname(char *buf, size_t size)
{
	char h[SYSLOG_HOSTNAME_MAX + 1] = "";

	if (gethostname(h, sizeof(h)) != 0)
		h[0] = '\0';
	h[sizeof(h) - 1] = '\0';
	syslog_header_field(buf, size, h, SYSLOG_HOSTNAME_MAX);
}

struct sink *sink_syslog_open_with(const char *arg, const char *name, FILE *diag,
				   uint64_t backoff_min_ns, uint64_t backoff_max_ns, char *err,
				   size_t errsz)
{
	struct sink_syslog_config c;
	struct syslog_transport_opts o;
	struct syslog_sink *s;
	const char *comma;
	int e = sink_syslog_parse(arg, &c, err, errsz);

	if (e) {
		errno = -e;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	comma = arg ? strchr(arg, ',') : NULL;
	if (s) {
		s->name = strdup(name);
		s->where = arg && *arg && arg[0] != ',' ?
				   strndup(arg, comma ? (size_t)(comma - arg) : strlen(arg)) :
				   strdup("unix:/dev/log");
	}
	if (!s || !s->name || !s->where) {
		snprintf(err, errsz, "out of memory");
		e = ENOMEM;
		goto fail;
	}
	s->sink.ops = &syslog_ops;
	s->diag = diag;
	s->queue = c.queue;
	s->id.facility = c.facility;
	s->id.procid = (uint32_t)getpid();
	strcpy(s->id.app, c.app);
	own_hostname(s->id.hostname, sizeof(s->id.hostname));
	o = (struct syslog_transport_opts){
		.target = c.target,
		.tls = { .ca = c.ca[0] ? c.ca : NULL,
			 .cert = c.cert[0] ? c.cert : NULL,
			 .key = c.key[0] ? c.key : NULL },
		.queue_max = c.queue,
		.name = s->name,
		.diag = diag,
		.dropped_msg = dropped_msg,
		.dropped_arg = s,
		.backoff_min_ns = backoff_min_ns ? backoff_min_ns : 200000000ull,
		.backoff_max_ns = backoff_max_ns ? backoff_max_ns : 30000000000ull,
	};
	s->tr = syslog_transport_new(&o, timefmt_boot_now(), err, errsz);
	if (!s->tr) {
		e = errno;
		goto fail;
	}
	return &s->sink;
fail:
	if (s) {
		free(s->name);
		free(s->where);
		free(s);
	}
	errno = e;
	return NULL;
}

struct sink *sink_syslog_open(const char *arg, char *err, size_t errsz)
{
	char name[600];

	snprintf(name, sizeof(name), "syslog%s%s", arg && arg[0] != ',' ? ":" : "", arg ? arg : "");
	return sink_syslog_open_with(arg, name, stderr, 0, 0, err, errsz);
}
