/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Name lookups in the running kernel's BTF without building libbpf's model of it.
 *
 * Start-up needs only a handful of names from the kernel's BTF (the BTF tracepoints the
 * tp_btf programs use, the functions fentry/fexit probes attach to), and libbpf parses the
 * whole 5 MB again for CO-RE when it loads the programs: a second full parse cost ~60 ms
 * here, a quarter of the start-up budget. So the probes walk the raw type section instead:
 * mapped where the kernel allows it (6.16 on: no copy at all), read into memory otherwise.
 *
 * The bytes are the kernel's, but the walker checks every offset and length against the
 * buffer all the same (fuzz/fuzz_btf.c), and refuses a blob it does not fully understand
 * (an unknown kind) rather than guess at sizes.
 */
#ifndef LW_KERNEL_BTF_H
#define LW_KERNEL_BTF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KERNEL_BTF_PATH "/sys/kernel/btf/vmlinux"

/* The BTF kinds the lookups take (values as in the kernel's uapi btf.h). */
enum {
	KERNEL_BTF_KIND_TYPEDEF = 8,
	KERNEL_BTF_KIND_FUNC = 12,
};

struct kernel_btf {
	const uint8_t *types; /* the type section */
	uint32_t types_len;
	const char *strs; /* the string section */
	uint32_t strs_len;
	uint32_t ntypes; /* type records; ids run from 1 to ntypes */
	void *map;	 /* what kernel_btf_close() releases: a mapping or a buffer */
	size_t map_len;
	bool mapped;
};

/*
 * Checks a BTF blob (header, sections, every type record's size and name offset) and
 * points k at it; data must outlive k, and kernel_btf_close() will not free it. Returns 0,
 * or -EINVAL for a blob that is not BTF, is truncated, is of another byte order, or holds a
 * kind this code does not know.
 */
int kernel_btf_init(struct kernel_btf *k, const void *data, size_t size);

/*
 * Maps (or, where the kernel does not allow mapping, reads) the BTF at path and checks it
 * as kernel_btf_init() does. Returns 0, -errno from open/read, or -EINVAL.
 */
int kernel_btf_open(struct kernel_btf *k, const char *path);

/*
 * The id of the first type of kind named name, -ENOENT if there is none. A linear walk
 * (~1 ms over the 6.18 kernel's 127k types): for a few names, not for many.
 */
int32_t kernel_btf_find(const struct kernel_btf *k, const char *name, unsigned int kind);

void kernel_btf_close(struct kernel_btf *k);

#endif /* LW_KERNEL_BTF_H */
