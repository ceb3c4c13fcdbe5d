/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * How full the BPF ring buffer is, from its producer and consumer positions. libbpf 1.1
 * has no ring__avail_data_size() (it came in 1.3), so the two position pages are mapped
 * here, read-only, as the kernel lays them out for every ring-buffer map: the consumer's
 * position on the first page, the producer's on the second.
 */
#ifndef LW_RING_FILL_H
#define LW_RING_FILL_H

#include <stddef.h>
#include <stdint.h>

struct ring_fill {
	void *pages; /* the two position pages, or NULL */
	size_t page_size;
	uint64_t size; /* the ring's data size in bytes */
};

/*
 * Maps the position pages of the ring-buffer map map_fd. Returns 0, or -errno (the map is
 * not a ring buffer, or the kernel refuses the mapping); rf is then closed and reads fail.
 */
int ring_fill_open(struct ring_fill *rf, int map_fd);

/*
 * The bytes submitted (or reserved) and not yet consumed: at most rf->size. Returns 0, or
 * -EBADF when rf is not open.
 */
int ring_fill_read(const struct ring_fill *rf, uint64_t *used);

void ring_fill_close(struct ring_fill *rf);

#endif /* LW_RING_FILL_H */
