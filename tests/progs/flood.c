// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Test program: opens and closes /dev/null as fast as it can, COUNT times (default 200000),
 * to overflow a deliberately small ring buffer. Prints its pid.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 200000;

	for (long i = 0; i < n; i++) {
		int fd = open("/dev/null", O_RDONLY);

		if (fd < 0) {
			perror("open");
			return 1;
		}
		close(fd);
	}
	printf("%d\n", getpid());
	return 0;
}
