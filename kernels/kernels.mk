# kernels.mk — guest build rules, included by the top-level Makefile.
#
# Shared C and assembler (no variant flags) is compiled once into
# build/kernels/common/; the variant-specific sources (entry code, the
# generated syscall table, regs.c) once per variant into build/kernels/<v>/.
# The user program (bench/) is compiled once, linked into one relocatable
# object whose sections are renamed .user.* (placed on the user page by
# kernels/kernel.ld) and whose symbols are all local except the entry.
# Images are linked to a temporary name and renamed, so a reader never sees
# a half-written image.

GUEST_CFLAGS := -std=gnu11 -O2 -g -ffreestanding -fno-pic -fno-pie -fno-stack-protector \
	-fno-builtin -fno-tree-loop-distribute-patterns -fno-asynchronous-unwind-tables \
	-mgeneral-regs-only -mcmodel=small $(WARN) -Iinclude -Ikernels -Ilib -I$(GEN)
KERNEL_CFLAGS := $(GUEST_CFLAGS) -mno-red-zone -mpreferred-stack-boundary=3
USER_CFLAGS   := $(GUEST_CFLAGS)
GUEST_LDFLAGS := -nostdlib -static -no-pie -T kernels/kernel.ld --build-id=sha1 -z noexecstack

COMMON_SRCS := kernels/boot.S kernels/alternative.c kernels/spec_thunk.S kernels/cpu.c kernels/console.c kernels/traps.c \
	kernels/sched.c kernels/signal.c kernels/syscalls.c kernels/work.c lib/string.c \
	kernels/main.c kernels/selftest.c kernels/pmu.c kernels/timer.c lib/fmt.c lib/cpuid.c
VARIANT_SRCS := kernels/entry.S kernels/entry_stubs.S kernels/idt.S kernels/regs.c \
	kernels/dispatch.c kernels/pti.c kernels/spec.c kernels/fpu.c $(GEN)/syscall_table.S \
	$(GEN)/syscall_switch.c
USER_SRCS    := $(wildcard bench/*.c bench/*.S) lib/fmt.c lib/string.c

KERNEL_HDRS := $(wildcard kernels/*.h include/entrylab/*.h include/entrylab/*.def lib/*.h) $(GEN)/syscall_nr.h

obj_of = $(patsubst %,$(1)/%.o,$(notdir $(basename $(2))))
COMMON_OBJS := $(call obj_of,$(KBUILD)/common,$(COMMON_SRCS))
USER_OBJS   := $(call obj_of,$(KBUILD)/user,$(USER_SRCS))

vpath %.c kernels bench lib $(GEN)
vpath %.S kernels bench $(GEN)

# ---- generated from the one syscall list
$(GEN)/syscall_nr.h $(GEN)/syscall_table.S $(GEN)/syscall_switch.c &: kernels/syscall.tbl $(HOSTBIN)/systbl
	@mkdir -p $(GEN)
	$(HOSTBIN)/systbl $< $(GEN)/syscall_nr.h $(GEN)/syscall_table.S $(GEN)/syscall_switch.c

# spec=on stands for a kernel built with retpolines (CONFIG_RETPOLINE, 6.9+
# CONFIG_MITIGATION_RETPOLINE), and Linux's arch/x86/Makefile builds such a
# kernel with GCC without jump tables (an indirect jump the thunk would have
# to guard; GCC bug 86952): the variant's own C (the dispatch, the switch
# of dispatch=switch) is compiled so.  The shared objects are compiled once
# for every variant with GCC's default; none of their switches is on a
# measured path.
RETPOLINE_CFLAGS := -fno-jump-tables
spec_cflags = $(if $(filter -DSPEC_ON,$(VARIANT_FLAGS_$(1))),$(RETPOLINE_CFLAGS))

# ---- the variant list, generated from variants/axes.conf by the harness
# (a malformed config: entrylab says where, once; run.sh passes
# EL_CONFIG_QUIET=1 and reports it itself, with its exit status)
$(BUILD)/variants.mk: variants/axes.conf variants/presets.conf $(HOSTBIN)/entrylab
	@mkdir -p $(BUILD)
	$(HOSTBIN)/entrylab variants --make > $@.tmp.$$$$ $(if $(EL_CONFIG_QUIET),2>/dev/null) && \
		mv $@.tmp.$$$$ $@ || { rm -f $@.tmp.$$$$; exit 1; }
-include $(BUILD)/variants.mk

# ---- shared kernel objects
$(KBUILD)/common/%.o: %.c $(KERNEL_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(KERNEL_CFLAGS) -c $< -o $@
$(KBUILD)/common/%.o: %.S $(KERNEL_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(KERNEL_CFLAGS) -c $< -o $@

# ---- user program
$(KBUILD)/user/%.o: %.c $(KERNEL_HDRS) bench/user.h
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -Ibench -c $< -o $@
$(KBUILD)/user/%.o: %.S $(KERNEL_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -Ibench -c $< -o $@
$(KBUILD)/user.o: $(USER_OBJS)
	$(LD) -r -z noexecstack -o $@.r.$$$$ $^ && \
	objcopy --prefix-alloc-sections=.user --keep-global-symbol=user_main \
		--keep-global-symbol=user_stack_top \
		--keep-global-symbol=el_trace_begin --keep-global-symbol=el_trace_end \
		$@.r.$$$$ $@.o.$$$$ && rm -f $@.r.$$$$ && mv $@.o.$$$$ $@

# ---- one image per variant: $(1) = short name
define VARIANT_RULES
$(KBUILD)/$(1)/%.o: %.S $(KERNEL_HDRS) $(BUILD)/variants.mk
	@mkdir -p $$(dir $$@)
	$$(CC) $$(KERNEL_CFLAGS) $$(VARIANT_FLAGS_$(1)) -c $$< -o $$@
$(KBUILD)/$(1)/%.o: %.c $(KERNEL_HDRS) $(BUILD)/variants.mk
	@mkdir -p $$(dir $$@)
	$$(CC) $$(KERNEL_CFLAGS) $$(VARIANT_FLAGS_$(1)) $$(call spec_cflags,$(1)) -c $$< -o $$@
$(KBUILD)/$(1).elf: $(COMMON_OBJS) $(call obj_of,$(KBUILD)/$(1),$(VARIANT_SRCS) $(if $(filter floor,$(1)),kernels/entry_floor.S)) $(KBUILD)/user.o kernels/kernel.ld
	$$(LD) $$(GUEST_LDFLAGS) -o $$@.tmp.$$$$$$$$ $$(filter %.o,$$^) && mv $$@.tmp.$$$$$$$$ $$@
	@sh kernels/build_note.sh $$@
endef
$(foreach v,$(VARIANTS),$(eval $(call VARIANT_RULES,$(v))))

# an image linked before build notes existed gets one now
$(KBUILD)/%.rev: $(KBUILD)/%.elf kernels/build_note.sh
	@sh kernels/build_note.sh $<

kernels: $(foreach v,$(VARIANTS),$(KBUILD)/$(v).elf $(KBUILD)/$(v).rev)
