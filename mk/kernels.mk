# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The kernel matrix (issue 5): `make test-kernels` boots Debian's 5.10, 6.1 and 6.12 cloud
# kernels under qemu and runs the core scenarios in each and on the running kernel
# (tools/kernel-matrix.sh). The scenarios' actor is linked static: the initramfs has no libc
# of its own beyond llmwatch's libraries.

.PHONY: test-kernels

$(BUILD)/kernels/lw_actor: tests/progs/lw_actor.c | $(BUILD)/.deps-test
	$(call msg,CC,$@ (static))
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -static -o $@ $< -luring

test-kernels: $(BUILD)/llmwatch $(BUILD)/kernels/lw_actor | $(BUILD)/.deps-all
	$(Q)BUILD=$(BUILD) tools/kernel-matrix.sh
