// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Executables hashed by a worker thread (see exe_hasher.h). */
#include "capture/exe_hasher.h"

#include <errno.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct hash_job {
	int fd;
	bool done, ok;
	struct exe_file_key key;
	unsigned char sha256[32];
};

struct exe_hasher {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t work, idle;
	struct hash_job *q; /* a ring: [head, head + count); next is the first not hashed */
	size_t max, head, count, next;
	bool stop, started;
};

/* Reads fd from its start and hashes it; false on a read error. */
static bool hash_fd(int fd, unsigned char *md)
{
	static __thread unsigned char buf[1 << 16];
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	unsigned int n = 0;
	off_t off = 0;
	bool ok = c && EVP_DigestInit_ex(c, EVP_sha256(), NULL);

	while (ok) {
		ssize_t r = pread(fd, buf, sizeof(buf), off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			ok = r == 0;
			break;
		}
		off += r;
		ok = EVP_DigestUpdate(c, buf, (size_t)r);
	}
	ok = ok && EVP_DigestFinal_ex(c, md, &n) && n == 32;
	EVP_MD_CTX_free(c);
	return ok;
}

static void *worker(void *arg)
{
	struct exe_hasher *h = arg;

	pthread_mutex_lock(&h->lock);
	for (;;) {
		struct hash_job *j;
		int fd;

		while (!h->stop && h->next == h->count)
			pthread_cond_wait(&h->work, &h->lock);
		if (h->stop)
			break;
		j = &h->q[(h->head + h->next) % h->max];
		fd = j->fd;
		pthread_mutex_unlock(&h->lock);
		/* the slot is ours until marked done: submit and drain touch others only */
		j->ok = hash_fd(fd, j->sha256);
		close(fd);
		pthread_mutex_lock(&h->lock);
		j->fd = -1;
		j->done = true;
		h->next++;
		pthread_cond_broadcast(&h->idle);
	}
	pthread_mutex_unlock(&h->lock);
	return NULL;
}

struct exe_hasher *exe_hasher_new(size_t max)
{
	struct exe_hasher *h = calloc(1, sizeof(*h));
	sigset_t all, old;
	int err;

	if (!h || !max || !(h->q = calloc(max, sizeof(*h->q)))) {
		free(h);
		return NULL;
	}
	h->max = max;
	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->work, NULL);
	pthread_cond_init(&h->idle, NULL);
	/*
	 * The worker takes no signal: SIGINT, SIGTERM and SIGHUP are the event loop's, and a
	 * thread that left them unblocked could take them away from it.
	 */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&h->thread, NULL, worker, h);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		exe_hasher_free(h);
		return NULL;
	}
	h->started = true;
	return h;
}

int exe_hasher_submit(struct exe_hasher *h, int fd, const struct exe_file_key *key)
{
	struct hash_job *j;

	pthread_mutex_lock(&h->lock);
	if (h->count == h->max) {
		pthread_mutex_unlock(&h->lock);
		close(fd);
		return -EAGAIN;
	}
	j = &h->q[(h->head + h->count) % h->max];
	*j = (struct hash_job){ .fd = fd, .key = *key };
	h->count++;
	pthread_cond_signal(&h->work);
	pthread_mutex_unlock(&h->lock);
	return 0;
}

void exe_hasher_drain(struct exe_hasher *h, exe_hasher_done_fn fn, void *ctx)
{
	struct hash_job done;

	for (;;) {
		pthread_mutex_lock(&h->lock);
		if (!h->next) {
			pthread_mutex_unlock(&h->lock);
			return;
		}
		done = h->q[h->head];
		h->head = (h->head + 1) % h->max;
		h->count--;
		h->next--;
		pthread_mutex_unlock(&h->lock);
		fn(ctx, &done.key, done.ok, done.sha256);
	}
}

size_t exe_hasher_wait(struct exe_hasher *h, uint64_t timeout_ns)
{
	struct timespec until;
	size_t left;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += (time_t)(timeout_ns / 1000000000u);
	until.tv_nsec += (long)(timeout_ns % 1000000000u);
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&h->lock);
	while (h->next < h->count && pthread_cond_timedwait(&h->idle, &h->lock, &until) == 0)
		;
	left = h->count - h->next;
	pthread_mutex_unlock(&h->lock);
	return left;
}

void exe_hasher_free(struct exe_hasher *h)
{
	if (!h)
		return;
	if (h->started) {
		pthread_mutex_lock(&h->lock);
		h->stop = true;
		pthread_cond_signal(&h->work);
		pthread_mutex_unlock(&h->lock);
		pthread_join(h->thread, NULL);
	}
	for (size_t i = h->next; i < h->count; i++)
		close(h->q[(h->head + i) % h->max].fd);
	pthread_cond_destroy(&h->work);
	pthread_cond_destroy(&h->idle);
	pthread_mutex_destroy(&h->lock);
	free(h->q);
	free(h);
}
