# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# libFuzzer targets of the host-naming parsers (fuzz/fuzz_*.c), built with clang and the
# sanitizers straight from the parser sources (never from the gcc-built liblw.a), plus a
# sanitizer run of their unit tests. Included by the top-level Makefile.
#
#   make fuzz                 each target for FUZZ_SECONDS (default 60); new inputs are kept
#                             in $(BUILD)/fuzz/corpus-<t>, the seeds in fuzz/corpus/<t>
#   make fuzz-smoke           each target for FUZZ_SMOKE_SECONDS (10) from the seeds only;
#                             non-zero exit on any crash, leak or broken contract (for CI)
#   make test-parsers-asan    the parsers' unit tests under ASan and UBSan
# Crash inputs land in $(BUILD)/fuzz/ (crash-*, leak-*); replay one with
# $(BUILD)/fuzz/fuzz_<t> <file>.

FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 10
FUZZ_TARGETS := dns tls http
FUZZ_BINS := $(patsubst %,$(BUILD)/fuzz/fuzz_%,$(FUZZ_TARGETS))
FUZZ_SAN := address,undefined
FUZZ_CFLAGS := -g -O1 -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wformat=2 \
	-Iinclude -Iuser -fno-omit-frame-pointer -fno-sanitize-recover=all -MMD -MP
# The longest input each target is given: the TLS parser must see hellos over its 16 KiB cap.
FUZZ_MAXLEN_dns := 4096
FUZZ_MAXLEN_tls := 20000
FUZZ_MAXLEN_http := 4096

FUZZ_OBJS_dns := dns_parse.o dns_cache.o hostname.o
FUZZ_OBJS_tls := tls_parse.o hostname.o
FUZZ_OBJS_http := http_parse.o hostname.o

.PHONY: fuzz fuzz-build fuzz-smoke test-parsers-asan

$(BUILD)/fuzz/obj/%.o: user/%.c
	$(call msg,FUZZ-CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,$(FUZZ_SAN) -c $< -o $@

$(BUILD)/fuzz/obj/%.o: fuzz/%.c
	$(call msg,FUZZ-CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,$(FUZZ_SAN) -c $< -o $@

define fuzz_target
$(BUILD)/fuzz/fuzz_$(1): $(BUILD)/fuzz/obj/fuzz_$(1).o $(addprefix $(BUILD)/fuzz/obj/,$(FUZZ_OBJS_$(1)))
	$$(call msg,FUZZ-LD,$$@)
	$$(Q)$$(FUZZ_CC) -fsanitize=fuzzer,$$(FUZZ_SAN) -o $$@ $$^
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call fuzz_target,$(t))))

fuzz-build: $(FUZZ_BINS)

# -max_total_time bounds each run; the first corpus directory receives new inputs.
fuzz: $(FUZZ_BINS)
	$(Q)for t in $(FUZZ_TARGETS); do \
		mkdir -p $(BUILD)/fuzz/corpus-$$t && \
		echo "  FUZZ     $$t for $(FUZZ_SECONDS)s" && \
		$(BUILD)/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			-max_len=$$(case $$t in dns) echo $(FUZZ_MAXLEN_dns);; \
				tls) echo $(FUZZ_MAXLEN_tls);; *) echo $(FUZZ_MAXLEN_http);; esac) \
			-artifact_prefix=$(BUILD)/fuzz/ \
			$(BUILD)/fuzz/corpus-$$t fuzz/corpus/$$t || exit 1; \
	done

fuzz-smoke: $(FUZZ_BINS)
	$(Q)for t in $(FUZZ_TARGETS); do \
		rm -rf $(BUILD)/fuzz/smoke-$$t && mkdir -p $(BUILD)/fuzz/smoke-$$t && \
		echo "  FUZZ     $$t for $(FUZZ_SMOKE_SECONDS)s (smoke)" && \
		$(BUILD)/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SMOKE_SECONDS) -seed=1 \
			-artifact_prefix=$(BUILD)/fuzz/ \
			$(BUILD)/fuzz/smoke-$$t fuzz/corpus/$$t >$(BUILD)/fuzz/smoke-$$t.log 2>&1 || \
			{ tail -n 40 $(BUILD)/fuzz/smoke-$$t.log; echo "fuzz-smoke: $$t failed"; exit 1; }; \
		tail -n 1 $(BUILD)/fuzz/smoke-$$t.log; \
	done

# The parsers' unit tests, linked against the sources built with the sanitizers.
PARSER_TESTS := dns_parse tls_parse http_parse dns_cache
PARSER_TEST_OBJS := dns_parse.o tls_parse.o http_parse.o dns_cache.o hostname.o

$(BUILD)/asan/obj/%.o: user/%.c
	$(call msg,ASAN-CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=$(FUZZ_SAN) -c $< -o $@

$(BUILD)/asan/obj/test_%.o: tests/unit/test_%.c
	$(call msg,ASAN-CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -Itests/unit -fsanitize=$(FUZZ_SAN) -c $< -o $@

$(BUILD)/asan/test_%: $(BUILD)/asan/obj/test_%.o $(addprefix $(BUILD)/asan/obj/,$(PARSER_TEST_OBJS))
	$(call msg,ASAN-LD,$@)
	$(Q)$(FUZZ_CC) -fsanitize=$(FUZZ_SAN) -o $@ $^

# Named, not global: a bare .SECONDARY would change every other rule of the build.
.SECONDARY: $(addprefix $(BUILD)/asan/obj/,$(PARSER_TEST_OBJS) $(PARSER_TESTS:%=test_%.o))

test-parsers-asan: $(patsubst %,$(BUILD)/asan/test_%,$(PARSER_TESTS))
	$(Q)for t in $^; do \
		ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
			$$t || exit 1; \
	done

-include $(wildcard $(BUILD)/fuzz/obj/*.d $(BUILD)/asan/obj/*.d)
