/* buildid — the build id of a kernel image (image/buildid.c). */
#ifndef ENTRYLAB_BUILDID_H
#define ENTRYLAB_BUILDID_H

#include <stddef.h>

/* The GNU build-id of an ELF file as lowercase hex.  Returns 0, or -1 (not
 * readable, not ELF64, no build-id note) with dst "". */
int el_elf_build_id(const char *path, char *dst, size_t n);

#endif
