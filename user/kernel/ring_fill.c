// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The ring buffer's fill from its position pages (see ring_fill.h). */
#include "kernel/ring_fill.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int ring_fill_open(struct ring_fill *rf, int map_fd)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	void *p;

	memset(rf, 0, sizeof(*rf));
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(map_fd, &info, &len))
		return -errno;
	if (info.type != BPF_MAP_TYPE_RINGBUF)
		return -EINVAL;
	rf->page_size = (size_t)sysconf(_SC_PAGESIZE);
	/* read-only: the consumer page may be mapped writable only by the consumer (libbpf) */
	p = mmap(NULL, 2 * rf->page_size, PROT_READ, MAP_SHARED, map_fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	rf->pages = p;
	rf->size = info.max_entries;
	return 0;
}

int ring_fill_read(const struct ring_fill *rf, uint64_t *used)
{
	const unsigned long *cons, *prod;
	unsigned long c, p;

	if (!rf->pages)
		return -EBADF;
	cons = rf->pages;
	prod = (const unsigned long *)((const char *)rf->pages + rf->page_size);
	/* the consumer's first: a producer read after it can only be further on */
	c = __atomic_load_n(cons, __ATOMIC_ACQUIRE);
	p = __atomic_load_n(prod, __ATOMIC_ACQUIRE);
	*used = p - c <= rf->size ? p - c : rf->size;
	return 0;
}

void ring_fill_close(struct ring_fill *rf)
{
	if (rf->pages)
		munmap(rf->pages, 2 * rf->page_size);
	rf->pages = NULL;
}
