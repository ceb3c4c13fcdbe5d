// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Test program: connects to a local listener through io_uring (IORING_OP_CONNECT), which
 * never passes the connect(2) tracepoint. Prints "PID PORT" on success.
 */
#include <arpa/inet.h>
#include <liburing.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	int srv, c, ret;

	srv = socket(AF_INET, SOCK_STREAM, 0);
	if (srv < 0 || bind(srv, (struct sockaddr *)&a, sizeof(a)) || listen(srv, 1) ||
	    getsockname(srv, (struct sockaddr *)&a, &alen)) {
		perror("listener");
		return 1;
	}
	c = socket(AF_INET, SOCK_STREAM, 0);
	ret = io_uring_queue_init(4, &ring, 0);
	if (c < 0 || ret < 0) {
		fprintf(stderr, "io_uring_queue_init: %s\n", strerror(-ret));
		return 1;
	}
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_connect(sqe, c, (struct sockaddr *)&a, sizeof(a));
	io_uring_submit(&ring);
	ret = io_uring_wait_cqe(&ring, &cqe);
	if (ret < 0 || cqe->res < 0) {
		fprintf(stderr, "io_uring connect: %s\n", strerror(ret < 0 ? -ret : -cqe->res));
		return 1;
	}
	io_uring_cqe_seen(&ring, cqe);
	io_uring_queue_exit(&ring);
	printf("%d %u\n", getpid(), ntohs(a.sin_port));
	close(c);
	close(srv);
	return 0;
}
