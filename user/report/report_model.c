// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The report's model (report_model.h): a sink that gathers endpoints, listeners, files,
 * processes and alerts from a replay's events and verdicts, and writes them as the
 * document's arrays (docs/report-format.md). Every string it keeps is a copy: the events'
 * and the rule set's strings live only as long as the replay.
 */
#include "report/report_model.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "capture/capture_format.h"
#include "core/event.h"
#include "core/procfacts.h"
#include "rules/rules.h"
#include "sinks/sink.h"
#include "util/sockfmt.h"

/* ---- a string-keyed index: key -> position in an item array ---------------------------- */

struct rm_map {
	char **keys;
	size_t *vals;
	size_t cap, n;
};

static uint64_t rm_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h;
}

/* The slot of key: its own, or the empty one where it would go. */
static size_t rm_slot(const struct rm_map *t, const char *key)
{
	size_t i = (size_t)rm_hash(key) & (t->cap - 1);

	while (t->keys[i] && strcmp(t->keys[i], key) != 0)
		i = (i + 1) & (t->cap - 1);
	return i;
}

static int rm_grow(struct rm_map *t)
{
	size_t cap = t->cap ? t->cap * 2 : 64;
	struct rm_map n = { calloc(cap, sizeof(char *)), calloc(cap, sizeof(size_t)), cap, t->n };

	if (!n.keys || !n.vals) {
		free(n.keys);
		free(n.vals);
		return -ENOMEM;
	}
	for (size_t i = 0; i < t->cap; i++) {
		if (t->keys[i]) {
			size_t s = rm_slot(&n, t->keys[i]);

			n.keys[s] = t->keys[i];
			n.vals[s] = t->vals[i];
		}
	}
	free(t->keys);
	free(t->vals);
	*t = n;
	return 0;
}

/* The value of key, or SIZE_MAX. */
static size_t rm_get(const struct rm_map *t, const char *key)
{
	size_t s;

	if (!t->cap)
		return SIZE_MAX;
	s = rm_slot(t, key);
	return t->keys[s] ? t->vals[s] : SIZE_MAX;
}

/* Adds key (copied) with val; returns the stored key, or NULL on no memory. */
static const char *rm_put(struct rm_map *t, const char *key, size_t val)
{
	size_t s;

	if ((t->n + 1) * 2 > t->cap && rm_grow(t))
		return NULL;
	s = rm_slot(t, key);
	if (!t->keys[s]) {
		t->keys[s] = strdup(key);
		if (!t->keys[s])
			return NULL;
		t->n++;
	}
	t->vals[s] = val;
	return t->keys[s];
}

static void rm_free(struct rm_map *t)
{
	for (size_t i = 0; i < t->cap; i++)
		free(t->keys[i]);
	free(t->keys);
	free(t->vals);
	memset(t, 0, sizeof(*t));
}

/* Grows an array of items of size sz to hold one more; returns the new one, zeroed. */
static void *rm_push(void **arr, size_t *n, size_t *cap, size_t sz)
{
	char *p;

	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 16;
		void *q = realloc(*arr, c * sz);

		if (!q)
			return NULL;
		*arr = q;
		*cap = c;
	}
	p = (char *)*arr + *n * sz;
	memset(p, 0, sz);
	(*n)++;
	return p;
}

/* ---- the model ------------------------------------------------------------------------- */

enum rm_class {
	RM_TELEMETRY,
	RM_UNKNOWN,
	RM_UPDATE,
	RM_MODEL_DOWNLOAD
};
static const char *const class_names[] = { "telemetry", "unknown", "update", "model-download" };

enum rm_category {
	RM_CREDENTIALS,
	RM_DOCUMENTS,
	RM_MODEL,
	RM_TOOL,
	RM_OTHER
};
static const char *const category_names[] = { "credentials", "documents", "model", "tool",
					      "other" };

struct rm_procref {
	uint32_t pid;
	const char *comm, *tool; /* interned; tool NULL: none */
};

/* The processes and rules of an endpoint, listener or file, each once. */
struct rm_refs {
	struct rm_procref *procs;
	size_t n_procs, cap_procs;
	const char **rules; /* interned ids */
	size_t n_rules, cap_rules;
};

struct rm_endpoint {
	char address[SOCKFMT_ADDR_LEN];
	uint16_t port;
	const char *protocol;
	const char *host, *host_source;		/* interned; NULL: not known */
	bool telemetry, update, model_download; /* from the matched rules' tags */
	uint64_t connections, failed, bytes_sent;
	uint64_t datagrams; /* UDP datagrams sent: sends reported alone, and flows' counts */
	int64_t first, last;
	struct rm_refs refs;
};

struct rm_listener {
	char address[SOCKFMT_ADDR_LEN];
	uint16_t port;
	const char *protocol;
	int reachable; /* 1, 0, -1: unknown */
	const char *netns;
	bool listened;
	int64_t first;
	uint32_t pid;
	const char *comm, *tool;
	struct rm_refs refs;
};

struct rm_file {
	const char *path; /* the map's key */
	bool credentials, documents, own, flagged, write;
	uint64_t opens, failed;
	int64_t first, last;
	struct rm_refs refs;
};

struct rm_process {
	uint32_t pid, ppid, root;
	const char *comm, *exe, *tool; /* interned; exe NULL: unknown */
	char *argv;		       /* NULL: unknown */
	/*
	 * The executable's SHA-256 at exec, hex: from the capture's facts (the file the
	 * process's last fact names, and that file's hash), joined before the document is
	 * built; NULL when the capture does not hold it.
	 */
	char *sha256;
	bool sha256_by_path; /* of the file at its path: it was gone before /proc/PID/exe */
	int64_t started;     /* 0: running when the capture started */
	bool exited;
	int64_t exited_at;
	int32_t exit_code;
};

struct rm_alert {
	const char *rule;
	enum rules_severity severity;
	const char **tags;
	size_t n_tags;
	char *message;
	uint32_t pid;
	const char *comm, *tool;
	uint64_t count;
	int64_t first, last;
};

struct report_model {
	struct sink sink;
	const struct capture_replay_file *file; /* the capture being read: its clock */
	struct rm_map strings;			/* interned strings */
	struct rm_map endpoint_ix, listener_ix, file_ix, process_ix, alert_ix;
	struct rm_endpoint *endpoints;
	size_t n_endpoints, cap_endpoints;
	struct rm_listener *listeners;
	size_t n_listeners, cap_listeners;
	struct rm_file *files;
	size_t n_files, cap_files;
	struct rm_process *procs;
	size_t n_procs, cap_procs;
	struct rm_alert *alerts;
	size_t n_alerts, cap_alerts;
	/*
	 * Executables' hashes from the capture's facts: a process's last fact names its file
	 * (pid_exe: pid -> exe_keys[i]), the file its hash (exe_sha: key -> sha_hex[j]).
	 */
	struct rm_map pid_exe, exe_sha;
	/*
	 * The cookies of datagram sockets seen connect or send: a connection's byte count
	 * (LW_REC_CONN_BYTES) carries no protocol, and a connected UDP socket (a resolver's)
	 * has one too
	 */
	struct rm_map udp_cookies;
	/*
	 * Datagram flows (cookie|address|port -> flow_totals[i]): a flow's records carry its
	 * totals so far (interim, then the last), so each adds what it has over the one before.
	 */
	struct rm_map flow_ix;
	struct rm_flow_totals {
		uint64_t bytes, packets;
	} * flow_totals;
	size_t n_flow_totals, cap_flow_totals;
	struct rm_exe {
		struct exe_file_key key;
		uint8_t from; /* CAPTURE_EXE_FROM_* */
	} * exe_keys;
	size_t n_exe_keys, cap_exe_keys;
	struct rm_sha {
		char hex[65];
	} * sha_hex;
	size_t n_sha, cap_sha;
	bool oom;
};

static const char *intern(struct report_model *m, const char *s)
{
	const char *k;

	if (!s)
		return NULL;
	if (m->strings.cap) {
		size_t slot = rm_slot(&m->strings, s);

		if (m->strings.keys[slot])
			return m->strings.keys[slot];
	}
	k = rm_put(&m->strings, s, 0);
	if (!k)
		m->oom = true;
	return k;
}

static const char *tool_of(struct report_model *m, const struct lw_event *ev)
{
	return ev->tool && *ev->tool ? intern(m, ev->tool) : NULL;
}

int64_t report_wall_ns(const struct capture_replay_file *f, uint64_t ts_ns)
{
	if (!f || !f->has_clock)
		return 0;
	return (int64_t)(f->wall_ns + ts_ns - f->boot_ns);
}

static int64_t event_wall(const struct report_model *m, const struct lw_event *ev)
{
	int64_t w = report_wall_ns(m->file, ev->ts_boot_ns);

	/* a capture without its clock: the replaying machine's mapping, as the sinks use */
	return w ? w : (int64_t)ev->wall.tv_sec * 1000000000 + ev->wall.tv_nsec;
}

static void refs_add(struct report_model *m, struct rm_refs *r, const struct lw_event *ev,
		     const struct rules_verdict *v, size_t nv)
{
	size_t i;

	for (i = 0; i < r->n_procs && r->procs[i].pid != ev->pid; i++)
		;
	if (i == r->n_procs) {
		struct rm_procref *p =
			rm_push((void **)&r->procs, &r->n_procs, &r->cap_procs, sizeof(*p));

		if (!p) {
			m->oom = true;
			return;
		}
		p->pid = ev->pid;
		p->comm = intern(m, ev->comm);
		p->tool = tool_of(m, ev);
	}
	for (size_t k = 0; k < nv; k++) {
		const char **slot;

		/* a few rules each: a scan costs less than interning every verdict's id */
		for (i = 0; i < r->n_rules && strcmp(r->rules[i], v[k].rule) != 0; i++)
			;
		if (i < r->n_rules)
			continue;
		slot = rm_push((void **)&r->rules, &r->n_rules, &r->cap_rules, sizeof(*slot));
		if (!slot) {
			m->oom = true;
			return;
		}
		*slot = intern(m, v[k].rule);
		if (!*slot)
			r->n_rules--;
	}
}

static bool has_tag(const struct rules_verdict *v, const char *tag)
{
	for (size_t i = 0; i < v->n_tags; i++)
		if (!strcmp(v->tags[i], tag))
			return true;
	return false;
}

static bool verdict_alerts(const struct rules_verdict *v)
{
	return v->action != RULES_ACTION_LOG;
}

/* ---- addresses ------------------------------------------------------------------------- */

bool report_addr_is_local(const struct lw_sockaddr *a)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	static const uint8_t zero[16];

	if (a->family == AF_INET)
		return a->addr[0] == 127 || !memcmp(a->addr, zero, 4);
	if (a->family == AF_INET6) {
		if (!memcmp(a->addr, mapped, 12))
			return a->addr[12] == 127 || !memcmp(a->addr + 12, zero, 4);
		return !memcmp(a->addr, zero, 15) && (a->addr[15] == 1 || a->addr[15] == 0);
	}
	return true;
}

static bool addr_is_loopback(const struct lw_sockaddr *a)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	static const uint8_t zero[15];

	if (a->family == AF_INET)
		return a->addr[0] == 127;
	if (a->family == AF_INET6)
		return (!memcmp(a->addr, mapped, 12) && a->addr[12] == 127) ||
		       (!memcmp(a->addr, zero, 15) && a->addr[15] == 1);
	return false;
}

static const char *protocol_of(uint32_t sock_type, const char *otherwise)
{
	if (sock_type == 1) /* SOCK_STREAM */
		return "tcp";
	if (sock_type == 2) /* SOCK_DGRAM */
		return "udp";
	return otherwise;
}

/* ---- each kind of event ---------------------------------------------------------------- */

static struct rm_endpoint *endpoint_get(struct report_model *m, const struct lw_event *ev,
					const char *protocol)
{
	char addr[SOCKFMT_ADDR_LEN], key[SOCKFMT_ADDR_LEN + 32];
	struct rm_endpoint *e;
	size_t ix;

	sockfmt_addr(ev->addr, addr);
	snprintf(key, sizeof(key), "%s|%u|%s", addr, ev->addr->port, protocol);
	ix = rm_get(&m->endpoint_ix, key);
	if (ix != SIZE_MAX)
		return &m->endpoints[ix];
	e = rm_push((void **)&m->endpoints, &m->n_endpoints, &m->cap_endpoints, sizeof(*e));
	if (!e || !rm_put(&m->endpoint_ix, key, m->n_endpoints - 1)) {
		m->oom = true;
		if (e)
			m->n_endpoints--;
		return NULL;
	}
	snprintf(e->address, sizeof(e->address), "%s", addr);
	e->port = ev->addr->port;
	e->protocol = protocol;
	return e;
}

/* Adds to e what a datagram flow's record ev has over the flow's record before it. */
static void flow_add(struct report_model *m, struct rm_endpoint *e, const struct lw_event *ev)
{
	char addr[SOCKFMT_ADDR_LEN], key[SOCKFMT_ADDR_LEN + 48];
	struct rm_flow_totals *f;
	size_t ix;

	sockfmt_addr(ev->addr, addr);
	snprintf(key, sizeof(key), "%" PRIu64 "|%s|%u", ev->cookie, addr, ev->addr->port);
	ix = rm_get(&m->flow_ix, key);
	if (ix != SIZE_MAX) {
		f = &m->flow_totals[ix];
	} else {
		f = rm_push((void **)&m->flow_totals, &m->n_flow_totals, &m->cap_flow_totals,
			    sizeof(*f));
		if (!f || !rm_put(&m->flow_ix, key, m->n_flow_totals - 1)) {
			m->oom = true;
			if (f)
				m->n_flow_totals--;
			return;
		}
	}
	/* totals only grow; an older record arriving late (a repeat) adds nothing */
	if (ev->bytes > f->bytes) {
		e->bytes_sent += ev->bytes - f->bytes;
		f->bytes = ev->bytes;
	}
	if (ev->packets > f->packets) {
		e->datagrams += ev->packets - f->packets;
		f->packets = ev->packets;
	}
}

static void on_endpoint(struct report_model *m, const struct lw_event *ev,
			const struct rules_verdict *v, size_t nv, int64_t t)
{
	const char *proto;
	struct rm_endpoint *e;
	char cookie[24];

	if (!ev->addr || (ev->addr->family != AF_INET && ev->addr->family != AF_INET6) ||
	    report_addr_is_local(ev->addr))
		return;
	if (ev->cookie && ev->sock_type == 2 /* SOCK_DGRAM */ && ev->type != LW_REC_CONN_BYTES) {
		snprintf(cookie, sizeof(cookie), "%" PRIu64, ev->cookie);
		if (rm_get(&m->udp_cookies, cookie) == SIZE_MAX &&
		    !rm_put(&m->udp_cookies, cookie, 1))
			m->oom = true;
	}
	if (ev->type == LW_REC_CONN_BYTES && ev->sock_type == 2 /* a datagram flow */) {
		proto = "udp";
	} else if (ev->type == LW_REC_CONN_BYTES) {
		snprintf(cookie, sizeof(cookie), "%" PRIu64, ev->cookie);
		proto = ev->cookie && rm_get(&m->udp_cookies, cookie) != SIZE_MAX ? "udp" : "tcp";
	} else {
		proto = protocol_of(ev->sock_type, ev->type == LW_REC_SEND ? "udp" : "tcp");
	}
	e = endpoint_get(m, ev, proto);
	if (!e)
		return;
	if (ev->type == LW_REC_CONNECT) {
		e->connections++;
		if (ev->ret < 0 && ev->ret != -EINPROGRESS)
			e->failed++;
	} else if (ev->type == LW_REC_CONN_BYTES && ev->sock_type == 2) {
		flow_add(m, e, ev);
	} else if (ev->type == LW_REC_SEND) {
		/* the first of a flow is counted in the flow's record */
		if (ev->ret >= 0 && !(ev->flags & LW_F_FLOW_FIRST)) {
			e->bytes_sent += ev->bytes;
			e->datagrams++;
		}
	} else if (ev->type == LW_REC_CONN_BYTES) {
		e->bytes_sent += ev->bytes;
	}
	if (ev->host && *ev->host && !e->host) {
		e->host = intern(m, ev->host);
		e->host_source = ev->host_source && strcmp(ev->host_source, "none") != 0 ?
					 intern(m, ev->host_source) :
					 NULL;
	}
	if (!e->first || t < e->first)
		e->first = t;
	if (t > e->last)
		e->last = t;
	for (size_t i = 0; i < nv; i++) {
		if (has_tag(&v[i], "telemetry") || has_tag(&v[i], "analytics") ||
		    has_tag(&v[i], "phone-home") || has_tag(&v[i], "chat-upload") ||
		    has_tag(&v[i], "document-upload") || has_tag(&v[i], "fingerprinting"))
			e->telemetry = true;
		if (has_tag(&v[i], "update-check"))
			e->update = true;
		if ((has_tag(&v[i], "download") || has_tag(&v[i], "upload")) &&
		    has_tag(&v[i], "model"))
			e->model_download = true;
	}
	refs_add(m, &e->refs, ev, v, nv);
}

static void on_listener(struct report_model *m, const struct lw_event *ev,
			const struct rules_verdict *v, size_t nv, int64_t t)
{
	char addr[SOCKFMT_ADDR_LEN], key[SOCKFMT_ADDR_LEN + 48];
	const char *proto;
	struct rm_listener *l;
	size_t ix;

	/* a failed bind binds nothing; port 0 is a client's "any port", not a service */
	if (!ev->addr || (ev->addr->family != AF_INET && ev->addr->family != AF_INET6) ||
	    ev->ret < 0 || !ev->addr->port)
		return;
	proto = ev->type == LW_REC_LISTEN ? "tcp" : protocol_of(ev->sock_type, "tcp");
	sockfmt_addr(ev->addr, addr);
	snprintf(key, sizeof(key), "%u|%s|%u|%s", ev->pid, addr, ev->addr->port, proto);
	ix = rm_get(&m->listener_ix, key);
	if (ix != SIZE_MAX) {
		l = &m->listeners[ix];
	} else {
		l = rm_push((void **)&m->listeners, &m->n_listeners, &m->cap_listeners, sizeof(*l));
		if (!l || !rm_put(&m->listener_ix, key, m->n_listeners - 1)) {
			m->oom = true;
			if (l)
				m->n_listeners--;
			return;
		}
		snprintf(l->address, sizeof(l->address), "%s", addr);
		l->port = ev->addr->port;
		l->protocol = proto;
		l->first = t;
		l->pid = ev->pid;
		l->comm = intern(m, ev->comm);
		l->tool = tool_of(m, ev);
		l->netns = ev->netns == EVENT_NETNS_HOST  ? "host" :
			   ev->netns == EVENT_NETNS_OTHER ? "other" :
							    NULL;
		l->reachable = addr_is_loopback(ev->addr)     ? 0 :
			       ev->netns == EVENT_NETNS_HOST  ? 1 :
			       ev->netns == EVENT_NETNS_OTHER ? 0 :
								-1;
	}
	if (ev->type == LW_REC_LISTEN)
		l->listened = true;
	refs_add(m, &l->refs, ev, v, nv);
}

static bool has_suffix_nocase(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n >= k && !strcasecmp(s + n - k, suffix);
}

static bool is_model_path(const char *path, size_t n)
{
	static const char *const ext[] = { ".gguf", ".safetensors", ".bin", ".pt",
					   ".pth",  ".onnx",	    ".ggml" };

	/*
	 * a .pth in a Python package directory is a path configuration file that every
	 * python start reads, not PyTorch weights
	 */
	if (has_suffix_nocase(path, n, ".pth") &&
	    (strstr(path, "/site-packages/") || strstr(path, "/dist-packages/")))
		return false;
	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++)
		if (has_suffix_nocase(path, n, ext[i]))
			return true;
	return false;
}

/* Under the tool's own files: its executable's directory, or a ".TOOL" directory. */
static bool is_own_path(const struct lw_event *ev)
{
	const char *slash = ev->exe ? strrchr(ev->exe, '/') : NULL;
	char dot[80];

	if (slash && slash != ev->exe && !strncmp(ev->path, ev->exe, (size_t)(slash - ev->exe)) &&
	    ev->path[slash - ev->exe] == '/')
		return true;
	if (ev->tool && *ev->tool && !strchr(ev->tool, '/')) {
		snprintf(dot, sizeof(dot), "/.%s/", ev->tool);
		if (strstr(ev->path, dot))
			return true;
	}
	return false;
}

static void on_open(struct report_model *m, const struct lw_event *ev,
		    const struct rules_verdict *v, size_t nv, int64_t t)
{
	struct rm_file *f;
	size_t ix;

	if (!ev->path)
		return;
	ix = rm_get(&m->file_ix, ev->path);
	if (ix != SIZE_MAX) {
		f = &m->files[ix];
	} else {
		f = rm_push((void **)&m->files, &m->n_files, &m->cap_files, sizeof(*f));
		if (!f || !(f->path = rm_put(&m->file_ix, ev->path, m->n_files - 1))) {
			m->oom = true;
			if (f)
				m->n_files--;
			return;
		}
		f->first = t;
	}
	f->opens++;
	if (ev->ret < 0)
		f->failed++;
	if (ev->open_flags & (O_WRONLY | O_RDWR))
		f->write = true;
	if (t > f->last)
		f->last = t;
	if (is_own_path(ev))
		f->own = true;
	for (size_t i = 0; i < nv; i++) {
		if (has_tag(&v[i], "credentials"))
			f->credentials = true;
		if (has_tag(&v[i], "documents"))
			f->documents = true;
		if (verdict_alerts(&v[i]))
			f->flagged = true;
	}
	refs_add(m, &f->refs, ev, v, nv);
}

static struct rm_process *process_get(struct report_model *m, uint32_t pid, bool *created)
{
	char key[16];
	struct rm_process *p;
	size_t ix;

	snprintf(key, sizeof(key), "%u", pid);
	ix = rm_get(&m->process_ix, key);
	*created = ix == SIZE_MAX;
	if (ix != SIZE_MAX)
		return &m->procs[ix];
	p = rm_push((void **)&m->procs, &m->n_procs, &m->cap_procs, sizeof(*p));
	if (!p || !rm_put(&m->process_ix, key, m->n_procs - 1)) {
		m->oom = true;
		if (p)
			m->n_procs--;
		return NULL;
	}
	p->pid = pid;
	p->root = pid;
	return p;
}

static void set_str(struct report_model *m, char **dst, const char *s)
{
	char *c = s ? strdup(s) : NULL;

	if (s && !c) {
		m->oom = true;
		return;
	}
	free(*dst);
	*dst = c;
}

static void on_process(struct report_model *m, const struct lw_event *ev, int64_t t)
{
	bool created;
	struct rm_process *p = process_get(m, ev->pid, &created);

	if (!p)
		return;
	if (created) {
		/* first seen here: its tree is its parent's, if the parent is watched */
		char key[16];
		size_t ix;

		p->ppid = ev->ppid;
		snprintf(key, sizeof(key), "%u", ev->ppid);
		ix = rm_get(&m->process_ix, key);
		if (ev->ppid && ix != SIZE_MAX)
			p->root = m->procs[ix].root;
		p->exe = ev->exe && *ev->exe ? intern(m, ev->exe) : NULL;
		if (ev->type == LW_REC_FORK || ev->type == LW_REC_EXEC)
			p->started = t;
	}
	/* interned only when they change: most events repeat them */
	if (!p->comm || strcmp(p->comm, ev->comm) != 0)
		p->comm = intern(m, ev->comm);
	if (ev->tool && *ev->tool && (!p->tool || strcmp(p->tool, ev->tool) != 0))
		p->tool = intern(m, ev->tool);
	if (ev->argv && !p->argv)
		set_str(m, &p->argv, ev->argv);
	switch (ev->type) {
	case LW_REC_EXEC:
		/* the program it runs now: the path execve was given */
		if (ev->filename && *ev->filename)
			p->exe = intern(m, ev->filename);
		if (ev->ppid)
			p->ppid = ev->ppid;
		if (ev->argv)
			set_str(m, &p->argv, ev->argv);
		break;
	case LW_REC_FORK:
		p->ppid = ev->ppid;
		break;
	case LW_REC_EXIT:
		p->exited = true;
		p->exited_at = t;
		p->exit_code = ev->exit_code;
		break;
	default:
		break;
	}
}

/* What an alert is about: the far end, the address bound, the file, the program. */
static void alert_subject(const struct lw_event *ev, char *buf, size_t size)
{
	char addr[SOCKFMT_ADDR_LEN];

	switch (ev->type) {
	case LW_REC_CONNECT:
	case LW_REC_SEND:
	case LW_REC_CONN_BYTES:
	case LW_REC_BIND:
	case LW_REC_LISTEN:
		if (ev->addr && ev->addr->family == AF_UNIX) {
			snprintf(buf, size, "unix:%.*s", (int)ev->unix_path_len,
				 ev->unix_path ? ev->unix_path : "");
			return;
		}
		if (ev->addr) {
			snprintf(buf, size, "%s:%u",
				 ev->host && *ev->host ? ev->host : sockfmt_addr(ev->addr, addr),
				 ev->addr->port);
			return;
		}
		break;
	case LW_REC_OPEN:
		snprintf(buf, size, "%s", ev->path ? ev->path : "");
		return;
	case LW_REC_EXEC:
		snprintf(buf, size, "%s", ev->filename ? ev->filename : "");
		return;
	default:
		break;
	}
	snprintf(buf, size, "%s", event_type_name(ev->type));
}

static int64_t timespec_ns(struct timespec ts)
{
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void on_alert(struct report_model *m, const struct lw_event *ev,
		     const struct rules_verdict *v, int64_t t)
{
	char subject[LW_PATH_MAX + 64], key[sizeof(subject) + 160];
	struct rm_alert *a;
	/* a fold summary stands for count alerts, the first of them already written */
	uint64_t n = ev->fold ? (ev->fold->count ? ev->fold->count - 1 : 0) : 1;
	size_t ix;

	alert_subject(ev, subject, sizeof(subject));
	snprintf(key, sizeof(key), "%s|%u|%s", v->rule, ev->pid, subject);
	ix = rm_get(&m->alert_ix, key);
	if (ix != SIZE_MAX) {
		a = &m->alerts[ix];
		a->count += n;
		if (ev->fold && timespec_ns(ev->fold->last) > a->last)
			a->last = timespec_ns(ev->fold->last);
		else if (!ev->fold && t > a->last)
			a->last = t;
		return;
	}
	if (!n)
		return;
	a = rm_push((void **)&m->alerts, &m->n_alerts, &m->cap_alerts, sizeof(*a));
	if (!a || !rm_put(&m->alert_ix, key, m->n_alerts - 1)) {
		m->oom = true;
		if (a)
			m->n_alerts--;
		return;
	}
	a->rule = intern(m, v->rule);
	a->severity = v->severity;
	a->tags = v->n_tags ? calloc(v->n_tags, sizeof(*a->tags)) : NULL;
	if (a->tags) {
		a->n_tags = v->n_tags;
		for (size_t i = 0; i < v->n_tags; i++)
			a->tags[i] = intern(m, v->tags[i]);
	}
	set_str(m, &a->message, v->message);
	a->pid = ev->pid;
	a->comm = intern(m, ev->comm);
	a->tool = tool_of(m, ev);
	a->count = n;
	a->first = ev->fold ? timespec_ns(ev->fold->first) : t;
	a->last = ev->fold ? timespec_ns(ev->fold->last) : t;
}

/* ---- the sink -------------------------------------------------------------------------- */

static int model_event(struct sink *s, const struct lw_event *ev, const struct rules_verdict *v,
		       size_t nv)
{
	struct report_model *m = (struct report_model *)s;
	int64_t t;

	if (ev->type >= LW_REC_TYPE_MAX) /* the monitor's own (loss alerts): from the snapshots */
		return 0;
	t = event_wall(m, ev);
	for (size_t i = 0; i < nv; i++)
		if (verdict_alerts(&v[i]))
			on_alert(m, ev, &v[i], t);
	/* a fold summary repeats an event already counted: only its alerts' count is new */
	if (ev->fold)
		return m->oom ? -ENOMEM : 0;
	on_process(m, ev, t);
	switch (ev->type) {
	case LW_REC_CONNECT:
	case LW_REC_SEND:
	case LW_REC_CONN_BYTES:
		on_endpoint(m, ev, v, nv, t);
		break;
	case LW_REC_BIND:
	case LW_REC_LISTEN:
		on_listener(m, ev, v, nv, t);
		break;
	case LW_REC_OPEN:
		on_open(m, ev, v, nv, t);
		break;
	default:
		break;
	}
	return m->oom ? -ENOMEM : 0;
}

static int model_summary(struct sink *s, const struct lw_stats *st)
{
	(void)s, (void)st;
	return 0;
}

static void model_destroy(struct sink *s)
{
	(void)s; /* the model owns it: report_model_free() */
}

static const struct sink_ops model_ops = {
	.event = model_event,
	.summary = model_summary,
	.destroy = model_destroy,
};

static void hook_file_begin(void *ctx, size_t index, const struct capture_replay_file *f)
{
	struct report_model *m = ctx;

	(void)index;
	m->file = f;
}

static void hook_proc(void *ctx, const struct capture_proc *cp, const char *exe, size_t exe_len)
{
	struct report_model *m = ctx;
	char comm[sizeof(cp->comm) + 1], path[LW_PATH_MAX + 1];
	bool created;
	struct rm_process *p = process_get(m, cp->pid, &created);

	if (!p)
		return;
	if (exe_len > LW_PATH_MAX)
		exe_len = LW_PATH_MAX;
	memcpy(path, exe, exe_len);
	path[exe_len] = '\0';
	memcpy(comm, cp->comm, sizeof(cp->comm));
	comm[sizeof(cp->comm)] = '\0';
	p->ppid = cp->ppid;
	p->root = cp->root_pid ? cp->root_pid : cp->pid;
	p->comm = intern(m, comm);
	p->exe = exe_len ? intern(m, path) : NULL;
	/* the tool's name is the profile's: the first event of the process names it */
}

static void exe_key_str(const struct exe_file_key *k, char *buf, size_t size)
{
	snprintf(buf, size, "%" PRIu64 ":%" PRIu64 ":%" PRIu64 ":%" PRId64, k->dev, k->ino, k->size,
		 k->mtime_ns);
}

/* A process's facts: which executable file it ran (its hash comes in hook_exe_hash). */
static void hook_facts(void *ctx, const struct proc_facts *f)
{
	struct report_model *m = ctx;
	struct rm_exe *k;
	char pid[16];

	if (!exe_file_key_known(&f->exe_key))
		return;
	k = rm_push((void **)&m->exe_keys, &m->n_exe_keys, &m->cap_exe_keys, sizeof(*k));
	snprintf(pid, sizeof(pid), "%u", f->pid);
	if (!k || !rm_put(&m->pid_exe, pid, m->n_exe_keys - 1)) {
		m->oom = true;
		return;
	}
	k->key = f->exe_key;
	k->from = f->exe_from;
}

static void hook_exe_hash(void *ctx, const struct exe_file_key *key, bool ok,
			  const unsigned char sha256[32])
{
	struct report_model *m = ctx;
	struct rm_sha *h;
	char k[96];

	if (!ok)
		return; /* unreadable: the process's sha256 stays null */
	h = rm_push((void **)&m->sha_hex, &m->n_sha, &m->cap_sha, sizeof(*h));
	exe_key_str(key, k, sizeof(k));
	if (!h || !rm_put(&m->exe_sha, k, m->n_sha - 1)) {
		m->oom = true;
		return;
	}
	for (int i = 0; i < 32; i++)
		snprintf(h->hex + 2 * i, 3, "%02x", sha256[i]);
}

/* Each process's sha256: the hash of the file its last fact names, when the capture has it. */
static void join_hashes(struct report_model *m)
{
	for (size_t i = 0; i < m->n_procs; i++) {
		struct rm_process *p = &m->procs[i];
		char pid[16], k[96];
		size_t ki, hi;

		snprintf(pid, sizeof(pid), "%u", p->pid);
		ki = rm_get(&m->pid_exe, pid);
		if (p->sha256 || ki == SIZE_MAX)
			continue;
		exe_key_str(&m->exe_keys[ki].key, k, sizeof(k));
		hi = rm_get(&m->exe_sha, k);
		if (hi != SIZE_MAX) {
			set_str(m, &p->sha256, m->sha_hex[hi].hex);
			p->sha256_by_path = m->exe_keys[ki].from == CAPTURE_EXE_FROM_PATH;
		}
	}
}

const struct capture_replay_hooks report_model_hooks = {
	.file_begin = hook_file_begin,
	.proc = hook_proc,
	.facts = hook_facts,
	.exe_hash = hook_exe_hash,
};

struct report_model *report_model_new(void)
{
	struct report_model *m = calloc(1, sizeof(*m));

	if (!m) {
		errno = ENOMEM;
		return NULL;
	}
	m->sink.ops = &model_ops;
	return m;
}

struct sink *report_model_sink(struct report_model *m)
{
	return &m->sink;
}

static void refs_free(struct rm_refs *r)
{
	free(r->procs);
	free(r->rules);
}

void report_model_free(struct report_model *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n_endpoints; i++)
		refs_free(&m->endpoints[i].refs);
	for (size_t i = 0; i < m->n_listeners; i++)
		refs_free(&m->listeners[i].refs);
	for (size_t i = 0; i < m->n_files; i++)
		refs_free(&m->files[i].refs);
	for (size_t i = 0; i < m->n_procs; i++) {
		free(m->procs[i].argv);
		free(m->procs[i].sha256);
	}
	for (size_t i = 0; i < m->n_alerts; i++) {
		free(m->alerts[i].tags);
		free(m->alerts[i].message);
	}
	free(m->endpoints);
	free(m->listeners);
	free(m->files);
	free(m->procs);
	free(m->alerts);
	rm_free(&m->endpoint_ix);
	rm_free(&m->listener_ix);
	rm_free(&m->file_ix);
	rm_free(&m->process_ix);
	rm_free(&m->alert_ix);
	rm_free(&m->udp_cookies);
	rm_free(&m->flow_ix);
	free(m->flow_totals);
	rm_free(&m->pid_exe);
	rm_free(&m->exe_sha);
	free(m->exe_keys);
	free(m->sha_hex);
	rm_free(&m->strings);
	free(m);
}

/* ---- the document ---------------------------------------------------------------------- */

cJSON *report_time_json(int64_t wall_ns)
{
	char buf[64];
	struct tm tm;
	time_t sec;

	if (!wall_ns)
		return cJSON_CreateNull();
	sec = (time_t)(wall_ns / 1000000000);
	if (!gmtime_r(&sec, &tm))
		return cJSON_CreateNull();
	snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%09dZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (int)(wall_ns % 1000000000));
	return cJSON_CreateString(buf);
}

static cJSON *str_or_null(const char *s)
{
	return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

static void add(cJSON *o, const char *k, cJSON *v, bool *ok)
{
	if (!v || !cJSON_AddItemToObject(o, k, v)) {
		cJSON_Delete(v);
		*ok = false;
	}
}

static void add_refs(cJSON *o, const struct rm_refs *r, bool *ok)
{
	cJSON *procs = cJSON_CreateArray(), *rules = cJSON_CreateArray();

	for (size_t i = 0; procs && i < r->n_procs; i++) {
		cJSON *p = cJSON_CreateObject();

		if (!p || !cJSON_AddItemToArray(procs, p)) {
			cJSON_Delete(p);
			*ok = false;
			break;
		}
		add(p, "pid", cJSON_CreateNumber(r->procs[i].pid), ok);
		add(p, "comm", str_or_null(r->procs[i].comm), ok);
		add(p, "tool", str_or_null(r->procs[i].tool), ok);
	}
	for (size_t i = 0; rules && i < r->n_rules; i++)
		if (!cJSON_AddItemToArray(rules, cJSON_CreateString(r->rules[i])))
			*ok = false;
	add(o, "processes", procs, ok);
	add(o, "rules", rules, ok);
}

static enum rm_class endpoint_class(const struct rm_endpoint *e)
{
	return e->telemetry	 ? RM_TELEMETRY :
	       e->update	 ? RM_UPDATE :
	       e->model_download ? RM_MODEL_DOWNLOAD :
				   RM_UNKNOWN;
}

static int cmp_time(int64_t a, int64_t b)
{
	return a < b ? -1 : a > b;
}

static int cmp_endpoint(const void *pa, const void *pb)
{
	const struct rm_endpoint *a = pa, *b = pb;
	enum rm_class ca = endpoint_class(a), cb = endpoint_class(b);

	if (ca != cb)
		return ca < cb ? -1 : 1;
	return cmp_time(a->first, b->first);
}

static int reach_rank(int r)
{
	return r == 1 ? 0 : r == -1 ? 1 : 2;
}

static int cmp_listener(const void *pa, const void *pb)
{
	const struct rm_listener *a = pa, *b = pb;

	if (reach_rank(a->reachable) != reach_rank(b->reachable))
		return reach_rank(a->reachable) - reach_rank(b->reachable);
	return cmp_time(a->first, b->first);
}

static enum rm_category file_category(const struct rm_file *f)
{
	return f->credentials			       ? RM_CREDENTIALS :
	       f->documents			       ? RM_DOCUMENTS :
	       is_model_path(f->path, strlen(f->path)) ? RM_MODEL :
	       f->own				       ? RM_TOOL :
							 RM_OTHER;
}

static int cmp_file(const void *pa, const void *pb)
{
	const struct rm_file *a = pa, *b = pb;
	enum rm_category ca = file_category(a), cb = file_category(b);

	if (a->flagged != b->flagged)
		return a->flagged ? -1 : 1;
	if (ca != cb)
		return ca < cb ? -1 : 1;
	return strcmp(a->path, b->path);
}

static int cmp_process(const void *pa, const void *pb)
{
	const struct rm_process *a = pa, *b = pb;

	if (a->started != b->started)
		return cmp_time(a->started, b->started);
	return a->pid < b->pid ? -1 : a->pid > b->pid;
}

static int cmp_alert(const void *pa, const void *pb)
{
	const struct rm_alert *a = pa, *b = pb;

	if (a->severity != b->severity)
		return a->severity > b->severity ? -1 : 1;
	return cmp_time(a->first, b->first);
}

static cJSON *endpoints_json(struct report_model *m, bool *ok)
{
	cJSON *arr = cJSON_CreateArray();

	if (m->n_endpoints > 1) /* qsort(NULL, 0) is undefined */
		qsort(m->endpoints, m->n_endpoints, sizeof(*m->endpoints), cmp_endpoint);
	for (size_t i = 0; arr && i < m->n_endpoints; i++) {
		const struct rm_endpoint *e = &m->endpoints[i];
		cJSON *o = cJSON_CreateObject();

		if (!o || !cJSON_AddItemToArray(arr, o)) {
			cJSON_Delete(o);
			*ok = false;
			break;
		}
		add(o, "address", cJSON_CreateString(e->address), ok);
		add(o, "port", cJSON_CreateNumber(e->port), ok);
		add(o, "protocol", cJSON_CreateString(e->protocol), ok);
		add(o, "host", str_or_null(e->host), ok);
		add(o, "host_source", str_or_null(e->host_source), ok);
		add(o, "classification", cJSON_CreateString(class_names[endpoint_class(e)]), ok);
		add(o, "connections", cJSON_CreateNumber((double)e->connections), ok);
		add(o, "failed", cJSON_CreateNumber((double)e->failed), ok);
		add(o, "bytes_sent", cJSON_CreateNumber((double)e->bytes_sent), ok);
		add(o, "datagrams", cJSON_CreateNumber((double)e->datagrams), ok);
		add(o, "first", report_time_json(e->first), ok);
		add(o, "last", report_time_json(e->last), ok);
		add_refs(o, &e->refs, ok);
	}
	return arr;
}

static cJSON *listeners_json(struct report_model *m, bool *ok)
{
	cJSON *arr = cJSON_CreateArray();

	if (m->n_listeners > 1) /* qsort(NULL, 0) is undefined */
		qsort(m->listeners, m->n_listeners, sizeof(*m->listeners), cmp_listener);
	for (size_t i = 0; arr && i < m->n_listeners; i++) {
		const struct rm_listener *l = &m->listeners[i];
		cJSON *o = cJSON_CreateObject();

		if (!o || !cJSON_AddItemToArray(arr, o)) {
			cJSON_Delete(o);
			*ok = false;
			break;
		}
		add(o, "address", cJSON_CreateString(l->address), ok);
		add(o, "port", cJSON_CreateNumber(l->port), ok);
		add(o, "protocol", cJSON_CreateString(l->protocol), ok);
		add(o, "reachable",
		    l->reachable < 0 ? cJSON_CreateNull() : cJSON_CreateBool(l->reachable), ok);
		add(o, "netns", str_or_null(l->netns), ok);
		add(o, "listened", cJSON_CreateBool(l->listened), ok);
		add(o, "first", report_time_json(l->first), ok);
		add(o, "pid", cJSON_CreateNumber(l->pid), ok);
		add(o, "comm", str_or_null(l->comm), ok);
		add(o, "tool", str_or_null(l->tool), ok);
		add_refs(o, &l->refs, ok);
		/* a listener is one process's: its "processes" would only repeat pid and comm */
		cJSON_DeleteItemFromObject(o, "processes");
	}
	return arr;
}

static cJSON *files_json(struct report_model *m, bool *ok)
{
	cJSON *arr = cJSON_CreateArray();

	if (m->n_files > 1) /* qsort(NULL, 0) is undefined */
		qsort(m->files, m->n_files, sizeof(*m->files), cmp_file);
	for (size_t i = 0; arr && i < m->n_files; i++) {
		const struct rm_file *f = &m->files[i];
		cJSON *o = cJSON_CreateObject();

		if (!o || !cJSON_AddItemToArray(arr, o)) {
			cJSON_Delete(o);
			*ok = false;
			break;
		}
		add(o, "path", cJSON_CreateString(f->path), ok);
		add(o, "category", cJSON_CreateString(category_names[file_category(f)]), ok);
		add(o, "flagged", cJSON_CreateBool(f->flagged), ok);
		add(o, "opens", cJSON_CreateNumber((double)f->opens), ok);
		add(o, "failed", cJSON_CreateNumber((double)f->failed), ok);
		add(o, "write", cJSON_CreateBool(f->write), ok);
		add(o, "first", report_time_json(f->first), ok);
		add(o, "last", report_time_json(f->last), ok);
		add_refs(o, &f->refs, ok);
	}
	/* the index's positions are stale once sorted; nothing looks a file up after this */
	return arr;
}

static cJSON *processes_json(struct report_model *m, bool *ok)
{
	cJSON *arr = cJSON_CreateArray();

	join_hashes(m);
	if (m->n_procs > 1) /* qsort(NULL, 0) is undefined */
		qsort(m->procs, m->n_procs, sizeof(*m->procs), cmp_process);
	for (size_t i = 0; arr && i < m->n_procs; i++) {
		const struct rm_process *p = &m->procs[i];
		cJSON *o = cJSON_CreateObject();

		if (!o || !cJSON_AddItemToArray(arr, o)) {
			cJSON_Delete(o);
			*ok = false;
			break;
		}
		add(o, "pid", cJSON_CreateNumber(p->pid), ok);
		add(o, "ppid", cJSON_CreateNumber(p->ppid), ok);
		add(o, "comm", str_or_null(p->comm), ok);
		add(o, "exe", str_or_null(p->exe), ok);
		add(o, "sha256", str_or_null(p->sha256), ok);
		add(o, "sha256_of",
		    !p->sha256	      ? cJSON_CreateNull() :
		    p->sha256_by_path ? cJSON_CreateString("path") :
					cJSON_CreateString("exec"),
		    ok);
		add(o, "argv", str_or_null(p->argv), ok);
		add(o, "tool", str_or_null(p->tool), ok);
		add(o, "root", cJSON_CreateNumber(p->root), ok);
		add(o, "started", report_time_json(p->started), ok);
		add(o, "exited", p->exited ? report_time_json(p->exited_at) : cJSON_CreateNull(),
		    ok);
		add(o, "exit_code",
		    p->exited ? cJSON_CreateNumber(p->exit_code) : cJSON_CreateNull(), ok);
	}
	return arr;
}

static cJSON *alerts_json(struct report_model *m, bool *ok, unsigned by_sev[5])
{
	cJSON *arr = cJSON_CreateArray();

	if (m->n_alerts > 1) /* qsort(NULL, 0) is undefined */
		qsort(m->alerts, m->n_alerts, sizeof(*m->alerts), cmp_alert);
	for (size_t i = 0; arr && i < m->n_alerts; i++) {
		const struct rm_alert *a = &m->alerts[i];
		cJSON *o = cJSON_CreateObject(), *tags = cJSON_CreateArray();

		if (!o || !cJSON_AddItemToArray(arr, o)) {
			cJSON_Delete(o);
			cJSON_Delete(tags);
			*ok = false;
			break;
		}
		if (a->severity <= RULES_SEV_CRITICAL)
			by_sev[a->severity]++;
		for (size_t k = 0; tags && k < a->n_tags; k++)
			if (!cJSON_AddItemToArray(tags, cJSON_CreateString(a->tags[k])))
				*ok = false;
		add(o, "rule", cJSON_CreateString(a->rule), ok);
		add(o, "severity", cJSON_CreateString(rules_severity_name(a->severity)), ok);
		add(o, "tags", tags, ok);
		add(o, "message", str_or_null(a->message), ok);
		add(o, "pid", cJSON_CreateNumber(a->pid), ok);
		add(o, "comm", str_or_null(a->comm), ok);
		add(o, "tool", str_or_null(a->tool), ok);
		add(o, "count", cJSON_CreateNumber((double)a->count), ok);
		add(o, "first", report_time_json(a->first), ok);
		add(o, "last", report_time_json(a->last), ok);
	}
	return arr;
}

int report_model_write(struct report_model *m, cJSON *doc)
{
	static const char *const sev[] = { "critical", "high", "medium", "low", "info" };
	static const enum rules_severity sev_val[] = { RULES_SEV_CRITICAL, RULES_SEV_HIGH,
						       RULES_SEV_MEDIUM, RULES_SEV_LOW,
						       RULES_SEV_INFO };
	unsigned by_sev[5] = { 0 };
	cJSON *summary = cJSON_CreateObject(), *bs = cJSON_CreateObject();
	cJSON *endpoints, *listeners, *files, *procs, *alerts;
	bool ok = !m->oom;

	endpoints = endpoints_json(m, &ok);
	listeners = listeners_json(m, &ok);
	files = files_json(m, &ok);
	procs = processes_json(m, &ok);
	alerts = alerts_json(m, &ok, by_sev);
	if (summary) {
		add(summary, "processes", cJSON_CreateNumber((double)m->n_procs), &ok);
		add(summary, "endpoints", cJSON_CreateNumber((double)m->n_endpoints), &ok);
		add(summary, "listeners", cJSON_CreateNumber((double)m->n_listeners), &ok);
		add(summary, "file_reads", cJSON_CreateNumber((double)m->n_files), &ok);
		add(summary, "alerts", cJSON_CreateNumber((double)m->n_alerts), &ok);
		for (size_t i = 0; bs && i < 5; i++)
			add(bs, sev[i], cJSON_CreateNumber(by_sev[sev_val[i]]), &ok);
		add(summary, "alerts_by_severity", bs, &ok);
		bs = NULL;
	}
	cJSON_Delete(bs);
	add(doc, "summary", summary, &ok);
	add(doc, "endpoints", endpoints, &ok);
	add(doc, "listeners", listeners, &ok);
	add(doc, "files", files, &ok);
	add(doc, "processes", procs, &ok);
	add(doc, "alerts", alerts, &ok);
	return ok ? 0 : -ENOMEM;
}

/* ---- the read-only view ---------------------------------------------------------------- */

void report_model_counts(const struct report_model *m, struct report_model_counts *out)
{
	out->endpoints = m->n_endpoints;
	out->listeners = m->n_listeners;
	out->files = m->n_files;
	out->processes = m->n_procs;
	out->alerts = m->n_alerts;
}

int report_model_endpoint(const struct report_model *m, size_t i, struct report_endpoint_view *out)
{
	const struct rm_endpoint *e;

	if (i >= m->n_endpoints)
		return -ERANGE;
	e = &m->endpoints[i];
	*out = (struct report_endpoint_view){
		.address = e->address,
		.port = e->port,
		.protocol = e->protocol,
		.host = e->host,
		.host_source = e->host_source,
		.classification = class_names[endpoint_class(e)],
		.connections = e->connections,
		.failed = e->failed,
		.bytes_sent = e->bytes_sent,
		.first = e->first,
		.last = e->last,
		.pid = e->refs.n_procs ? e->refs.procs[0].pid : 0,
		.comm = e->refs.n_procs ? e->refs.procs[0].comm : NULL,
		.n_procs = e->refs.n_procs,
	};
	return 0;
}

int report_model_listener(const struct report_model *m, size_t i, struct report_listener_view *out)
{
	const struct rm_listener *l;

	if (i >= m->n_listeners)
		return -ERANGE;
	l = &m->listeners[i];
	*out = (struct report_listener_view){
		.address = l->address,
		.port = l->port,
		.protocol = l->protocol,
		.reachable = l->reachable,
		.netns = l->netns,
		.listened = l->listened,
		.first = l->first,
		.pid = l->pid,
		.comm = l->comm,
		.tool = l->tool,
	};
	return 0;
}

int report_model_file(const struct report_model *m, size_t i, struct report_file_view *out)
{
	const struct rm_file *f;

	if (i >= m->n_files)
		return -ERANGE;
	f = &m->files[i];
	*out = (struct report_file_view){
		.path = f->path,
		.category = category_names[file_category(f)],
		.flagged = f->flagged,
		.write = f->write,
		.opens = f->opens,
		.failed = f->failed,
		.first = f->first,
		.last = f->last,
		.pid = f->refs.n_procs ? f->refs.procs[0].pid : 0,
		.comm = f->refs.n_procs ? f->refs.procs[0].comm : NULL,
		.n_procs = f->refs.n_procs,
		.rule = f->refs.n_rules ? f->refs.rules[0] : NULL,
	};
	return 0;
}

static void process_view(const struct rm_process *p, struct report_process_view *out)
{
	*out = (struct report_process_view){
		.pid = p->pid,
		.ppid = p->ppid,
		.root = p->root,
		.comm = p->comm,
		.exe = p->exe,
		.tool = p->tool,
		.argv = p->argv,
		.started = p->started,
		.exited = p->exited,
		.exited_at = p->exited_at,
		.exit_code = p->exit_code,
	};
}

int report_model_process(const struct report_model *m, size_t i, struct report_process_view *out)
{
	if (i >= m->n_procs)
		return -ERANGE;
	process_view(&m->procs[i], out);
	return 0;
}

int report_model_process_find(const struct report_model *m, uint32_t pid,
			      struct report_process_view *out)
{
	char key[16];
	size_t ix;

	snprintf(key, sizeof(key), "%u", pid);
	ix = rm_get(&m->process_ix, key);
	if (ix == SIZE_MAX || ix >= m->n_procs)
		return -ENOENT;
	process_view(&m->procs[ix], out);
	return 0;
}

int report_model_alert(const struct report_model *m, size_t i, struct report_alert_view *out)
{
	const struct rm_alert *a;

	if (i >= m->n_alerts)
		return -ERANGE;
	a = &m->alerts[i];
	*out = (struct report_alert_view){
		.rule = a->rule,
		.severity = a->severity,
		.message = a->message,
		.pid = a->pid,
		.comm = a->comm,
		.tool = a->tool,
		.count = a->count,
		.first = a->first,
		.last = a->last,
	};
	return 0;
}
