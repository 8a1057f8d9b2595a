# entrylab — build every variant kernel, the host harness and the tests.
#
#   make            harness, generator and every variant kernel (build/kernels/<short>.elf)
#   make test       host unit tests (ASan+UBSan) and guest integration tests
#   make clean
#
# Variants come from variants/axes.conf through the harness
# (build/variants.mk is generated; never edit it).

.DEFAULT_GOAL := all   # plain `make`: the rules above `all:` must not become the goal

# The lab's version: `entrylab --version` and `./run.sh --version` print it
# (run.sh reads it from this line without building anything).
VERSION  := 0.12.0

BUILD    := build
GEN      := $(BUILD)/gen
HOSTBIN  := $(BUILD)/host
KBUILD   := $(BUILD)/kernels

CC       ?= cc
WARN     := -Wall -Wextra -Werror
HOST_CFLAGS := -std=gnu11 -O2 -g $(WARN) -Iinclude -D_GNU_SOURCE
HOST_LIBS   := -lgsl -lgslcblas -ljansson -lhwloc -lpfm -lelf -lm
SAN_FLAGS   := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

# ---------------------------------------------------------------- host side
# harness/<folder>/*.c, one folder per role (README.md, Layout).  Every
# include names its folder from harness/: #include "core/util.h".
# main.c holds main(); tools/ are build-time programs of their own.
HARNESS_MAIN := harness/cmd/main.c
HARNESS_TOOLS := $(wildcard harness/tools/*.c)
HARNESS_HDRS := $(wildcard harness/*/*.h)
HARNESS_SRCS := $(filter-out $(HARNESS_MAIN) $(HARNESS_TOOLS),$(wildcard harness/*/*.c))
HARNESS_OBJS := $(patsubst harness/%.c,$(HOSTBIN)/obj/%.o,$(HARNESS_SRCS))
HARNESS_SAN_OBJS := $(patsubst harness/%.c,$(HOSTBIN)/san/%.o,$(HARNESS_SRCS))
HARNESS_MAIN_OBJ := $(patsubst harness/%.c,$(HOSTBIN)/obj/%.o,$(HARNESS_MAIN))
HARNESS_MAIN_SAN := $(patsubst harness/%.c,$(HOSTBIN)/san/%.o,$(HARNESS_MAIN))
UNIT_TESTS   := $(patsubst tests/unit/%.c,$(HOSTBIN)/tests/%,$(wildcard tests/unit/test_*.c))

# main.c alone carries the version (and is rebuilt when this file changes).
$(HARNESS_MAIN_OBJ) $(HARNESS_MAIN_SAN): HOST_CFLAGS += -DEL_VERSION='"$(VERSION)"'
$(HARNESS_MAIN_OBJ) $(HARNESS_MAIN_SAN): Makefile

.PHONY: all host kernels test test-build unit-test-list unit-test integration-test clean
all: host kernels

host: $(HOSTBIN)/entrylab $(HOSTBIN)/systbl $(BUILD)/share/entrylab.bash $(BUILD)/share/entrylab.1

# Bash completion and the man page, generated from the commands' option
# tables (harness/core/opts.h): they list exactly what the harness parses.
#   . build/share/entrylab.bash;  man -l build/share/entrylab.1
$(BUILD)/share/entrylab.bash: $(HOSTBIN)/entrylab
	@mkdir -p $(dir $@)
	$< --bash-completion >$@.tmp && mv $@.tmp $@

$(BUILD)/share/entrylab.1: $(HOSTBIN)/entrylab
	@mkdir -p $(dir $@)
	$< --man >$@.tmp && mv $@.tmp $@

$(HOSTBIN)/obj/%.o: harness/%.c $(HARNESS_HDRS) include/entrylab/proto.h
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -Iharness -c $< -o $@

$(HOSTBIN)/san/%.o: harness/%.c $(HARNESS_HDRS) include/entrylab/proto.h
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) $(SAN_FLAGS) -Iharness -c $< -o $@

# Binaries are linked to a temporary name and renamed: a running harness or
# a concurrent build never sees a half-written file.
$(HOSTBIN)/entrylab: $(HARNESS_MAIN_OBJ) $(HARNESS_OBJS)
	$(CC) $(HOST_CFLAGS) -o $@.tmp.$$$$ $^ $(HOST_LIBS) && mv $@.tmp.$$$$ $@

# The same program under ASan and UBSan, for the integration tests
# (tests/integration/sanitized.sh runs every command through it once).
$(HOSTBIN)/entrylab-san: $(HARNESS_MAIN_SAN) $(HARNESS_SAN_OBJS)
	$(CC) $(HOST_CFLAGS) $(SAN_FLAGS) -o $@.tmp.$$$$ $^ $(HOST_LIBS) && mv $@.tmp.$$$$ $@

$(HOSTBIN)/systbl: harness/tools/systbl.c harness/tools/systbl.h harness/core/exitcodes.h
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -Iharness -DSYSTBL_MAIN -o $@.tmp.$$$$ $< && mv $@.tmp.$$$$ $@

$(HOSTBIN)/tests/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(HARNESS_SAN_OBJS) $(HARNESS_TOOLS)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) $(SAN_FLAGS) -Iharness -o $@ $< $(HARNESS_SAN_OBJS) $(HARNESS_TOOLS) -lcmocka $(HOST_LIBS)

# the kernels first: test_trace reads and boots the images
# Keep the sanitizer objects between builds (they are intermediate files).
.SECONDARY: $(HARNESS_SAN_OBJS) $(HARNESS_OBJS) $(HARNESS_MAIN_SAN)

unit-test: $(UNIT_TESTS) | kernels
	@set -e; for t in $(UNIT_TESTS); do echo "== $$t"; $$t; done

# ---------------------------------------------------------------- guest side
include kernels/kernels.mk
include linuxref/linuxref.mk

# ---------------------------------------------------------------- fuzzing (fuzz/README.md)
include fuzz/fuzz.mk

# ---------------------------------------------------------------- tests
integration-test: all $(HOSTBIN)/entrylab-san
	@tests/integration/run-all.sh

# Everything built first (test-build: make -j builds it in parallel), then
# the unit test programs as one job beside the integration scripts,
# EL_TEST_JOBS at once (tests/integration/run-all.sh).  ./run.sh test runs
# the two steps itself, so that its exit status is run-all.sh's.
test-build: all $(UNIT_TESTS) $(HOSTBIN)/entrylab-san

unit-test-list:
	@echo $(UNIT_TESTS)

test: test-build
	@tests/integration/run-all.sh $(UNIT_TESTS)

clean:
	rm -rf $(BUILD)
