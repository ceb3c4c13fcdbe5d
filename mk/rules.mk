# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Rules engine: the default rule pack (rules/*.json) is embedded into liblw.a as generated C,
# and `make bench-rules` builds and runs the matcher benchmark (tools/bench_rules.c).

RULES_JSON := $(sort $(wildcard rules/*.json))

# rules/ itself is a prerequisite so that adding or removing a pack file regenerates.
$(BUILD)/gen/default_rules.c: $(RULES_JSON) rules tools/gen-default-rules.sh
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)tools/gen-default-rules.sh $(RULES_JSON) > $@

# Built like the user/ objects (it includes rules/rules_int.h), from a generated source.
$(BUILD)/gen/default_rules.o: $(BUILD)/gen/default_rules.c
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(LW_CFLAGS) -c $< -o $@

# The archive rule archives $^, which includes prerequisites added here.
$(BUILD)/liblw.a: $(BUILD)/gen/default_rules.o

.PHONY: bench-rules
$(BUILD)/bench_rules: tools/bench_rules.c tools/bench/gen_rules.c $(BUILD)/liblw.a
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(LW_CFLAGS) -Itools -o $@ $(filter %.c,$^) $(BUILD)/liblw.a \
		$(LDFLAGS) $(LDLIBS)

bench-rules: $(BUILD)/bench_rules
	$(Q)$(BUILD)/bench_rules

-include $(wildcard $(BUILD)/gen/*.d $(BUILD)/bench_rules.d)
