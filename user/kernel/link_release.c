// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Releases BPF links concurrently, so that their grace periods overlap (see link_release.h). */
#include "kernel/link_release.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

struct link_release_job {
	void *link;
	link_release_fn release;
	int err;
	bool started;
	pthread_t tid;
};

static void *link_release_run(void *arg)
{
	struct link_release_job *j = arg;

	j->err = j->release(j->link);
	return NULL;
}

int link_release_all(void *const *links, size_t n, link_release_fn release, int *errs)
{
	struct link_release_job *jobs = calloc(n ? n : 1, sizeof(*jobs));
	int first = 0;

	/* out of memory: one after the other, which is slower but releases every link */
	if (!jobs) {
		for (size_t i = 0; i < n; i++) {
			errs[i] = release(links[i]);
			if (errs[i] && !first)
				first = errs[i];
		}
		return first;
	}
	/*
	 * Default attributes: a smaller stack looks cheaper, but glibc refuses one that
	 * cannot hold the static TLS (EINVAL), and the default is only reserved, not touched.
	 */
	for (size_t i = 0; i < n; i++) {
		int rc;

		jobs[i].link = links[i];
		jobs[i].release = release;
		rc = pthread_create(&jobs[i].tid, NULL, link_release_run, &jobs[i]);
		jobs[i].started = rc == 0;
	}
	for (size_t i = 0; i < n; i++)
		if (!jobs[i].started)
			link_release_run(&jobs[i]);
	for (size_t i = 0; i < n; i++) {
		if (jobs[i].started)
			pthread_join(jobs[i].tid, NULL);
		errs[i] = jobs[i].err;
		if (jobs[i].err && !first)
			first = jobs[i].err;
	}
	free(jobs);
	return first;
}
