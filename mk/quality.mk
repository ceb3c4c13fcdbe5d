# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Code-quality gates (issue 12): formatting, static analysis and a sanitizer build of the whole
# user side. Included by the top-level Makefile; each is a suite of `make test`
# (tests/run-all.sh format|lint|asan).
#
#   make format-check   clang-format --dry-run -Werror over the tracked C sources and headers
#                       (.clang-format); lists the files that differ
#   make format         rewrites those files in place
#   make lint           clang-tidy (.clang-tidy) and cppcheck over every tracked C source;
#                       any finding fails
#   make compile-db     $(BUILD)/compile_commands.json, the flags lint uses (also for editors)
#   make test-asan      llmwatch, its unit tests and the end-to-end suite built with
#                       AddressSanitizer (leak checking on) and UBSan into $(ASAN_BUILD)
#
# File lists come from git (or find outside a checkout), never from the Makefile's source
# lists, so they follow files into new folders.

CLANG_FORMAT ?= clang-format
CLANG_TIDY ?= clang-tidy
CPPCHECK ?= cppcheck
ASAN_BUILD ?= build-asan
NPROC := $(shell nproc 2>/dev/null || echo 2)

# Every tracked C file but what is generated or not ours (none is tracked today: vmlinux.h,
# the skeleton and the rule pack are generated into $(BUILD)).
QUALITY_EXCLUDE := %/vmlinux.h %.skel.h
QUALITY_FILES := $(filter-out $(QUALITY_EXCLUDE),$(shell \
	git ls-files -- '*.c' '*.h' 2>/dev/null || \
	find user bpf include tests fuzz tools -name '*.[ch]' 2>/dev/null))
QUALITY_SRCS := $(filter %.c,$(QUALITY_FILES))

.PHONY: format format-check lint lint-tidy lint-cppcheck compile-db test-asan test-asan-build

# --- formatting -------------------------------------------------------------------------
format-check: | $(BUILD)/.deps-test
	$(Q)bad=0; for f in $(QUALITY_FILES); do \
		$(CLANG_FORMAT) --dry-run -Werror $$f >/dev/null 2>&1 || \
			{ echo "format: $$f differs from .clang-format"; bad=$$((bad + 1)); }; \
	done; \
	echo "format: $$(( $(words $(QUALITY_FILES)) - bad )) passed, $$bad failed"; \
	[ $$bad -eq 0 ] || { echo "format: 'make format' rewrites them"; exit 1; }

format: | $(BUILD)/.deps-test
	$(Q)$(CLANG_FORMAT) -i $(QUALITY_FILES)

# --- compile flags for the analysers ----------------------------------------------------
# The user-side flags for every source outside bpf/ (tests and tools need only extra -I),
# the BPF flags (clang's bpf target, vmlinux.h) for *.bpf.c. -Werror is left to the build:
# here a compiler warning is one finding among others. Rewritten only when it changes.
LINT_USER_FLAGS := $(filter-out -MMD -MP -Werror,$(LW_CFLAGS)) -Itests/unit -Itools
LINT_BPF_FLAGS := $(filter-out -MMD -MP -Werror,$(BPF_CFLAGS))

compile-db: $(BUILD)/compile_commands.json
$(BUILD)/compile_commands.json: FORCE
	$(Q)mkdir -p $(@D)
	$(Q)sep=' '; { echo '['; for f in $(QUALITY_SRCS); do \
		case $$f in *.bpf.c) fl='$(LINT_BPF_FLAGS)' ;; *) fl='$(LINT_USER_FLAGS)' ;; esac; \
		printf '%s{ "directory": "%s", "file": "%s",\n  "command": "clang %s -c %s" }\n' \
			"$$sep" "$(CURDIR)" "$$f" "$$fl" "$$f"; sep=','; \
	done; echo ']'; } > $@.tmp
	$(Q)cmp -s $@.tmp $@ || mv $@.tmp $@
	$(Q)rm -f $@.tmp

# --- lint -------------------------------------------------------------------------------
# Sources include the skeleton, the version header and vmlinux.h: build those first.
LINT_PREREQS := $(BUILD)/compile_commands.json $(BUILD)/llmwatch.skel.h $(BUILD)/version.h \
	$(BUILD)/vmlinux.h

# One result per tool and source file; the findings go to stdout, then one summary line.
lint: $(LINT_PREREQS) | $(BUILD)/.deps-test
	$(Q)BUILD=$(BUILD) CLANG_TIDY=$(CLANG_TIDY) CPPCHECK=$(CPPCHECK) NPROC=$(NPROC) \
		tools/lint.sh $(QUALITY_SRCS)

# --- sanitizers -------------------------------------------------------------------------
# The whole user side (liblw.a, llmwatch, unit tests, the e2e test programs) built again by
# clang with ASan and UBSan into its own build dir; BPF objects are built there unchanged.
# -O1 keeps the e2e suite's timing close to a normal build's.
ASAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all

test-asan-build: | $(BUILD)/.deps-test
	$(Q)$(MAKE) --no-print-directory BUILD=$(ASAN_BUILD) CC=clang CFLAGS="$(ASAN_FLAGS)" \
		all $(patsubst $(BUILD)/%,$(ASAN_BUILD)/%,$(UNIT_BINS) $(TESTPROGS))

# tests/run-all.sh builds it (test-asan-build) and runs it, also from `make test`.
test-asan: | $(BUILD)/.deps-test
	$(Q)BUILD=$(BUILD) ASAN_BUILD=$(ASAN_BUILD) tests/run-all.sh asan
