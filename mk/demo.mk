# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# `make demo` (issue 15): builds llmwatch and the simulator of a chatty inference tool
# (tools/demo/chatty-tool.c), then runs tools/demo/demo.sh, which brings up the test lab
# (tests/lab/lab.sh), runs the simulator under `llmwatch eval` inside the lab and prints the
# report. Needs root: it asks for sudo, as `make run` does. Included by the top-level
# Makefile.

DEMO_SRCS := tools/demo/chatty-tool.c tools/demo/chatty_net.c tools/demo/lab_enter.c
DEMO_SIM := $(BUILD)/demo/chatty-tool

.PHONY: demo demo-build

# Links nothing of llmwatch: it is the watched program, not the watcher.
$(DEMO_SIM): $(DEMO_SRCS) | $(BUILD)/.deps-build
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -MMD -MP -o $@ \
		$(DEMO_SRCS) -lssl -lcrypto

# The end-to-end suite runs the simulator too (tests/e2e/65-eval-lab.bats).
TESTPROGS += $(DEMO_SIM)
test-e2e: $(DEMO_SIM)

demo-build: $(BUILD)/llmwatch $(DEMO_SIM)

demo: $(BUILD)/.deps-demo
	$(Q)$(MAKE) --no-print-directory demo-build
	$(Q)if [ "$$(id -u)" -eq 0 ]; then exec env BUILD=$(BUILD) tools/demo/demo.sh; fi; \
	echo "make demo: the demo needs root (it loads BPF programs and makes network" \
		"namespaces); running tools/demo/demo.sh with sudo"; \
	command -v sudo >/dev/null || { echo "make demo: no sudo: run make demo as root" >&2; \
		exit 1; }; \
	exec sudo env BUILD=$(BUILD) tools/demo/demo.sh

-include $(wildcard $(BUILD)/demo/*.d)
