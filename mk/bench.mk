# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# `make bench`: the performance tables of issues 6 and 18 (tools/bench.py). Not part of
# `make test`: it needs root, takes minutes and its numbers depend on the machine. Included
# by the top-level Makefile.
#
#   make bench                   everything, about 12 minutes; the table on stdout, the
#                                numbers in $(BUILD)/bench.json
#   BENCH_SECONDS=2 make bench   seconds per timed syscall loop (default 1)
#   BENCH_REPS=6 make bench      interleaved repetitions (default 5)
#   make bench-build             the benchmark programs only
# Other knobs (start-up runs, replay rounds, CPUs, the curves' sizes) are listed by
# tools/bench.py --help.

BENCH_BINS := $(BUILD)/bench/syscalls $(BUILD)/bench/replay $(BUILD)/bench_rules \
	$(BUILD)/bench/floor $(BUILD)/bench/floor.bpf.o $(BUILD)/bench/live $(BUILD)/bench/names

.PHONY: bench bench-build

# The syscall loop links nothing of llmwatch: it is the workload, not the monitor.
$(BUILD)/bench/syscalls: tools/bench/syscalls.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -MMD -MP -o $@ $<

$(BUILD)/bench/replay: tools/bench/replay.c tools/bench/gen_rules.c $(BUILD)/liblw.a
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(LW_CFLAGS) -Itests/unit -o $@ $(filter %.c,$^) $(BUILD)/liblw.a \
		$(LDFLAGS) $(LDLIBS)

# The live view's model and panels: events/s absorbed and the frame time (issue 16).
$(BUILD)/bench/live: tools/bench/live.c $(BUILD)/liblw.a
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(LW_CFLAGS) -o $@ $(filter %.c,$^) $(BUILD)/liblw.a $(LDFLAGS) $(LDLIBS)

# The host-name cache as it grows (issue 18's names curve).
$(BUILD)/bench/names: tools/bench/names.c $(BUILD)/liblw.a
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(LW_CFLAGS) -o $@ $(filter %.c,$^) $(BUILD)/liblw.a $(LDFLAGS) $(LDLIBS)

# No-op programs on llmwatch's hooks: the floor row of the table.
$(BUILD)/bench/floor.bpf.o: tools/bench/floor.bpf.c $(BUILD)/vmlinux.h
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/bench/floor: tools/bench/floor.c | $(BUILD)/.deps-build
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -MMD -MP -o $@ $< $(LDLIBS)

bench-build: $(BUILD)/llmwatch $(BENCH_BINS)

bench: $(BUILD)/.deps-test
	$(Q)$(MAKE) --no-print-directory bench-build
	$(Q)BUILD=$(BUILD) tools/bench.py --out $(BUILD)/bench.json

-include $(wildcard $(BUILD)/bench/*.d)
