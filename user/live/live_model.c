// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The live view's model (live_model.h): a sink that hands every event to a report model
 * (the endpoints, listeners, files and alerts are its aggregation, read through its view
 * API) and keeps what only the live view needs: counters and a bounded event log per
 * process, the user names of uids, the events/s rate, the source's counters.
 */
#include "live/live_model.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "core/event.h"
#include "live/live_model_view.h"
#include "report/report_model.h"
#include "rules/rules.h"
#include "sinks/sink.h"
#include "util/escape.h"
#include "util/sockfmt.h"

#define LM_LOG_PER_PROCESS 512
#define LM_LOG_PROCESSES 4096
#define LM_USERS_MAX 256 /* uids whose names are cached; beyond, the number is shown */
#define LM_USER_LEN 33

struct lm_proc {
	uint32_t pid, ppid, uid;
	char user[LM_USER_LEN];
	bool exited;
	int64_t first, exited_at, last; /* wall ns */
	uint64_t conns_local, conns_remote, bytes_out, files_ordinary, files_flagged, alerts;
	char **log; /* a ring of log_per_process lines; NULL: none (yet, or evicted) */
	size_t log_head, log_n;
};

struct lm_user {
	uint32_t uid;
	char name[LM_USER_LEN];
};

struct live_model {
	struct sink sink;
	struct report_model *rm;
	struct live_model_opts opts;
	struct lm_proc *procs;
	size_t n_procs, cap_procs;
	/* pid -> index + 1 in procs (0: empty), open addressing */
	uint32_t *ix_pid;
	size_t *ix_val;
	size_t ix_cap;
	size_t n_logged; /* processes holding a log */
	struct lm_user users[LM_USERS_MAX];
	size_t n_users;
	uint64_t events, log_dropped, missed;
	uint64_t tick_ns, tick_events;
	double rate;
	const struct capture_replay_file *file; /* the capture being replayed: its clock */
	int64_t newest; /* wall ns of the newest event, or of the last tick for live sources */
	struct lw_stats stats;
	struct live_info info;
	bool oom;
};

/* ---- processes by pid ------------------------------------------------------------------ */

static size_t pid_slot(const struct live_model *m, uint32_t pid)
{
	size_t i = (size_t)(pid * 2654435761u) & (m->ix_cap - 1);

	while (m->ix_val[i] && m->ix_pid[i] != pid)
		i = (i + 1) & (m->ix_cap - 1);
	return i;
}

static int pid_grow(struct live_model *m)
{
	size_t cap = m->ix_cap ? m->ix_cap * 2 : 256;
	uint32_t *keys = calloc(cap, sizeof(*keys));
	size_t *vals = calloc(cap, sizeof(*vals));
	struct live_model old = { .ix_pid = m->ix_pid, .ix_val = m->ix_val, .ix_cap = m->ix_cap };

	if (!keys || !vals) {
		free(keys);
		free(vals);
		return -ENOMEM;
	}
	m->ix_pid = keys;
	m->ix_val = vals;
	m->ix_cap = cap;
	for (size_t i = 0; i < old.ix_cap; i++) {
		if (old.ix_val[i]) {
			size_t s = pid_slot(m, old.ix_pid[i]);

			m->ix_pid[s] = old.ix_pid[i];
			m->ix_val[s] = old.ix_val[i];
		}
	}
	free(old.ix_pid);
	free(old.ix_val);
	return 0;
}

size_t live_model_proc_index(const struct live_model *m, uint32_t pid)
{
	size_t s;

	if (!m->ix_cap)
		return SIZE_MAX;
	s = pid_slot(m, pid);
	return m->ix_val[s] ? m->ix_val[s] - 1 : SIZE_MAX;
}

static struct lm_proc *proc_get(struct live_model *m, uint32_t pid, int64_t t)
{
	size_t ix = live_model_proc_index(m, pid), s;
	struct lm_proc *p;

	if (ix != SIZE_MAX)
		return &m->procs[ix];
	if ((m->n_procs + 1) * 2 > m->ix_cap && pid_grow(m))
		return NULL;
	if (m->n_procs == m->cap_procs) {
		size_t cap = m->cap_procs ? m->cap_procs * 2 : 64;
		struct lm_proc *q = realloc(m->procs, cap * sizeof(*q));

		if (!q)
			return NULL;
		m->procs = q;
		m->cap_procs = cap;
	}
	p = &m->procs[m->n_procs];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->uid = UINT32_MAX; /* not yet known: set from the first event */
	p->first = t;
	s = pid_slot(m, pid);
	m->ix_pid[s] = pid;
	m->ix_val[s] = ++m->n_procs;
	return p;
}

/* ---- user names, looked up once per uid ------------------------------------------------ */

static void user_name(struct live_model *m, uint32_t uid, char out[LM_USER_LEN])
{
	char buf[1024];
	struct passwd pw, *res = NULL;
	struct lm_user *u;

	for (size_t i = 0; i < m->n_users; i++) {
		if (m->users[i].uid == uid) {
			memcpy(out, m->users[i].name, LM_USER_LEN);
			return;
		}
	}
	if (m->n_users == LM_USERS_MAX) {
		snprintf(out, LM_USER_LEN, "%u", uid);
		return;
	}
	u = &m->users[m->n_users++];
	u->uid = uid;
	/* a name the passwd database does not have (a container's uid) shows as its number */
	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) == 0 && res && res->pw_name)
		snprintf(u->name, sizeof(u->name), "%s", res->pw_name);
	else
		snprintf(u->name, sizeof(u->name), "%u", uid);
	memcpy(out, u->name, LM_USER_LEN);
}

/* ---- the per-process log --------------------------------------------------------------- */

static void log_free(struct live_model *m, struct lm_proc *p, bool count_dropped)
{
	if (!p->log)
		return;
	for (size_t k = 0; k < p->log_n; k++)
		free(p->log[(p->log_head + k) % m->opts.log_per_process]);
	if (count_dropped)
		m->log_dropped += p->log_n;
	free(p->log);
	p->log = NULL;
	p->log_head = p->log_n = 0;
	m->n_logged--;
}

/*
 * Room for one more process's log: the log of the process that exited first goes, or,
 * when none has exited, the log of the one quiet the longest. Its lines count as dropped.
 */
static void log_evict(struct live_model *m, const struct lm_proc *keep)
{
	struct lm_proc *victim = NULL;

	for (size_t i = 0; i < m->n_procs; i++) {
		struct lm_proc *p = &m->procs[i];

		if (!p->log || p == keep)
			continue;
		if (!victim || (p->exited && !victim->exited) ||
		    (p->exited == victim->exited &&
		     (p->exited ? p->exited_at < victim->exited_at : p->last < victim->last)))
			victim = p;
	}
	if (victim)
		log_free(m, victim, true);
}

static void log_add(struct live_model *m, struct lm_proc *p, const char *raw, size_t len)
{
	size_t cap = m->opts.log_per_process;
	char esc[4 * (LW_PATH_MAX + 1024) + 1], *line;

	if (!p->log) {
		if (m->n_logged >= m->opts.log_processes)
			log_evict(m, p);
		p->log = calloc(cap, sizeof(*p->log));
		if (!p->log) {
			m->log_dropped++;
			return;
		}
		m->n_logged++;
	}
	/* every byte escapes to at most 4: esc holds the whole line */
	escape_bytes(esc, sizeof(esc), raw, len);
	line = strdup(esc);
	if (!line) {
		m->log_dropped++;
		return;
	}
	if (p->log_n == cap) {
		/* full: the oldest line goes, and is counted */
		free(p->log[p->log_head]);
		p->log[p->log_head] = line;
		p->log_head = (p->log_head + 1) % cap;
		m->log_dropped++;
		return;
	}
	p->log[(p->log_head + p->log_n) % cap] = line;
	p->log_n++;
}

/* "HH:MM:SS.mmm" of wall ns, local time (the clock on the user's wall). */
static void clock_text(int64_t wall, char buf[16])
{
	time_t sec = (time_t)(wall / 1000000000);
	struct tm tm;

	if (!wall || !localtime_r(&sec, &tm)) {
		snprintf(buf, 16, "--:--:--.---");
		return;
	}
	snprintf(buf, 16, "%02d:%02d:%02d.%03d", tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (int)(wall % 1000000000 / 1000000));
}

/* What the event was about, raw (the line is escaped whole when stored). */
static int event_detail(const struct lw_event *ev, char *buf, size_t size)
{
	char addr[SOCKFMT_ADDR_LEN], bytes[32] = "";
	const char *err = sockfmt_errno_name(ev->ret);

	switch (ev->type) {
	case LW_REC_EXEC:
		return snprintf(buf, size, "%s%s%s", ev->filename ? ev->filename : "",
				ev->argv ? "  argv: " : "", ev->argv ? ev->argv : "");
	case LW_REC_FORK:
		return snprintf(buf, size, "forked by %u", ev->ppid);
	case LW_REC_EXIT:
		if (ev->exit_code & 0x7f)
			return snprintf(buf, size, "killed by signal %d", ev->exit_code & 0x7f);
		return snprintf(buf, size, "exit code %d", (ev->exit_code >> 8) & 0xff);
	case LW_REC_CONNECT:
	case LW_REC_BIND:
	case LW_REC_LISTEN:
	case LW_REC_SEND:
	case LW_REC_CONN_BYTES:
		if (!ev->addr)
			return snprintf(buf, size, "-");
		if (ev->addr->family == AF_UNIX)
			return snprintf(buf, size, "unix:%.*s%s%s", (int)ev->unix_path_len,
					ev->unix_path ? ev->unix_path : "", err ? " " : "",
					err ? err : "");
		if (ev->bytes)
			snprintf(bytes, sizeof(bytes), " %" PRIu64 " bytes", ev->bytes);
		return snprintf(buf, size, "%s%s%s:%u%s%s%s", ev->host && *ev->host ? ev->host : "",
				ev->host && *ev->host ? " " : "", sockfmt_addr(ev->addr, addr),
				ev->addr->port, err ? " " : "", err ? err : "", bytes);
	case LW_REC_OPEN:
		return snprintf(buf, size, "%s%s%s%s", ev->path ? ev->path : "",
				ev->open_flags & (O_WRONLY | O_RDWR) ? " (write)" : "",
				err ? " " : "", err ? err : "");
	case LW_REC_PAYLOAD:
		return snprintf(buf, size, "%s %zu bytes %s:%u",
				ev->payload_direction == LW_DIR_IN ? "in" : "out", ev->payload_len,
				ev->addr ? sockfmt_addr(ev->addr, addr) : "",
				ev->addr ? ev->addr->port : 0);
	default:
		return snprintf(buf, size, "-");
	}
}

static void log_event(struct live_model *m, struct lm_proc *p, const struct lw_event *ev,
		      const struct rules_verdict *v, size_t nv, int64_t t)
{
	char raw[LW_PATH_MAX + 1024], when[16];
	size_t n, size = sizeof(raw);
	int k;

	clock_text(t, when);
	k = snprintf(raw, size, "%s %-10s ", when, event_type_name(ev->type));
	n = (size_t)k;
	k = event_detail(ev, raw + n, size - n);
	n = k < 0 ? n : n + (size_t)k < size ? n + (size_t)k : size - 1;
	if (ev->fold && n < size - 1) {
		k = snprintf(raw + n, size - n, " (folded x%" PRIu64 ")", ev->fold->count);
		n = k < 0 ? n : n + (size_t)k < size ? n + (size_t)k : size - 1;
	}
	for (size_t i = 0; i < nv && n < size - 1; i++) {
		k = snprintf(raw + n, size - n, "%s%s", i ? "," : " [", v[i].rule);
		n = k < 0 ? n : n + (size_t)k < size ? n + (size_t)k : size - 1;
	}
	if (nv && n < size - 1) {
		raw[n++] = ']';
		raw[n] = '\0';
	}
	log_add(m, p, raw, n);
}

/* ---- the sink -------------------------------------------------------------------------- */

static bool verdict_alerts(const struct rules_verdict *v)
{
	return v->action != RULES_ACTION_LOG;
}

static void count_event(struct lm_proc *p, const struct lw_event *ev, const struct rules_verdict *v,
			size_t nv)
{
	bool flagged = false;
	bool remote = ev->addr && !report_addr_is_local(ev->addr);

	for (size_t i = 0; i < nv; i++)
		flagged |= verdict_alerts(&v[i]);
	switch (ev->type) {
	case LW_REC_CONNECT:
		if (remote)
			p->conns_remote++;
		else
			p->conns_local++;
		break;
	case LW_REC_SEND:
		if (remote && ev->ret >= 0)
			p->bytes_out += ev->bytes;
		break;
	case LW_REC_CONN_BYTES:
		if (remote)
			p->bytes_out += ev->bytes;
		break;
	case LW_REC_OPEN:
		if (flagged)
			p->files_flagged++;
		else
			p->files_ordinary++;
		break;
	case LW_REC_FORK:
		p->ppid = ev->ppid;
		break;
	case LW_REC_EXEC:
		if (ev->ppid)
			p->ppid = ev->ppid;
		break;
	default:
		break;
	}
}

static int live_event(struct sink *s, const struct lw_event *ev, const struct rules_verdict *v,
		      size_t nv)
{
	struct live_model *m = (struct live_model *)s;
	struct sink *rs = report_model_sink(m->rm);
	int64_t t = report_wall_ns(m->file, ev->ts_boot_ns);
	struct lm_proc *p;
	int err;

	/* a capture without its clock: the replaying machine's mapping, as the report's */
	if (!t)
		t = (int64_t)ev->wall.tv_sec * 1000000000 + ev->wall.tv_nsec;
	m->events++;
	err = rs->ops->event(rs, ev, v, nv);
	if (t > m->newest)
		m->newest = t;
	if (!ev->pid)
		return err;
	p = proc_get(m, ev->pid, t);
	if (!p) {
		m->oom = true;
		return -ENOMEM;
	}
	if (ev->uid != p->uid) {
		p->uid = ev->uid;
		user_name(m, ev->uid, p->user);
	}
	if (!p->ppid && ev->ppid)
		p->ppid = ev->ppid;
	if (t > p->last)
		p->last = t;
	for (size_t i = 0; i < nv; i++)
		if (verdict_alerts(&v[i]))
			p->alerts += ev->fold ? (ev->fold->count ? ev->fold->count - 1 : 0) : 1;
	/* a fold summary repeats an event already counted: only its alerts are new */
	if (!ev->fold) {
		count_event(p, ev, v, nv);
		if (ev->type == LW_REC_EXIT) {
			p->exited = true;
			p->exited_at = t;
		} else if ((ev->type == LW_REC_EXEC || ev->type == LW_REC_FORK) && p->exited) {
			/* a pid used again: a new process in the same row, its uptime its own */
			p->exited = false;
			p->first = t;
		}
	}
	log_event(m, p, ev, v, nv, t);
	return err;
}

static int live_summary(struct sink *s, const struct lw_stats *st)
{
	live_model_set_stats((struct live_model *)s, st);
	return 0;
}

static void live_destroy(struct sink *s)
{
	(void)s; /* the model owns it: live_model_free() */
}

static const struct sink_ops live_ops = {
	.event = live_event,
	.summary = live_summary,
	.destroy = live_destroy,
};

/* ---- capture hooks: the report model's, and the capture's clock for the model's own --- */

static void hook_file_begin(void *ctx, size_t index, const struct capture_replay_file *f)
{
	struct live_model *m = ctx;

	m->file = f;
	if (report_model_hooks.file_begin)
		report_model_hooks.file_begin(m->rm, index, f);
}

static void hook_proc(void *ctx, const struct capture_proc *cp, const char *exe, size_t exe_len)
{
	struct live_model *m = ctx;

	if (report_model_hooks.proc)
		report_model_hooks.proc(m->rm, cp, exe, exe_len);
}

static void hook_facts(void *ctx, const struct proc_facts *f)
{
	struct live_model *m = ctx;

	if (report_model_hooks.facts)
		report_model_hooks.facts(m->rm, f);
}

static void hook_exe_hash(void *ctx, const struct exe_file_key *key, bool ok,
			  const unsigned char sha256[32])
{
	struct live_model *m = ctx;

	if (report_model_hooks.exe_hash)
		report_model_hooks.exe_hash(m->rm, key, ok, sha256);
}

const struct capture_replay_hooks live_model_hooks = {
	.file_begin = hook_file_begin,
	.proc = hook_proc,
	.facts = hook_facts,
	.exe_hash = hook_exe_hash,
};

/* ---- the contract ---------------------------------------------------------------------- */

struct live_model *live_model_new(const struct live_model_opts *opts)
{
	struct live_model *m = calloc(1, sizeof(*m));

	if (!m) {
		errno = ENOMEM;
		return NULL;
	}
	m->rm = report_model_new();
	if (!m->rm) {
		free(m);
		errno = ENOMEM;
		return NULL;
	}
	m->sink.ops = &live_ops;
	if (opts)
		m->opts = *opts;
	if (!m->opts.log_per_process)
		m->opts.log_per_process = LM_LOG_PER_PROCESS;
	if (!m->opts.log_processes)
		m->opts.log_processes = LM_LOG_PROCESSES;
	return m;
}

static void info_free(struct live_info *i)
{
	free((char *)i->where);
	free((char *)i->rules);
	free((char *)i->outputs);
	memset(i, 0, sizeof(*i));
}

void live_model_free(struct live_model *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n_procs; i++)
		log_free(m, &m->procs[i], false);
	free(m->procs);
	free(m->ix_pid);
	free(m->ix_val);
	info_free(&m->info);
	report_model_free(m->rm);
	free(m);
}

struct sink *live_model_sink(struct live_model *m)
{
	return &m->sink;
}

static int dup_or_null(const char *s, const char **out)
{
	*out = NULL;
	if (!s)
		return 0;
	*out = strdup(s);
	return *out ? 0 : -ENOMEM;
}

int live_model_set_info(struct live_model *m, const struct live_info *info)
{
	struct live_info n = *info;

	if (dup_or_null(info->where, &n.where) || dup_or_null(info->rules, &n.rules) ||
	    dup_or_null(info->outputs, &n.outputs)) {
		info_free(&n);
		return -ENOMEM;
	}
	info_free(&m->info);
	m->info = n;
	return 0;
}

void live_model_set_stats(struct live_model *m, const struct lw_stats *st)
{
	m->stats = *st;
	/* the names point into the source's memory: the status line does not need them */
	for (size_t i = 0; i < LW_OUTPUTS_MAX; i++)
		m->stats.outputs[i].name = NULL;
}

void live_model_add_missed(struct live_model *m, uint64_t n)
{
	m->missed += n;
}

void live_model_tick(struct live_model *m, uint64_t now_ns)
{
	if (m->tick_ns && now_ns > m->tick_ns)
		m->rate =
			(double)(m->events - m->tick_events) * 1e9 / (double)(now_ns - m->tick_ns);
	m->tick_ns = now_ns;
	m->tick_events = m->events;
	if (m->info.source != LIVE_SOURCE_CAPTURE) {
		/* running processes age while nothing happens: the clock moves without events */
		struct timespec ts;
		int64_t w;

		clock_gettime(CLOCK_REALTIME, &ts);
		w = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
		if (w > m->newest)
			m->newest = w;
	}
}

uint64_t live_model_events(const struct live_model *m)
{
	return m->events;
}

uint64_t live_model_log_dropped(const struct live_model *m)
{
	return m->log_dropped;
}

/* ---- the view -------------------------------------------------------------------------- */

const struct report_model *live_model_report(const struct live_model *m)
{
	return m->rm;
}

size_t live_model_procs(const struct live_model *m)
{
	return m->n_procs;
}

int live_model_proc(const struct live_model *m, size_t i, struct live_proc_view *out)
{
	const struct lm_proc *p;
	struct report_process_view rp;

	if (i >= m->n_procs)
		return -ERANGE;
	p = &m->procs[i];
	if (report_model_process_find(m->rm, p->pid, &rp))
		memset(&rp, 0, sizeof(rp));
	*out = (struct live_proc_view){
		.pid = p->pid,
		.ppid = p->ppid ? p->ppid : rp.ppid,
		.comm = rp.comm ? rp.comm : "",
		.exe = rp.exe,
		.tool = rp.tool,
		.user = p->user,
		.exited = p->exited,
		.first = p->first,
		.end = p->exited ? p->exited_at : m->newest,
		.conns_local = p->conns_local,
		.conns_remote = p->conns_remote,
		.bytes_out = p->bytes_out,
		.files_ordinary = p->files_ordinary,
		.files_flagged = p->files_flagged,
		.alerts = p->alerts,
		.log_lines = p->log_n,
	};
	return 0;
}

const char *live_model_log_line(const struct live_model *m, uint32_t pid, size_t k)
{
	size_t ix = live_model_proc_index(m, pid);
	const struct lm_proc *p;

	if (ix == SIZE_MAX)
		return NULL;
	p = &m->procs[ix];
	if (!p->log || k >= p->log_n)
		return NULL;
	return p->log[(p->log_head + k) % m->opts.log_per_process];
}

double live_model_rate(const struct live_model *m)
{
	return m->rate;
}

const struct lw_stats *live_model_stats(const struct live_model *m)
{
	return &m->stats;
}

uint64_t live_model_missed(const struct live_model *m)
{
	return m->missed;
}

const struct live_info *live_model_info(const struct live_model *m)
{
	return &m->info;
}
