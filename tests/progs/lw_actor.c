// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Test program for the kernel matrix (tests/kernels/scenarios.sh): does the calls the core
 * scenarios watch for, without python, so that it runs from a busybox initramfs. Built
 * static for the VMs (mk/kernels.mk). Each action prints "key=value" lines on stdout:
 *
 *   pid                 pid=N
 *   tcp                 a 127.0.0.1 listener and a connect to it, closed in order (both
 *                       FINs) before the next action: tcp_port=N
 *   bind-any            bind a TCP socket to 0.0.0.0:0 and listen: bind_any_port=N
 *   udp                 a 127.0.0.1 UDP receiver, a 5-byte sendto to it from one socket and
 *                       a 7-byte sendmsg from another (each a first datagram): udp_port=N
 *   udp-child N MS      N 64-byte datagrams to a 127.0.0.1 receiver from one socket, which a
 *                       forked child then holds for MS milliseconds while this process goes
 *                       on (and exits): udp_child_port=N udp_child=PID
 *   dns                 a DNS query for lwdns.test from a UDP socket connected to a
 *                       responder of its own on 127.83.0.53:53, the answer (127.83.0.80)
 *                       read, then a TCP connect to a listener there, closed in order:
 *                       dns_tcp_port=N
 *   open PATH           open PATH read-only and read it: open_ret=FD or -errno
 *   child PROG ARG      fork, exec PROG ARG, wait: child_pid=N child_status=N
 *   uring-open PATH     openat PATH through io_uring: uring_open_ret=FD or -errno
 *   uring-udp           a datagram to a 127.0.0.1 receiver through io_uring: uring_udp_port=N
 *   udp-exec PROG N PATH a UDP socket and a 127.0.0.1 receiver, kept across an exec of
 *                       PROG udp-kept (the last action): udp_exec_port=N
 *   udp-kept FD PORT N PATH  N 64-byte datagrams from FD to 127.0.0.1:PORT, then wait (up
 *                       to 20 s) until PATH exists: udp_kept_sent=N
 *   udp-flows N         N 64-byte datagrams to each of two 127.0.0.1 receivers, alternately,
 *                       from one socket, then closed: udp_flow_ports=A,B (the first flow's
 *                       count may be kept in the socket's storage, the second's in the map)
 *   tcp-hold SECS       a 127.0.0.1 connection that sends 100 bytes, then held open SECS
 *                       seconds: hold_port=N
 *   tcp-hold-child SECS the same, held by a forked child while this process goes on (and
 *                       exits): hold_port=N hold_child=N
 *   tcp-abort-child N   N 127.0.0.1 connections that send 100 bytes each, handed to a
 *                       forked child that aborts them (SO_LINGER 0: TCP_CLOSE at once)
 *                       one every 100 us while this process exits, so that some close
 *                       while llmwatch flushes the owner's: abort_port=N abort_child=N
 *   flood N             open and close /dev/null N times
 *   leader-exits PATH   the main thread ends (pthread_exit) while another thread lives on;
 *                       that thread waits until the leader is gone, opens PATH, and exits
 *                       the process with status 0 (the last action: nothing after it runs)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * A listener on addr (an IPv4 address of this machine; an ephemeral port, in *a) and a
 * socket connected to it. Returns 0, or 1 having said which step failed (what names the
 * action).
 */
static int tcp_pair(const char *addr, struct sockaddr_in *a, int *srv, int *c, const char *what)
{
	socklen_t alen = sizeof(*a);

	*a = (struct sockaddr_in){ .sin_family = AF_INET };
	inet_pton(AF_INET, addr, &a->sin_addr);
	*srv = socket(AF_INET, SOCK_STREAM, 0);
	if (*srv < 0 || bind(*srv, (struct sockaddr *)a, sizeof(*a)) || listen(*srv, 1) ||
	    getsockname(*srv, (struct sockaddr *)a, &alen)) {
		fprintf(stderr, "%s listener: %s\n", what, strerror(errno));
		return 1;
	}
	*c = socket(AF_INET, SOCK_STREAM, 0);
	if (*c < 0 || connect(*c, (struct sockaddr *)a, sizeof(*a))) {
		fprintf(stderr, "%s connect: %s\n", what, strerror(errno));
		return 1;
	}
	return 0;
}

/*
 * Closes a tcp_pair() in order, over before this returns: our FIN, then the peer's (which
 * acknowledges ours), and recv() sees the end only after the kernel took the socket from
 * FIN_WAIT2 to TCP_CLOSE. So the close is reported before anything this process does next,
 * its exit included, however late the softirqs run (closing a socket that was never
 * accepted left that to a softirq that could come after the exit). Returns 0, or 1.
 */
static int tcp_close_in_order(int srv, int c, const char *what)
{
	int p = accept(srv, NULL, NULL);
	char b;

	if (p < 0 || shutdown(c, SHUT_WR) || close(p) || recv(c, &b, 1, 0) != 0) {
		fprintf(stderr, "%s close: %s\n", what, strerror(errno));
		return 1;
	}
	close(c);
	close(srv);
	return 0;
}

static int act_tcp(void)
{
	struct sockaddr_in a;
	int srv, c;

	if (tcp_pair("127.0.0.1", &a, &srv, &c, "tcp"))
		return 1;
	printf("tcp_port=%u\n", ntohs(a.sin_port));
	return tcp_close_in_order(srv, c, "tcp");
}

/*
 * A 127.0.0.1 connection that has sent 100 bytes, left open for secs seconds: by this
 * process (tcp-hold), or by a child it forks while it exits at once (tcp-hold-child: the
 * connection outlives its owner).
 */
static int act_tcp_hold(long secs, bool child)
{
	struct sockaddr_in a;
	char buf[100] = { 0 };
	int srv, c, p;
	pid_t k;

	if (tcp_pair("127.0.0.1", &a, &srv, &c, "tcp-hold"))
		return 1;
	p = accept(srv, NULL, NULL);
	if (p < 0 || write(c, buf, sizeof(buf)) != (ssize_t)sizeof(buf)) {
		perror("tcp-hold accept, write");
		return 1;
	}
	printf("hold_port=%u\n", ntohs(a.sin_port));
	if (child) {
		k = fork();
		if (k < 0) {
			perror("fork");
			return 1;
		}
		if (k > 0) {
			printf("hold_child=%d\n", (int)k);
			return 0;
		}
	}
	sleep((unsigned)secs);
	if (child)
		_exit(0);
	return 0;
}

/*
 * The child of tcp-abort-child: aborts the connections one by one, from its start, so that
 * the aborts span its parent's (their owner's) exit and llmwatch's flush of what the owner
 * left open, wherever that flush falls. Never returns.
 */
static void abort_each(const int *c, long n)
{
	const struct linger now = { .l_onoff = 1, .l_linger = 0 };
	const struct timespec tick = { 0, 100000 };

	for (long i = 0; i < n; i++) {
		setsockopt(c[i], SOL_SOCKET, SO_LINGER, &now, sizeof(now));
		close(c[i]);
		nanosleep(&tick, NULL);
	}
	_exit(0);
}

static int act_tcp_abort_child(long n)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	char buf[100] = { 0 };
	int srv, *c;
	pid_t k;

	if (n < 1 || n > 4096 || !(c = calloc((size_t)n, sizeof(*c)))) {
		fprintf(stderr, "tcp-abort-child: N from 1 to 4096\n");
		return 1;
	}
	/* never accepted: the kernel completes each handshake into the backlog */
	srv = socket(AF_INET, SOCK_STREAM, 0);
	if (srv < 0 || bind(srv, (struct sockaddr *)&a, sizeof(a)) || listen(srv, (int)n) ||
	    getsockname(srv, (struct sockaddr *)&a, &alen)) {
		perror("tcp-abort-child listener");
		goto fail;
	}
	for (long i = 0; i < n; i++) {
		c[i] = socket(AF_INET, SOCK_STREAM, 0);
		if (c[i] < 0 || connect(c[i], (struct sockaddr *)&a, sizeof(a)) ||
		    write(c[i], buf, sizeof(buf)) != (ssize_t)sizeof(buf)) {
			perror("tcp-abort-child connect, write");
			goto fail;
		}
	}
	printf("abort_port=%u\n", ntohs(a.sin_port));
	k = fork();
	if (k < 0) {
		perror("fork");
		goto fail;
	}
	if (k == 0)
		abort_each(c, n);
	printf("abort_child=%d\n", (int)k);
	free(c);
	return 0;
fail:
	free(c);
	return 1;
}

/*
 * One datagram of 64 bytes to a local receiver through io_uring (IORING_OP_SENDMSG with a
 * destination), which never passes the sendto/sendmsg tracepoints.
 */
static int act_uring_udp(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	char buf[64];
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr msg = {
		.msg_name = &a, .msg_namelen = sizeof(a), .msg_iov = &iov, .msg_iovlen = 1
	};
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	int r, s, ret;

	memset(buf, 'u', sizeof(buf));
	r = socket(AF_INET, SOCK_DGRAM, 0);
	if (r < 0 || bind(r, (struct sockaddr *)&a, sizeof(a)) ||
	    getsockname(r, (struct sockaddr *)&a, &alen)) {
		perror("udp receiver");
		return 1;
	}
	s = socket(AF_INET, SOCK_DGRAM, 0);
	ret = io_uring_queue_init(4, &ring, 0);
	if (s < 0 || ret < 0) {
		fprintf(stderr, "io_uring_queue_init: %s\n", strerror(-ret));
		return 1;
	}
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_sendmsg(sqe, s, &msg, 0);
	io_uring_submit(&ring);
	ret = io_uring_wait_cqe(&ring, &cqe);
	if (ret < 0 || cqe->res < 0) {
		fprintf(stderr, "io_uring sendmsg: %s\n", strerror(ret < 0 ? -ret : -cqe->res));
		return 1;
	}
	io_uring_cqe_seen(&ring, cqe);
	io_uring_queue_exit(&ring);
	printf("uring_udp_port=%u\n", ntohs(a.sin_port));
	close(s);
	close(r);
	return 0;
}

static int act_bind_any(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_ANY) };
	socklen_t alen = sizeof(a);
	int s = socket(AF_INET, SOCK_STREAM, 0);

	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 1) ||
	    getsockname(s, (struct sockaddr *)&a, &alen)) {
		perror("bind-any");
		return 1;
	}
	printf("bind_any_port=%u\n", ntohs(a.sin_port));
	close(s);
	return 0;
}

/* A UDP receiver on 127.0.0.1 (a port of the kernel's choosing, in *a). Returns it, or -1. */
static int udp_receiver(struct sockaddr_in *a)
{
	socklen_t alen = sizeof(*a);
	int rcv = socket(AF_INET, SOCK_DGRAM, 0);

	*a = (struct sockaddr_in){ .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	if (rcv < 0 || bind(rcv, (struct sockaddr *)a, sizeof(*a)) ||
	    getsockname(rcv, (struct sockaddr *)a, &alen)) {
		perror("udp receiver");
		if (rcv >= 0)
			close(rcv);
		return -1;
	}
	return rcv;
}

#define DNS_SERVER "127.83.0.53"
#define DNS_ANSWER "127.83.0.80"

/*
 * The question of a query for lwdns.test (type A, class IN) after a 12-byte header: the
 * responder answers with the same header and question, then one A record naming it by a
 * pointer to offset 12.
 */
#define DNS_QUESTION "\x05lwdns\x04test\x00\x00\x01\x00\x01"
#define DNS_QUESTION_LEN (sizeof(DNS_QUESTION) - 1)
/* the query's header: id 0x1234, RD, one question */
static const unsigned char dns_query_head[12] = { 0x12, 0x34, 1, 0, 0, 1 };
/* the answer's flags and counts after its id: QR, RD, RA; one question, one answer */
static const unsigned char dns_answer_flags[10] = { 0x81, 0x80, 0, 1, 0, 1 };
/* the A record before its address: a pointer to the question's name, A, IN, 60 s, 4 bytes */
static const unsigned char dns_answer_a[12] = { 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4 };

static int act_dns(void)
{
	struct sockaddr_in srv = { .sin_family = AF_INET, .sin_port = htons(53) };
	struct sockaddr_in peer, ta;
	socklen_t plen = sizeof(peer);
	unsigned char q[64], ans[128];
	int r, s, tsrv, tc;
	ssize_t n;

	inet_pton(AF_INET, DNS_SERVER, &srv.sin_addr);
	memcpy(q, dns_query_head, sizeof(dns_query_head));
	memcpy(q + 12, DNS_QUESTION, DNS_QUESTION_LEN);
	r = socket(AF_INET, SOCK_DGRAM, 0);
	s = socket(AF_INET, SOCK_DGRAM, 0);
	if (r < 0 || s < 0 || bind(r, (struct sockaddr *)&srv, sizeof(srv)) ||
	    connect(s, (struct sockaddr *)&srv, sizeof(srv)) ||
	    send(s, q, 12 + DNS_QUESTION_LEN, 0) != (ssize_t)(12 + DNS_QUESTION_LEN)) {
		perror("dns query");
		return 1;
	}
	n = recvfrom(r, ans, sizeof(ans), 0, (struct sockaddr *)&peer, &plen);
	if (n != (ssize_t)(12 + DNS_QUESTION_LEN)) {
		perror("dns responder");
		return 1;
	}
	/* the answer: QR, RD, RA; one question, one A record of 60 s */
	memcpy(ans + 2, dns_answer_flags, sizeof(dns_answer_flags));
	memcpy(ans + n, dns_answer_a, sizeof(dns_answer_a));
	inet_pton(AF_INET, DNS_ANSWER, ans + n + sizeof(dns_answer_a));
	n += 16;
	if (sendto(r, ans, n, 0, (struct sockaddr *)&peer, plen) != n ||
	    recv(s, q, sizeof(q), 0) != n) {
		perror("dns answer");
		return 1;
	}
	close(s);
	close(r);
	/* the address it answered, connected to: the connect the answer names */
	if (tcp_pair(DNS_ANSWER, &ta, &tsrv, &tc, "dns") || tcp_close_in_order(tsrv, tc, "dns"))
		return 1;
	printf("dns_tcp_port=%u\n", ntohs(ta.sin_port));
	return 0;
}

static int act_udp(void)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	struct iovec iov = { .iov_base = "sendmsg", .iov_len = 7 };
	struct msghdr m = {
		.msg_name = &a, .msg_namelen = sizeof(a), .msg_iov = &iov, .msg_iovlen = 1
	};
	int rcv = udp_receiver(&a), s = socket(AF_INET, SOCK_DGRAM, 0);
	int s2 = socket(AF_INET, SOCK_DGRAM, 0);

	if (rcv < 0 || s < 0 || s2 < 0 ||
	    sendto(s, "hello", 5, 0, (struct sockaddr *)&a, sizeof(a)) != 5 ||
	    sendmsg(s2, &m, 0) != 7) {
		perror("udp");
		return 1;
	}
	/*
	 * A failed send: reported by the syscall's exit (or fexit) with its error, never as a
	 * flow. Broadcast without SO_BROADCAST is refused: EACCES where a route exists,
	 * ENETUNREACH where none does (a guest with only lo).
	 */
	a.sin_addr.s_addr = htonl(INADDR_BROADCAST);
	a.sin_port = htons(9);
	if (sendto(s, "x", 1, 0, (struct sockaddr *)&a, sizeof(a)) != -1) {
		fprintf(stderr, "udp: a broadcast without SO_BROADCAST was not refused\n");
		return 1;
	}
	printf("udp_refused_ret=%d\n", -errno);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (getsockname(rcv, (struct sockaddr *)&a, &alen)) {
		perror("udp");
		return 1;
	}
	printf("udp_port=%u\n", ntohs(a.sin_port));
	close(s2);
	close(s);
	close(rcv);
	return 0;
}

static int act_udp_flows(long n)
{
	struct sockaddr_in a[2];
	char buf[64];
	int rcv[2], s = socket(AF_INET, SOCK_DGRAM, 0);

	memset(buf, 'f', sizeof(buf));
	for (int j = 0; j < 2; j++) {
		rcv[j] = udp_receiver(&a[j]);
		if (rcv[j] < 0)
			return 1;
	}
	if (s < 0) {
		perror("udp-flows");
		return 1;
	}
	for (long i = 0; i < 2 * n; i++) {
		const struct sockaddr_in *to = &a[i % 2];
		char drain[64];

		if (sendto(s, buf, sizeof(buf), 0, (const struct sockaddr *)to, sizeof(*to)) !=
		    (ssize_t)sizeof(buf)) {
			perror("udp-flows sendto");
			return 1;
		}
		/* keep the receivers' queues short: a full one drops, but only after egress */
		(void)!recv(rcv[i % 2], drain, sizeof(drain), MSG_DONTWAIT);
	}
	printf("udp_flow_ports=%u,%u\n", ntohs(a[0].sin_port), ntohs(a[1].sin_port));
	close(s);
	close(rcv[0]);
	close(rcv[1]);
	return 0;
}

static int act_udp_child(long n, long ms)
{
	struct sockaddr_in a;
	int rcv = udp_receiver(&a), s = socket(AF_INET, SOCK_DGRAM, 0);
	char buf[64];
	pid_t c;

	memset(buf, 'c', sizeof(buf));
	if (rcv < 0 || s < 0) {
		perror("udp-child");
		return 1;
	}
	for (long i = 0; i < n; i++) {
		char drain[64];

		if (sendto(s, buf, sizeof(buf), 0, (struct sockaddr *)&a, sizeof(a)) !=
		    (ssize_t)sizeof(buf)) {
			perror("udp-child sendto");
			return 1;
		}
		(void)!recv(rcv, drain, sizeof(drain), MSG_DONTWAIT);
	}
	c = fork();
	if (c < 0) {
		perror("fork");
		return 1;
	}
	if (c == 0) {
		/* the child holds the socket: its close comes when the child exits */
		usleep((useconds_t)ms * 1000);
		_exit(0);
	}
	printf("udp_child_port=%u\nudp_child=%d\n", ntohs(a.sin_port), c);
	close(s);
	close(rcv);
	return 0;
}

static int act_open(const char *path)
{
	char buf[256];
	int fd = open(path, O_RDONLY);

	printf("open_ret=%d\n", fd < 0 ? -errno : fd);
	if (fd >= 0) {
		if (read(fd, buf, sizeof(buf)) < 0)
			perror("read");
		close(fd);
	}
	return 0;
}

static int act_child(char *prog, char *arg)
{
	char *argv[] = { prog, arg, NULL };
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0) {
		/* the child's stdout would mix with our key=value lines */
		if (!freopen("/dev/null", "w", stdout))
			_exit(126);
		execv(prog, argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0) {
		perror("waitpid");
		return 1;
	}
	printf("child_pid=%d\nchild_status=%d\n", pid, status);
	return 0;
}

static int act_uring_open(const char *path)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	int ret;

	ret = io_uring_queue_init(4, &ring, 0);
	if (ret < 0) {
		printf("uring_open_ret=%d\n", ret);
		return 0;
	}
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_openat(sqe, AT_FDCWD, path, O_RDONLY, 0);
	io_uring_submit(&ring);
	ret = io_uring_wait_cqe(&ring, &cqe);
	if (ret == 0) {
		ret = cqe->res;
		io_uring_cqe_seen(&ring, cqe);
	}
	printf("uring_open_ret=%d\n", ret);
	if (ret >= 0)
		close(ret);
	io_uring_queue_exit(&ring);
	return 0;
}

static int act_flood(long n)
{
	for (long i = 0; i < n; i++) {
		int fd = open("/dev/null", O_RDONLY);

		if (fd < 0) {
			perror("open");
			return 1;
		}
		close(fd);
	}
	return 0;
}

/*
 * A UDP socket and a 127.0.0.1 receiver made here, kept across an exec of prog, which
 * sends n datagrams from the socket (udp-kept): the datagrams of a program whose socket
 * was made before its exec.
 */
static int act_udp_exec(const char *prog, const char *n, const char *path)
{
	struct sockaddr_in a;
	int rcv = udp_receiver(&a), s = socket(AF_INET, SOCK_DGRAM, 0);
	char fd[16], port[16];

	if (rcv < 0 || s < 0) {
		perror("udp-exec");
		return 1;
	}
	printf("udp_exec_port=%u\n", ntohs(a.sin_port));
	snprintf(fd, sizeof(fd), "%d", s);
	snprintf(port, sizeof(port), "%u", ntohs(a.sin_port));
	execl(prog, prog, "udp-kept", fd, port, n, path, (char *)NULL);
	perror("udp-exec: exec");
	return 1;
}

/* n 64-byte datagrams from fd to 127.0.0.1:port, then wait (up to 20 s) until path exists. */
static int act_udp_kept(int fd, long port, long n, const char *path)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
				 .sin_port = htons((uint16_t)port) };
	char buf[64];

	memset(buf, 'k', sizeof(buf));
	for (long i = 0; i < n; i++) {
		if (sendto(fd, buf, sizeof(buf), 0, (struct sockaddr *)&a, sizeof(a)) !=
		    (ssize_t)sizeof(buf)) {
			perror("udp-kept sendto");
			return 1;
		}
	}
	printf("udp_kept_sent=%ld\n", n);
	for (int i = 0; i < 2000 && access(path, F_OK); i++)
		usleep(10000);
	return 0;
}

static pid_t leader;

/* Waits until the leader thread has ended, then opens path and ends the process. */
static void *after_leader(void *path)
{
	char stat[64], buf[256];

	snprintf(stat, sizeof(stat), "/proc/self/task/%d/stat", (int)leader);
	for (int i = 0; i < 500; i++) {
		FILE *f = fopen(stat, "r");
		char *st = NULL;

		if (f) {
			if (fgets(buf, sizeof(buf), f))
				st = strrchr(buf, ')');
			fclose(f);
		}
		/* gone from the task list, or a zombie: the leader has passed do_exit() */
		if (!f || (st && (st[2] == 'Z' || st[2] == 'X')))
			break;
		usleep(10000);
	}
	exit(act_open(path) ? 1 : 0);
}

static int act_leader_exits(const char *path)
{
	pthread_t t;

	leader = getpid();
	if (pthread_create(&t, NULL, after_leader, (void *)path)) {
		perror("pthread_create");
		return 1;
	}
	pthread_exit(NULL);
}

int main(int argc, char **argv)
{
	int i = 1, err = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while (i < argc && !err) {
		const char *a = argv[i++];
		char *p1 = i < argc ? argv[i] : NULL;

		if (!strcmp(a, "pid")) {
			printf("pid=%d\n", getpid());
		} else if (!strcmp(a, "tcp")) {
			err = act_tcp();
		} else if (!strcmp(a, "uring-udp")) {
			err = act_uring_udp();
		} else if (!strcmp(a, "bind-any")) {
			err = act_bind_any();
		} else if (!strcmp(a, "dns")) {
			err = act_dns();
		} else if (!strcmp(a, "udp")) {
			err = act_udp();
		} else if (!strcmp(a, "udp-child") && p1 && i + 1 < argc) {
			err = act_udp_child(strtol(p1, NULL, 10), strtol(argv[i + 1], NULL, 10));
			i += 2;
		} else if (!strcmp(a, "udp-exec") && p1 && i + 2 < argc) {
			err = act_udp_exec(p1, argv[i + 1], argv[i + 2]);
			i += 3;
		} else if (!strcmp(a, "udp-kept") && p1 && i + 3 < argc) {
			err = act_udp_kept((int)strtol(p1, NULL, 10), strtol(argv[i + 1], NULL, 10),
					   strtol(argv[i + 2], NULL, 10), argv[i + 3]);
			i += 4;
		} else if (!strcmp(a, "udp-flows") && p1) {
			err = act_udp_flows(strtol(p1, NULL, 10));
			i++;
		} else if (!strcmp(a, "open") && p1) {
			err = act_open(p1);
			i++;
		} else if (!strcmp(a, "uring-open") && p1) {
			err = act_uring_open(p1);
			i++;
		} else if (!strcmp(a, "child") && p1 && i + 1 < argc) {
			err = act_child(p1, argv[i + 1]);
			i += 2;
		} else if (!strcmp(a, "leader-exits") && p1) {
			err = act_leader_exits(p1);
			i++;
		} else if (!strcmp(a, "flood") && p1) {
			err = act_flood(strtol(p1, NULL, 10));
			i++;
		} else if (!strcmp(a, "tcp-hold") && p1) {
			err = act_tcp_hold(strtol(p1, NULL, 10), false);
			i++;
		} else if (!strcmp(a, "tcp-abort-child") && p1) {
			err = act_tcp_abort_child(strtol(p1, NULL, 10));
			i++;
		} else if (!strcmp(a, "tcp-hold-child") && p1) {
			err = act_tcp_hold(strtol(p1, NULL, 10), true);
			i++;
		} else {
			fprintf(stderr, "lw_actor: unknown action or missing argument: %s\n", a);
			return 2;
		}
	}
	return err;
}
