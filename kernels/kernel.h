/*
 * kernel.h — the entrylab guest kernel's C declarations.  Ring 0 only.
 * Freestanding: no libc; lib/fmt.c provides formatting.
 */
#ifndef ENTRYLAB_KERNEL_H
#define ENTRYLAB_KERNEL_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include "frame.h"
#include "syscall_nr.h"
#include "entrylab/abi.h"
#include "entrylab/proto.h"

typedef uint64_t u64;
typedef uint32_t u32;
typedef uint16_t u16;
typedef uint8_t u8;

struct pt_regs {
	u64 r15, r14, r13, r12, rbp, rbx;
	u64 r11, r10, r9, r8, rax, rcx, rdx, rsi, rdi;
	u64 orig_rax;
	u64 rip, cs, rflags, rsp, ss;
};
_Static_assert(offsetof(struct pt_regs, r15) == PT_R15, "pt_regs r15");
_Static_assert(offsetof(struct pt_regs, rbx) == PT_RBX, "pt_regs rbx");
_Static_assert(offsetof(struct pt_regs, r11) == PT_R11, "pt_regs r11");
_Static_assert(offsetof(struct pt_regs, rax) == PT_RAX, "pt_regs rax");
_Static_assert(offsetof(struct pt_regs, rcx) == PT_RCX, "pt_regs rcx");
_Static_assert(offsetof(struct pt_regs, rdi) == PT_RDI, "pt_regs rdi");
_Static_assert(offsetof(struct pt_regs, orig_rax) == PT_ORIG_RAX, "pt_regs orig_rax");
_Static_assert(offsetof(struct pt_regs, rip) == PT_RIP, "pt_regs rip");
_Static_assert(offsetof(struct pt_regs, rflags) == PT_RFLAGS, "pt_regs rflags");
_Static_assert(offsetof(struct pt_regs, rsp) == PT_RSP, "pt_regs rsp");
_Static_assert(offsetof(struct pt_regs, ss) == PT_SS, "pt_regs ss");
_Static_assert(sizeof(struct pt_regs) == PT_SIZE, "pt_regs size");

struct percpu {
	u64 self;
	u64 kstack_top;
	u64 user_rsp;
	struct task *current;
	u64 entry_stack_top;
	u64 user_pcid_flush;
	struct fpu *fpregs_owner;
	u64 cpu_number;
};
_Static_assert(offsetof(struct percpu, kstack_top) == PCPU_KSTACK, "percpu kstack");
_Static_assert(offsetof(struct percpu, user_rsp) == PCPU_USER_RSP, "percpu user_rsp");
_Static_assert(offsetof(struct percpu, current) == PCPU_CURRENT, "percpu current");
_Static_assert(offsetof(struct percpu, entry_stack_top) == PCPU_ENTRY_STACK, "percpu entry stack");
_Static_assert(offsetof(struct percpu, user_pcid_flush) == PCPU_USER_PCID_FLUSH, "percpu pcid flush");
_Static_assert(offsetof(struct percpu, fpregs_owner) == PCPU_FPREGS_OWNER, "percpu fpregs owner");
_Static_assert(offsetof(struct percpu, cpu_number) == PCPU_CPU_NUMBER, "percpu cpu number");
_Static_assert(sizeof(struct percpu) == PCPU_SIZE, "percpu size");

/* What the CPU or the entry reads while the user page table of pti=on is
 * loaded (GDT, IDT, TSS, per-CPU area, entry and #DF stacks): the entry
 * data pages, which that table maps (kernels/pti.h, kernel.ld). */
#define __entry_data __attribute__((section(".entry.data")))

enum task_state { TASK_FREE, TASK_RUNNABLE, TASK_BLOCKED, TASK_ZOMBIE, TASK_DEAD };

#define MAX_TASKS 8
#define KSTACK_SIZE 16384

struct sigaction_k {
	u64 handler;		/* 0 = default (kill), 1 = ignore */
	u64 restorer;
};

/* A task's FPU state (kernels/fpu.c): its save area, and the CPU whose
 * registers it was last saved from or loaded into (-1: none). */
struct fpu {
	int last_cpu;
	u8 *state;
};

struct task {
	volatile u32 flags;	/* TIF_* work flags; offset TASK_FLAGS */
	volatile u32 syscall_work; /* entry=kstack: SYSCALL_WORK_* (frame.h) */
	u64 ksp;		/* offset TASK_KSP */
	u64 kstack_top;
	u64 user_rsp_slot;	/* rsp=cached: the per-CPU slot, saved while switched out */
	int pid;
	int parent;
	int state;
	int exit_status;
	bool detached;
	u64 pending;		/* pending signal bits */
	struct el_siginfo pending_info[EL_NSIG];
	struct sigaction_k sigactions[EL_NSIG];
	u64 notify_count;	/* notify-resume work done */
	/* tracing */
	u64 trace_match_nr, trace_new_nr, trace_arg_delta;
	u64 trace_entries, trace_exits;
	struct pt_regs trace_snapshot;
	u64 trace_exit_rax;
	u8 *kstack;
	u32 kstack_offset;	/* entry=kstack: the next random offset of the kernel stack */
	struct fpu fpu;
};
_Static_assert(offsetof(struct task, flags) == TASK_FLAGS, "task flags");
_Static_assert(offsetof(struct task, ksp) == TASK_KSP, "task ksp");

struct tss {
	u32 reserved0;
	u64 rsp0, rsp1, rsp2;
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3, iomap_base;
} __attribute__((packed));

extern struct percpu cpu0;
extern struct tss tss;
extern struct task tasks[MAX_TASKS];

static inline struct task *current_task(void)
{
	struct task *t;
	__asm__ volatile("movq %%gs:%c1, %0" : "=r"(t) : "i"(PCPU_CURRENT));
	return t;
}

static inline struct pt_regs *task_regs(struct task *t)
{
	return (struct pt_regs *)(t->kstack_top - PT_SIZE);
}

static inline void set_flag(struct task *t, u32 bit)   { t->flags |= (1u << bit); }
static inline void clear_flag(struct task *t, u32 bit) { t->flags &= ~(1u << bit); }
static inline bool test_flag(struct task *t, u32 bit)  { return t->flags & (1u << bit); }

static inline void outb(u16 port, u8 v) { __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(port)); }
static inline void outl(u16 port, u32 v) { __asm__ volatile("outl %0, %1" :: "a"(v), "Nd"(port)); }
static inline void wrmsr(u32 msr, u64 v)
{
	__asm__ volatile("wrmsr" :: "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)));
}
static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}
static inline bool is_canonical(u64 a) { return (u64)(((int64_t)a << 16) >> 16) == a; }

/* console.c */
void console_write(const char *buf, size_t len);
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void record_final(const char *status);
__attribute__((noreturn)) void system_exit(int code, const char *status);
__attribute__((noreturn)) void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* cpu.c */
void cpu_init(void);
void cpu_set_kernel_stack(u64 top);	/* pti.c: TSS.rsp0 depends on the pti axis */
void mm_init(void);
bool user_range_ok(u64 addr, u64 len);
void cmdline_init(u32 start_info);
const char *cmdline_get(const char *key);
const char *cmdline_raw(void);

/* pti.c, spec.c, alternative.c (variant-specific) */
void pti_init(void);
void pti_state(bool *on, bool *pcid);
void spec_init(void);
void spec_record_fields(char *buf, size_t n);
void apply_alternatives(void);

/* timer.c */
_Static_assert(TIMER_VECTOR == EL_TIMER_VECTOR, "the timer's vector");
void timer_init(void);
void timer_interrupt(struct pt_regs *regs);
/* idt.S: the nested KVM's duplicate delivery of the timer vector, raised
 * on demand (interrupts disabled); timer.c counts what the stub dropped. */
void timer_dup_probe(void);
extern u64 timer_dup;

/* dispatch.c (path=c) */
void do_syscall_64(struct pt_regs *regs, long nr);
/* dispatch=switch: the generated build/gen/syscall_switch.c, one case per
 * row of kernels/syscall.tbl; each case calls the entry point with the six
 * arguments from the frame, as the table call does (syscall_fn). */
long x64_sys_call(const struct pt_regs *regs, unsigned int nr);
#define SYSCALL_CASE(fn, regs)							\
	fn((long)(regs)->rdi, (long)(regs)->rsi, (long)(regs)->rdx,		\
	   (long)(regs)->r10, (long)(regs)->r8, (long)(regs)->r9)

/* fpu.c (variant-specific: eager or deferred, by the entry axis) */
void fpu_init(void);
void fpu_task_init(struct task *t);
void fpu_init_task(struct task *t);
void fpu_clone(struct task *parent, struct task *child);
void fpu_exec(struct task *t);
void fpu_drop(struct task *t);
void switch_fpu(struct task *prev, struct task *next);
void fpregs_assert_state_consistent(void);
void switch_fpu_return(void);

/* pmu.c */
void pmu_init(void);
bool pmu_fixup(struct pt_regs *regs);

/* traps.c */
void exception_handler(struct pt_regs *regs, u64 vector);

/* sched.c */
void sched_init(void);
void schedule(void);
struct task *task_alloc(void);
struct task *task_by_pid(int pid);
void task_exit(int status) __attribute__((noreturn));
void task_prepare_fork(struct task *t);
void switch_user_rsp_slot(struct task *prev, struct task *next);
void switch_to(struct task *prev, struct task *next);
void ret_from_fork(void);
void enter_user_first(struct pt_regs *frame) __attribute__((noreturn));

/* signal.c */
void force_sig_fault(struct task *t, int sig, u64 vector, u64 err, u64 addr);
int send_signal(struct task *t, int sig);
bool do_signal(struct pt_regs *regs);
bool regs_load_user(struct pt_regs *regs, const struct el_regs *u);

/* regs.c (variant-specific frame handling) */
void syscall_work_set(struct task *t, u32 work);	/* _SYSCALL_WORK_* bits */
void syscall_work_clear(struct task *t, u32 work);
struct pt_regs *syscall_full_regs(void);
void regs_fixup_top(struct pt_regs *regs);
void regs_writeback_top(struct pt_regs *regs);
void regs_mark_changed(void);
bool regs_sysret_safe(const struct pt_regs *regs);
extern const bool el_map_top_page;

/* exitwork.c */
void do_notify_resume(struct pt_regs *regs);
void syscall_trace_leave(struct pt_regs *regs);
long syscall_trace_enter(struct pt_regs *regs);
int syscall_exit_to_user(struct pt_regs *regs);
void exception_exit_to_user(struct pt_regs *regs);
long do_syscall_slow(struct pt_regs *regs);

/* lib/string.c */
#include "string.h"
void report_exception(const struct pt_regs *regs, u64 vector, bool fatal);

typedef long (*syscall_fn)(long, long, long, long, long, long);
extern const syscall_fn sys_call_table[];

extern char __user_start[], __user_end[];

#endif
