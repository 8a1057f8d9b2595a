# fuzz.mk — libFuzzer targets for every parser of the harness, included by
# the top-level Makefile.  fuzz/README.md says what each target feeds and
# checks.
#
#   make fuzz          every target for FUZZ_SECONDS (default 60) each
#   make fuzz-smoke    every target for FUZZ_SMOKE_SECONDS (default 3) each,
#                      after replaying tests/fuzz/corpus/<name>/ and every
#                      reproducer in tests/fuzz/crashes/<name>/
#   make fuzz-<name>   one target for FUZZ_SECONDS
#
# The harness objects are compiled again with clang for coverage feedback
# (-fsanitize=fuzzer-no-link) under ASan and UBSan; a UBSan report aborts
# like an ASan one.  New inputs found go to build/fuzz/work/<name>/, crash
# reproducers to build/fuzz/artifacts/<name>/.

FUZZ_CC            ?= clang-14
FUZZ_SECONDS       ?= 60
FUZZ_SMOKE_SECONDS ?= 3
FUZZ_DIR           := $(BUILD)/fuzz
FUZZ_SAN           := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS        := -std=gnu11 -O1 -g -Wall -Wextra -Iinclude -Iharness -Ifuzz -D_GNU_SOURCE $(FUZZ_SAN)
FUZZ_RUN_FLAGS     := -close_fd_mask=3 -timeout=10 -rss_limit_mb=2048 -print_final_stats=0

# One target per parser (fuzz/README.md).
FUZZ_NAMES := records variants systbl analyze options perfx elf disasm tracelog cpuinfo \
	thresholds baseline tracediff
FUZZ_BINS  := $(patsubst %,$(FUZZ_DIR)/fuzz_%,$(FUZZ_NAMES))
FUZZ_OBJS  := $(patsubst harness/%.c,$(FUZZ_DIR)/obj/%.o,$(HARNESS_SRCS) $(HARNESS_TOOLS))

.PHONY: fuzz fuzz-smoke fuzz-build $(addprefix fuzz-,$(FUZZ_NAMES)) $(addprefix fuzz-smoke-,$(FUZZ_NAMES))
.SECONDARY: $(FUZZ_OBJS)

fuzz-build: $(FUZZ_BINS)

# Other engineers' code is compiled without -Werror here (clang warns
# differently from gcc); the fuzz targets themselves use -Werror.  Every
# output is written to a temporary name and renamed: test runs sharing the
# build tree never link a half-written object.
$(FUZZ_DIR)/obj/%.o: harness/%.c $(HARNESS_HDRS) include/entrylab/proto.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@.tmp.$$$$ && mv $@.tmp.$$$$ $@

$(FUZZ_DIR)/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz.h $(FUZZ_OBJS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Werror -fsanitize=fuzzer -o $@.tmp.$$$$ $< $(FUZZ_OBJS) \
		$(HOST_LIBS) && mv $@.tmp.$$$$ $@

# fuzz/run-one.sh NAME SECONDS: replay, fuzz, one summary line.
$(addprefix fuzz-smoke-,$(FUZZ_NAMES)): fuzz-smoke-%: $(FUZZ_DIR)/fuzz_%
	@FUZZ_DIR=$(FUZZ_DIR) FUZZ_RUN_FLAGS="$(FUZZ_RUN_FLAGS)" fuzz/run-one.sh $* $(FUZZ_SMOKE_SECONDS)

$(addprefix fuzz-,$(FUZZ_NAMES)): fuzz-%: $(FUZZ_DIR)/fuzz_%
	@FUZZ_DIR=$(FUZZ_DIR) FUZZ_RUN_FLAGS="$(FUZZ_RUN_FLAGS)" fuzz/run-one.sh $* $(FUZZ_SECONDS)

fuzz-smoke: $(addprefix fuzz-smoke-,$(FUZZ_NAMES))
fuzz: $(addprefix fuzz-,$(FUZZ_NAMES))
