// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests of event_decode(): each record type decodes to the right fields, and every
 * malformed record (cut short, wrong version or type, a length field pointing outside the
 * record) is refused. Records are copied into buffers of exactly their length so that ASan
 * catches any read past the end.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "check.h"
#include "core/event.h"

static void fill_hdr(struct lw_rec_hdr *h, unsigned int type, size_t size)
{
	h->type = (__u16)type;
	h->size = (__u16)size;
	h->version = LW_RECORD_VERSION;
	h->flags = LW_F_TRUNCATED;
	h->tool = 3;
	h->ts_ns = 5123456789ull;
	h->pid = 4242;
	h->tid = 4243;
	h->uid = 1000;
	memcpy(h->comm, "ollama_llama_se", 16); /* 16 bytes: no NUL in the record */
}

/*
 * Decodes len bytes of rec from a heap copy of exactly len bytes. The copy lives until the
 * next call, since ev points into it.
 */
static int decode_exact(const void *rec, size_t len, struct lw_event *ev)
{
	static void *p;

	free(p);
	p = malloc(len ? len : 1);
	memcpy(p, rec, len);
	return event_decode(p, len, ev);
}

/*
 * Every cut of a full-length record shorter than min_ok must be refused, both with the
 * header's size left at the full length and with it rewritten to the cut length.
 */
static void check_truncations(const void *rec, size_t full, size_t min_ok, const char *what)
{
	unsigned char *copy = malloc(full);
	struct lw_event ev;
	int bad = 0;

	for (size_t len = 0; len < full; len++) {
		int err;

		memcpy(copy, rec, full);
		err = decode_exact(copy, len, &ev);
		if (err != -EBADMSG) {
			fprintf(stderr, "%s: cut at %zu (size %zu) gave %d\n", what, len, full,
				err);
			bad++;
		}
		if (len < offsetof(struct lw_rec_hdr, size) + 2 || len >= min_ok)
			continue;
		((struct lw_rec_hdr *)copy)->size = (__u16)len;
		err = decode_exact(copy, len, &ev);
		if (err != -EBADMSG) {
			fprintf(stderr, "%s: cut at %zu (size %zu) gave %d\n", what, len, len, err);
			bad++;
		}
	}
	CHECK_INT(bad, 0);
	free(copy);
}

static size_t make_exec(struct lw_rec_exec *r, const char *filename)
{
	size_t n = strlen(filename);
	size_t size = offsetof(struct lw_rec_exec, filename) + n + 1;

	memset(r, 0, sizeof(*r));
	fill_hdr(&r->hdr, LW_REC_EXEC, size);
	r->ppid = 77;
	r->match = LW_MATCH_NAME;
	r->filename_len = (__u16)n;
	memcpy(r->filename, filename, n + 1);
	return size;
}

static size_t make_open(struct lw_rec_open *r, const char *path)
{
	size_t n = strlen(path);
	size_t size = offsetof(struct lw_rec_open, path) + n + 1;

	memset(r, 0, sizeof(*r));
	fill_hdr(&r->hdr, LW_REC_OPEN, size);
	r->dfd = -100;
	r->ret = -13;
	r->flags = 0x80241;
	r->mode = 0644;
	r->path_len = (__u16)n;
	memcpy(r->path, path, n + 1);
	return size;
}

static void check_common(const struct lw_event *ev, unsigned int type)
{
	CHECK_INT(ev->type, type);
	CHECK_INT(ev->flags, LW_F_TRUNCATED);
	CHECK_INT(ev->tool_id, 3);
	CHECK_INT(ev->ts_boot_ns, 5123456789ull);
	CHECK_INT(ev->uid, 1000);
	CHECK_INT(ev->tid, 4243);
	CHECK_STR(ev->comm, "ollama_llama_se"); /* NUL-terminated copy of a full comm */
	CHECK_STR(ev->tool, "");
	CHECK_STR(ev->exe, "");
}

static void test_exec(void)
{
	struct lw_rec_exec r;
	struct lw_event ev;
	size_t size = make_exec(&r, "/usr/local/bin/ollama");

	CHECK_INT(size, 64 + 22);
	CHECK_INT(decode_exact(&r, size, &ev), 0);
	check_common(&ev, LW_REC_EXEC);
	CHECK_INT(ev.pid, 4242);
	CHECK_INT(ev.ppid, 77);
	CHECK_INT(ev.match, LW_MATCH_NAME);
	CHECK_STR(ev.filename, "/usr/local/bin/ollama");
	CHECK(ev.addr == NULL && ev.path == NULL);
	check_truncations(&r, size, size, "exec");

	/* filename_len past the end, or not followed by a NUL */
	r.filename_len = 22;
	CHECK_INT(decode_exact(&r, size, &ev), -EBADMSG);
	r.filename_len = 0xffff;
	CHECK_INT(decode_exact(&r, size, &ev), -EBADMSG);
	r.filename_len = 20;
	CHECK_INT(decode_exact(&r, size, &ev), -EBADMSG);
	r.filename_len = 21;
	CHECK_INT(decode_exact(&r, size, &ev), 0);

	/* an empty filename (read failed) is one NUL */
	size = make_exec(&r, "");
	CHECK_INT(decode_exact(&r, size, &ev), 0);
	CHECK_STR(ev.filename, "");

	/* the longest: filename fills its field */
	memset(r.filename, 'a', LW_PATH_MAX - 1);
	r.filename[LW_PATH_MAX - 1] = '\0';
	r.filename_len = LW_PATH_MAX - 1;
	r.hdr.size = sizeof(r);
	CHECK_INT(decode_exact(&r, sizeof(r), &ev), 0);
	CHECK_INT(strlen(ev.filename), LW_PATH_MAX - 1);
}

static void test_exec_oversized(void)
{
	/* a record longer than its type's layout lets filename_len run past its field */
	size_t len = sizeof(struct lw_rec_exec) + 100;
	struct lw_rec_exec *r = calloc(1, len);
	struct lw_event ev;

	fill_hdr(&r->hdr, LW_REC_EXEC, len);
	/* the allocation is 100 bytes longer than the struct: the write stays inside it */
	// cppcheck-suppress bufferAccessOutOfBounds
	memset(r->filename, 'a', LW_PATH_MAX + 50);
	r->filename_len = LW_PATH_MAX + 50;
	CHECK_INT(decode_exact(r, len, &ev), -EBADMSG);
	free(r);
}

static void test_fork(void)
{
	struct lw_rec_fork r;
	struct lw_event ev;

	memset(&r, 0, sizeof(r));
	fill_hdr(&r.hdr, LW_REC_FORK, sizeof(r));
	r.child_pid = 5000;
	CHECK_INT(decode_exact(&r, sizeof(r), &ev), 0);
	check_common(&ev, LW_REC_FORK);
	CHECK_INT(ev.pid, 5000); /* the event is about the child */
	CHECK_INT(ev.ppid, 4242);
	check_truncations(&r, sizeof(r), sizeof(r), "fork");
}

static void test_exit(void)
{
	struct lw_rec_exit r;
	struct lw_event ev;

	memset(&r, 0, sizeof(r));
	fill_hdr(&r.hdr, LW_REC_EXIT, sizeof(r));
	r.exit_code = 0x8b; /* killed by SIGSEGV, core dumped */
	CHECK_INT(decode_exact(&r, sizeof(r), &ev), 0);
	check_common(&ev, LW_REC_EXIT);
	CHECK_INT(ev.pid, 4242);
	CHECK_INT(ev.exit_code, 0x8b);
	check_truncations(&r, sizeof(r), sizeof(r), "exit");
}

static void make_sock(struct lw_rec_sock *r, unsigned int type)
{
	memset(r, 0, sizeof(*r));
	fill_hdr(&r->hdr, type, sizeof(*r));
	r->fd = 7;
	r->ret = -111;
	r->bytes = 1234;
	r->cookie = 0xdeadbeefcafeull;
	r->addr.family = AF_INET;
	r->addr.port = 11434;
	r->addr.addr[0] = 127, r->addr.addr[3] = 1;
	r->sock_type = SOCK_STREAM;
}

static void test_sock(void)
{
	static const unsigned int types[] = { LW_REC_CONNECT, LW_REC_BIND, LW_REC_SEND };
	const size_t cut = offsetof(struct lw_rec_sock, unix_path);
	struct lw_rec_sock r;
	struct lw_event ev;

	for (size_t i = 0; i < 3; i++) {
		make_sock(&r, types[i]);
		CHECK_INT(decode_exact(&r, sizeof(r), &ev), 0);
		check_common(&ev, types[i]);
		CHECK_INT(ev.pid, 4242);
		CHECK_INT(ev.fd, 7);
		CHECK_INT(ev.ret, -111);
		CHECK_INT(ev.bytes, 1234);
		CHECK_INT(ev.cookie, 0xdeadbeefcafeull);
		CHECK_INT(ev.sock_type, SOCK_STREAM);
		CHECK(ev.addr != NULL && ev.addr->family == AF_INET && ev.addr->port == 11434);
		CHECK(ev.unix_path == NULL && ev.unix_path_len == 0);
		/* the cgroup hooks send the record cut before unix_path */
		r.hdr.size = (__u16)cut;
		CHECK_INT(decode_exact(&r, cut, &ev), 0);
		CHECK_INT(ev.fd, 7);
		r.hdr.size = sizeof(r);
		check_truncations(&r, sizeof(r), cut, "sock");
	}

	/* AF_UNIX: the path must fit the field and the record */
	make_sock(&r, LW_REC_CONNECT);
	r.addr.family = AF_UNIX;
	memcpy(r.unix_path, "\0ollama-sock", 12);
	r.unix_path_len = 12;
	CHECK_INT(decode_exact(&r, sizeof(r), &ev), 0);
	CHECK_INT(ev.unix_path_len, 12);
	CHECK(ev.unix_path && memcmp(ev.unix_path, "\0ollama-sock", 12) == 0);
	/* exactly as long as the path */
	r.hdr.size = (__u16)(cut + 12);
	CHECK_INT(decode_exact(&r, cut + 12, &ev), 0);
	r.hdr.size = sizeof(r);
	check_truncations(&r, sizeof(r), cut + 12, "unix");

	r.unix_path_len = LW_UNIX_PATH_MAX;
	CHECK_INT(decode_exact(&r, sizeof(r), &ev), 0);
	r.unix_path_len = LW_UNIX_PATH_MAX + 1;
	CHECK_INT(decode_exact(&r, sizeof(r), &ev), -EBADMSG);
	r.unix_path_len = 0xffff;
	CHECK_INT(decode_exact(&r, sizeof(r), &ev), -EBADMSG);
	/* a path length past a cut record */
	r.unix_path_len = 13;
	r.hdr.size = (__u16)(cut + 12);
	CHECK_INT(decode_exact(&r, cut + 12, &ev), -EBADMSG);
	r.unix_path_len = 1;
	r.hdr.size = (__u16)cut;
	CHECK_INT(decode_exact(&r, cut, &ev), -EBADMSG);
}

static void test_listen(void)
{
	struct lw_rec_listen r;
	struct lw_event ev;

	memset(&r, 0, sizeof(r));
	fill_hdr(&r.hdr, LW_REC_LISTEN, sizeof(r));
	r.fd = 3;
	r.ret = 0;
	r.backlog = 4096;
	r.local.family = AF_INET6;
	r.local.port = 8080;
	CHECK_INT(decode_exact(&r, sizeof(r), &ev), 0);
	check_common(&ev, LW_REC_LISTEN);
	CHECK_INT(ev.fd, 3);
	CHECK_INT(ev.backlog, 4096);
	CHECK(ev.addr && ev.addr->family == AF_INET6 && ev.addr->port == 8080);
	check_truncations(&r, sizeof(r), sizeof(r), "listen");
}

static void test_open(void)
{
	struct lw_rec_open r;
	struct lw_event ev;
	size_t size = make_open(&r, "/home/u/.ollama/models/blobs/sha256-x");

	CHECK_INT(decode_exact(&r, size, &ev), 0);
	check_common(&ev, LW_REC_OPEN);
	CHECK_INT(ev.pid, 4242);
	CHECK_INT(ev.dfd, -100);
	CHECK_INT(ev.ret, -13);
	CHECK_INT(ev.open_flags, 0x80241);
	CHECK_STR(ev.path, "/home/u/.ollama/models/blobs/sha256-x");
	CHECK_INT(ev.path_len, strlen("/home/u/.ollama/models/blobs/sha256-x"));
	check_truncations(&r, size, size, "open");

	/* path_len pointing past the end */
	size = make_open(&r, "abc");
	r.path_len = 20;
	CHECK_INT(decode_exact(&r, size, &ev), -EBADMSG);
	r.path_len = 4;
	CHECK_INT(decode_exact(&r, size, &ev), -EBADMSG);
	r.path_len = 0xffff;
	CHECK_INT(decode_exact(&r, size, &ev), -EBADMSG);
	/* no NUL where path_len says */
	r.path_len = 2;
	CHECK_INT(decode_exact(&r, size, &ev), -EBADMSG);
	/* NUL missing altogether: the record ends on the last path byte */
	r.path_len = 3;
	r.path[3] = 'd';
	CHECK_INT(decode_exact(&r, size, &ev), -EBADMSG);
	r.path[3] = '\0';
	CHECK_INT(decode_exact(&r, size, &ev), 0);
	CHECK_STR(ev.path, "abc");
	/* an embedded NUL before path_len is kept: path_len is the authority */
	r.path[1] = '\0';
	CHECK_INT(decode_exact(&r, size, &ev), 0);
	CHECK_INT(ev.path_len, 3);
}

static void test_conn_bytes(void)
{
	struct lw_rec_conn_bytes r;
	struct lw_event ev;

	memset(&r, 0, sizeof(r));
	fill_hdr(&r.hdr, LW_REC_CONN_BYTES, sizeof(r));
	r.cookie = 99;
	r.bytes = 1ull << 40;
	r.packets = 12;
	r.daddr.family = AF_INET;
	r.daddr.port = 443;
	r.reason = LW_CLOSE_TCP;
	CHECK_INT(decode_exact(&r, sizeof(r), &ev), 0);
	check_common(&ev, LW_REC_CONN_BYTES);
	CHECK_INT(ev.cookie, 99);
	CHECK_INT(ev.bytes, 1ull << 40);
	CHECK_INT(ev.packets, 12);
	CHECK_INT(ev.close_reason, LW_CLOSE_TCP);
	CHECK(ev.addr && ev.addr->port == 443);
	check_truncations(&r, sizeof(r), sizeof(r), "conn_bytes");
	/* a connection's record says no protocol: version 1 had a pad of zeroes there */
	CHECK_INT(ev.sock_type, 0);

	/* a datagram flow: protocol UDP reads as a datagram socket's, with its totals */
	r.protocol = 17;
	r.reason = LW_CLOSE_INTERIM;
	CHECK_INT(decode_exact(&r, sizeof(r), &ev), 0);
	CHECK_INT(ev.sock_type, 2 /* SOCK_DGRAM */);
	CHECK_INT(ev.close_reason, LW_CLOSE_INTERIM);
	CHECK_INT(ev.packets, 12);
	/* another protocol number is a connection's */
	r.protocol = 6;
	CHECK_INT(decode_exact(&r, sizeof(r), &ev), 0);
	CHECK_INT(ev.sock_type, 0);
}

static void test_header(void)
{
	struct lw_rec_fork r;
	struct lw_event ev;

	memset(&r, 0, sizeof(r));
	fill_hdr(&r.hdr, LW_REC_FORK, sizeof(r));

	r.hdr.version = LW_RECORD_VERSION + 1;
	CHECK_INT(decode_exact(&r, sizeof(r), &ev), -EPROTO);
	r.hdr.version = 0;
	CHECK_INT(decode_exact(&r, sizeof(r), &ev), -EPROTO);
	r.hdr.version = LW_RECORD_VERSION;

	r.hdr.type = 0;
	CHECK_INT(decode_exact(&r, sizeof(r), &ev), -ENOMSG);
	r.hdr.type = LW_REC_TYPE_MAX;
	CHECK_INT(decode_exact(&r, sizeof(r), &ev), -ENOMSG);
	r.hdr.type = 0xffff;
	CHECK_INT(decode_exact(&r, sizeof(r), &ev), -ENOMSG);
	r.hdr.type = LW_REC_FORK;

	/* size disagreeing with the length received, either way */
	r.hdr.size = sizeof(r) - 1;
	CHECK_INT(decode_exact(&r, sizeof(r), &ev), -EBADMSG);
	r.hdr.size = sizeof(r) + 1;
	CHECK_INT(decode_exact(&r, sizeof(r), &ev), -EBADMSG);
	r.hdr.size = 0;
	CHECK_INT(decode_exact(&r, sizeof(r), &ev), -EBADMSG);
	r.hdr.size = sizeof(r);
	CHECK_INT(decode_exact(&r, sizeof(r), &ev), 0);

	/* a bare header of a known type is too short for any type */
	for (unsigned int t = 1; t < LW_REC_TYPE_MAX; t++) {
		struct lw_rec_hdr h;

		memset(&h, 0, sizeof(h));
		fill_hdr(&h, t, sizeof(h));
		CHECK_INT(decode_exact(&h, sizeof(h), &ev), -EBADMSG);
	}

	CHECK_STR(event_type_name(LW_REC_CONNECT), "connect");
	CHECK_STR(event_type_name(LW_REC_CONN_BYTES), "conn_bytes");
	CHECK_STR(event_type_name(0), "unknown");
	CHECK_STR(event_type_name(LW_REC_TYPE_MAX), "unknown");
}

int main(void)
{
	test_exec();
	test_exec_oversized();
	test_fork();
	test_exit();
	test_sock();
	test_listen();
	test_open();
	test_conn_bytes();
	test_header();
	decode_exact("", 0, &(struct lw_event){ 0 }); /* frees the last copy */
	return check_summary("test_decode");
}
