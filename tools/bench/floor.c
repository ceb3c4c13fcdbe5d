// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Loads floor.bpf.o (no-op programs on llmwatch's hooks) for `make bench`, attaches every
 * program (cgroup ones to the first cgroup2 hierarchy, as llmwatch does), creates READY_FILE, and holds them until
 * SIGINT or SIGTERM.   floor OBJECT READY_FILE [PREFIX,...]
 * With a list of program-name prefixes, only the programs matching one are loaded (the cost
 * of a hook on its own); a prefix after '-' leaves its programs out instead (the floor of
 * llmwatch where it attaches no enter tracepoints: "-f_enter_").
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

/* Whether program NAME is chosen by LIST (see above). */
static int chosen(const char *list, const char *name)
{
	int includes = 0, included = 0;

	for (const char *p = list; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL) {
		int exclude = *p == '-';
		const char *pre = p + exclude;
		size_t n = strcspn(pre, ",");

		if (strncmp(name, pre, n) == 0) {
			if (exclude)
				return 0;
			included = 1;
		}
		includes += !exclude;
	}
	return !includes || included;
}

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *prog;
	int cg, n = 0;
	FILE *f;

	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: floor OBJECT READY_FILE [[-]PREFIX,...]\n");
		return 2;
	}
	obj = bpf_object__open_file(argv[1], NULL);
	if (obj && argc == 4)
		bpf_object__for_each_program(prog, obj)
			bpf_program__set_autoload(prog, chosen(argv[3], bpf_program__name(prog)));
	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "floor: cannot load %s\n", argv[1]);
		return 1;
	}
	cg = open_cgroup2();
	bpf_object__for_each_program(prog, obj) {
		const char *sec = bpf_program__section_name(prog);
		struct bpf_link *l;

		if (!bpf_program__autoload(prog))
			continue;
		l = strncmp(sec, "cgroup", 6) == 0 ? bpf_program__attach_cgroup(prog, cg) :
						     bpf_program__attach(prog);

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
	bpf_object__close(obj); /* destroys nothing else: links are closed at exit */
	return 0;
}
