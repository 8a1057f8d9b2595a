/* `entrylab pathlen`: the static length of each variant's syscall fast
 * path, read from the built image.
 *
 * What is counted: every instruction laid out from the entry symbol
 * (entry_SYSCALL_64; entry_floor_SYSCALL_64 for floor) up to and including
 * the sysretq at syscall_sysret_insn (floor_sysret_insn), as objdump decodes
 * them.  That range is the straight-line fall-through path: the conditional
 * jumps to the slow paths are in it (counted, and reported separately as
 * jcc: on the fast path none is taken); the handler reached by the indirect
 * call through the syscall table is not.  bytes = address of the sysretq +
 * its length - address of the entry symbol.  The range must be gap-free and
 * hold no unconditional jmp or ret, or the measurement is refused. */
#ifndef ENTRYLAB_PATHLEN_H
#define ENTRYLAB_PATHLEN_H

#include <stdbool.h>
#include <stddef.h>

#include "core/opts.h"
#include "image/symbols.h"

struct el_pathlen {
	int insns;
	int bytes;
	int jcc;           /* conditional jumps in the range */
	unsigned long long entry, sysret;   /* addresses */
};

/* Measure a loaded image (symbols and disassembly).  floor selects the
 * floor entry's symbols.  Returns 0, or -1 with err set. */
int el_pathlen_image(const struct el_image *im, bool floor, struct el_pathlen *p,
		     char *err, size_t errlen);

/* For the analyze/report code: measure the image file of variant
 * short_name ("floor" picks the floor symbols).  Returns 0, or an el_exit
 * status (EL_EX_USAGE) with a one-line error in err (not printed). */
int pathlen_measure(const char *image, const char *short_name, int *insns, int *bytes,
		    char *err, size_t errlen);

/* A variant picked on the command line and its image. */
struct el_kimage {
	char short_name[64];
	char canonical[512];
	char path[4096];
};

/* Resolve selectors (see `entrylab resolve`) read from variants_dir to
 * images kernels_dir/<short>.elf.  Returns the count (*out is malloc'ed),
 * or -1 after printing a one-line error naming cmd. */
int el_select_images(const char *variants_dir, const char *kernels_dir, char *const *sel,
		     int nsel, struct el_kimage **out, const char *cmd);

/* The same for one selector that must name exactly one variant: 0, or -1
 * after printing a one-line error. */
int el_select_one(const char *variants_dir, const char *kernels_dir, const char *sel,
		  struct el_kimage *k, const char *cmd);

extern const struct el_optcmd pathlen_optcmd;   /* core/opts.h */
int el_cmd_pathlen(int argc, char **argv);

#endif
