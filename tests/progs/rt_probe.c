// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Test program for the scan for inference runtimes: `rt_probe dlopen LIB REPORT STOP` loads
 * LIB with dlopen(3); `rt_probe mmap FILE REPORT STOP` maps FILE; `rt_probe none - REPORT
 * STOP` does neither. Then it writes "PID PORT\n" to REPORT (PORT: a listener of its own)
 * and connects to that listener every 100 ms, at most 300 times, until STOP exists.
 */
#include <arpa/inet.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int load(const char *mode, const char *path)
{
	struct stat st;
	int fd;

	if (strcmp(mode, "none") == 0)
		return 0;
	if (strcmp(mode, "dlopen") == 0) {
		if (!dlopen(path, RTLD_NOW)) {
			fprintf(stderr, "dlopen: %s\n", dlerror());
			return -1;
		}
		return 0;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) ||
	    mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0) == MAP_FAILED) {
		perror("mmap");
		return -1;
	}
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct timespec pause = { 0, 100000000 };
	socklen_t alen = sizeof(a);
	FILE *rep;
	int srv;

	if (argc != 5 || load(argv[1], argv[2]))
		return 2;
	srv = socket(AF_INET, SOCK_STREAM, 0);
	if (srv < 0 || bind(srv, (struct sockaddr *)&a, sizeof(a)) || listen(srv, 512) ||
	    getsockname(srv, (struct sockaddr *)&a, &alen)) {
		perror("listener");
		return 1;
	}
	rep = fopen(argv[3], "we");
	if (!rep)
		return 1;
	fprintf(rep, "%d %u\n", (int)getpid(), ntohs(a.sin_port));
	fclose(rep);
	for (int i = 0; i < 300 && access(argv[4], F_OK) != 0; i++) {
		int c = socket(AF_INET, SOCK_STREAM, 0);

		if (c >= 0) {
			if (connect(c, (struct sockaddr *)&a, sizeof(a)))
				perror("connect");
			close(c);
		}
		nanosleep(&pause, NULL);
	}
	return 0;
}
