// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests of the report (report/): captures written with the capture writer (a DNS
 * answer naming a telemetry host and the connects to it, a 0.0.0.0 and a loopback listen,
 * an ~/.ssh read, a model file, the tool's own files, a forked and exec'd child, a loss
 * snapshot) give a document whose endpoints, listeners, files, processes and alerts hold
 * them, sorted and classified as docs/report-format.md says, and whose completeness says
 * what was lost and when; a clean capture is "complete"; a torn or changed capture still
 * gives a report that says so; a file that is not a capture gives an error naming it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capture/capture_writer.h"
#include "check.h"
#include "core/profiles.h"
#include "core/proctable.h"
#include "core/stats.h"
#include "core/event.h"
#include "report/report.h"
#include "report/report_model.h"
#include "rules/rules.h"
#include "sinks/sink.h"
#include "util/timefmt.h"

static char tmpdir[64];
static char rules_path[128];
static uint64_t t0; /* BOOTTIME the records start at */

static const char test_rules[] =
	"{\"rules\": [\n"
	" {\"id\": \"t-telemetry\", \"description\": \"test\", \"severity\": \"medium\",\n"
	"  \"tags\": [\"telemetry\", \"analytics\"], \"tools\": [\"*\"], \"event\": \"connect\",\n"
	"  \"conditions\": {\"host\": \"api.mixpanel.com\"}, \"message\": \"{tool} to {dest}\"},\n"
	" {\"id\": \"t-creds\", \"description\": \"test\", \"severity\": \"high\",\n"
	"  \"tags\": [\"file\", \"credentials\"], \"tools\": [\"*\"], \"event\": \"open\",\n"
	"  \"conditions\": {\"path\": \"~/.ssh/**\"}, \"message\": \"{tool} read {path}\"},\n"
	" {\"id\": \"t-exposed\", \"description\": \"test\", \"severity\": \"critical\",\n"
	"  \"tags\": [\"exposure\"], \"tools\": [\"*\"], \"event\": \"listen\",\n"
	"  \"conditions\": {\"addr_class\": \"any\"}, \"message\": \"{tool} listens on {dest}\"}\n"
	"]}\n";

/* ---- records --------------------------------------------------------------------------- */

static uint16_t ollama_id(const struct profile_set *set)
{
	return (uint16_t)(profiles_find(set, "ollama") - set->p + 1);
}

static void put_sock(struct capture_writer *w, uint16_t type, uint16_t tool, uint32_t pid,
		     uint64_t ts, const uint8_t ip[4], uint16_t port, uint16_t sock_type, int ret,
		     uint64_t cookie)
{
	struct lw_rec_sock r;

	memset(&r, 0, sizeof(r));
	lw_rec_hdr_init(&r.hdr, type, sizeof(r), tool, pid, ts);
	memcpy(r.hdr.comm, "ollama", 6);
	r.fd = 5;
	r.ret = ret;
	r.cookie = cookie;
	r.addr.family = AF_INET;
	r.addr.port = port;
	memcpy(r.addr.addr, ip, 4);
	r.sock_type = sock_type;
	capture_writer_add(w, &r, sizeof(r));
}

static void put_listen(struct capture_writer *w, uint16_t tool, uint32_t pid, uint64_t ts,
		       const uint8_t ip[4], uint16_t port)
{
	struct lw_rec_listen r;

	memset(&r, 0, sizeof(r));
	lw_rec_hdr_init(&r.hdr, LW_REC_LISTEN, sizeof(r), tool, pid, ts);
	memcpy(r.hdr.comm, "ollama", 6);
	r.fd = 5;
	r.backlog = 128;
	r.local.family = AF_INET;
	r.local.port = port;
	memcpy(r.local.addr, ip, 4);
	capture_writer_add(w, &r, sizeof(r));
}

static void put_open(struct capture_writer *w, uint16_t tool, uint32_t pid, uint64_t ts,
		     const char *path, int ret)
{
	struct lw_rec_open r;
	size_t n = strlen(path), size = offsetof(struct lw_rec_open, path) + n + 1;

	memset(&r, 0, sizeof(r));
	lw_rec_hdr_init(&r.hdr, LW_REC_OPEN, (uint16_t)size, tool, pid, ts);
	memcpy(r.hdr.comm, "ollama", 6);
	r.dfd = -100;
	r.ret = ret;
	r.flags = O_RDONLY;
	r.path_len = (uint16_t)n;
	memcpy(r.path, path, n + 1);
	capture_writer_add(w, &r, size);
}

/* A DNS answer received by pid: api.mixpanel.com is 203.0.113.10. */
static void put_dns_answer(struct capture_writer *w, uint16_t tool, uint32_t pid, uint64_t ts)
{
	static const uint8_t name[] = "\3api\10mixpanel\3com";
	struct lw_rec_payload r;
	size_t n = 0;

	memset(&r, 0, sizeof(r));
	memcpy(r.data + n, (const uint8_t[]){ 0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0 }, 12);
	n += 12;
	memcpy(r.data + n, name, sizeof(name));
	n += sizeof(name);
	memcpy(r.data + n, (const uint8_t[]){ 0, 1, 0, 1 }, 4);
	n += 4;
	memcpy(r.data + n,
	       (const uint8_t[]){ 0xc0, 12, 0, 1, 0, 1, 0, 0, 1, 44, 0, 4, 203, 0, 113, 10 }, 16);
	n += 16;
	lw_rec_hdr_init(&r.hdr, LW_REC_PAYLOAD,
			(uint16_t)(offsetof(struct lw_rec_payload, data) + n), tool, pid, ts);
	r.cookie = 99;
	r.remote.family = AF_INET;
	r.remote.port = 53;
	memcpy(r.remote.addr, (const uint8_t[]){ 10, 0, 0, 53 }, 4);
	r.direction = LW_DIR_IN;
	r.protocol = 17;
	r.len = (uint16_t)n;
	capture_writer_add(w, &r, offsetof(struct lw_rec_payload, data) + n);
}

static void put_conn_bytes(struct capture_writer *w, uint16_t tool, uint32_t pid, uint64_t ts,
			   const uint8_t ip[4], uint16_t port, uint64_t cookie, uint64_t bytes)
{
	struct lw_rec_conn_bytes r;

	memset(&r, 0, sizeof(r));
	lw_rec_hdr_init(&r.hdr, LW_REC_CONN_BYTES, sizeof(r), tool, pid, ts);
	memcpy(r.hdr.comm, "ollama", 6);
	r.cookie = cookie;
	r.bytes = bytes;
	r.packets = 3;
	r.daddr.family = AF_INET;
	r.daddr.port = port;
	memcpy(r.daddr.addr, ip, 4);
	r.reason = LW_CLOSE_TCP;
	capture_writer_add(w, &r, sizeof(r));
}

static void put_fork_exec_exit(struct capture_writer *w, uint16_t tool, uint32_t parent,
			       uint32_t child, uint64_t ts)
{
	struct lw_rec_fork f;
	struct lw_rec_exec e;
	struct lw_rec_exit x;
	const char *exe = "/usr/bin/curl";
	size_t n = strlen(exe), size = offsetof(struct lw_rec_exec, filename) + n + 1;

	memset(&f, 0, sizeof(f));
	lw_rec_hdr_init(&f.hdr, LW_REC_FORK, sizeof(f), tool, parent, ts);
	memcpy(f.hdr.comm, "ollama", 6);
	f.child_pid = child;
	capture_writer_add(w, &f, sizeof(f));

	memset(&e, 0, sizeof(e));
	lw_rec_hdr_init(&e.hdr, LW_REC_EXEC, (uint16_t)size, tool, child, ts + 1000);
	memcpy(e.hdr.comm, "curl", 4);
	e.ppid = parent;
	e.match = LW_MATCH_INHERITED;
	e.filename_len = (uint16_t)n;
	memcpy(e.filename, exe, n + 1);
	capture_writer_add(w, &e, size);

	memset(&x, 0, sizeof(x));
	lw_rec_hdr_init(&x.hdr, LW_REC_EXIT, sizeof(x), tool, child, ts + 5000);
	memcpy(x.hdr.comm, "curl", 4);
	x.exit_code = 7 << 8;
	capture_writer_add(w, &x, sizeof(x));
}

/*
 * The run: ollama (pid 100, running at the start) resolves api.mixpanel.com and connects
 * to it twice, connects to an unnamed address and to loopback, listens on 0.0.0.0:11434 and
 * 127.0.0.1:8080, reads ~/.ssh/id_rsa twice, a model, its own files and /etc/hosts, and
 * runs curl. With losses: 120 connects lost to a full ring buffer, half way.
 */
static int write_run(const char *path, bool losses, bool seal)
{
	static const uint8_t mixpanel[4] = { 203, 0, 113, 10 }, other[4] = { 198, 51, 100, 7 };
	static const uint8_t lo[4] = { 127, 0, 0, 1 }, any[4] = { 0, 0, 0, 0 };
	struct profile_set set;
	struct proctable pt;
	struct proc_entry *e;
	struct lw_stats st = {};
	struct capture_meta meta = { .llmwatch_version = "test", .profiles = &set };
	struct capture_writer_opts wo = { .flush_ns = 1000000000ull };
	struct capture_writer *w;
	uint16_t tool;
	uint64_t t = t0;
	char err[256];
	int status;

	profiles_init(&set);
	tool = ollama_id(&set);
	w = capture_writer_open(path, &meta, &wo, err, sizeof(err));
	if (!w) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	proctable_init(&pt, 16);
	e = proctable_upsert(&pt, 100);
	e->tool = tool;
	e->ppid = 1;
	e->root_pid = 100;
	e->state = PROC_CONFIRMED;
	memcpy(e->comm, "ollama", 7);
	proctable_set_exe(e, "/usr/local/bin/ollama");
	capture_writer_procs(w, &pt);
	capture_writer_losses(w, &st, t);

	put_dns_answer(w, tool, 100, t += 1000000);
	put_sock(w, LW_REC_CONNECT, tool, 100, t += 1000000, mixpanel, 443, SOCK_STREAM,
		 -EINPROGRESS, 7);
	put_conn_bytes(w, tool, 100, t += 1000000, mixpanel, 443, 7, 1000);
	put_sock(w, LW_REC_CONNECT, tool, 100, t += 1000000, mixpanel, 443, SOCK_STREAM,
		 -ECONNREFUSED, 8);
	put_sock(w, LW_REC_CONNECT, tool, 100, t += 1000000, other, 80, SOCK_STREAM, 0, 9);
	put_conn_bytes(w, tool, 100, t += 1000000, other, 80, 9, 234);
	put_sock(w, LW_REC_CONNECT, tool, 100, t += 1000000, lo, 9999, SOCK_STREAM, 0, 10);
	put_sock(w, LW_REC_BIND, tool, 100, t += 1000000, lo, 8080, SOCK_STREAM, 0, 0);
	put_listen(w, tool, 100, t += 1000000, lo, 8080);
	put_sock(w, LW_REC_BIND, tool, 100, t += 1000000, any, 11434, SOCK_STREAM, 0, 0);
	put_listen(w, tool, 100, t += 1000000, any, 11434);
	capture_writer_flush(w);
	if (losses) {
		st.kernel_losses[LW_REC_CONNECT * LW_LOSS_REASON_MAX + LW_LOSS_RESERVE] = 120;
		capture_writer_losses(w, &st, t += 1000000);
	}
	put_open(w, tool, 100, t += 1000000, "/etc/hosts", 3);
	put_open(w, tool, 100, t += 1000000, "/root/.ssh/id_rsa", 3);
	put_open(w, tool, 100, t += 1000000, "/root/.ssh/id_rsa", 3);
	put_open(w, tool, 100, t += 1000000, "/models/llama-3.gguf", 3);
	put_open(w, tool, 100, t += 1000000, "/models/weights.pth", 3);
	/* what every python start reads: no model, despite PyTorch's extension */
	put_open(w, tool, 100, t += 1000000, "/usr/lib/python3/dist-packages/distutils.pth", 3);
	put_open(w, tool, 100, t += 1000000, "/usr/local/bin/lib/libggml.so", 3);
	put_open(w, tool, 100, t += 1000000, "/root/.ollama/id_ed25519", -ENOENT);
	put_fork_exec_exit(w, tool, 100, 101, t += 1000000);
	capture_writer_flush(w);
	capture_writer_losses(w, &st, t + 1000000); /* unchanged: no block */
	if (!seal)
		_exit(0); /* as after a SIGKILL: the blocks are on disk, no footer */
	status = capture_writer_close(w, NULL);
	proctable_free(&pt);
	return status;
}

/* ---- the document ---------------------------------------------------------------------- */

static cJSON *build(const char *path, char *err, size_t errsz, int *status)
{
	const char *files[] = { path };
	const char *rules[] = { rules_path };
	struct report_opts o = {
		.rules = rules, .n_rules = 1, .no_default_rules = true, .version = "t1"
	};
	cJSON *doc = NULL;

	*status = report_build(files, 1, &o, &doc, err, errsz);
	return doc;
}

static const cJSON *get(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

static const char *str(const cJSON *o, const char *k)
{
	const cJSON *v = get(o, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static double num(const cJSON *o, const char *k)
{
	return cJSON_GetNumberValue(get(o, k));
}

static const cJSON *at(const cJSON *o, const char *k, int i)
{
	return cJSON_GetArrayItem(get(o, k), i);
}

static void test_findings(void)
{
	char path[128], err[256];
	int status;
	cJSON *doc;
	const cJSON *e, *l, *f, *p, *a, *c;

	snprintf(path, sizeof(path), "%s/run.lwc", tmpdir);
	CHECK_INT(write_run(path, true, true), 0);
	doc = build(path, err, sizeof(err), &status);
	CHECK_INT(status, 0);
	if (!doc) {
		fprintf(stderr, "report_build: %s\n", err);
		return;
	}
	CHECK_INT(num(doc, "report_version"), 1);
	CHECK_STR(str(doc, "generator"), "llmwatch t1");

	/* the capture */
	c = at(doc, "captures", 0);
	CHECK_STR(str(c, "file"), path);
	CHECK_STR(str(c, "llmwatch"), "test");
	CHECK_STR(str(c, "chain"), "intact");
	CHECK(cJSON_IsTrue(get(c, "sealed")));
	CHECK(cJSON_IsFalse(get(c, "torn_tail")));
	CHECK(cJSON_IsNull(get(c, "first_bad_block")));
	CHECK_INT(num(c, "records"), 22);
	CHECK(str(c, "start") && strlen(str(c, "start")) == 30); /* ...T..:..:..123456789Z */
	CHECK(str(c, "end") && strcmp(str(c, "end"), str(c, "start")) > 0);

	/* endpoints: the named telemetry one first, loopback none of them */
	CHECK_INT(cJSON_GetArraySize(get(doc, "endpoints")), 2);
	e = at(doc, "endpoints", 0);
	CHECK_STR(str(e, "address"), "203.0.113.10");
	CHECK_INT(num(e, "port"), 443);
	CHECK_STR(str(e, "protocol"), "tcp");
	CHECK_STR(str(e, "host"), "api.mixpanel.com");
	CHECK_STR(str(e, "host_source"), "dns");
	CHECK_STR(str(e, "classification"), "telemetry");
	CHECK_INT(num(e, "connections"), 2);
	CHECK_INT(num(e, "failed"), 1); /* EINPROGRESS is not a failure, ECONNREFUSED is */
	CHECK_INT(num(e, "bytes_sent"), 1000);
	CHECK_INT(num(at(e, "processes", 0), "pid"), 100);
	CHECK_STR(str(at(e, "processes", 0), "tool"), "ollama");
	CHECK_INT(cJSON_GetArraySize(get(e, "processes")), 1);
	CHECK_STR(cJSON_GetStringValue(at(e, "rules", 0)), "t-telemetry");
	e = at(doc, "endpoints", 1);
	CHECK_STR(str(e, "address"), "198.51.100.7");
	CHECK(cJSON_IsNull(get(e, "host")) && cJSON_IsNull(get(e, "host_source")));
	CHECK_STR(str(e, "classification"), "unknown");
	CHECK_INT(num(e, "bytes_sent"), 234);

	/* listeners: 0.0.0.0 (reachability unknown: a replay does not know the namespace)
	 * before loopback (not reachable), port 0 binds none */
	CHECK_INT(cJSON_GetArraySize(get(doc, "listeners")), 2);
	l = at(doc, "listeners", 0);
	CHECK_STR(str(l, "address"), "0.0.0.0");
	CHECK_INT(num(l, "port"), 11434);
	CHECK(cJSON_IsNull(get(l, "reachable")));
	CHECK(cJSON_IsTrue(get(l, "listened")));
	CHECK_STR(cJSON_GetStringValue(at(l, "rules", 0)), "t-exposed");
	l = at(doc, "listeners", 1);
	CHECK_STR(str(l, "address"), "127.0.0.1");
	CHECK(cJSON_IsFalse(get(l, "reachable")));

	/* files: flagged first, then by category, then by path */
	CHECK_INT(cJSON_GetArraySize(get(doc, "files")), 7);
	f = at(doc, "files", 0);
	CHECK_STR(str(f, "path"), "/root/.ssh/id_rsa");
	CHECK_STR(str(f, "category"), "credentials");
	CHECK(cJSON_IsTrue(get(f, "flagged")));
	CHECK_INT(num(f, "opens"), 2);
	CHECK_STR(str(at(doc, "files", 1), "path"), "/models/llama-3.gguf");
	CHECK_STR(str(at(doc, "files", 1), "category"), "model");
	CHECK(cJSON_IsFalse(get(at(doc, "files", 1), "flagged")));
	CHECK_STR(str(at(doc, "files", 2), "path"), "/models/weights.pth");
	CHECK_STR(str(at(doc, "files", 2), "category"), "model");
	CHECK_STR(str(at(doc, "files", 3), "path"), "/root/.ollama/id_ed25519");
	CHECK_STR(str(at(doc, "files", 3), "category"), "tool");
	CHECK_INT(num(at(doc, "files", 3), "failed"), 1);
	CHECK_STR(str(at(doc, "files", 4), "path"), "/usr/local/bin/lib/libggml.so");
	CHECK_STR(str(at(doc, "files", 4), "category"), "tool");
	CHECK_STR(str(at(doc, "files", 5), "path"), "/etc/hosts");
	CHECK_STR(str(at(doc, "files", 5), "category"), "other");
	CHECK_STR(str(at(doc, "files", 6), "path"), "/usr/lib/python3/dist-packages/distutils.pth");
	CHECK_STR(str(at(doc, "files", 6), "category"), "other");

	/* processes: running at the start first, then the child by its start */
	CHECK_INT(cJSON_GetArraySize(get(doc, "processes")), 2);
	p = at(doc, "processes", 0);
	CHECK_INT(num(p, "pid"), 100);
	CHECK_STR(str(p, "exe"), "/usr/local/bin/ollama");
	CHECK(cJSON_IsNull(get(p, "started")));
	CHECK(cJSON_IsNull(get(p, "exited")));
	CHECK(cJSON_IsNull(get(p, "sha256")));
	p = at(doc, "processes", 1);
	CHECK_INT(num(p, "pid"), 101);
	CHECK_INT(num(p, "ppid"), 100);
	CHECK_INT(num(p, "root"), 100);
	CHECK_STR(str(p, "exe"), "/usr/bin/curl");
	CHECK_STR(str(p, "comm"), "curl");
	CHECK_STR(str(p, "tool"), "ollama");
	CHECK(cJSON_IsString(get(p, "started")));
	CHECK(cJSON_IsString(get(p, "exited")));
	CHECK_INT(num(p, "exit_code"), 7 << 8);

	/* alerts: by severity, the repeats counted */
	CHECK_INT(cJSON_GetArraySize(get(doc, "alerts")), 3);
	a = at(doc, "alerts", 0);
	CHECK_STR(str(a, "rule"), "t-exposed");
	CHECK_STR(str(a, "severity"), "critical");
	a = at(doc, "alerts", 1);
	CHECK_STR(str(a, "rule"), "t-creds");
	CHECK_INT(num(a, "count"), 2);
	CHECK_STR(cJSON_GetStringValue(at(a, "tags", 1)), "credentials");
	CHECK(str(a, "message") && strstr(str(a, "message"), "/root/.ssh/id_rsa"));
	CHECK(str(a, "first") && str(a, "last") && strcmp(str(a, "first"), str(a, "last")) < 0);
	a = at(doc, "alerts", 2);
	CHECK_STR(str(a, "rule"), "t-telemetry");
	CHECK_INT(num(a, "count"), 2); /* the refused connect: the same rule, pid and host */
	CHECK_INT(num(get(get(doc, "summary"), "alerts_by_severity"), "critical"), 1);
	CHECK_INT(num(get(doc, "summary"), "endpoints"), 2);
	CHECK_INT(num(get(doc, "summary"), "file_reads"), 7);

	/* completeness: the lost connects, in words and by type, reason and time */
	c = get(doc, "completeness");
	CHECK_STR(str(c, "verdict"), "incomplete");
	CHECK_INT(cJSON_GetArraySize(get(c, "reasons")), 1);
	CHECK_STR(cJSON_GetStringValue(at(c, "reasons", 0)),
		  "120 events lost: connect 120 (ring_full)");
	CHECK_INT(num(get(c, "lost"), "total"), 120);
	CHECK_INT(num(get(get(c, "lost"), "by_type"), "connect"), 120);
	CHECK_INT(num(get(get(c, "lost"), "by_type"), "open"), 0);
	CHECK_INT(num(get(get(c, "lost"), "by_reason"), "ring_full"), 120);
	CHECK_INT(num(get(get(c, "lost"), "user"), "decode_errors"), 0);
	CHECK_INT(cJSON_GetArraySize(get(get(c, "lost"), "windows")), 1);
	CHECK_INT(num(cJSON_GetArrayItem(get(get(c, "lost"), "windows"), 0), "lost"), 120);
	CHECK(cJSON_IsString(get(cJSON_GetArrayItem(get(get(c, "lost"), "windows"), 0), "from")));

	/* the text report: the verdict first, every section, the findings named */
	{
		char *text = NULL;
		size_t len = 0;
		FILE *mf = open_memstream(&text, &len);

		CHECK_INT(report_write_text(mf, doc), 0);
		fclose(mf);
		CHECK(strstr(text, "Completeness: INCOMPLETE") &&
		      strstr(text, "Completeness: INCOMPLETE") < strstr(text, "Alerts (3)"));
		CHECK(strstr(text, "api.mixpanel.com:443/tcp (203.0.113.10, name from dns)"));
		CHECK(strstr(text, "/root/.ssh/id_rsa"));
		CHECK(strstr(text, "FLAGGED credentials:"));
		CHECK(strstr(text, "0.0.0.0:11434/tcp, listening"));
		CHECK(strstr(text, "/usr/bin/curl"));
		CHECK(strstr(text, "exited with status 7"));
		CHECK(strstr(text, "reachability unknown: the capture does not say"));
		CHECK(strstr(text, "120 events lost: connect 120 (ring_full)"));
		if (getenv("REPORT_TEST_SHOW"))
			fputs(text, stderr);
		free(text);
	}
	cJSON_Delete(doc);
}

static void test_complete(void)
{
	char path[128], err[256];
	int status;
	cJSON *doc;
	const cJSON *c;

	snprintf(path, sizeof(path), "%s/clean.lwc", tmpdir);
	CHECK_INT(write_run(path, false, true), 0);
	doc = build(path, err, sizeof(err), &status);
	CHECK_INT(status, 0);
	c = get(doc, "completeness");
	CHECK_STR(str(c, "verdict"), "complete");
	CHECK_INT(cJSON_GetArraySize(get(c, "reasons")), 0);
	CHECK_INT(num(get(c, "lost"), "total"), 0);
	CHECK_INT(cJSON_GetArraySize(get(get(c, "lost"), "windows")), 0);
	cJSON_Delete(doc);
}

/*
 * Two captures read as one run: both listed, their findings merged (the same endpoint's
 * connects added up), and the losses of each counted once: the second capture's counters
 * start again from zero (another run), so they add to the first's.
 */
static void test_two_files(void)
{
	char a[128], b[128], err[256];
	const char *files[2] = { a, b };
	const char *rules[] = { rules_path };
	struct report_opts o = { .rules = rules, .n_rules = 1, .no_default_rules = true };
	cJSON *doc = NULL;
	const cJSON *c;

	snprintf(a, sizeof(a), "%s/run.lwc", tmpdir);
	snprintf(b, sizeof(b), "%s/run2.lwc", tmpdir);
	t0 += 1000000000ull;
	CHECK_INT(write_run(b, true, true), 0);
	CHECK_INT(report_build(files, 2, &o, &doc, err, sizeof(err)), 0);
	if (!doc)
		return;
	CHECK_INT(cJSON_GetArraySize(get(doc, "captures")), 2);
	CHECK_STR(str(at(doc, "captures", 1), "file"), b);
	CHECK_INT(num(at(doc, "endpoints", 0), "connections"), 4);
	CHECK_INT(num(at(doc, "alerts", 1), "count"), 4); /* t-creds: 2 reads in each */
	c = get(doc, "completeness");
	CHECK_INT(num(get(c, "lost"), "total"), 240);
	CHECK_INT(cJSON_GetArraySize(get(get(c, "lost"), "windows")), 2);
	CHECK_STR(cJSON_GetStringValue(at(c, "reasons", 0)),
		  "240 events lost: connect 240 (ring_full)");
	cJSON_Delete(doc);
}

/* Copies src to dst, cut to len bytes (0: whole) with byte at flip (if any) changed. */
static int copy_damaged(const char *src, const char *dst, off_t len, off_t flip)
{
	FILE *in = fopen(src, "rb"), *out = fopen(dst, "wb");
	unsigned char buf[1 << 16];
	size_t n, off = 0;

	if (!in || !out)
		return -1;
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0) {
		if (flip >= (off_t)off && flip < (off_t)(off + n))
			buf[flip - (off_t)off] ^= 0x55;
		if (len && (off_t)(off + n) > len)
			n = (size_t)(len - (off_t)off);
		fwrite(buf, 1, n, out);
		off += n;
		if (len && (off_t)off >= len)
			break;
	}
	fclose(in);
	return fclose(out);
}

/* write_run() unsealed, in a child that dies without closing, as llmwatch under SIGKILL. */
static int write_unsealed(const char *path)
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(write_run(path, false, false) ? 1 : 0);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static void test_damaged(void)
{
	char path[128], torn[128], changed[128], bogus[128], err[256];
	struct stat sb;
	int status;
	cJSON *doc;
	const cJSON *c, *r;
	bool said;

	snprintf(path, sizeof(path), "%s/whole.lwc", tmpdir);
	snprintf(torn, sizeof(torn), "%s/torn.lwc", tmpdir);
	snprintf(changed, sizeof(changed), "%s/changed.lwc", tmpdir);
	CHECK_INT(write_unsealed(path), 0);
	CHECK_INT(stat(path, &sb), 0);
	CHECK_INT(copy_damaged(path, torn, sb.st_size - 10, -1), 0);
	CHECK_INT(copy_damaged(path, changed, 0, sb.st_size - 200), 0);

	doc = build(torn, err, sizeof(err), &status);
	CHECK_INT(status, 0);
	c = at(doc, "captures", 0);
	CHECK(cJSON_IsTrue(get(c, "torn_tail")));
	CHECK(cJSON_IsFalse(get(c, "sealed")));
	c = get(doc, "completeness");
	CHECK_STR(str(c, "verdict"), "incomplete");
	said = false;
	cJSON_ArrayForEach(r, get(c, "reasons"))
	{
		if (strstr(r->valuestring, "torn block"))
			said = true;
	}
	CHECK(said);
	/* what the whole blocks held is still there */
	CHECK_INT(cJSON_GetArraySize(get(doc, "listeners")), 2);
	cJSON_Delete(doc);

	doc = build(changed, err, sizeof(err), &status);
	CHECK_INT(status, 0);
	c = at(doc, "captures", 0);
	CHECK_STR(str(c, "chain"), "broken");
	CHECK(cJSON_IsNumber(get(c, "first_bad_block")));
	said = false;
	cJSON_ArrayForEach(r, get(get(doc, "completeness"), "reasons"))
	{
		if (strstr(r->valuestring, "chain broken from block"))
			said = true;
	}
	CHECK(said);
	cJSON_Delete(doc);

	/* not a capture, or missing: an error naming the file, no document */
	snprintf(bogus, sizeof(bogus), "%s/bogus.lwc", tmpdir);
	CHECK_INT(copy_damaged("/etc/hostname", bogus, 0, -1), 0);
	doc = build(bogus, err, sizeof(err), &status);
	CHECK(!doc && status == -EBADMSG && strstr(err, bogus));
	doc = build("/nonexistent/x.lwc", err, sizeof(err), &status);
	CHECK(!doc && status == -ENOENT && strstr(err, "/nonexistent/x.lwc"));
}

/*
 * The model fed directly: a fold summary (lw_event.fold) stands for repeats of an alert
 * already counted, so it adds count - 1 to the alert and nothing to the file's opens; a path
 * with terminal escapes is kept as data in the document and escaped in the text.
 */
static void test_fold_and_escape(void)
{
	static const char evil[] = "/tmp/evil\x1b[2J\n.gguf";
	struct report_model *m = report_model_new();
	struct sink *s = report_model_sink(m);
	static const char *const tags[] = { "file" };
	struct rules_verdict v = {
		.rule = "t-open", .severity = RULES_SEV_LOW, .tags = tags, .n_tags = 1
	};
	struct lw_fold fold = { .count = 5, .first = { 100, 0 }, .last = { 200, 0 } };
	struct lw_event ev;
	cJSON *doc = cJSON_CreateObject();
	const cJSON *a, *f;
	char *text = NULL;
	size_t len = 0;
	FILE *mf;

	memset(&ev, 0, sizeof(ev));
	ev.type = LW_REC_OPEN;
	ev.pid = 7;
	ev.wall.tv_sec = 50;
	snprintf(ev.comm, sizeof(ev.comm), "tool");
	ev.tool = "";
	ev.exe = "/opt/tool/bin/tool";
	ev.path = evil;
	ev.path_len = strlen(evil);
	snprintf(v.message, sizeof(v.message), "opened it");
	CHECK_INT(s->ops->event(s, &ev, &v, 1), 0);
	ev.fold = &fold;
	CHECK_INT(s->ops->event(s, &ev, &v, 1), 0);
	CHECK_INT(report_model_write(m, doc), 0);
	a = at(doc, "alerts", 0);
	CHECK_INT(cJSON_GetArraySize(get(doc, "alerts")), 1);
	CHECK_INT(num(a, "count"), 5);
	CHECK_STR(str(a, "last"), "1970-01-01T00:03:20.000000000Z");
	f = at(doc, "files", 0);
	CHECK_INT(num(f, "opens"), 1);
	CHECK_STR(str(f, "path"), evil);
	CHECK_STR(str(f, "category"), "model");
	CHECK(cJSON_IsTrue(get(f, "flagged")));
	mf = open_memstream(&text, &len);
	CHECK_INT(report_write_text(mf, doc), 0);
	fclose(mf);
	CHECK(strstr(text, "/tmp/evil\\x1b[2J\\n.gguf") != NULL);
	CHECK(strchr(text, 0x1b) == NULL);
	free(text);
	cJSON_Delete(doc);
	report_model_free(m);
}

/*
 * A resolver's connected UDP socket to the lab's DNS server: its connect says datagram, its
 * byte count (which carries no protocol) joins it by cookie: one udp endpoint, no tcp one.
 */
static void test_udp_bytes(void)
{
	static const uint8_t dns[4] = { 203, 0, 113, 1 };
	struct profile_set set;
	struct capture_meta meta = { .llmwatch_version = "test", .profiles = &set };
	struct capture_writer_opts wo = { .flush_ns = 1000000000ull };
	struct capture_writer *w;
	char path[128], err[256];
	cJSON *doc;
	const cJSON *e;
	uint16_t tool;
	int status;

	profiles_init(&set);
	tool = ollama_id(&set);
	snprintf(path, sizeof(path), "%s/udp.lwc", tmpdir);
	w = capture_writer_open(path, &meta, &wo, err, sizeof(err));
	CHECK(w != NULL);
	if (!w)
		return;
	put_sock(w, LW_REC_CONNECT, tool, 100, t0 + 1000, dns, 53, SOCK_DGRAM, 0, 21);
	put_conn_bytes(w, tool, 100, t0 + 2000, dns, 53, 21, 66);
	/* a TCP connection to the same port, its bytes by its own cookie */
	put_sock(w, LW_REC_CONNECT, tool, 100, t0 + 3000, dns, 53, SOCK_STREAM, 0, 22);
	put_conn_bytes(w, tool, 100, t0 + 4000, dns, 53, 22, 500);
	CHECK_INT(capture_writer_close(w, NULL), 0);
	doc = build(path, err, sizeof(err), &status);
	CHECK_INT(status, 0);
	CHECK_INT(cJSON_GetArraySize(get(doc, "endpoints")), 2);
	for (int i = 0; i < 2; i++) {
		e = at(doc, "endpoints", i);
		if (str(e, "protocol") && !strcmp(str(e, "protocol"), "udp")) {
			CHECK_INT(num(e, "bytes_sent"), 66);
			CHECK_INT(num(e, "connections"), 1);
		} else {
			CHECK_STR(str(e, "protocol"), "tcp");
			CHECK_INT(num(e, "bytes_sent"), 500);
		}
	}
	cJSON_Delete(doc);
}

static void put_send(struct capture_writer *w, uint16_t tool, uint64_t ts, const uint8_t ip[4],
		     uint16_t port, uint64_t cookie, uint64_t bytes, uint8_t flags)
{
	struct lw_rec_sock r;

	memset(&r, 0, sizeof(r));
	lw_rec_hdr_init(&r.hdr, LW_REC_SEND, offsetof(struct lw_rec_sock, unix_path), tool, 100,
			ts);
	r.hdr.flags = flags;
	r.fd = 6;
	r.ret = (int32_t)bytes;
	r.bytes = bytes;
	r.cookie = cookie;
	r.addr.family = AF_INET;
	r.addr.port = port;
	memcpy(r.addr.addr, ip, 4);
	r.sock_type = SOCK_DGRAM;
	capture_writer_add(w, &r, offsetof(struct lw_rec_sock, unix_path));
}

static void put_flow(struct capture_writer *w, uint16_t tool, uint64_t ts, const uint8_t ip[4],
		     uint16_t port, uint64_t cookie, uint64_t bytes, uint64_t packets,
		     uint32_t reason)
{
	struct lw_rec_conn_bytes r;

	memset(&r, 0, sizeof(r));
	lw_rec_hdr_init(&r.hdr, LW_REC_CONN_BYTES, sizeof(r), tool, 100, ts);
	r.cookie = cookie;
	r.bytes = bytes;
	r.packets = packets;
	r.daddr.family = AF_INET;
	r.daddr.port = port;
	memcpy(r.daddr.addr, ip, 4);
	r.reason = reason;
	r.protocol = 17;
	capture_writer_add(w, &r, sizeof(r));
}

/*
 * Datagram flows: the first send (flow_first) is counted by its flow, whose records carry
 * totals (an interim one, the last, and a repeat of the last from the stop's flush), so the
 * endpoint has the last totals once. Beside it, sends as captures before flows hold them
 * (each datagram a send of its own, no flag): each counted.
 */
static void test_udp_flows(void)
{
	static const uint8_t a[4] = { 203, 0, 113, 5 }, b[4] = { 203, 0, 113, 6 };
	struct profile_set set;
	struct capture_meta meta = { .llmwatch_version = "test", .profiles = &set };
	struct capture_writer_opts wo = { .flush_ns = 1000000000ull };
	struct capture_writer *w;
	char path[128], err[256];
	const cJSON *e;
	cJSON *doc;
	uint16_t tool;
	int status, seen = 0;

	profiles_init(&set);
	tool = ollama_id(&set);
	snprintf(path, sizeof(path), "%s/flows.lwc", tmpdir);
	w = capture_writer_open(path, &meta, &wo, err, sizeof(err));
	CHECK(w != NULL);
	if (!w)
		return;
	put_send(w, tool, t0 + 1000, a, 4000, 31, 64, LW_F_FLOW_FIRST);
	put_flow(w, tool, t0 + 2000, a, 4000, 31, 6400, 100, LW_CLOSE_INTERIM);
	put_flow(w, tool, t0 + 3000, a, 4000, 31, 64000, 1000, LW_CLOSE_RELEASE);
	put_flow(w, tool, t0 + 4000, a, 4000, 31, 64000, 1000, LW_CLOSE_END);
	for (int i = 0; i < 3; i++)
		put_send(w, tool, t0 + 5000 + i, b, 5000, 32, 100, 0);
	CHECK_INT(capture_writer_close(w, NULL), 0);
	doc = build(path, err, sizeof(err), &status);
	CHECK_INT(status, 0);
	CHECK_INT(cJSON_GetArraySize(get(doc, "endpoints")), 2);
	for (int i = 0; i < 2; i++) {
		e = at(doc, "endpoints", i);
		CHECK_STR(str(e, "protocol"), "udp");
		if (num(e, "port") == 4000) {
			CHECK_INT(num(e, "bytes_sent"), 64000);
			CHECK_INT(num(e, "datagrams"), 1000);
			seen |= 1;
		} else {
			CHECK_INT(num(e, "port"), 5000);
			CHECK_INT(num(e, "bytes_sent"), 300);
			CHECK_INT(num(e, "datagrams"), 3);
			seen |= 2;
		}
	}
	CHECK_INT(seen, 3);
	cJSON_Delete(doc);
}

int main(void)
{
	FILE *f;

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/lw-report-XXXXXX");
	if (!mkdtemp(tmpdir) || timefmt_init())
		return 1;
	snprintf(rules_path, sizeof(rules_path), "%s/rules.json", tmpdir);
	f = fopen(rules_path, "w");
	if (!f || fputs(test_rules, f) == EOF || fclose(f))
		return 1;
	t0 = timefmt_boot_now();
	test_findings();
	test_complete();
	test_two_files();
	test_damaged();
	test_udp_bytes();
	test_udp_flows();
	test_fold_and_escape();
	{
		char cmd[128];

		/* our own mkdtemp name */
		snprintf(cmd, sizeof(cmd), "rm -rf -- '%s'", tmpdir);
		if (system(cmd)) /* NOLINT(cert-env33-c) */
			fprintf(stderr, "could not remove %s\n", tmpdir);
	}
	return check_summary("report");
}
