// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The rules' host names, resolved in the background (see rule_resolver.h). */
#include "names/rule_resolver.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

struct rule_resolver {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	char **names;
	size_t n;
	unsigned int refresh_s;
	/* under lock */
	int refs; /* the owner and the thread */
	int stopping;
	int have_round;
	struct rule_resolver_round round;
};

static void release(struct rule_resolver *r)
{
	int last;

	pthread_mutex_lock(&r->lock);
	last = --r->refs == 0;
	pthread_mutex_unlock(&r->lock);
	if (!last)
		return;
	for (size_t i = 0; i < r->n; i++)
		free(r->names[i]);
	free(r->names);
	free(r->round.addrs);
	pthread_cond_destroy(&r->wake);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

/* Appends every IPv4 and IPv6 address of name to *v; false when out of memory. */
static bool resolve_one(const char *name, struct naming_rule_addr **v, size_t *n, size_t *cap,
			bool *any)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res, *ai;

	if (getaddrinfo(name, NULL, &hints, &res))
		return true; /* not resolved: the round counts it */
	for (ai = res; ai; ai = ai->ai_next) {
		struct naming_rule_addr *e;

		if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
			continue;
		if (*n == *cap) {
			size_t ncap = *cap ? *cap * 2 : 64;
			struct naming_rule_addr *nv = realloc(*v, ncap * sizeof(*nv));

			if (!nv) {
				freeaddrinfo(res);
				return false;
			}
			*v = nv;
			*cap = ncap;
		}
		e = &(*v)[(*n)++];
		memset(e, 0, sizeof(*e));
		e->addr.family = (uint16_t)ai->ai_family;
		if (ai->ai_family == AF_INET)
			memcpy(e->addr.addr, &((struct sockaddr_in *)ai->ai_addr)->sin_addr, 4);
		else
			memcpy(e->addr.addr, &((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr, 16);
		/* the rules keep names lower case and bounded (hostname_normalize) */
		strncpy(e->name, name, sizeof(e->name) - 1);
		*any = true;
	}
	freeaddrinfo(res);
	return true;
}

static void *run(void *arg)
{
	struct rule_resolver *r = arg;

	for (;;) {
		struct rule_resolver_round round = { .names = r->n };
		size_t cap = 0;
		struct timespec until;
		bool ok = true;

		for (size_t i = 0; ok && i < r->n; i++) {
			bool any = false;

			pthread_mutex_lock(&r->lock);
			ok = !r->stopping;
			pthread_mutex_unlock(&r->lock);
			if (ok)
				ok = resolve_one(r->names[i], &round.addrs, &round.n_addrs, &cap,
						 &any);
			round.names_resolved += any;
		}
		pthread_mutex_lock(&r->lock);
		if (ok && !r->stopping) {
			/* a round not taken yet is replaced by the newer one */
			free(r->round.addrs);
			r->round = round;
			r->have_round = 1;
		} else {
			free(round.addrs);
		}
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += r->refresh_s;
		while (!r->stopping &&
		       pthread_cond_timedwait(&r->wake, &r->lock, &until) != ETIMEDOUT)
			;
		if (r->stopping) {
			pthread_mutex_unlock(&r->lock);
			break;
		}
		pthread_mutex_unlock(&r->lock);
	}
	release(r);
	return NULL;
}

struct rule_resolver *rule_resolver_start(const char *const *names, size_t n,
					  unsigned int refresh_s)
{
	struct rule_resolver *r = calloc(1, sizeof(*r));
	pthread_condattr_t ca;
	sigset_t all, old;
	int err;

	if (!r)
		return NULL;
	r->names = calloc(n ? n : 1, sizeof(*r->names));
	if (!r->names) {
		free(r);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		r->names[i] = strdup(names[i]);
		if (!r->names[i]) {
			r->n = i;
			r->refs = 1;
			pthread_mutex_init(&r->lock, NULL);
			pthread_cond_init(&r->wake, NULL);
			release(r);
			errno = ENOMEM;
			return NULL;
		}
	}
	r->n = n;
	r->refresh_s = refresh_s;
	r->refs = 2;
	pthread_mutex_init(&r->lock, NULL);
	/* the refresh wait is on the monotonic clock: a clock step must not stall it */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&r->wake, &ca);
	pthread_condattr_destroy(&ca);
	/*
	 * The thread takes no signals: SIGINT and SIGTERM are for the event loop's signalfd,
	 * and a thread that left them unblocked would receive them instead (ignored, or ending
	 * the process without its summary).
	 */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&r->thread, NULL, run, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		r->refs = 1;
		release(r);
		errno = err;
		return NULL;
	}
	return r;
}

int rule_resolver_take(struct rule_resolver *r, struct rule_resolver_round *out)
{
	int got;

	pthread_mutex_lock(&r->lock);
	got = r->have_round;
	if (got) {
		*out = r->round;
		memset(&r->round, 0, sizeof(r->round));
		r->have_round = 0;
	}
	pthread_mutex_unlock(&r->lock);
	return got;
}

void rule_resolver_stop(struct rule_resolver *r)
{
	struct timespec until;

	if (!r)
		return;
	pthread_mutex_lock(&r->lock);
	r->stopping = 1;
	pthread_cond_signal(&r->wake);
	pthread_mutex_unlock(&r->lock);
	/* a lookup can block for the resolver's timeouts: stopping does not wait for it */
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += 200000000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	if (pthread_timedjoin_np(r->thread, NULL, &until))
		pthread_detach(r->thread);
	release(r);
}
