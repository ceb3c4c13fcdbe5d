// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests of the daemon's event stream, server and client in one process over a socket
 * in a temporary directory (live/stream_server.c, live/stream_client.c): the socket's
 * directory and mode, the hello, events with their verdicts arriving at the viewer's sink,
 * counters; a viewer that does not read never makes the daemon's sink calls block, what it
 * misses is counted and told to it in a MISSED frame once it reads again (delivered plus
 * missed is every event sent); the limit on viewers; a stale socket removed, anything else
 * at the path left alone; and, as root, a peer outside the group refused with the reason
 * while one whose supplementary group is the socket's is let in.
 */
#include <errno.h>
#include <grp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "live/stream_client.h"
#include "live/stream_server.h"
#include "rules/rules.h"
#include "sinks/sink.h"
#include "util/timefmt.h"

static char tmpdir[64];
static char sockpath[100];

/* ---- a sink and callbacks that remember what they got ----------------------------------- */

struct seen {
	struct sink sink;
	uint64_t events, missed, stats, hellos;
	uint32_t last_pid;
	uint16_t last_type;
	char last_rule[64], last_message[RULES_MESSAGE_MAX], last_host[64];
	char version[64], digest[80], host[300];
	uint64_t records;
};

static int seen_event(struct sink *s, const struct lw_event *ev, const struct rules_verdict *v,
		      size_t nv)
{
	struct seen *w = (struct seen *)s;

	w->events++;
	w->last_pid = ev->pid;
	w->last_type = ev->type;
	snprintf(w->last_host, sizeof(w->last_host), "%s", ev->host ? ev->host : "(null)");
	snprintf(w->last_rule, sizeof(w->last_rule), "%s", nv ? v[0].rule : "");
	snprintf(w->last_message, sizeof(w->last_message), "%s", nv ? v[0].message : "");
	return 0;
}

static int seen_summary(struct sink *s, const struct lw_stats *st)
{
	(void)s, (void)st;
	return 0;
}

static void seen_destroy(struct sink *s)
{
	(void)s;
}

static const struct sink_ops seen_ops = { seen_event, seen_summary, seen_destroy, NULL, NULL };

static void on_stats(void *ctx, const struct lw_stats *st)
{
	struct seen *w = ctx;

	w->stats++;
	w->records = st->records;
}

static void on_missed(void *ctx, uint64_t n)
{
	((struct seen *)ctx)->missed += n;
}

static void on_hello(void *ctx, const char *version, const char *digest, const char *host)
{
	struct seen *w = ctx;

	w->hellos++;
	snprintf(w->version, sizeof(w->version), "%s", version);
	snprintf(w->digest, sizeof(w->digest), "%s", digest);
	snprintf(w->host, sizeof(w->host), "%s", host);
}

static const struct stream_client_ops seen_cb = { on_stats, on_missed, on_hello };

/* ---- the daemon's side, polled by a thread while a client connects ----------------------- */

struct poller {
	struct sink *srv;
	atomic_bool stop;
};

static void *poll_loop(void *arg)
{
	struct poller *p = arg;

	while (!atomic_load(&p->stop)) {
		stream_server_poll(p->srv);
		usleep(1000);
	}
	return NULL;
}

/*
 * stream_client_open() waits for the daemon's hello, which the daemon sends from its event
 * loop: here a thread polls the server meanwhile (and only then: the test goes on alone).
 */
static struct stream_client *attach(struct sink *srv, struct seen *w, char *err, size_t n)
{
	struct poller p = { .srv = srv };
	struct stream_client *c;
	pthread_t t;

	atomic_init(&p.stop, false);
	if (pthread_create(&t, NULL, poll_loop, &p))
		return NULL;
	c = stream_client_open(sockpath, &seen_cb, w, &w->sink, err, n);
	atomic_store(&p.stop, true);
	pthread_join(t, NULL);
	return c;
}

static struct lw_event connect_event(uint32_t pid)
{
	static struct lw_sockaddr a = { .family = 2, .port = 443, .addr = { 10, 0, 0, 1 } };
	struct lw_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = LW_REC_CONNECT;
	ev.pid = ev.tid = pid;
	ev.tool = "ollama";
	ev.exe = "/usr/bin/ollama";
	memcpy(ev.comm, "ollama", 7);
	ev.addr = &a;
	ev.host = "api.example.com";
	ev.host_source = "sni";
	ev.wall.tv_sec = 1700000000;
	return ev;
}

/* Server polls and client reads until cond holds or 5 s passed. */
#define PUMP_UNTIL(srv, c, cond)                                              \
	do {                                                                  \
		char e_[256];                                                 \
		for (int i_ = 0; i_ < 5000 && !(cond); i_++) {                \
			stream_server_poll(srv);                              \
			if (stream_client_read(c, e_, sizeof(e_)) == -EAGAIN) \
				usleep(1000);                                 \
		}                                                             \
	} while (0)

static FILE *logf_;

static char *log_text(void)
{
	static char buf[16384];
	size_t n;

	fflush(logf_);
	rewind(logf_);
	n = fread(buf, 1, sizeof(buf) - 1, logf_);
	buf[n] = '\0';
	fseek(logf_, 0, SEEK_END);
	return buf;
}

static struct sink *server(size_t max_clients, const char *group, char *err, size_t n)
{
	struct stream_server_opts o = {
		.path = sockpath,
		.group = group,
		.max_clients = max_clients,
		.version = "v-test",
		.rules_digest = "abc123",
		.log = logf_,
	};

	return stream_server_open(&o, err, n);
}

static void test_basic(void)
{
	struct seen w = { .sink.ops = &seen_ops };
	struct stream_server_counters cnt;
	struct rules_verdict v;
	struct lw_event ev = connect_event(4242);
	struct lw_stats st;
	struct stream_client *c;
	struct sink *srv;
	struct stat sb;
	char err[512];

	srv = server(0, "lw-no-such-group-x", err, sizeof(err));
	CHECK(srv != NULL);
	if (!srv) {
		fprintf(stderr, "server: %s\n", err);
		return;
	}
	/* the directory made 0755, the socket root's only without the group */
	CHECK(stat(sockpath, &sb) == 0 && S_ISSOCK(sb.st_mode));
	CHECK_INT(sb.st_mode & 0777, 0600);
	CHECK(strstr(log_text(), "mode 0600, root only (no group lw-no-such-group-x here)") !=
	      NULL);
	c = attach(srv, &w, err, sizeof(err));
	CHECK(c != NULL);
	if (!c) {
		fprintf(stderr, "client: %s\n", err);
		sink_destroy(srv);
		return;
	}
	CHECK_INT(w.hellos, 1);
	CHECK_STR(w.version, "v-test");
	CHECK_STR(w.digest, "abc123");
	CHECK(w.host[0] != '\0');
	CHECK(strstr(log_text(), ") attached") != NULL);
	/* nothing there yet */
	CHECK_INT(stream_client_read(c, err, sizeof(err)), -EAGAIN);

	memset(&v, 0, sizeof(v));
	v.rule = "net-remote";
	v.description = "d";
	v.severity = RULES_SEV_HIGH;
	snprintf(v.message, sizeof(v.message), "ollama connected to api.example.com:443");
	CHECK_INT(srv->ops->event(srv, &ev, &v, 1), 0);
	PUMP_UNTIL(srv, c, w.events == 1);
	CHECK_INT(w.events, 1);
	CHECK_INT(w.last_pid, 4242);
	CHECK_INT(w.last_type, LW_REC_CONNECT);
	CHECK_STR(w.last_host, "api.example.com");
	CHECK_STR(w.last_rule, "net-remote");
	CHECK_STR(w.last_message, "ollama connected to api.example.com:443");

	/* counters, at most about once a second */
	memset(&st, 0, sizeof(st));
	st.records = 99;
	stream_server_stats(srv, &st, 5000000000ull);
	st.records = 100;
	stream_server_stats(srv, &st, 5100000000ull); /* too soon: not sent */
	PUMP_UNTIL(srv, c, w.stats == 1);
	CHECK_INT(w.stats, 1);
	CHECK_INT(w.records, 99);
	stream_server_stats(srv, &st, 6000000000ull);
	PUMP_UNTIL(srv, c, w.stats == 2);
	CHECK_INT(w.records, 100);

	/* a reload's new digest reaches the attached viewer */
	stream_server_set_rules_digest(srv, "def456");
	PUMP_UNTIL(srv, c, w.hellos == 2);
	CHECK_STR(w.digest, "def456");

	stream_server_counters(srv, &cnt);
	CHECK_INT(cnt.accepted, 1);
	CHECK_INT(cnt.clients, 1);
	CHECK_INT(cnt.missed, 0);
	/* the daemon stops: its summary, then the viewer reads the end of the stream */
	CHECK_INT(srv->ops->summary(srv, &st), 0);
	CHECK(strstr(log_text(), "1 viewers attached, 0 refused, 0 events missed") != NULL);
	sink_destroy(srv);
	CHECK(lstat(sockpath, &sb) != 0 && errno == ENOENT);
	{
		int rc = 0;

		for (int i = 0; i < 100 && (rc == 0 || rc == -EAGAIN); i++)
			rc = stream_client_read(c, err, sizeof(err));
		CHECK_INT(rc, -EPIPE);
		CHECK(strstr(err, "closed the stream") != NULL);
	}
	CHECK_INT(w.stats, 3); /* the summary's */
	stream_client_close(c);
}

static void test_slow_viewer(void)
{
	struct seen w = { .sink.ops = &seen_ops };
	struct stream_server_counters cnt;
	struct stream_client *c;
	struct sink *srv;
	char err[512], big[2048];
	struct lw_event ev = connect_event(1);
	uint64_t worst = 0, t0, t1;
	const uint64_t sent = 20000;

	srv = server(0, NULL, err, sizeof(err));
	CHECK(srv != NULL);
	if (!srv)
		return;
	c = attach(srv, &w, err, sizeof(err));
	CHECK(c != NULL);
	if (!c) {
		sink_destroy(srv);
		return;
	}
	/* ~2 KiB a frame, 40 MB in all: far more than the queue and the socket hold */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ev.argv = big;
	for (uint64_t i = 0; i < sent; i++) {
		ev.pid = (uint32_t)i + 1;
		t0 = timefmt_boot_now();
		srv->ops->event(srv, &ev, NULL, 0);
		if (i % 64 == 0)
			stream_server_poll(srv);
		t1 = timefmt_boot_now();
		if (t1 - t0 > worst)
			worst = t1 - t0;
	}
	/* never blocked: a call takes at most a copy of the queue, far below 100 ms */
	CHECK(worst < 100000000ull);
	stream_server_counters(srv, &cnt);
	CHECK(cnt.missed > 0);
	CHECK(cnt.missed < sent);
	/* the viewer reads again: it gets what was queued, and how many it missed */
	PUMP_UNTIL(srv, c, w.events + w.missed == sent);
	CHECK_INT(w.missed, cnt.missed);
	CHECK_INT(w.events + w.missed, sent);
	/* the last event delivered is the last sent: what was missed was the middle */
	srv->ops->event(srv, &ev, NULL, 0);
	PUMP_UNTIL(srv, c, w.events + w.missed == sent + 1);
	CHECK_INT(w.last_pid, sent);
	CHECK_INT(w.events + w.missed, sent + 1);
	sink_destroy(srv);
	stream_client_close(c);
}

static void test_limit(void)
{
	struct seen w[3] = { { .sink.ops = &seen_ops },
			     { .sink.ops = &seen_ops },
			     { .sink.ops = &seen_ops } };
	struct stream_server_counters cnt;
	struct stream_client *c[3];
	struct sink *srv;
	char err[512];

	srv = server(2, NULL, err, sizeof(err));
	CHECK(srv != NULL);
	if (!srv)
		return;
	c[0] = attach(srv, &w[0], err, sizeof(err));
	c[1] = attach(srv, &w[1], err, sizeof(err));
	CHECK(c[0] && c[1]);
	c[2] = attach(srv, &w[2], err, sizeof(err));
	CHECK(c[2] == NULL);
	CHECK_INT(errno, EACCES);
	CHECK(strstr(err, "refused by the daemon: too many viewers (2 attached") != NULL);
	stream_server_counters(srv, &cnt);
	CHECK_INT(cnt.refused, 1);
	CHECK_INT(cnt.clients, 2);
	/* a viewer that leaves frees its place */
	stream_client_close(c[1]);
	{
		struct lw_event ev = connect_event(7);

		/* its departure is seen when a write to it fails */
		for (int i = 0; i < 3; i++) {
			srv->ops->event(srv, &ev, NULL, 0);
			stream_server_poll(srv);
		}
	}
	stream_server_counters(srv, &cnt);
	CHECK_INT(cnt.clients, 1);
	CHECK(strstr(log_text(), ") detached; it missed 0 events") != NULL);
	c[2] = attach(srv, &w[2], err, sizeof(err));
	CHECK(c[2] != NULL);
	sink_destroy(srv);
	stream_client_close(c[0]);
	stream_client_close(c[2]);
}

static void test_path(void)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct sink *srv, *second;
	char err[512];
	FILE *f;
	int fd;

	/* a socket left by a daemon that was killed: removed */
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", sockpath);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0);
	close(fd);
	srv = server(0, NULL, err, sizeof(err));
	CHECK(srv != NULL);
	/* a live one: refused, and left alone */
	second = server(0, NULL, err, sizeof(err));
	CHECK(second == NULL);
	CHECK_INT(errno, EADDRINUSE);
	CHECK(strstr(err, "another llmwatch serves its events there") != NULL);
	sink_destroy(srv);
	/* not a socket: never removed */
	f = fopen(sockpath, "w");
	CHECK(f != NULL);
	if (f)
		fclose(f);
	srv = server(0, NULL, err, sizeof(err));
	CHECK(srv == NULL);
	CHECK(strstr(err, "exists and is not a socket: not removed") != NULL);
	CHECK(access(sockpath, F_OK) == 0);
	unlink(sockpath);
	/* no daemon: the client says so with ENOENT */
	{
		struct seen w = { .sink.ops = &seen_ops };

		CHECK(stream_client_open(sockpath, &seen_cb, &w, &w.sink, err, sizeof(err)) ==
		      NULL);
		CHECK_INT(errno, ENOENT);
	}
}

static void test_peer_allowed(void)
{
	gid_t g[] = { 5, 998 };

	CHECK(stream_server_peer_allowed(0, 0, NULL, 0, false, 0, 1234));
	CHECK(stream_server_peer_allowed(1234, 1234, NULL, 0, false, 0, 1234));
	CHECK(!stream_server_peer_allowed(1000, 1000, NULL, 0, false, 0, 0));
	CHECK(stream_server_peer_allowed(1000, 998, NULL, 0, true, 998, 0));
	CHECK(stream_server_peer_allowed(1000, 1000, g, 2, true, 998, 0));
	CHECK(!stream_server_peer_allowed(1000, 1000, g, 2, true, 999, 0));
	CHECK(!stream_server_peer_allowed(1000, 998, g, 2, false, 998, 0));
}

/*
 * A child as uid/gid 65534 with the supplementary groups given tries to attach; exits 0 if
 * it was let in, 3 if refused with the group's reason, 1 otherwise.
 */
static pid_t child_attach(const gid_t *groups, size_t n, const char *want)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct seen w = { .sink.ops = &seen_ops };
		struct stream_client *c;
		char err[512];

		if (setgroups(n, groups) || setgid(65534) || setuid(65534))
			_exit(1);
		c = stream_client_open(sockpath, &seen_cb, &w, &w.sink, err, sizeof(err));
		if (c)
			_exit(0);
		_exit(errno == EACCES && strstr(err, want) ? 3 : 1);
	}
	return pid;
}

/* Polls the server until the child is done; its exit status, or -1. */
static int wait_child(struct sink *srv, pid_t pid)
{
	int status;

	for (int i = 0; i < 5000; i++) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		stream_server_poll(srv);
		usleep(1000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -1;
}

static void test_credentials(void)
{
	struct stream_server_counters cnt;
	struct group *gr = getgrgid(1);
	char group[64], err[512], want[128];
	struct sink *srv;
	struct stat sb;
	gid_t g;

	if (geteuid() != 0 || !gr) {
		printf("test_stream: credentials not tested (needs root and a group of gid 1)\n");
		return;
	}
	snprintf(group, sizeof(group), "%s", gr->gr_name);
	g = gr->gr_gid;
	/* uid 65534 must reach the socket through the test's directory */
	chmod(tmpdir, 0755);
	srv = server(0, group, err, sizeof(err));
	CHECK(srv != NULL);
	if (!srv)
		return;
	CHECK(stat(sockpath, &sb) == 0 && (sb.st_mode & 0777) == 0660 && sb.st_gid == g);
	/* a member of the group only by a supplementary group: let in (SO_PEERGROUPS) */
	CHECK_INT(wait_child(srv, child_attach(&g, 1, "")), 0);
	/*
	 * Outside the group: connect(2) itself is refused by the socket's mode. To reach the
	 * daemon's own check, the mode is opened for this one test.
	 */
	snprintf(want, sizeof(want), "refused by the daemon: not root and not in group %s", group);
	chmod(sockpath, 0666);
	CHECK_INT(wait_child(srv, child_attach(NULL, 0, want)), 3);
	chmod(sockpath, 0660);
	CHECK_INT(wait_child(srv, child_attach(NULL, 0, "group")), 3);
	stream_server_counters(srv, &cnt);
	CHECK_INT(cnt.refused, 1);
	CHECK(strstr(log_text(), "uid 65534): not root and not in group") != NULL);
	sink_destroy(srv);
}

int main(void)
{
	char cmd[128];

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/lw-stream-XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	/* a directory that does not exist yet: the server makes it */
	snprintf(sockpath, sizeof(sockpath), "%s/run/events.sock", tmpdir);
	logf_ = tmpfile();
	if (!logf_ || timefmt_init()) {
		perror("tmpfile");
		return 1;
	}
	test_peer_allowed();
	test_basic();
	{
		struct stat sb;
		char dir[160];

		snprintf(dir, sizeof(dir), "%s/run", tmpdir);
		CHECK(stat(dir, &sb) == 0 && (sb.st_mode & 0777) == 0755);
	}
	test_slow_viewer();
	test_limit();
	test_path();
	test_credentials();
	fclose(logf_);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0) /* NOLINT(cert-env33-c): a fixed command on our mkdtemp dir */
		fprintf(stderr, "could not remove %s\n", tmpdir);
	return check_summary("test_stream");
}
