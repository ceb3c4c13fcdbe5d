// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The monitor's record path: decode, attribute, confirm, match, write (see monitor.h). */
#include "monitor/monitor.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/cmdlinescan.h"
#include "core/event.h"
#include "core/procfacts.h"
#include "monitor/alert_fold.h"
#include "monitor/facts_store.h"
#include "names/dns_cache.h"
#include "names/naming.h"
#include "core/procscan.h"
#include "rules/rules_output.h"
#include "core/runtimescan.h"
#include "util/timefmt.h"

#define PROCTABLE_MAX 65536
/* Keep an exited process's entry this long: its last connections may still report bytes. */
#define EXITED_GRACE_NS (5ull * 1000000000ull)

/*
 * A TCP connect is written once its far end has a name, or is known to have none: the
 * name often comes from the stream's first bytes (TLS server name, HTTP Host), which the
 * kernel captures just after the connect. Held at most this long, in arrival order.
 */
#define PENDING_MAX 1024
#define PENDING_WAIT_NS (2ull * 1000000000ull)

/* Restored facts (a replay) waiting for their process: a few seconds of a busy capture's. */
#define FACTS_STORE_MAX 16384

/* Restored connection names (a replay) waiting for the time the live run decided them. */
#define RESTORED_NAMES_MAX 4096

struct restored_name {
	struct conn_name_fact f;
	char host[HOSTNAME_BUF];
};

struct restored_names {
	struct restored_name q[RESTORED_NAMES_MAX];
	size_t head, count;
};

struct pending_connect {
	uint64_t cookie;
	uint64_t deadline_ns;
	struct lw_rec_sock rec; /* a copy: the ring-buffer memory is gone by then */
	size_t len;
};

struct monitor_pending {
	struct pending_connect q[PENDING_MAX];
	size_t head, count;
};

int monitor_init(struct monitor *m)
{
	memset(m, 0, sizeof(*m));
	m->proc_root = "/proc";
	m->naming = naming_new();
	m->pending = calloc(1, sizeof(*m->pending));
	if (!m->naming || !m->pending || proctable_init(&m->procs, PROCTABLE_MAX)) {
		monitor_free(m);
		return -ENOMEM;
	}
	return 0;
}

void monitor_free(struct monitor *m)
{
	alert_fold_free(m->fold);
	m->fold = NULL;
	naming_free(m->naming);
	free(m->pending);
	free(m->rt_seen);
	free(m->cl_seen);
	facts_store_free(m->restored);
	m->restored = NULL;
	free(m->restored_names);
	m->restored_names = NULL;
	evcount_free(&m->counts);
	m->rt_seen = NULL;
	m->cl_seen = NULL;
	m->naming = NULL;
	m->pending = NULL;
	if (m->procs.buckets)
		proctable_free(&m->procs);
}

/*
 * What a replay restored about e (monitor_restore_facts): the facts the live run read for
 * this process, or NULL (always NULL in a live run). Looked up by pid and start time.
 */
static const struct proc_facts *restored(struct monitor *m, struct proc_entry *e)
{
	return m->restored ? facts_store_find(m->restored, e->pid, e->start_ns) : NULL;
}

static void read_exe(const struct monitor *m, uint32_t pid, char *buf, size_t size)
{
	char path[PATH_MAX]; /* proc_root is any directory in tests and replays */
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%u/exe", m->proc_root, pid);
	n = readlink(path, buf, size - 1);
	buf[n > 0 ? n : 0] = '\0';
}

/*
 * The sink for a rejected tree's connections when they are flushed: the tool was not the
 * one watched, so what they carried is discarded, not reported.
 */
static void drop_record(void *m, const void *rec, size_t len)
{
	(void)m, (void)rec, (void)len;
}

/*
 * What the kernel keeps of a rejected process: its connections and datagram flows,
 * flushed and discarded, then the marks on the datagram sockets it made, so that nothing
 * more of theirs is counted (and an exec into a tool that keeps them starts them afresh).
 */
static void forget_rejected(struct monitor *m, uint32_t pid)
{
	if (m->kops->flush_conns)
		m->kops->flush_conns(m->kctx, pid, LW_CLOSE_EXIT, drop_record, m);
	if (m->kops->forget_sockets)
		m->kops->forget_sockets(m->kctx, pid);
}

struct reject_ctx {
	struct monitor *m;
	uint32_t root;
	uint64_t since;
};

static int reject_descendant(struct proc_entry *e, void *arg)
{
	struct reject_ctx *c = arg;

	/*
	 * Only what started after the candidate's exec: an entry naming root_pid that is older
	 * belongs to an earlier process that had this pid (its tree may still be running).
	 */
	if (e->root_pid == c->root && e->pid != c->root && e->state != PROC_REJECTED &&
	    e->start_ns >= c->since) {
		e->state = PROC_REJECTED;
		c->m->kops->untrack(c->m->kctx, e->pid);
		forget_rejected(c->m, e->pid);
	}
	return 0;
}

static unsigned int confirm_candidate(struct monitor *m, struct proc_entry *e,
				      const char *filename);

/*
 * A candidate may exec again after its executable was read for its decision and before
 * its untrack: the kernel still tracked it, so that exec's record is no candidate's, and
 * the program it runs would go unwatched with it. So the executable is read again after
 * the untrack, and a new one decided now, as a candidate of its own (its exec record, when
 * read, finds it decided). Returns whether it is a tool, tracked again.
 */
static bool confirm_reexec(struct monitor *m, struct proc_entry *e)
{
	char exe[PATH_MAX];
	unsigned int id;

	if (restored(m, e))
		return false; /* a replay: its facts are the capture's, not this machine's */
	read_exe(m, e->pid, exe, sizeof(exe));
	if (!exe[0] || !strcmp(exe, e->exe) || proctable_set_exe(e, exe))
		return false;
	proctable_clear_info(e);
	id = confirm_candidate(m, e, exe);
	if (!id || m->kops->track(m->kctx, e->pid, (uint16_t)id, LW_MATCH_NAME, e->pid))
		return false;
	e->tool = id;
	e->state = PROC_CONFIRMED;
	e->exited = false;
	e->exit_ns = 0;
	return true;
}

/*
 * Untracks a rejected candidate and every process of its tree seen so far: it may have
 * forked before user space read its exec record. Children forked after this are not
 * tracked by the kernel, since their parent no longer is. If it has exec'd again meanwhile,
 * the program it runs now is decided on its own (confirm_reexec).
 */
static void reject_tree(struct monitor *m, struct proc_entry *root)
{
	struct reject_ctx rc = { m, root->pid, root->start_ns };

	root->state = PROC_REJECTED;
	m->stats.rejected_procs++;
	m->kops->untrack(m->kctx, root->pid);
	proctable_foreach(&m->procs, reject_descendant, &rc);
	/*
	 * The kernel sends nothing more about it, not even its exit: let the entry be reaped
	 * after the grace period, and forget its connections so no late close revives it.
	 */
	root->exited = true;
	root->exit_ns = root->start_ns;
	forget_rejected(m, root->pid);
	confirm_reexec(m, root);
}

/*
 * Which tool pid, named comm, is by its command line (core/cmdlinescan.h), read into buf
 * (CMDLINESCAN_BYTES) only when comm is one of a profile's interpreters. Returns its id, or
 * 0; *read says whether the command line was read.
 */
static unsigned int tool_by_cmdline(struct monitor *m, uint32_t pid, const char *comm, char *buf,
				    bool *read)
{
	unsigned int id = cmdlinescan_match(&m->profiles, m->proc_root, pid, comm, buf,
					    CMDLINESCAN_BYTES, read);

	if (*read)
		m->rt.cmdlines++;
	if (id)
		m->rt.by_cmdline++;
	return id;
}

/* The cache of command lines that named no tool, allocated on first use; NULL: no memory. */
static struct cmdlinescan_cache *cmdline_cache(struct monitor *m)
{
	if (!m->cl_seen)
		m->cl_seen = calloc(1, sizeof(*m->cl_seen));
	return m->cl_seen;
}

/*
 * Decides whether a process the kernel tracked by its name is the tool: its executable (or
 * the script it ran) must match a profile's paths; a --watch entry has no paths and is
 * taken by name; a process named like an interpreter (the `vllm` console script runs
 * under python) may be named by its command line, which becomes its evidence. Returns the
 * confirmed tool id, or 0 to reject.
 */
static unsigned int confirm_candidate(struct monitor *m, struct proc_entry *e, const char *filename)
{
	const struct profile *p = profiles_get(&m->profiles, e->tool);
	const struct proc_facts *f = restored(m, e);
	unsigned int id;
	char parent_exe[PATH_MAX], cmdline[CMDLINESCAN_BYTES];
	bool read;

	if (!p)
		return 0;
	e->why = PROC_WHY_NAME;
	if (!p->exe_globs || !p->exe_globs[0])
		return e->tool;
	e->why = PROC_WHY_EXE;
	id = profiles_match_exe(&m->profiles, e->exe);
	if (!id && filename && filename[0] == '/') {
		e->why = PROC_WHY_EXEC_PATH;
		id = profiles_match_exe(&m->profiles, filename);
	}
	if (id)
		return id;
	/* a helper started by the tool itself (its parent is the tool's executable) */
	e->why = PROC_WHY_PARENT;
	if (f)
		snprintf(parent_exe, sizeof(parent_exe), "%s", f->parent_exe);
	else
		read_exe(m, e->ppid, parent_exe, sizeof(parent_exe));
	if (parent_exe[0] && profiles_match_exe(&m->profiles, parent_exe) == e->tool)
		return e->tool;
	e->why = PROC_WHY_CMDLINE;
	if (f) {
		/* what the live run read, matched by today's profiles */
		read = profiles_is_interpreter(&m->profiles, e->comm);
		snprintf(cmdline, sizeof(cmdline), "%s", read ? f->cmdline : "");
		id = read && cmdline[0] ? profiles_match_cmdline(&m->profiles, e->comm, cmdline) :
					  0;
		m->rt.cmdlines += read;
		m->rt.by_cmdline += id != 0;
	} else {
		id = tool_by_cmdline(m, e->pid, e->comm, cmdline, &read);
	}
	if (id)
		proctable_set_evidence(e, cmdline);
	return id;
}

static struct proc_entry *entry_for(struct monitor *m, const struct lw_event *ev)
{
	struct proc_entry *e = proctable_get(&m->procs, ev->pid);
	const struct proc_facts *f;
	struct procscan_entry ps;

	if (e)
		return e;
	/*
	 * Tracked by the kernel, unknown here: its fork record was lost or it was tracked
	 * by the /proc scan race. The kernel's tracking is the authority; learn the rest now.
	 */
	e = proctable_upsert(&m->procs, ev->pid);
	if (!e) {
		m->stats.proc_full++;
		return NULL;
	}
	e->tool = ev->tool_id;
	e->state = PROC_CONFIRMED;
	e->origin = LW_MATCH_INHERITED;
	e->why = PROC_WHY_INHERITED;
	e->root_pid = ev->pid;
	e->uid = ev->uid;
	memcpy(e->comm, ev->comm, sizeof(e->comm));
	f = restored(m, e);
	if (f) {
		e->ppid = f->ppid;
		e->start_ns = f->start_ns;
		proctable_set_exe(e, f->exe);
	} else if (procscan_read(m->proc_root, ev->pid, &ps) == 0) {
		e->ppid = ps.ppid;
		e->start_ns = ps.start_ns;
		proctable_set_exe(e, ps.exe);
	}
	return e;
}

/*
 * A watched process is running pid's program: the cgroup programs must see its cgroup
 * (with --cgroups watched). A process gone already needs nothing; any other failure means
 * its sockets are seen by the syscall tracepoints alone, and is counted.
 */
static void watch_cgroup(struct monitor *m, uint32_t pid)
{
	int err;

	if (!m->kops->watch_cgroup)
		return;
	err = m->kops->watch_cgroup(m->kctx, pid);
	if (err && err != -ESRCH)
		m->stats.cgroup_unattached++;
}

/* Marks what pid holds that no hook marked, where the kernel says there may be some. */
static void adopt_sockets(struct monitor *m, uint32_t pid)
{
	if (m->kops->adopt_sockets)
		m->kops->adopt_sockets(m->kctx, pid);
}

/* Process-lifecycle bookkeeping. Returns false when the record must not be shown. */
static bool track_lifecycle(struct monitor *m, struct lw_event *ev, struct proc_entry **out)
{
	struct proc_entry *e, *parent;
	const struct proc_facts *f;
	char exe[PATH_MAX];

	switch (ev->type) {
	case LW_REC_EXEC:
		e = proctable_upsert(&m->procs, ev->pid);
		if (!e) {
			m->stats.proc_full++;
			return true; /* still show it, unattributed */
		}
		parent = proctable_get(&m->procs, ev->ppid);
		e->ppid = ev->ppid;
		e->uid = ev->uid;
		/* a candidate starts now (below); the facts a replay restored go by start time */
		e->start_ns = (ev->flags & LW_F_CANDIDATE) || !e->start_ns ? ev->ts_boot_ns :
									     e->start_ns;
		memcpy(e->comm, ev->comm, sizeof(e->comm));
		proctable_clear_info(e); /* a new program: read again on its first event */
		f = restored(m, e);
		if (f)
			snprintf(exe, sizeof(exe), "%s", f->exe);
		else
			read_exe(m, ev->pid, exe, sizeof(exe));
		/* the process may be gone already; the exec'd name is the best left */
		proctable_set_exe(e, exe[0] ? exe : ev->filename);
		if (ev->flags & LW_F_CANDIDATE) {
			unsigned int id;

			/*
			 * The kernel tracked no process with this pid, so an entry here is a
			 * dead one's whose pid was reused: this process starts now.
			 */
			e->start_ns = ev->ts_boot_ns;
			e->exited = false;
			e->exit_code = 0;
			e->exit_ns = 0;
			e->tool = ev->tool_id;
			e->origin = LW_MATCH_NAME;
			e->root_pid = ev->pid;
			e->state = PROC_CANDIDATE;
			id = confirm_candidate(m, e, ev->filename);
			if (!id) {
				reject_tree(m, e);
				return false;
			}
			if (id != e->tool) {
				e->tool = id;
				m->kops->retool(m->kctx, ev->pid, id);
			}
			e->state = PROC_CONFIRMED;
		} else if (e->state != PROC_REJECTED) {
			if (!e->tool)
				e->tool = ev->tool_id;
			if (!e->why)
				e->why = PROC_WHY_INHERITED;
			if (!e->root_pid)
				e->root_pid = parent ? parent->root_pid : ev->pid;
			e->state = PROC_CONFIRMED;
		}
		*out = e;
		if (e->state == PROC_CONFIRMED) {
			watch_cgroup(m, ev->pid);
			adopt_sockets(m, ev->pid);
		}
		return e->state == PROC_CONFIRMED;
	case LW_REC_FORK:
		parent = proctable_get(&m->procs, ev->ppid);
		e = proctable_upsert(&m->procs, ev->pid);
		if (!e) {
			m->stats.proc_full++;
			return true;
		}
		e->ppid = ev->ppid;
		e->uid = ev->uid;
		e->start_ns = ev->ts_boot_ns;
		e->exited = false;
		e->origin = LW_MATCH_INHERITED;
		e->why = PROC_WHY_INHERITED;
		memcpy(e->comm, ev->comm, sizeof(e->comm));
		proctable_clear_info(e);
		if (parent) {
			e->tool = parent->tool;
			e->root_pid = parent->root_pid;
			e->state = parent->state;
			proctable_set_exe(e, parent->exe);
			if (parent->state == PROC_REJECTED)
				m->kops->untrack(m->kctx, ev->pid);
		} else {
			e->tool = ev->tool_id;
			e->root_pid = ev->ppid;
			e->state = PROC_CONFIRMED;
		}
		if (e->state == PROC_CONFIRMED)
			adopt_sockets(m, ev->pid);
		*out = e;
		return e->state == PROC_CONFIRMED;
	case LW_REC_EXIT:
		e = proctable_get(&m->procs, ev->pid);
		if (!e)
			e = entry_for(m, ev);
		if (!e)
			return true;
		e->exited = true;
		e->exit_code = ev->exit_code;
		e->exit_ns = ev->ts_boot_ns;
		*out = e;
		return e->state == PROC_CONFIRMED;
	}
	e = entry_for(m, ev);
	*out = e;
	return !e || e->state == PROC_CONFIRMED;
}

/* flush_conns' emit callback: its records go through the record path like any other. */
static void emit_flushed(void *arg, const void *rec, size_t len)
{
	monitor_handle_record(arg, rec, len);
}

int monitor_flush_conns(struct monitor *m, uint32_t pid, uint32_t reason)
{
	if (!m->kops || !m->kops->flush_conns)
		return 0;
	return m->kops->flush_conns(m->kctx, pid, reason, emit_flushed, m);
}

static bool has_remote(const struct lw_event *ev)
{
	return ev->type == LW_REC_CONNECT || ev->type == LW_REC_SEND ||
	       ev->type == LW_REC_CONN_BYTES;
}

/* ---- what the rules may ask about a process ------------------------------------------- */

enum monitor_netns_source monitor_read_host_netns(struct monitor *m)
{
	uint64_t ino;

	if (procscan_read_netns(m->proc_root, 1, &ino) == 0)
		m->host_netns_source = MONITOR_NETNS_PID1;
	else if (procscan_read_netns(m->proc_root, 0, &ino) == 0)
		m->host_netns_source = MONITOR_NETNS_SELF;
	else
		m->host_netns_source = MONITOR_NETNS_NONE;
	m->host_netns = m->host_netns_source == MONITOR_NETNS_NONE ? 0 : ino;
	return m->host_netns_source;
}

/* Hands what was learned about e to the facts tap (--capture): a replay reads no /proc. */
static void tap_facts(struct monitor *m, const struct proc_entry *e, uint64_t now_ns)
{
	struct proc_facts f = {
		.pid = e->pid,
		.ppid = e->ppid,
		.root_pid = e->root_pid,
		.uid = e->uid,
		.start_ns = e->start_ns,
		.ts_ns = now_ns,
		.tool = e->tool,
		.origin = e->origin,
		.why = e->why,
		.cmdline_state = e->cmdline_state,
		.netns_ino = e->netns_ino,
		.exe = e->exe ? e->exe : "",
		.cmdline = e->cmdline ? e->cmdline : "",
		.parent_exe = e->parent_exe ? e->parent_exe : "",
		.evidence = e->evidence ? e->evidence : "",
	};

	if (m->host_netns_source == MONITOR_NETNS_UNREAD)
		monitor_read_host_netns(m);
	f.host_netns_ino = m->host_netns;
	memcpy(f.comm, e->comm, sizeof(f.comm));
	memcpy(f.parent_comm, e->parent_comm, sizeof(f.parent_comm));
	m->facts_tap(m->facts_ctx, &f);
}

/* A replay: what the live run read about e, from the capture's facts. */
static void restore_proc_info(struct monitor *m, struct proc_entry *e, const struct proc_facts *f)
{
	enum proc_cmdline_state cs = f->cmdline_state;

	if (cs != PROC_CMDLINE_FULL && cs != PROC_CMDLINE_CUT)
		cs = PROC_CMDLINE_UNREADABLE;
	if (cs == PROC_CMDLINE_UNREADABLE || proctable_set_cmdline(e, f->cmdline, cs)) {
		proctable_set_cmdline(e, NULL, PROC_CMDLINE_UNREADABLE);
		m->stats.cmdline_unreadable++;
	} else if (cs == PROC_CMDLINE_CUT) {
		m->stats.cmdline_cut++;
	}
	e->netns_ino = f->netns_ino;
	if (f->host_netns_ino && m->host_netns_source != MONITOR_NETNS_PID1) {
		m->host_netns = f->host_netns_ino;
		m->host_netns_source = MONITOR_NETNS_CAPTURE;
	}
	proctable_set_parent_exe(e, f->parent_exe[0] ? f->parent_exe : NULL);
	memcpy(e->parent_comm, f->parent_comm, sizeof(e->parent_comm));
	/* found by a scan (its evidence was set then, not in the records): said again */
	if (!e->evidence && f->evidence[0])
		proctable_set_evidence(e, f->evidence);
	if (!e->start_ns)
		e->start_ns = f->start_ns;
	facts_store_take(m->restored, f);
}

/*
 * Reads, once per program, what rules may ask about a watched process and the table does
 * not hold yet: its command line, its network namespace and its parent. Only watched
 * processes get here, so nothing else pays for it. A replay takes it from the capture.
 */
static void read_proc_info(struct monitor *m, struct proc_entry *e, uint64_t now_ns)
{
	char buf[PROC_CMDLINE_MAX];
	const struct proc_entry *parent;
	const struct proc_facts *f;
	struct procscan_stat st;
	uint64_t ino;
	int cut, n;

	e->info_ready = true;
	/* after its exit the pid may be another process's: what is not known stays unknown */
	if (e->exited) {
		proctable_set_cmdline(e, NULL, PROC_CMDLINE_UNREADABLE);
		m->stats.cmdline_unreadable++;
		return;
	}
	f = restored(m, e);
	if (f) {
		restore_proc_info(m, e, f);
		return;
	}
	n = procscan_read_cmdline(m->proc_root, e->pid, buf, sizeof(buf), &cut);
	/* empty: a zombie (or an exec with no arguments), nothing a rule could recognise */
	if (n <= 0 || proctable_set_cmdline(e, buf, cut ? PROC_CMDLINE_CUT : PROC_CMDLINE_FULL)) {
		proctable_set_cmdline(e, NULL, PROC_CMDLINE_UNREADABLE);
		m->stats.cmdline_unreadable++;
	} else if (cut) {
		m->stats.cmdline_cut++;
	}
	if (procscan_read_netns(m->proc_root, e->pid, &ino) == 0)
		e->netns_ino = ino;
	if (e->ppid) {
		parent = proctable_get(&m->procs, e->ppid);
		if (parent && parent != e) {
			proctable_set_parent_exe(e, parent->exe);
			memcpy(e->parent_comm, parent->comm, sizeof(e->parent_comm));
		} else if (procscan_read_stat(m->proc_root, e->ppid, &st) == 0) {
			read_exe(m, e->ppid, buf, sizeof(buf));
			proctable_set_parent_exe(e, buf);
			memcpy(e->parent_comm, st.comm, sizeof(st.comm));
		}
	}
	if (m->facts_tap)
		tap_facts(m, e, now_ns);
}

static uint8_t argv_state(const struct proc_entry *e)
{
	if (!e || !e->cmdline)
		return EVENT_ARGV_UNKNOWN;
	return e->cmdline_state == PROC_CMDLINE_FULL ? EVENT_ARGV_FULL :
	       e->cmdline_state == PROC_CMDLINE_CUT  ? EVENT_ARGV_CUT :
						       EVENT_ARGV_UNKNOWN;
}

/* Fills the event's process context from the table, reading /proc on first need. */
static void fill_proc_info(struct monitor *m, struct lw_event *ev, struct proc_entry *e)
{
	struct proc_entry *root;

	if (!e->info_ready)
		read_proc_info(m, e, ev->ts_boot_ns);
	root = e->root_pid == e->pid ? e : proctable_get(&m->procs, e->root_pid);
	if (root && !root->info_ready)
		read_proc_info(m, root, ev->ts_boot_ns);
	ev->parent_exe = e->parent_exe ? e->parent_exe : "";
	ev->parent_comm = e->parent_comm;
	ev->argv_state = argv_state(e);
	ev->argv = ev->argv_state != EVENT_ARGV_UNKNOWN ? e->cmdline : NULL;
	ev->root_argv_state = argv_state(root);
	ev->root_argv = ev->root_argv_state != EVENT_ARGV_UNKNOWN ? root->cmdline : NULL;
	if (m->host_netns_source == MONITOR_NETNS_UNREAD)
		monitor_read_host_netns(m);
	ev->netns = !e->netns_ino || !m->host_netns ? EVENT_NETNS_UNKNOWN :
		    e->netns_ino == m->host_netns   ? EVENT_NETNS_HOST :
						      EVENT_NETNS_OTHER;
}

static void write_out(void *arg, const struct lw_event *ev, const struct rules_verdict *v,
		      size_t nv)
{
	struct monitor *m = arg;

	if (m->sink && m->sink->ops->event(m->sink, ev, v, nv))
		m->stats.output_errors++;
}

int monitor_set_fold(struct monitor *m, uint64_t window_ns)
{
	struct alert_fold *f = NULL;

	if (window_ns && !(f = alert_fold_new(window_ns, ALERT_FOLD_MAX, write_out, m)))
		return -ENOMEM;
	monitor_flush_alerts(m);
	alert_fold_free(m->fold);
	m->fold = f;
	return 0;
}

void monitor_flush_alerts(struct monitor *m)
{
	alert_fold_flush(m->fold);
}

/* Attribution, naming, rules and output of an event whose process is known to be watched. */
static void write_event(struct monitor *m, struct lw_event *ev, struct proc_entry *e)
{
	const struct rules_verdict *v = NULL;
	size_t nv = 0;

	if (e) {
		fill_proc_info(m, ev, e);
		ev->ppid = e->ppid;
		ev->exe = e->exe;
		ev->evidence = e->evidence;
		ev->tool_id = e->tool;
		/* records made outside the process's context carry no comm */
		if (!ev->comm[0])
			memcpy(ev->comm, e->comm, sizeof(ev->comm));
	}
	ev->tool = profiles_name(&m->profiles, ev->tool_id);
	if (has_remote(ev))
		naming_name_event(m->naming, ev, e ? e->root_pid : 0);
	if (m->match)
		nv = m->match(m->match_ctx, ev, &v);
	/* every event counts as it happened (metrics), folded or not */
	evcount_add(&m->counts, ev->type, ev->tool, rules_output_is_alert(v, nv));
	/* a repeat of an alert written moments ago is counted for its window's summary */
	if (!m->fold || alert_fold_admit(m->fold, ev, v, nv))
		write_out(m, ev, v, nv);
	/* the evidence goes with the first event only (e is the table's entry) */
	if (e && e->evidence)
		proctable_set_evidence(e, NULL);
	ev->evidence = NULL;
}

/* ---- connects waiting for their name ------------------------------------------------ */

static bool should_wait_for_name(struct monitor *m, struct lw_event *ev, const struct proc_entry *e)
{
	if (ev->type != LW_REC_CONNECT || !ev->cookie || !ev->addr ||
	    (ev->addr->family != 2 && ev->addr->family != 10) || ev->sock_type != 1 /* stream */)
		return false;
	if (ev->ret != 0 && ev->ret != -115 /* EINPROGRESS */)
		return false;
	/*
	 * DNS over TCP: the kernel captures what port 53 answers, never the query's head
	 * (LW_CONN_DNS), so no stream would ever name it; holding it only delays the line.
	 */
	if (ev->addr->port == 53)
		return false;
	if (!naming_pending(m->naming, ev->cookie))
		return false;
	/*
	 * A DNS answer already names the address: nothing to wait for. A name another
	 * connection's stream gave the same address is weaker than this one's own.
	 */
	naming_name_event(m->naming, ev, e ? e->root_pid : 0);
	return ev->host == NULL || strcmp(ev->host_source, "dns") != 0;
}

static void release_one(struct monitor *m, struct pending_connect *p)
{
	struct lw_event ev;

	if (event_decode(&p->rec, p->len, &ev))
		return;
	write_event(m, &ev, proctable_get(&m->procs, ev.pid));
}

/* Writes the held connects matching cookie (any cookie when 0) or pid (when non-zero). */
static void release_pending(struct monitor *m, uint64_t cookie, uint32_t pid)
{
	struct monitor_pending *q = m->pending;

	for (size_t i = 0; i < q->count; i++) {
		struct pending_connect *p = &q->q[(q->head + i) % PENDING_MAX];

		if (!p->cookie || (cookie && p->cookie != cookie) || (pid && p->rec.hdr.pid != pid))
			continue;
		release_one(m, p);
		p->cookie = 0; /* written; the slot is skipped and freed from the head */
	}
	while (q->count && !q->q[q->head].cookie) {
		q->head = (q->head + 1) % PENDING_MAX;
		q->count--;
	}
}

static void hold_connect(struct monitor *m, const void *data, size_t len, uint64_t cookie,
			 uint64_t now)
{
	struct monitor_pending *q = m->pending;
	struct pending_connect *p;

	if (q->count == PENDING_MAX) {
		/* full: the oldest is written now, without waiting longer (nothing is lost) */
		release_one(m, &q->q[q->head]);
		q->q[q->head].cookie = 0;
		q->head = (q->head + 1) % PENDING_MAX;
		q->count--;
	}
	p = &q->q[(q->head + q->count) % PENDING_MAX];
	p->cookie = cookie;
	p->deadline_ns = now + PENDING_WAIT_NS;
	memcpy(&p->rec, data, len);
	p->len = len;
	q->count++;
}

/* Settles a restored name's stream, as its head did live, and writes the connect it held. */
static void apply_name(struct monitor *m, const struct restored_name *n)
{
	unsigned int source = n->f.source == CONN_NAME_SNI  ? DNS_CACHE_SRC_SNI :
			      n->f.source == CONN_NAME_HTTP ? DNS_CACHE_SRC_HTTP :
							      0;

	naming_restore_stream(m->naming, n->f.cookie, n->f.remote.family ? &n->f.remote : NULL,
			      n->f.pid, n->f.root_pid, n->host, source, n->f.ts_ns);
	release_pending(m, n->f.cookie, 0);
}

/*
 * Applies the restored names decided at or before ts_ns (all when ts_ns is UINT64_MAX): at
 * the time the live run decided them, so a connect named by DNS before its head came is
 * named so in the replay too.
 */
static void apply_names(struct monitor *m, uint64_t ts_ns)
{
	struct restored_names *q = m->restored_names;

	while (q && q->count && q->q[q->head].f.ts_ns <= ts_ns) {
		struct restored_name n = q->q[q->head];

		q->head = (q->head + 1) % RESTORED_NAMES_MAX;
		q->count--;
		n.f.host = n.host;
		apply_name(m, &n);
	}
}

void monitor_tick(struct monitor *m, uint64_t now_ns)
{
	struct monitor_pending *q = m->pending;

	while (q->count) {
		struct pending_connect *p = &q->q[q->head];

		if (p->cookie) {
			if (p->deadline_ns > now_ns)
				break;
			release_one(m, p);
		}
		p->cookie = 0;
		q->head = (q->head + 1) % PENDING_MAX;
		q->count--;
	}
	naming_tick(m->naming, now_ns);
	apply_names(m, now_ns);
	if (m->fold)
		alert_fold_expire(m->fold, now_ns);
}

void monitor_flush(struct monitor *m)
{
	apply_names(m, UINT64_MAX);
	release_pending(m, 0, 0);
	/* after the held connects: they may repeat an alert */
	monitor_flush_alerts(m);
}

void monitor_collect_stats(struct monitor *m)
{
	struct naming_stats ns;

	naming_get_stats(m->naming, &ns);
	m->stats.names_dropped = ns.streams_dropped;
	m->stats.payloads_malformed = ns.dns_malformed + ns.stream_malformed;
	m->stats.names_evicted = ns.names_evicted;
	if (m->fold) {
		m->stats.alerts_folded = alert_fold_stats(m->fold)->folded;
		m->stats.fold_full = alert_fold_stats(m->fold)->closed_early;
	}
}

int monitor_write_own(struct monitor *m, const struct lw_event *ev, const struct rules_verdict *v,
		      size_t nv)
{
	int err = 0;

	evcount_add(&m->counts, ev->type, ev->tool, rules_output_is_alert(v, nv));
	if (m->sink && (err = m->sink->ops->event(m->sink, ev, v, nv)))
		m->stats.output_errors++;
	return err;
}

/* Hands what naming settled for ev's connection to the name tap (--capture). */
static void tap_name(struct monitor *m, const struct lw_event *ev, uint32_t root)
{
	struct conn_name_fact f = {
		.cookie = ev->cookie,
		.ts_ns = ev->ts_boot_ns,
		.pid = ev->pid,
		.root_pid = root,
	};
	char host[HOSTNAME_BUF];
	unsigned int source;
	int named = naming_stream_result(m->naming, ev->cookie, host, sizeof(host), &source);

	if (named < 0)
		return;
	if (ev->addr)
		f.remote = *ev->addr;
	f.source = !named		       ? CONN_NAME_NONE :
		   source == DNS_CACHE_SRC_SNI ? CONN_NAME_SNI :
						 CONN_NAME_HTTP;
	f.host = named ? host : "";
	m->name_tap(m->facts_ctx, &f);
}

void monitor_restore_name(struct monitor *m, const struct conn_name_fact *f)
{
	struct restored_names *q = m->restored_names;
	struct restored_name *n;

	if (!q && !(q = m->restored_names = calloc(1, sizeof(*q)))) {
		m->stats.names_dropped++;
		return;
	}
	if (q->count == RESTORED_NAMES_MAX) {
		/* full: the oldest is applied now, a little early, rather than lost */
		struct restored_name old = q->q[q->head];

		q->head = (q->head + 1) % RESTORED_NAMES_MAX;
		q->count--;
		old.f.host = old.host;
		apply_name(m, &old);
	}
	n = &q->q[(q->head + q->count++) % RESTORED_NAMES_MAX];
	n->f = *f;
	snprintf(n->host, sizeof(n->host), "%s", f->host ? f->host : "");
	n->f.host = NULL; /* set from host when applied: the slot may move */
}

void monitor_handle_record(struct monitor *m, const void *data, size_t len)
{
	struct proc_entry *e = NULL;
	struct lw_event ev;

	if (m->record_tap)
		m->record_tap(m->tap_ctx, data, len);
	/* a replay: the names the live run's stream heads gave by this record's time */
	if (m->restored_names && len >= sizeof(struct lw_rec_hdr))
		apply_names(m, ((const struct lw_rec_hdr *)data)->ts_ns);
	m->stats.records++;
	if (event_decode(data, len, &ev)) {
		m->stats.decode_errors++;
		return;
	}
	m->stats.by_type[ev.type]++;
	if (ev.type == LW_REC_PAYLOAD) {
		/* bytes for naming, not an event: a decided name frees the connect waiting for it */
		e = proctable_get(&m->procs, ev.pid);
		if (e && e->state == PROC_REJECTED)
			return;
		if (naming_feed(m->naming, &ev, e ? e->root_pid : 0)) {
			if (m->name_tap && ev.payload_direction == LW_DIR_OUT)
				tap_name(m, &ev, e ? e->root_pid : 0);
			release_pending(m, ev.cookie, 0);
		}
		return;
	}
	if (!track_lifecycle(m, &ev, &e)) {
		m->stats.rejected_records++;
		return;
	}
	if (ev.type == LW_REC_CONNECT && len <= sizeof(struct lw_rec_sock) &&
	    should_wait_for_name(m, &ev, e)) {
		hold_connect(m, data, len, ev.cookie, ev.ts_boot_ns);
		return;
	}
	/* a connection's close comes after its connect, and a process's exit after both */
	if (ev.type == LW_REC_CONN_BYTES)
		release_pending(m, ev.cookie, 0);
	else if (ev.type == LW_REC_EXIT)
		release_pending(m, 0, ev.pid);
	write_event(m, &ev, e);
	if (ev.type == LW_REC_CONN_BYTES)
		naming_forget(m->naming, ev.cookie);
	/* a process's connections that are still open when it exits report their bytes now */
	if (ev.type == LW_REC_EXIT)
		monitor_flush_conns(m, ev.pid, LW_CLOSE_EXIT);
}

/*
 * The table entry of a running process the scans start watching, as tool under root.
 * Returns it, or NULL when the table is full (counted).
 */
static struct proc_entry *adopt_process(struct monitor *m, const struct procscan_entry *ps,
					uint16_t tool, uint32_t root)
{
	struct proc_entry *e = proctable_upsert(&m->procs, ps->pid);

	if (!e) {
		m->stats.proc_full++;
		return NULL;
	}
	e->ppid = ps->ppid;
	e->uid = ps->uid;
	e->tool = tool;
	e->root_pid = root;
	e->state = PROC_CONFIRMED;
	e->origin = LW_MATCH_USER;
	e->why = root == ps->pid ? PROC_WHY_SCAN : PROC_WHY_INHERITED;
	e->exited = false;
	e->exit_code = 0;
	e->exit_ns = 0;
	e->start_ns = ps->start_ns;
	memcpy(e->comm, ps->comm, sizeof(e->comm));
	proctable_set_exe(e, ps->exe);
	proctable_clear_info(e); /* the rules' process context is read again for it */
	return e;
}

int monitor_scan_running(struct monitor *m, const int *extra_pids, const uint16_t *extra_tools,
			 size_t n_extra)
{
	struct procscan_entry *ps;
	size_t n, tracked = 0;
	bool changed, read;
	int err;
	uint16_t *tool;
	uint32_t *root;
	char **why, cmdline[CMDLINESCAN_BYTES];

	err = procscan_list(m->proc_root, &ps, &n);
	if (err)
		return err;
	tool = calloc(n ? n : 1, sizeof(*tool));
	root = calloc(n ? n : 1, sizeof(*root));
	why = calloc(n ? n : 1, sizeof(*why)); /* a root's command line, when that named it */
	if (!tool || !root || !why || !cmdline_cache(m)) {
		free(ps), free(tool), free(root), free(why);
		return -ENOMEM;
	}
	/* roots: a profile's name whose executable confirms it, and the --pid processes */
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < n_extra; k++) {
			if ((uint32_t)extra_pids[k] == ps[i].pid)
				tool[i] = extra_tools[k];
		}
		if (tool[i])
			goto root;
		for (size_t p = 0; p < m->profiles.n && !tool[i]; p++) {
			const char *const *c = m->profiles.p[p].comms;

			for (; c && *c; c++) {
				if (strncmp(*c, ps[i].comm, LW_COMM_LEN - 1) != 0)
					continue;
				if (!m->profiles.p[p].exe_globs || !m->profiles.p[p].exe_globs[0])
					tool[i] = (uint16_t)(p + 1);
				else
					tool[i] = (uint16_t)profiles_match_exe(&m->profiles,
									       ps[i].exe);
				break;
			}
		}
		if (!tool[i]) {
			/* run by an interpreter: its name and executable are the interpreter's */
			tool[i] =
				(uint16_t)tool_by_cmdline(m, ps[i].pid, ps[i].comm, cmdline, &read);
			if (tool[i])
				why[i] = strdup(cmdline); /* NULL: no evidence, still watched */
			else if (!read || cmdline[0]) /* the periodic scan need not look again */
				cmdlinescan_cache_put(m->cl_seen, ps[i].pid, ps[i].start_ticks,
						      ps[i].comm);
		}
		if (!tool[i])
			continue;
root:
		root[i] = ps[i].pid;
	}
	/* descendants, in as many passes as the tree is deep */
	do {
		changed = false;
		for (size_t i = 0; i < n; i++) {
			if (tool[i])
				continue;
			for (size_t j = 0; j < n; j++) {
				if (tool[j] && ps[j].pid == ps[i].ppid) {
					tool[i] = tool[j];
					root[i] = root[j];
					changed = true;
					break;
				}
			}
		}
	} while (changed);
	/*
	 * A root found by name inside another tracked tree (`ollama serve` -> `ollama runner`)
	 * belongs to that tree, as it would had the kernel seen the fork: root_pid is inherited.
	 */
	for (size_t i = 0; i < n; i++) {
		size_t top = i;

		if (!tool[i])
			continue;
		for (size_t steps = 0; steps < n; steps++) {
			size_t j;

			for (j = 0; j < n; j++) {
				if (tool[j] && j != top && ps[j].pid == ps[top].ppid)
					break;
			}
			if (j == n)
				break;
			top = j;
		}
		root[i] = root[top];
	}

	for (size_t i = 0; i < n; i++) {
		struct proc_entry *e;

		if (!tool[i])
			continue;
		err = m->kops->track(m->kctx, ps[i].pid, tool[i], LW_MATCH_USER, root[i]);
		if (err)
			break;
		watch_cgroup(m, ps[i].pid);
		e = adopt_process(m, &ps[i], tool[i], root[i]);
		if (e && why[i]) {
			proctable_set_evidence(e, why[i]);
			e->why = PROC_WHY_CMDLINE;
		}
		for (size_t k = 0; e && k < n_extra; k++) {
			if ((uint32_t)extra_pids[k] == ps[i].pid)
				e->why = PROC_WHY_PID;
		}
		tracked++;
	}
	for (size_t i = 0; i < n; i++)
		free(why[i]);
	free(ps), free(tool), free(root), free(why);
	return err ? err : (int)tracked;
}

/*
 * Tracks pid, recognised by hit, as "runtime:KIND", if it is still the process that started
 * at start (clock ticks): not another that got its pid since. Returns 1, or 0 if it could
 * not be.
 */
static int watch_runtime(struct monitor *m, uint32_t pid, uint64_t start,
			 const struct runtimescan_hit *hit)
{
	struct procscan_entry ps;
	struct proc_entry *e;
	uint64_t now_start, vsize;
	int tool;

	if (runtimescan_stat(m->proc_root, pid, &now_start, &vsize) || now_start != start)
		return 0; /* gone */
	tool = profiles_add_runtime(&m->profiles, hit->kind);
	if (tool <= 0 || procscan_read(m->proc_root, pid, &ps) ||
	    m->kops->track(m->kctx, pid, (uint16_t)tool, LW_MATCH_USER, pid)) {
		m->rt.failed++;
		return 0;
	}
	watch_cgroup(m, pid);
	m->rt.found++;
	e = adopt_process(m, &ps, (uint16_t)tool, pid);
	if (e) {
		proctable_set_evidence(e, hit->path);
		e->why = PROC_WHY_RUNTIME;
	}
	return 1;
}

/* Whether pid is one of the n in set. */
static bool pid_in(const uint32_t *set, size_t n, uint32_t pid)
{
	for (size_t i = 0; i < n; i++) {
		if (set[i] == pid)
			return true;
	}
	return false;
}

/*
 * Tracks, under tool and root, the processes below root that were forked before root was
 * tracked (those forked since inherit it in the kernel), down to any already watched.
 * Costs a pass over the /proc snapshot per level of the tree, each checking the tree found
 * so far (a few processes): it runs only when a tool is recognised. Returns -errno if
 * proc_root cannot be read, else 0; a refused track is counted.
 */
static int adopt_descendants(struct monitor *m, uint32_t root, uint16_t tool)
{
	struct procscan_entry *ps;
	size_t n, nt = 1;
	uint32_t *tree;
	bool *in, changed;
	int err = procscan_list(m->proc_root, &ps, &n);

	if (err)
		return err;
	tree = calloc(n + 1, sizeof(*tree)); /* root, then each process taken */
	in = calloc(n ? n : 1, sizeof(*in));
	if (!tree || !in) {
		free(ps), free(tree), free(in);
		return -ENOMEM;
	}
	tree[0] = root;
	do {
		changed = false;
		for (size_t i = 0; i < n; i++) {
			const struct proc_entry *e = proctable_get(&m->procs, ps[i].pid);

			if (in[i] || ps[i].pid == root ||
			    (e && e->state == PROC_CONFIRMED && !e->exited) ||
			    !pid_in(tree, nt, ps[i].ppid))
				continue;
			in[i] = changed = true;
			tree[nt++] = ps[i].pid;
		}
	} while (changed);
	for (size_t i = 0; i < n; i++) {
		if (!in[i])
			continue;
		if (m->kops->track(m->kctx, ps[i].pid, tool, LW_MATCH_USER, root)) {
			m->rt.failed++;
			continue;
		}
		watch_cgroup(m, ps[i].pid);
		adopt_process(m, &ps[i], tool, root);
	}
	free(ps), free(tree), free(in);
	return 0;
}

/*
 * Tracks pid, named by its command line as tool, with the processes it has forked, if it is
 * still the process that started at start (clock ticks). Returns 1, or 0 if it could not be.
 */
static int watch_by_cmdline(struct monitor *m, uint32_t pid, uint64_t start, uint16_t tool,
			    const char *cmdline)
{
	struct procscan_entry ps;
	struct proc_entry *e;

	if (procscan_read(m->proc_root, pid, &ps) || ps.start_ticks != start)
		return 0; /* gone */
	if (m->kops->track(m->kctx, pid, tool, LW_MATCH_USER, pid)) {
		m->rt.failed++;
		return 0;
	}
	watch_cgroup(m, pid);
	m->rt.found++;
	e = adopt_process(m, &ps, tool, pid);
	if (e) {
		proctable_set_evidence(e, cmdline);
		e->why = PROC_WHY_CMDLINE;
	}
	/* without its tree, what it started before now goes unseen: counted as a failure */
	if (adopt_descendants(m, pid, tool))
		m->rt.failed++;
	return 1;
}

int monitor_scan_runtimes(struct monitor *m)
{
	struct runtimescan_hit *hit;
	struct dirent *d;
	uint32_t self = (uint32_t)getpid();
	char cmdline[CMDLINESCAN_BYTES];
	int found = 0;
	DIR *dir;

	if (!m->rt_seen && !(m->rt_seen = calloc(1, sizeof(*m->rt_seen))))
		return -ENOMEM;
	if (!cmdline_cache(m))
		return -ENOMEM;
	hit = malloc(sizeof(*hit));
	if (!hit)
		return -ENOMEM;
	dir = opendir(m->proc_root);
	if (!dir) {
		free(hit);
		return -errno;
	}
	m->rt.scans++;
	while ((d = readdir(dir))) {
		const struct proc_entry *e;
		struct procscan_stat st;
		uint64_t start, vsize;
		unsigned long pid;
		unsigned int tool;
		bool read;
		char *end;
		int r;

		pid = strtoul(d->d_name, &end, 10);
		if (*end || pid == 0 || pid > UINT32_MAX || pid == self)
			continue;
		e = proctable_get(&m->procs, (uint32_t)pid);
		if (e && e->state == PROC_CONFIRMED && !e->exited)
			continue; /* watched already */
		/* kernel threads (and zombies) map nothing and have no command line */
		if (procscan_read_stat(m->proc_root, (uint32_t)pid, &st) || !st.vsize)
			continue;
		start = st.start_ticks;
		vsize = st.vsize;
		/* a tool run by an interpreter, named by its command line: looked at once */
		if (!cmdlinescan_cache_has(m->cl_seen, (uint32_t)pid, start, st.comm)) {
			tool = tool_by_cmdline(m, (uint32_t)pid, st.comm, cmdline, &read);
			if (tool) {
				found += watch_by_cmdline(m, (uint32_t)pid, start, (uint16_t)tool,
							  cmdline);
				continue;
			}
			/*
			 * an empty command line is not an answer: a process in the middle of
			 * exec has its new name before its new arguments, a zombie has none
			 */
			if (!read || cmdline[0])
				cmdlinescan_cache_put(m->cl_seen, (uint32_t)pid, start, st.comm);
		}
		if (runtimescan_cache_has(m->rt_seen, (uint32_t)pid, start, vsize)) {
			m->rt.skipped++;
			continue;
		}
		m->rt.checked++;
		r = runtimescan_check_pid(m->proc_root, (uint32_t)pid, hit);
		if (r == 0)
			runtimescan_cache_put(m->rt_seen, (uint32_t)pid, start, vsize);
		else if (r > 0)
			found += watch_runtime(m, (uint32_t)pid, start, hit);
	}
	closedir(dir);
	free(hit);
	return found;
}

int monitor_restore_facts(struct monitor *m, const struct proc_facts *f)
{
	int err;

	if (!m->restored && !(m->restored = facts_store_new(FACTS_STORE_MAX)))
		return -ENOMEM;
	err = facts_store_add(m->restored, f);
	return err < 0 ? err : 0;
}
