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

# The matrix's benchmark (KERNEL_BENCH=1, `make bench-kernels`): the syscall loop linked
# static like the actor, the floor's loader and no-op programs, and the fentry/fexit no-ops.
$(BUILD)/kernels/syscalls: tools/bench/syscalls.c
	$(call msg,CC,$@ (static))
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -static -o $@ $<

$(BUILD)/bench/floor_fexit.bpf.o: tools/bench/floor_fexit.bpf.c $(BUILD)/vmlinux.h
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

.PHONY: bench-kernels
KERNEL_BENCH_BINS := $(BUILD)/kernels/syscalls $(BUILD)/bench/floor $(BUILD)/bench/floor.bpf.o \
	$(BUILD)/bench/floor_fexit.bpf.o

bench-kernels: $(BUILD)/llmwatch $(BUILD)/kernels/lw_actor $(KERNEL_BENCH_BINS) | $(BUILD)/.deps-all
	$(Q)BUILD=$(BUILD) KERNEL_BENCH=1 KERNEL_MATRIX_HOST=0 tools/kernel-matrix.sh
