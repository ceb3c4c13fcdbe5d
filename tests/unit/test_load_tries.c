// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The loader's order of giving up (load_tries): each try keeps fewer choices than the one
 * before, none keeps a choice the kernel was not found to offer, and a kernel that refuses
 * only the egress program's storage-pointer test gets every other choice kept.
 */
#include <stdbool.h>
#include <stdio.h>

#include "check.h"
#include "kernel/load_tries.h"

/* A try written as six letters, upper case where the choice is kept: "FKRTCS". */
static const char *spell(const struct load_try *t, char buf[7])
{
	buf[0] = t->sysfx ? 'F' : 'f';
	buf[1] = t->khooks ? 'K' : 'k';
	buf[2] = t->regs ? 'R' : 'r';
	buf[3] = t->task ? 'T' : 't';
	buf[4] = t->skb_cast ? 'C' : 'c';
	buf[5] = t->conn_sk ? 'S' : 's';
	buf[6] = 0;
	return buf;
}

/*
 * Walks the tries as bpf_loader_start() does, every load failing: writes each try (spelled)
 * and what giving it up said into seq, one per line. Returns how many tries there were.
 */
static int walk_all_failing(const struct load_choices *c, char *seq, size_t size)
{
	struct load_tries t;
	size_t len = 0;
	int n = 0;
	char buf[7];

	load_tries_init(&t, c);
	for (;;) {
		bool last = load_tries_last(&t);
		const char *what;

		n++;
		len += (size_t)snprintf(seq + len, size - len, "%s", spell(&t.cur, buf));
		if (last) {
			/* the last try has nothing left to give up, and stays as it was */
			struct load_try before = t.cur;

			CHECK(load_tries_give_up(&t) == NULL);
			CHECK_STR(spell(&t.cur, buf), spell(&before, (char[7]){ 0 }));
			snprintf(seq + len, size - len, "\n");
			break;
		}
		what = load_tries_give_up(&t);
		CHECK(what != NULL);
		len += (size_t)snprintf(seq + len, size - len, " -%s\n", what ? what : "?");
		if (n > 20)
			break;
	}
	return n;
}

static void test_everything_offered(void)
{
	char seq[2048];
	int n = walk_all_failing(&(struct load_choices){ .sysfx = true,
							 .khooks = true,
							 .regs = true,
							 .task = true,
							 .skb_cast = true },
				 seq, sizeof(seq));

	CHECK_INT(n, 13);
	CHECK_STR(seq, "FKRTCs -the egress program's storage-pointer test (bpf_rdonly_cast)\n"
		       "FKRTcs -task storage\n"
		       "FKRtcs -the exit hooks reading the saved registers\n"
		       "FKrtcs -fentry/fexit on the syscalls\n"
		       "fKRTcs -task storage\n"
		       "fKRtcs -the exit hooks reading the saved registers\n"
		       "fKrtcs -the fentry/fexit programs\n"
		       "FkRTcs -task storage\n"
		       "FkRtcs -the exit hooks reading the saved registers\n"
		       "Fkrtcs -fentry/fexit on the syscalls\n"
		       "fkRTcs -task storage\n"
		       "fkRtcs -the exit hooks reading the saved registers\n"
		       "fkrtcs\n");
}

/* Debian's 6.12: the kfunc and TCP connections in socket storage, each given up in turn */
static void test_storage_choices(void)
{
	char seq[2048];
	int n = walk_all_failing(&(struct load_choices){ .sysfx = true,
							 .khooks = true,
							 .regs = true,
							 .skb_cast = true,
							 .conn_sk = true },
				 seq, sizeof(seq));

	CHECK_INT(n, 10);
	CHECK_STR(seq, "FKRtCS -the egress program's storage-pointer test (bpf_rdonly_cast)\n"
		       "FKRtcS -TCP connections in socket storage\n"
		       "FKRtcs -the exit hooks reading the saved registers\n"
		       "FKrtcs -fentry/fexit on the syscalls\n"
		       "fKRtcs -the exit hooks reading the saved registers\n"
		       "fKrtcs -the fentry/fexit programs\n"
		       "FkRtcs -the exit hooks reading the saved registers\n"
		       "Fkrtcs -fentry/fexit on the syscalls\n"
		       "fkRtcs -the exit hooks reading the saved registers\n"
		       "fkrtcs\n");

	/* socket storage alone: a try with it, and the same without */
	n = walk_all_failing(&(struct load_choices){ .conn_sk = true }, seq, sizeof(seq));
	CHECK_INT(n, 2);
	CHECK_STR(seq, "fkrtcS -TCP connections in socket storage\n"
		       "fkrtcs\n");
}

/* This VM: no fentry/fexit, registers and task storage, the kfunc. */
static void test_tracepoints_only(void)
{
	char seq[1024];
	int n = walk_all_failing(
		&(struct load_choices){ .regs = true, .task = true, .skb_cast = true }, seq,
		sizeof(seq));

	CHECK_INT(n, 4);
	CHECK_STR(seq, "fkRTCs -the egress program's storage-pointer test (bpf_rdonly_cast)\n"
		       "fkRTcs -task storage\n"
		       "fkRtcs -the exit hooks reading the saved registers\n"
		       "fkrtcs\n");

	/* without the kfunc (5.10, 6.1) and with nothing else: one try, the last */
	n = walk_all_failing(&(struct load_choices){ 0 }, seq, sizeof(seq));
	CHECK_INT(n, 1);
	CHECK_STR(seq, "fkrtcs\n");

	/* the kfunc alone: a try with it, and the same without */
	n = walk_all_failing(&(struct load_choices){ .skb_cast = true }, seq, sizeof(seq));
	CHECK_INT(n, 2);
	CHECK_STR(seq, "fkrtCs -the egress program's storage-pointer test (bpf_rdonly_cast)\n"
		       "fkrtcs\n");
}

/* --syscall-hooks fexit: no try without fexit on the syscalls */
static void test_fexit_forced(void)
{
	char seq[1024];
	int n = walk_all_failing(
		&(struct load_choices){
			.sysfx = true, .khooks = true, .regs = true, .sysfx_forced = true },
		seq, sizeof(seq));

	CHECK_INT(n, 4);
	CHECK_STR(seq, "FKRtcs -the exit hooks reading the saved registers\n"
		       "FKrtcs -fentry/fexit on the syscalls\n"
		       "FkRtcs -the exit hooks reading the saved registers\n"
		       "Fkrtcs\n");
}

/*
 * A kernel that names bpf_rdonly_cast but refuses the egress program that calls it: the
 * second try loads, with every other choice the first had.
 */
static void test_only_the_cast_refused(void)
{
	struct load_tries t;
	int tries = 0;
	char buf[7];

	load_tries_init(&t, &(struct load_choices){ .sysfx = true,
						    .khooks = true,
						    .regs = true,
						    .task = true,
						    .skb_cast = true });
	while (t.cur.skb_cast && !load_tries_last(&t) && tries < 20) {
		tries++;
		load_tries_give_up(&t);
	}
	CHECK_INT(tries, 1);
	CHECK_STR(spell(&t.cur, buf), "FKRTcs");
	CHECK(!load_tries_last(&t));
}

int main(void)
{
	test_everything_offered();
	test_tracepoints_only();
	test_storage_choices();
	test_fexit_forced();
	test_only_the_cast_refused();
	return check_summary("test_load_tries");
}
