// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Loads floor.bpf.o (no-op programs on llmwatch's hooks) for `make bench`, attaches every
 * program (cgroup ones to the first cgroup2 hierarchy, as llmwatch does), creates READY_FILE, and holds them until
 * SIGINT or SIGTERM.   floor OBJECT READY_FILE
 */
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <mntent.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int open_cgroup2(void)
{
	FILE *f = setmntent("/proc/mounts", "r");
	struct mntent *m;
	int fd = -1;

	while (f && (m = getmntent(f))) {
		if (strcmp(m->mnt_type, "cgroup2") == 0) {
			fd = open(m->mnt_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			break;
		}
	}
	if (f)
		endmntent(f);
	return fd;
}

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *prog;
	int cg, n = 0;
	FILE *f;

	if (argc != 3) {
		fprintf(stderr, "usage: floor OBJECT READY_FILE\n");
		return 2;
	}
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "floor: cannot load %s\n", argv[1]);
		return 1;
	}
	cg = open_cgroup2();
	bpf_object__for_each_program(prog, obj) {
		const char *sec = bpf_program__section_name(prog);
		struct bpf_link *l = strncmp(sec, "cgroup", 6) == 0 ?
			bpf_program__attach_cgroup(prog, cg) : bpf_program__attach(prog);

		if (!l) {
			fprintf(stderr, "floor: cannot attach %s\n", sec);
			return 1;
		}
		n++;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	f = fopen(argv[2], "w");
	if (!f || fprintf(f, "%d\n", getpid()) < 0 || fclose(f))
		return 1;
	fprintf(stderr, "floor: %d programs attached\n", n);
	while (!stop)
		pause();
	bpf_object__close(obj);	/* destroys nothing else: links are closed at exit */
	return 0;
}
