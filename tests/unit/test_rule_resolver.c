// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The background lookups behind --resolve-rule-hosts. Only "localhost" is looked up (from
 * /etc/hosts): a unit test sends nothing on the network.
 */
#include <arpa/inet.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "names/rule_resolver.h"

/* Waits up to 5 s for a round. */
static int take(struct rule_resolver *r, struct rule_resolver_round *out)
{
	for (int i = 0; i < 500; i++) {
		if (rule_resolver_take(r, out))
			return 1;
		usleep(10000);
	}
	return 0;
}

static void test_localhost(void)
{
	static const char *const names[] = { "localhost" };
	struct rule_resolver_round round;
	struct rule_resolver *r = rule_resolver_start(names, 1, 600);
	bool v4 = false;

	CHECK(r != NULL);
	if (!r)
		return;
	CHECK_INT(take(r, &round), 1);
	CHECK_INT(round.names, 1);
	CHECK_INT(round.names_resolved, 1);
	CHECK(round.n_addrs >= 1);
	for (size_t i = 0; i < round.n_addrs; i++) {
		CHECK_STR(round.addrs[i].name, "localhost");
		v4 |= round.addrs[i].addr.family == AF_INET &&
		      memcmp(round.addrs[i].addr.addr, (const uint8_t[]){ 127, 0, 0, 1 }, 4) == 0;
	}
	CHECK(v4);
	free(round.addrs);
	/* taken: nothing more until the next round (in 600 s) */
	CHECK_INT(rule_resolver_take(r, &round), 0);
	rule_resolver_stop(r);
}

/* A round is repeated every refresh_s; stopping is prompt even mid-wait. */
static void test_refresh_and_stop(void)
{
	static const char *const names[] = { "localhost", "localhost" };
	struct rule_resolver_round round;
	struct rule_resolver *r = rule_resolver_start(names, 2, 1);
	struct timespec a, b;

	CHECK(r != NULL);
	if (!r)
		return;
	CHECK_INT(take(r, &round), 1);
	CHECK_INT(round.names, 2);
	free(round.addrs);
	CHECK_INT(take(r, &round), 1); /* the second round, a second later */
	free(round.addrs);
	clock_gettime(CLOCK_MONOTONIC, &a);
	rule_resolver_stop(r);
	clock_gettime(CLOCK_MONOTONIC, &b);
	CHECK((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000 < 500);
}

/* The thread takes no signals: they stay for the event loop (its signalfd). */
static void test_signals_blocked(void)
{
	static const char *const names[] = { "localhost" };
	struct rule_resolver_round round;
	sigset_t block, pending;
	struct rule_resolver *r;

	/* as the event loop does: SIGUSR1 blocked in the main thread after the start */
	r = rule_resolver_start(names, 1, 600);
	CHECK(r != NULL);
	if (!r)
		return;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, NULL);
	kill(getpid(), SIGUSR1); /* default action: would end the test if taken */
	sigpending(&pending);
	CHECK(sigismember(&pending, SIGUSR1));
	CHECK_INT(take(r, &round), 1);
	free(round.addrs);
	rule_resolver_stop(r);
}

int main(void)
{
	test_localhost();
	test_refresh_and_stop();
	test_signals_blocked();
	return check_summary("test_rule_resolver");
}
