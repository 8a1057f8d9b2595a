/*
 * alternative.h — boot-time code patching, the way Linux's alternatives
 * work: a site is assembled with its default instructions, padded to the
 * longest replacement; kernels/alternative.c copies the replacement of
 * every live feature over the site at boot, before the first entry, and
 * fills what is left with one long NOP, so the path executed afterwards is
 * the one the CPU's feature set selects.  Features are the lab's own
 * numbers (ALT_F_*), decided from CPUID in pti.c and spec.c.
 *
 * Table entry (.altinstructions): site, replacement, feature (u32),
 * site length, replacement length, default length (u8 each), a pad byte.
 * The padding of a site left as it is becomes one long NOP too.  A replacement that
 * starts with a rel32 call or jmp is relocated when copied.
 */
#ifndef ENTRYLAB_ALTERNATIVE_H
#define ENTRYLAB_ALTERNATIVE_H

#define ALT_F_PCID          0   /* pti: CR4.PCIDE on, PCIDs and the no-flush bit */
#define ALT_F_RETPOLINE     1   /* spec: indirect calls through the retpoline thunk */
#define ALT_F_IBRS_ENTRY    2   /* spec: SPEC_CTRL.IBRS written on entry and exit */
#define ALT_F_VERW          3   /* spec: VERW before the return to user mode (MDS) */
#define ALT_F_RSB_CTXSW     4   /* spec: RSB filled on context switch */
#define ALT_F_UNRET         5   /* spec: untrained return on entry (AMD retbleed) */
#define ALT_F_DIV0          6   /* a division 0/1 before the return to user mode (AMD Zen1 DIV0) */
#define ALT_F_COUNT         7

#ifdef __ASSEMBLER__
/* ALTERNATIVE "old", "new", feature: "new" replaces "old" when feature is live. */
.macro ALTERNATIVE oldinstr, newinstr, feature
.Lalt_site_\@:
	\oldinstr
.Lalt_old_end_\@:
	.nops -((((.Lalt_repl_end_\@ - .Lalt_repl_\@) - (.Lalt_old_end_\@ - .Lalt_site_\@)) > 0) * \
		((.Lalt_repl_end_\@ - .Lalt_repl_\@) - (.Lalt_old_end_\@ - .Lalt_site_\@))), 8
.Lalt_site_end_\@:
	.pushsection .altinstructions, "a"
	.quad .Lalt_site_\@, .Lalt_repl_\@
	.long \feature
	.byte .Lalt_site_end_\@ - .Lalt_site_\@, .Lalt_repl_end_\@ - .Lalt_repl_\@
	.byte .Lalt_old_end_\@ - .Lalt_site_\@, 0
	.popsection
	.pushsection .altinstr_replacement, "ax"
.Lalt_repl_\@:
	\newinstr
.Lalt_repl_end_\@:
	.popsection
.endm
#else
#include "kernel.h"
extern u32 alt_features;	/* bit ALT_F_* set: live on this CPU */
void apply_alternatives(void);
#endif
#endif
