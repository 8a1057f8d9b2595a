/*
 * regs.c — the C side of the variant axes: how a syscall that needs the
 * complete frame gets it, how a changed frame is written back, whether a
 * frame may leave by SYSRET, and the per-task user-RSP slot.  Compiled once
 * per variant (kernels/kernels.mk); everything else in C is shared.
 */
#include "kernel.h"
#include "variant.h"

#define RFLAGS_TF 0x100ull
#define RFLAGS_RF 0x10000ull

/* rsp=cached: fill the frame slots the fast path left unwritten (the C twin
 * of FIXUP_TOP_OF_STACK, for ptregs=full where no stub runs first). */
void regs_fixup_top(struct pt_regs *regs)
{
#ifdef RSP_CACHED
	regs->rsp = cpu0.user_rsp;
	regs->ss = USER_DS;
	regs->cs = USER_CS;
	regs->rflags = regs->r11;
	regs->rcx = regs->rip;
#else
	(void)regs;
#endif
}

/* rsp=cached: a slow path that returns by SYSRET hands a possibly changed
 * RSP (and RFLAGS, read from the r11 slot) back to the fast path's homes. */
void regs_writeback_top(struct pt_regs *regs)
{
#ifdef RSP_CACHED
	cpu0.user_rsp = regs->rsp;
	regs->r11 = regs->rflags;
#else
	(void)regs;
#endif
}

/* The complete frame of the current syscall, for the ":regs" syscalls.
 * ptregs=partial: a stub (hand-written or generated) completed it already.
 * ptregs=full: the fast path saved every register; with rsp=cached the top
 * of stack still needs filling.  Marking the frame full also sends the
 * return through the slow exit path.  The floor has no frame: NULL. */
struct pt_regs *syscall_full_regs(void)
{
#ifdef ENTRY_FLOOR
	return NULL;
#else
	struct task *t = current_task();
	struct pt_regs *regs = task_regs(t);
	if (!test_flag(t, TIF_FULL_FRAME)) {
#ifdef PTREGS_PARTIAL
		panic("regs syscall %lu without a complete frame", regs->orig_rax);
#endif
		regs_fixup_top(regs);
		set_flag(t, TIF_FULL_FRAME);
	}
	return regs;
#endif
}

void regs_mark_changed(void)
{
	set_flag(current_task(), TIF_REGS_CHANGED);
}

/* The syscall's own work (el_trace): entry=kstack keeps it in the task's
 * syscall_work word, as Linux since 5.11 (set_task_syscall_work(),
 * 3136b93c3fb2); every other variant in the TIF flags, which the
 * assembler fast path and the older C entries test. */
#ifdef ENTRY_KSTACK
void syscall_work_set(struct task *t, u32 work)
{
	t->syscall_work |= work;
}

void syscall_work_clear(struct task *t, u32 work)
{
	t->syscall_work &= ~work;
}
#else
static u32 syscall_work_tif(u32 work)
{
	return (work & _SYSCALL_WORK_TRACE_ENTRY ? _TIF_SYSCALL_TRACE : 0) |
	       (work & _SYSCALL_WORK_TRACE_EXIT ? _TIF_SYSCALL_EXIT_TRACE : 0);
}

void syscall_work_set(struct task *t, u32 work)
{
	t->flags |= syscall_work_tif(work);
}

void syscall_work_clear(struct task *t, u32 work)
{
	t->flags &= ~syscall_work_tif(work);
}
#endif

/* SYSRET restores RIP from rcx and RFLAGS from r11 and cannot load CS/SS
 * or a non-canonical RIP (on Intel it would #GP in ring 0): only a frame
 * that SYSRET reproduces exactly may leave that way. */
bool regs_sysret_safe(const struct pt_regs *regs)
{
	return regs->rcx == regs->rip && regs->r11 == regs->rflags &&
	       is_canonical(regs->rip) && regs->cs == USER_CS && regs->ss == USER_DS &&
	       !(regs->rflags & (RFLAGS_TF | RFLAGS_RF));
}

/* rsp=cached: the per-CPU slot belongs to the running task. */
void switch_user_rsp_slot(struct task *prev, struct task *next)
{
#ifdef RSP_CACHED
	prev->user_rsp_slot = cpu0.user_rsp;
	cpu0.user_rsp = next->user_rsp_slot;
#else
	(void)prev;
	(void)next;
#endif
}

/* path=c checks RCX before SYSRET, so the page below 2^47 may be mapped;
 * the assembler fast path does not, and keeps it unmapped as Linux does
 * (TASK_SIZE_MAX ends one page below 2^47). */
#ifdef PATH_C
const bool el_map_top_page = true;
#else
const bool el_map_top_page = false;
#endif

long sys_el_features(void)
{
#ifdef ENTRY_FLOOR
	return 0;
#else
	return EL_FEAT_ALL | (el_map_top_page ? EL_FEAT_TOPPAGE : 0)
#ifdef IRQ_ON
		| EL_FEAT_IRQ
#endif
		;
#endif
}

const char el_variant_name[] = EL_VARIANT_NAME;
const char el_variant_short[] = EL_VARIANT_SHORT;
