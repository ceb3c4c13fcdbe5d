/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * --metrics PATH: the monitor's counters in the Prometheus text format, for node_exporter's
 * textfile collector, rewritten every interval. Atomically: written whole to PATH.tmp in
 * the same directory, synced, then renamed over PATH, so a scrape never reads half a file;
 * neither name is ever opened through a symlink. No socket is opened.
 */
#ifndef LW_METRICS_FILE_H
#define LW_METRICS_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/metrics_fmt.h"

struct monitor;

struct metrics_file {
	int dirfd;		  /* the directory of PATH, opened once */
	char base[256], tmp[264]; /* PATH's last component, and that + ".tmp" */
	char *path;		  /* as given, for messages */
	uint64_t interval_ns;
	uint64_t start_ns;     /* CLOCK_BOOTTIME at the start: uptime */
	uint64_t last_ns;      /* of the last attempt */
	uint64_t write_errors; /* writes that failed (the old file stays) */
	bool told;	       /* the first failure was said on stderr */
};

/*
 * Opens the directory of path (which must exist) for the writes. Returns NULL with errno
 * set and the reason in err[errsz] (a path with no file name, too long, a directory that
 * cannot be opened). Writes nothing yet.
 */
struct metrics_file *metrics_file_new(const char *path, uint64_t interval_ns, uint64_t now_ns,
				      char *err, size_t errsz);

/*
 * The metrics text of m at now_ns into b (appended): loss counters (all of them), events and
 * alerts by type and tool, the ring's fill when known, watched processes, uptime, and the
 * writer's own state (mf may be NULL in tests). Returns 0 or -ENOMEM.
 */
int metrics_file_format(struct metrics_buf *b, struct monitor *m, const struct metrics_file *mf,
			uint64_t now_ns);

/*
 * Writes the file now. Returns 0 or -errno; a failure leaves the last file in place, is
 * counted in mf->write_errors and said once on stderr (unless quiet: the caller says it).
 */
int metrics_file_write(struct metrics_file *mf, struct monitor *m, uint64_t now_ns, bool quiet);

/* Writes the file when interval_ns has passed since the last attempt. Returns as above. */
int metrics_file_tick(struct metrics_file *mf, struct monitor *m, uint64_t now_ns);

/* Closes the directory; the file stays (node_exporter reports its age). NULL is fine. */
void metrics_file_free(struct metrics_file *mf);

#endif /* LW_METRICS_FILE_H */
