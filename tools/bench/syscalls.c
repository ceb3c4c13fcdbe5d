// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Syscall cost benchmark for `make bench` (tools/bench.py): a time-bounded loop of one
 * operation, run under a watched or an unwatched name so the same binary measures both.
 *
 *   syscalls CASE SECONDS [FILE]
 *
 * CASE: open     openat(AT_FDCWD, FILE, O_RDONLY) + close (FILE default: a temporary file)
 *       connect  socket + connect to a 127.0.0.1 listener of this process + accept +
 *                SO_LINGER{1,0} + close x2 (an RST close: no TIME_WAIT, no port exhaustion)
 *       sendto   a 64-byte UDP datagram to a bound 127.0.0.1 socket that is never drained
 *       openmany openat + close of DIR/0 .. DIR/N-1 in turn (argv: DIR N): every open a
 *                path not seen just before, so no cache keyed by path flatters the figure
 *       getppid  a syscall nothing traces (the collateral cost of the hooks)
 *       spin     a 1000-iteration user-space loop, no syscall (host noise probe)
 * Prints one line: "CASE ITERATIONS NS_PER_ITER OPS_TOTAL PID CPU_NS_PER_ITER CPU_P10", where
 * OPS_TOTAL counts every operation done (warm-up included), so a monitor's event count can be
 * checked against it, and CPU_NS_PER_ITER is the process's own CPU time per iteration: unlike
 * the wall time it leaves out time spent waiting for the CPU behind other work on a busy
 * machine. CPU_P10 is the 10th percentile of the same over chunks of CHUNK iterations: on a
 * VM whose host steals cycles in bursts (which CPU time still counts), interference only
 * ever adds time, so the low percentile is the estimate least disturbed by it.
 *
 * What the process holds while it loops, for the curves of issue 18 (environment):
 *   LWBENCH_CHILDREN=N  N forked children that wait for the end (watched processes: a
 *                       watched parent's children are tracked from their fork)
 *   LWBENCH_CONNS=N     N open TCP connections on loopback (2N sockets: both ends),
 *                       past the descriptor limit in forked helpers
 *   LWBENCH_RATE=R      pace the loop to R iterations per second (the event-rate ladder)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WARMUP 1000
#define CHUNK 256

#define MAX_CHUNKS 65536

static const char *open_path;
static double chunk_ns[MAX_CHUNKS]; /* CPU ns per iteration of each chunk */
static size_t nchunks;

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}
static int lsn_fd = -1, udp_fd = -1;
static struct sockaddr_in lsn_addr, udp_addr;

static double now_clock(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double now(void)
{
	return now_clock(CLOCK_MONOTONIC);
}

static void die(const char *what)
{
	fprintf(stderr, "syscalls: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void op_open(void)
{
	int fd = openat(AT_FDCWD, open_path, O_RDONLY);

	if (fd < 0)
		die(open_path);
	close(fd);
}

static void op_connect(void)
{
	struct linger lg = { 1, 0 };
	int c = socket(AF_INET, SOCK_STREAM, 0), a;

	if (c < 0)
		die("socket");
	if (connect(c, (struct sockaddr *)&lsn_addr, sizeof(lsn_addr)))
		die("connect");
	a = accept(lsn_fd, NULL, NULL);
	if (a < 0)
		die("accept");
	setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(c);
	close(a);
}

static void op_sendto(void)
{
	static const char msg[64];

	/* the receiver is never drained: once full, the kernel drops; sendto still succeeds */
	sendto(udp_fd, msg, sizeof(msg), 0, (struct sockaddr *)&udp_addr, sizeof(udp_addr));
}

static char **many_paths;
static long many_n, many_i;

static void op_openmany(void)
{
	int fd = openat(AT_FDCWD, many_paths[many_i], O_RDONLY);

	if (fd < 0)
		die(many_paths[many_i]);
	close(fd);
	if (++many_i == many_n)
		many_i = 0;
}

static void op_getppid(void)
{
	(void)getppid();
}

static void op_spin(void)
{
	for (volatile int i = 0; i < 1000; i++)
		;
}

static void bind_loopback(int fd, struct sockaddr_in *a)
{
	socklen_t len = sizeof(*a);

	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)a, sizeof(*a)) ||
	    getsockname(fd, (struct sockaddr *)a, &len))
		die("bind 127.0.0.1");
}

static long env_long(const char *name)
{
	const char *v = getenv(name);

	return v ? strtol(v, NULL, 10) : 0;
}

static pid_t *children;
static long nchildren;

static void add_child(pid_t p);

static int child_wait(void *arg)
{
	(void)arg;
	/* gone with the loop, whatever ends it */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	for (;;)
		pause();
	return 0;
}

/*
 * Starts n child processes that block until killed: each one a process the monitor tracks
 * (a new thread group, seen by sched_process_fork). clone(CLONE_VM) rather than fork(): a
 * fork copies the page tables and took ~10 ms here under load, which put minutes into a
 * curve of 10,000; a child that shares the memory costs ~0.1 ms and is tracked the same.
 */
static void hold_children(long n)
{
	const size_t stack = 64 * 1024;

	for (long i = 0; i < n; i++) {
		char *st = mmap(NULL, stack, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
				-1, 0);
		pid_t p;

		if (st == MAP_FAILED)
			die("mmap");
		p = clone(child_wait, st + stack, CLONE_VM | SIGCHLD, NULL);
		if (p < 0)
			die("clone");
		add_child(p);
	}
}

static void reap_children(void)
{
	for (long i = 0; i < nchildren; i++)
		kill(children[i], SIGKILL);
	for (long i = 0; i < nchildren; i++)
		waitpid(children[i], NULL, 0);
}

/* Opens n loopback TCP connections and keeps both ends; a listener per 20,000 of them, so
 * the ephemeral ports of one destination never run out. */
static void open_conns(long n)
{
	struct linger lg = { 1, 0 };
	struct sockaddr_in a;
	int lsn = -1;

	for (long i = 0; i < n; i++) {
		int c, s;

		if (i % 20000 == 0) {
			lsn = socket(AF_INET, SOCK_STREAM, 0);
			if (lsn < 0)
				die("socket");
			bind_loopback(lsn, &a);
			if (listen(lsn, 4096))
				die("listen");
		}
		c = socket(AF_INET, SOCK_STREAM, 0);
		if (c < 0)
			die("socket");
		if (connect(c, (struct sockaddr *)&a, sizeof(a)))
			die("connect (held)");
		s = accept(lsn, NULL, NULL);
		if (s < 0)
			die("accept (held)");
		/* closed at exit by a reset: no TIME_WAIT left to fill the machine's ports */
		setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	}
}

static void add_child(pid_t p)
{
	pid_t *more = realloc(children, (size_t)(nchildren + 1) * sizeof(*children));

	if (!more)
		die("realloc");
	children = more;
	children[nchildren++] = p;
}

/*
 * Holds n connections: as many as this process's descriptor limit allows here (two
 * descriptors each), the rest in forked helpers (watched too: their connects fill the same
 * map) that say when theirs are open and then wait for the end.
 */
static void hold_conns(long n)
{
	struct rlimit rl;
	long per;

	/* the hard limit is as far as a process without CAP_SYS_RESOURCE goes */
	if (getrlimit(RLIMIT_NOFILE, &rl))
		die("getrlimit NOFILE");
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		die("setrlimit NOFILE");
	per = rl.rlim_cur == RLIM_INFINITY ? n : ((long)rl.rlim_cur - 256) / 2;
	if (per < 1)
		die("too few descriptors");
	while (n > per) {
		int fds[2];
		char ok;
		pid_t p;

		if (pipe(fds))
			die("pipe");
		p = fork();
		if (p < 0)
			die("fork");
		if (p == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			open_conns(per);
			if (write(fds[1], "1", 1) != 1)
				die("write");
			for (;;)
				pause();
		}
		if (read(fds[0], &ok, 1) != 1)
			die("a connection holder failed");
		close(fds[0]);
		close(fds[1]);
		add_child(p);
		n -= per;
	}
	open_conns(n);
}

int main(int argc, char **argv)
{
	char tmp[] = "/tmp/lwbench-open.XXXXXX";
	void (*op)(void);
	const char *c;
	double secs, t0, t, end, c0, rate;
	long iters = 0;
	int tmp_fd = -1;

	if (argc < 3 || (secs = strtod(argv[2], NULL)) <= 0) {
		fprintf(stderr,
			"usage: %s open|openmany|connect|sendto|getppid|spin SECONDS [FILE | DIR N]\n",
			argv[0]);
		return 2;
	}
	c = argv[1];
	if (!strcmp(c, "open")) {
		op = op_open;
		if (argc > 3) {
			open_path = argv[3];
		} else {
			tmp_fd = mkstemp(tmp);
			if (tmp_fd < 0)
				die("mkstemp");
			open_path = tmp;
		}
	} else if (!strcmp(c, "connect")) {
		op = op_connect;
		lsn_fd = socket(AF_INET, SOCK_STREAM, 0);
		if (lsn_fd < 0)
			die("socket");
		bind_loopback(lsn_fd, &lsn_addr);
		if (listen(lsn_fd, 128))
			die("listen");
	} else if (!strcmp(c, "sendto")) {
		int rcv = socket(AF_INET, SOCK_DGRAM, 0);

		op = op_sendto;
		udp_fd = socket(AF_INET, SOCK_DGRAM, 0);
		if (rcv < 0 || udp_fd < 0)
			die("socket");
		bind_loopback(rcv, &udp_addr);
	} else if (!strcmp(c, "openmany")) {
		op = op_openmany;
		if (argc < 5 || (many_n = strtol(argv[4], NULL, 10)) <= 0) {
			fprintf(stderr, "syscalls: openmany DIR N\n");
			return 2;
		}
		many_paths = calloc((size_t)many_n, sizeof(*many_paths));
		if (!many_paths)
			die("calloc");
		for (long i = 0; i < many_n; i++)
			if (asprintf(&many_paths[i], "%s/%ld", argv[3], i) < 0)
				die("asprintf");
	} else if (!strcmp(c, "getppid")) {
		op = op_getppid;
	} else if (!strcmp(c, "spin")) {
		op = op_spin;
	} else {
		fprintf(stderr, "syscalls: unknown case \"%s\"\n", c);
		return 2;
	}

	rate = (double)env_long("LWBENCH_RATE");
	if (env_long("LWBENCH_CONNS") > 0)
		hold_conns(env_long("LWBENCH_CONNS"));
	if (env_long("LWBENCH_CHILDREN") > 0)
		hold_children(env_long("LWBENCH_CHILDREN"));
	for (int i = 0; i < WARMUP; i++)
		op();
	c0 = now_clock(CLOCK_PROCESS_CPUTIME_ID);
	t0 = now();
	end = t0 + secs;
	do {
		double cc = now_clock(CLOCK_PROCESS_CPUTIME_ID);

		for (int i = 0; i < CHUNK; i++)
			op();
		iters += CHUNK;
		if (nchunks < MAX_CHUNKS)
			chunk_ns[nchunks++] =
				(now_clock(CLOCK_PROCESS_CPUTIME_ID) - cc) * 1e9 / CHUNK;
		t = now();
		/* paced: wait (spinning: a sleep's wakeup is coarser than a chunk) for the slot */
		while (rate > 0 && t < end && (double)iters / rate > t - t0)
			t = now();
	} while (t < end);
	qsort(chunk_ns, nchunks, sizeof(chunk_ns[0]), cmp_double);
	printf("%s %ld %.1f %ld %d %.1f %.1f\n", c, iters, (t - t0) * 1e9 / (double)iters,
	       iters + WARMUP, (int)getpid(),
	       (now_clock(CLOCK_PROCESS_CPUTIME_ID) - c0) * 1e9 / (double)iters,
	       chunk_ns[nchunks / 10]);
	reap_children();
	if (tmp_fd >= 0) {
		unlink(tmp);
		close(tmp_fd);
	}
	return 0;
}
