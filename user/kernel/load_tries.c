// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The order in which the loader gives up its optional choices (load_tries.h). */
#include "kernel/load_tries.h"

/*
 * Each try gives up one more choice: task storage, then the registers (they save time), then
 * the syscalls' fexit hooks (they spare the machine's other syscalls), then the hooks below
 * the syscall (they add what is seen, so they are given up last); the last try has none of
 * them. Before all of these, the egress program's storage-pointer test and TCP connections
 * in socket storage (load_tries_give_up).
 */
static const struct {
	bool f, k, r, t;
} ladder[] = {
	{ true, true, true, true },   { true, true, true, false },   { true, true, false, false },
	{ false, true, true, true },  { false, true, true, false },  { false, true, false, false },
	{ true, false, true, true },  { true, false, true, false },  { true, false, false, false },
	{ false, false, true, true }, { false, false, true, false }, { false, false, false, false },
};

_Static_assert(sizeof(ladder) / sizeof(ladder[0]) ==
		       sizeof(((struct load_tries *)0)->order) /
			       sizeof(((struct load_tries *)0)->order[0]),
	       "one slot in load_tries.order per step of the ladder");

static void set_cur(struct load_tries *t, bool skb_cast, bool conn_sk)
{
	size_t i = t->order[t->at];

	t->cur = (struct load_try){ .sysfx = ladder[i].f,
				    .khooks = ladder[i].k,
				    .regs = ladder[i].r,
				    .task = ladder[i].t,
				    .skb_cast = skb_cast,
				    .conn_sk = conn_sk };
}

void load_tries_init(struct load_tries *t, const struct load_choices *c)
{
	t->n = 0;
	t->at = 0;
	for (size_t i = 0; i < sizeof(ladder) / sizeof(ladder[0]); i++) {
		if ((ladder[i].f && !c->sysfx) || (ladder[i].k && !c->khooks) ||
		    (ladder[i].r && !c->regs) || (ladder[i].t && !c->task) ||
		    (!ladder[i].f && c->sysfx_forced))
			continue;
		t->order[t->n++] = i;
	}
	/* forced fexit where it does not attach is refused before this; keep one try anyway */
	if (t->n == 0)
		t->order[t->n++] = sizeof(ladder) / sizeof(ladder[0]) - 1;
	set_cur(t, c->skb_cast, c->conn_sk);
}

bool load_tries_last(const struct load_tries *t)
{
	return t->at + 1 >= t->n && !t->cur.skb_cast && !t->cur.conn_sk;
}

const char *load_tries_give_up(struct load_tries *t)
{
	const struct load_try failed = t->cur;

	if (failed.skb_cast) {
		t->cur.skb_cast = false;
		return "the egress program's storage-pointer test (bpf_rdonly_cast)";
	}
	if (failed.conn_sk) {
		t->cur.conn_sk = false;
		return "TCP connections in socket storage";
	}
	if (t->at + 1 >= t->n)
		return NULL;
	t->at++;
	set_cur(t, false, false);
	return failed.task  ? "task storage" :
	       failed.regs  ? "the exit hooks reading the saved registers" :
	       failed.sysfx ? "fentry/fexit on the syscalls" :
			      "the fentry/fexit programs";
}
