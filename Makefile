# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# llmwatch: BPF objects -> one skeleton -> build/llmwatch. Out-of-tree outputs in build/,
# quiet unless V=1, real header dependencies on both sides.

BUILD ?= build
CC ?= gcc
CLANG ?= clang
BPFTOOL ?= bpftool
LLVM_STRIP ?= llvm-strip
ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

.DELETE_ON_ERROR:
.SUFFIXES:
.PHONY: all deps run test test-unit test-e2e check-layers bench fuzz clean

# User space: user/main.c and one folder per subsystem (user/README.md). Every user/*/*.c goes
# into a static library that the binary, the unit tests, the fuzz targets and the benchmarks
# link against.
USER_SRCS := $(wildcard user/*/*.c)
USER_OBJS := $(patsubst user/%.c,$(BUILD)/user/%.o,$(USER_SRCS))
# The link order of the BPF objects is the skeleton's program order, which is the order
# bpf_loader.c attaches them in: listed, not wildcarded, and every bpf/*.bpf.c must be here.
BPF_SRCS := bpf/files.bpf.c bpf/net_syscalls.bpf.c bpf/net_fentry.bpf.c \
	bpf/net_sock_addr.bpf.c bpf/net_skb.bpf.c bpf/process.bpf.c
$(if $(filter-out $(BPF_SRCS),$(wildcard bpf/*.bpf.c)),\
	$(error BPF_SRCS lacks $(filter-out $(BPF_SRCS),$(wildcard bpf/*.bpf.c))))
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(BUILD)/bpf/%.bpf.o,$(BPF_SRCS))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))

VERSION := $(shell git describe --always --dirty 2>/dev/null || echo unknown)
CFLAGS ?= -O2 -g
LW_CFLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wformat=2 \
	-Iinclude -Iuser -I$(BUILD) -MMD -MP
# ncursesw (wide: UTF-8 rows) for the live view's screen (user/live/live_screen.c)
CURSES_LIBS := $(shell pkg-config --libs ncursesw 2>/dev/null || echo -lncursesw -ltinfo)
LDLIBS := -lbpf -lelf -lz -lcjson -lsystemd -lssl -lcrypto $(CURSES_LIBS)
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror \
	-Iinclude -I$(BUILD) -MMD -MP $(if $(DEBUG),-DLW_DEBUG=1) \
	$(if $(PROFILE),-DLW_PROFILE=1)

all: $(BUILD)/llmwatch

# Missing Debian packages are installed by the build itself (tools/install-deps.sh), so the
# README's commands work on a fresh machine. The stamps keep it to one check per build dir.
deps:
	$(Q)tools/install-deps.sh all
$(BUILD)/.deps-%:
	$(Q)mkdir -p $(@D)
	$(Q)tools/install-deps.sh $*
	$(Q)touch $@

# The README's first command: install what is missing, build, start watching (needs root).
run: $(BUILD)/llmwatch
	$(Q)if [ "$$(id -u)" -eq 0 ]; then exec $(BUILD)/llmwatch $(ARGS); \
	else exec sudo $(BUILD)/llmwatch $(ARGS); fi

# --- BPF side ---------------------------------------------------------------------------
# vmlinux.h is generated from the build machine's BTF; CO-RE relocates field offsets at load,
# so the object runs on other kernels (see `make test-kernels`).
$(BUILD)/vmlinux.h: | $(BUILD)/.deps-build
	$(call msg,BTF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@

$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c $(BUILD)/vmlinux.h
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/llmwatch.bpf.o: $(BPF_OBJS)
	$(call msg,LINK-BPF,$@)
	$(Q)$(BPFTOOL) gen object $@ $^
	$(Q)$(LLVM_STRIP) -g $@ 2>/dev/null || true

$(BUILD)/llmwatch.skel.h: $(BUILD)/llmwatch.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name llmwatch_bpf > $@

# --- user side --------------------------------------------------------------------------
# The version lives in a header rewritten only when it changes, so what --version prints is
# never older than the tree it was built from, and an unchanged version rebuilds nothing.
$(BUILD)/version.h: FORCE
	$(Q)mkdir -p $(@D)
	$(Q)echo '#define LLMWATCH_VERSION "$(VERSION)"' > $@.tmp
	$(Q)cmp -s $@.tmp $@ || mv $@.tmp $@
	$(Q)rm -f $@.tmp
FORCE:
.PHONY: FORCE

# Objects go to $(BUILD)/user/<folder>/. Only the loader includes the skeleton, so only it
# waits for the skeleton and is rebuilt when a .bpf.c changes; -MMD -MP does the rest.
$(BUILD)/user/%.o: user/%.c | $(BUILD)/version.h $(BUILD)/.deps-build
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(LW_CFLAGS) -c $< -o $@

$(BUILD)/user/kernel/bpf_loader.o: $(BUILD)/llmwatch.skel.h

$(BUILD)/liblw.a: $(USER_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/llmwatch: $(BUILD)/user/main.o $(BUILD)/liblw.a
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)

# --- tests ------------------------------------------------------------------------------
$(BUILD)/tests/%.o: tests/unit/%.c | $(BUILD)/.deps-build
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(LW_CFLAGS) -Itests/unit -c $< -o $@

$(BUILD)/tests/test_%: $(BUILD)/tests/test_%.o $(BUILD)/liblw.a
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)

# Programs the end-to-end tests run (io_uring client, lw_actor, ...).
TESTPROG_SRCS := $(wildcard tests/progs/*.c)
TESTPROGS := $(patsubst tests/progs/%.c,$(BUILD)/tests/progs/%,$(TESTPROG_SRCS))
$(BUILD)/tests/progs/%: tests/progs/%.c | $(BUILD)/.deps-test
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -MMD -MP -o $@ $< -luring

# lw_stream_dump views a daemon's event stream: it links the stream client and the text sink.
$(BUILD)/tests/progs/lw_stream_dump: tests/progs/lw_stream_dump.c $(BUILD)/liblw.a \
		| $(BUILD)/.deps-test
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(LW_CFLAGS) -o $@ $< $(BUILD)/liblw.a $(LDFLAGS) $(LDLIBS)

test: $(BUILD)/.deps-test
	$(Q)$(MAKE) --no-print-directory all $(UNIT_BINS) $(TESTPROGS)
	$(Q)BUILD=$(BUILD) tests/run-all.sh

test-unit: $(UNIT_BINS)
	$(Q)BUILD=$(BUILD) tests/run-all.sh unit

test-e2e: all $(TESTPROGS)
	$(Q)BUILD=$(BUILD) tests/run-all.sh e2e

# The layering of user/ (user/README.md); `make test` runs it as a suite too.
check-layers:
	$(Q)tools/check-layers.sh

-include $(wildcard mk/*.mk)

clean:
	$(call msg,CLEAN,$(BUILD))
	$(Q)rm -rf $(BUILD)

-include $(wildcard $(BUILD)/bpf/*.d $(BUILD)/user/*.d $(BUILD)/user/*/*.d $(BUILD)/tests/*.d \
	$(BUILD)/tests/progs/*.d)
