// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target for the raw BTF walker (user/kernel/kernel_btf.c): besides memory errors
 * (ASan/UBSan) it aborts when a documented contract is broken.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/kernel_btf.h"

#define FUZZ_ASSERT(c)           \
	do {                     \
		if (!(c))        \
			abort(); \
	} while (0)

/* A found id is in range, and the lookup is stable. */
static void check_find(const struct kernel_btf *k, const char *name, unsigned int kind)
{
	int32_t id = kernel_btf_find(k, name, kind);

	FUZZ_ASSERT(id == -ENOENT || (id >= 1 && (uint32_t)id <= k->ntypes));
	FUZZ_ASSERT(kernel_btf_find(k, name, kind) == id);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kernel_btf k;
	int err = kernel_btf_init(&k, data, size);

	FUZZ_ASSERT(err == 0 || err == -EINVAL);
	if (err)
		return 0;
	/* every record is at least 12 bytes of the type section */
	FUZZ_ASSERT((uint64_t)k.ntypes * 12 <= k.types_len);
	check_find(&k, "security_file_open", KERNEL_BTF_KIND_FUNC);
	check_find(&k, "btf_trace_sched_process_exec", KERNEL_BTF_KIND_TYPEDEF);
	/* anonymous types have the empty name */
	check_find(&k, "", KERNEL_BTF_KIND_TYPEDEF);
	for (unsigned int kind = 0; kind < 32; kind++)
		check_find(&k, "task_struct", kind);
	return 0;
}
