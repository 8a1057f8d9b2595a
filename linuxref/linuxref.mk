# linuxref.mk — the Linux reference rows (linuxref/README.md), included by
# the top-level Makefile after kernels/kernels.mk (it uses USER_CFLAGS).
#
#   build/linuxref/init            one static program (no libc): /init of the
#                                  initramfs, and the native host loop; built
#                                  from linuxref/init.c, linuxref/start.S and
#                                  the same bench/loops.S, lib/fmt.c and
#                                  lib/string.c as the guest user program
#   build/linuxref/initramfs.cpio  cpio newc: /init, /dev/console, /proc, /sys
#                                  (written by `entrylab linuxref initramfs`)
#
# The kernel is Debian's own (/boot/vmlinuz-*); `entrylab matrix` (through
# `entrylab linuxref prepare`) unpacks it into build/linuxref/ when it runs
# the rows: it is an input of the run, not of the build.
#
# linuxref/syscall_nr.h comes first on the include path: it maps the SYS_*
# names bench/ uses onto Linux's numbers, in place of build/gen/syscall_nr.h.

LRBUILD   := $(BUILD)/linuxref
LR_SRCS   := linuxref/start.S linuxref/init.c bench/loops.S lib/fmt.c lib/string.c lib/cpuid.c
LR_OBJS   := $(patsubst %,$(LRBUILD)/obj/%.o,$(notdir $(basename $(LR_SRCS))))
LR_HDRS   := $(wildcard include/entrylab/*.h include/entrylab/*.def lib/*.h) \
	bench/user.h linuxref/syscall_nr.h
LR_CFLAGS := -Ilinuxref $(USER_CFLAGS) -Ibench
LR_LDFLAGS := -static -nostdlib -no-pie -Wl,-z,noexecstack -Wl,--build-id=sha1

define LR_OBJ_RULE
$(LRBUILD)/obj/$(notdir $(basename $(1))).o: $(1) $(LR_HDRS)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(LR_CFLAGS) -c $$< -o $$@
endef
$(foreach s,$(LR_SRCS),$(eval $(call LR_OBJ_RULE,$(s))))

$(LRBUILD)/init: $(LR_OBJS)
	$(CC) $(LR_LDFLAGS) -o $@.tmp.$$$$ $^ && mv $@.tmp.$$$$ $@

$(LRBUILD)/initramfs.cpio: $(LRBUILD)/init $(HOSTBIN)/entrylab
	$(HOSTBIN)/entrylab linuxref initramfs --init $< --out $@

.PHONY: linuxref
linuxref: $(LRBUILD)/initramfs.cpio
all: linuxref
