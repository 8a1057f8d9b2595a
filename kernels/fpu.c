/*
 * fpu.c — every task's own x87/SSE/AVX register state, as Linux's
 * arch/x86/kernel/fpu keeps it, in the two models the variants have:
 *
 * eager (every variant but entry=generic and kstack: Linux before 5.2)
 *   The context switch saves the old task's registers and loads the new
 *   one's unless they are still in the registers (switch_fpu_prepare /
 *   switch_fpu_finish of 4.x).  Nothing happens on the way to user mode.
 *   Linux 3.7-4.5 chose it on CPUs with XSAVE (304bceda6a18) and switched
 *   lazily elsewhere (CR0.TS, #NM on first use); 4.6 made it the default
 *   everywhere (58122bf1d856) and 4.14 removed the lazy mode.  The CPU
 *   models the lab is measured on have XSAVE, so its pre-4.14 presets get
 *   eager too: lazy switching is not modelled (it is off the getpid path).
 * deferred (entry=generic and kstack: 5.2+, "x86/fpu: Defer FPU state load
 *   until return to userspace", 5f409e20b794)
 *   The switch saves the old task's registers (unless its state is not in
 *   them: TIF_NEED_FPU_LOAD already set) and sets TIF_NEED_FPU_LOAD on the
 *   new one; the exit to user mode loads the state when that flag is set
 *   (switch_fpu_return).  The per-CPU owner and the task's last CPU say
 *   whose state the registers hold; with CONFIG_X86_DEBUG_FPU (Debian's
 *   5.10 and 6.1) every return to user mode checks them
 *   (fpregs_assert_state_consistent), and here a failure is counted
 *   (el_fpu EL_FPU_INFO; the conformance suite asserts none).
 *   entry=arch (4.16-5.8) stays eager: its preset is 4.16's; 5.2-5.8 ran
 *   the arch entry with the deferred load, which no variant models.
 *
 * Saving: XSAVE/XRSTOR where CPUID has XSAVE (CR4.OSXSAVE, XCR0 = x87, SSE
 * and, where present, AVX and AVX-512), else FXSAVE/FXRSTOR (CR4.OSFXSR is
 * set at boot).  Linux prefers XSAVES or XSAVEOPT where the CPU has them:
 * the same one instruction, cheaper in cycles.  Not modelled: the FPU
 * state in signal frames, kernel FPU use (kernel_fpu_begin), PKRU, AMX.
 */
#include "kernel.h"
#include "variant.h"
#include "cpuid.h"

#define FPSTATE_MAX 4096	/* x87, SSE, AVX, AVX-512 need 2688 bytes */
#define XFEATURE_X87_SSE 0x3ull
#define XFEATURE_AVX     0x4ull
#define XFEATURE_AVX512  0xe0ull	/* opmask, ZMM_Hi256, Hi16_ZMM */
#define CR0_MP (1ull << 1)
#define CR0_EM (1ull << 2)
#define CR0_TS (1ull << 3)
#define CR0_NE (1ull << 5)
#define CR4_OSXSAVE (1ull << 18)

static u8 fpstates[MAX_TASKS][FPSTATE_MAX] __attribute__((aligned(64)));
static u8 init_fpstate[FPSTATE_MAX] __attribute__((aligned(64)));
static bool use_xsave;
static u64 xfeatures = XFEATURE_X87_SSE;
static struct el_fpu_info stats;

#ifdef FPU_DEFERRED
#define FPU_MODEL EL_FPU_DEFERRED
#else
#define FPU_MODEL EL_FPU_EAGER
#endif

static inline struct fpu *fpregs_owner(void)
{
	struct fpu *f;
	__asm__ volatile("movq %%gs:%c1, %0" : "=r"(f) : "i"(PCPU_FPREGS_OWNER));
	return f;
}

static inline void fpregs_activate(struct fpu *f)
{
	__asm__ volatile("movq %0, %%gs:%c1" :: "r"(f), "i"(PCPU_FPREGS_OWNER) : "memory");
}

static inline int smp_processor_id(void)
{
	int cpu;
	__asm__ volatile("movl %%gs:%c1, %0" : "=r"(cpu) : "i"(PCPU_CPU_NUMBER));
	return cpu;
}

/* The registers hold this state (nobody loaded another since it was saved
 * or loaded here). */
static inline bool fpregs_state_valid(const struct fpu *f, int cpu)
{
	return f == fpregs_owner() && cpu == f->last_cpu;
}

static void save_fpregs(u8 *state)
{
	if (use_xsave)
		__asm__ volatile("xsave64 (%0)" :: "r"(state), "a"((u32)xfeatures),
				 "d"((u32)(xfeatures >> 32)) : "memory");
	else
		__asm__ volatile("fxsave64 (%0)" :: "r"(state) : "memory");
}

static void restore_fpregs(const u8 *state)
{
	if (use_xsave)
		__asm__ volatile("xrstor64 (%0)" :: "r"(state), "a"((u32)xfeatures),
				 "d"((u32)(xfeatures >> 32)) : "memory");
	else
		__asm__ volatile("fxrstor64 (%0)" :: "r"(state) : "memory");
}

static u64 read_cr0(void)
{
	u64 v;
	__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static u64 read_cr4(void)
{
	u64 v;
	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

/* XCR0: x87 and SSE, AVX if the CPU has it, AVX-512 if it has all three
 * parts and the area fits; returns the area's size. */
static u32 xsave_setup(void)
{
	u32 a, b, c, d;
	__asm__ volatile("mov %0, %%cr4" :: "r"(read_cr4() | CR4_OSXSAVE));
	el_cpuid(0xd, &a, &b, &c, &d);
	u64 supported = ((u64)d << 32) | a;
	xfeatures = supported & (XFEATURE_X87_SSE | XFEATURE_AVX | XFEATURE_AVX512);
	if (!(xfeatures & XFEATURE_AVX) || (xfeatures & XFEATURE_AVX512) != XFEATURE_AVX512)
		xfeatures &= ~XFEATURE_AVX512;
	for (;;) {
		__asm__ volatile("xsetbv" :: "c"(0), "a"((u32)xfeatures), "d"((u32)(xfeatures >> 32)));
		el_cpuid(0xd, &a, &b, &c, &d);	/* b: the size for XCR0 as set */
		if (b <= FPSTATE_MAX || !(xfeatures & XFEATURE_AVX512))
			break;
		xfeatures &= ~XFEATURE_AVX512;
	}
	if (b > FPSTATE_MAX)
		panic("XSAVE area of %u bytes (XCR0 %lx) exceeds %u", b, xfeatures, FPSTATE_MAX);
	return b;
}

/* XSAVE of a known xmm0 value lands in the area (legacy region, offset
 * 160) and XRSTOR of that area brings it back.  Under the nested KVM of
 * the test bed (kvm_amd inside TCG's emulated SVM) neither happens: the
 * registers are left as they are, which would let tasks share them; there
 * the kernel turns XSAVE off and uses FXSAVE, and says so (el_fpu
 * EL_FPU_INFO).  Linux has no such test. */
static bool xsave_works(void)
{
	static u8 probe[FPSTATE_MAX] __attribute__((aligned(64)));
	const u64 want = 0x5eed5eed0f0f1234ull;
	u64 got;
	__asm__ volatile("movq %0, %%xmm0" :: "r"(want));
	save_fpregs(probe);
	__asm__ volatile("movq %0, %%xmm0" :: "r"(~want));
	restore_fpregs(probe);
	__asm__ volatile("movq %%xmm0, %0" : "=r"(got));
	return got == want && *(const u64 *)&probe[160] == want;
}

/* Boot, before the first task: CR0 (MP, NE set; EM, TS clear: no lazy
 * switching), XSAVE or FXSAVE, the init state (FCW 0x37f, MXCSR 0x1f80,
 * every register zero) loaded into the registers. */
void fpu_init(void)
{
	u32 a, b, c, d;
	__asm__ volatile("mov %0, %%cr0" :: "r"((read_cr0() | CR0_MP | CR0_NE) & ~(CR0_EM | CR0_TS)));
	el_cpuid(1, &a, &b, &c, &d);
	use_xsave = c & (1u << 26);
	stats.size = use_xsave ? xsave_setup() : 512;
	if (use_xsave && !xsave_works()) {	/* FXSAVE keeps x87 and SSE only: AVX off */
		use_xsave = false;
		xfeatures = XFEATURE_X87_SSE;
		__asm__ volatile("xsetbv" :: "c"(0), "a"((u32)xfeatures), "d"(0));
		__asm__ volatile("mov %0, %%cr4" :: "r"(read_cr4() & ~CR4_OSXSAVE));
		stats.xsave_failed = 1;
		stats.size = 512;
	}
	stats.xsave = use_xsave;
	stats.xfeatures = xfeatures;
	stats.model = FPU_MODEL;
	*(u16 *)&init_fpstate[0] = 0x37f;	/* FCW; XSTATE_BV (offset 512) 0: every part init */
	*(u32 *)&init_fpstate[24] = 0x1f80;	/* MXCSR */
	restore_fpregs(init_fpstate);
}

/* A new task: its own save area, in no CPU's registers yet. */
void fpu_task_init(struct task *t)
{
	t->fpu.state = fpstates[t - tasks];
	t->fpu.last_cpu = -1;
}

/* The init task runs with the init state the boot loaded. */
void fpu_init_task(struct task *t)
{
	memcpy(t->fpu.state, init_fpstate, sizeof(init_fpstate));
	fpregs_activate(&t->fpu);
	t->fpu.last_cpu = smp_processor_id();
}

/* clone: the child starts with the parent's state (fpu__copy); under the
 * deferred model it is loaded on the child's way to user mode. */
void fpu_clone(struct task *parent, struct task *child)
{
	child->fpu.last_cpu = -1;
	if (test_flag(parent, TIF_NEED_FPU_LOAD))
		memcpy(child->fpu.state, parent->fpu.state, stats.size);
	else
		save_fpregs(child->fpu.state);
#ifdef FPU_DEFERRED
	set_flag(child, TIF_NEED_FPU_LOAD);
#endif
}

/* execve: the init state, loaded now (fpu__clear_user_states). */
void fpu_exec(struct task *t)
{
	restore_fpregs(init_fpstate);
	fpregs_activate(&t->fpu);
	t->fpu.last_cpu = smp_processor_id();
	clear_flag(t, TIF_NEED_FPU_LOAD);
}

/* A task exits: the registers no longer hold anybody's state (fpu__drop). */
void fpu_drop(struct task *t)
{
	if (fpregs_owner() == &t->fpu)
		fpregs_activate(NULL);
}

/* schedule(), before the stacks are switched. */
void switch_fpu(struct task *prev, struct task *next)
{
	int cpu = smp_processor_id();
	if (!test_flag(prev, TIF_NEED_FPU_LOAD)) {	/* switch_fpu_prepare */
		save_fpregs(prev->fpu.state);
		prev->fpu.last_cpu = cpu;
		stats.saves++;
	}
#ifdef FPU_DEFERRED
	set_flag(next, TIF_NEED_FPU_LOAD);		/* switch_fpu_finish */
#else
	if (!fpregs_state_valid(&next->fpu, cpu)) {
		restore_fpregs(next->fpu.state);
		next->fpu.last_cpu = cpu;
		stats.loads_switch++;
	}
	fpregs_activate(&next->fpu);
#endif
}

#ifdef FPU_DEFERRED
/* On the way to user mode with TIF_NEED_FPU_LOAD set, interrupts off
 * (fpregs_restore_userregs): load the state unless it is still in the
 * registers. */
void switch_fpu_return(void)
{
	struct task *t = current_task();
	int cpu = smp_processor_id();
	if (!fpregs_state_valid(&t->fpu, cpu)) {
		restore_fpregs(t->fpu.state);
		fpregs_activate(&t->fpu);
		t->fpu.last_cpu = cpu;
		stats.loads_exit++;
	}
	clear_flag(t, TIF_NEED_FPU_LOAD);
}

/* CONFIG_X86_DEBUG_FPU: a task about to run in user mode without
 * TIF_NEED_FPU_LOAD must own the registers.  Linux warns; here the failure
 * is counted. */
__attribute__((noinline)) void fpregs_assert_state_consistent(void)
{
	struct task *t = current_task();
	if (test_flag(t, TIF_NEED_FPU_LOAD))
		return;
	if (!fpregs_state_valid(&t->fpu, smp_processor_id()))
		stats.check_failures++;
}

/* Every return to user mode outside do_syscall_64 (exceptions, a new
 * task's first return, the timer interrupt): entry.S and idt.S call it
 * with interrupts off (arch_exit_to_user_mode_prepare's FPU part). */
void exit_to_user_mode_fpu(void)
{
	fpregs_assert_state_consistent();
	if (test_flag(current_task(), TIF_NEED_FPU_LOAD))
		switch_fpu_return();
}
#endif

/* el_fpu(op, arg): the model and its counters, and two probes for the
 * conformance suite (include/entrylab/abi.h). */
long sys_el_fpu(long op, long arg)
{
	struct task *t = current_task();
	switch (op) {
	case EL_FPU_INFO:
		if (!user_range_ok((u64)arg, sizeof(stats)))
			return -EL_EFAULT;
		memcpy((void *)arg, &stats, sizeof(stats));
		return 0;
	case EL_FPU_SWITCH_PEEK: {
		u64 xmm0;
		schedule();
		__asm__ volatile("movq %%xmm0, %0" : "=r"(xmm0));
		return (long)xmm0;
	}
	case EL_FPU_STALE_OWNER:
		fpregs_activate(NULL);
		return 0;
	case EL_FPU_REPAIR:
		if (!test_flag(t, TIF_NEED_FPU_LOAD)) {	/* the registers are its own */
			fpregs_activate(&t->fpu);
			t->fpu.last_cpu = smp_processor_id();
		}
		return 0;
	}
	return -EL_EINVAL;
}
