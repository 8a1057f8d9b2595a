/*
 * timer.c — the periodic timer interrupt: the local APIC timer in periodic
 * mode on vector 32 (the stub is in idt.S).  Off unless a user program asks
 * for it with el_timer(EL_TIMER_START, ns), so no interrupt is ever pending
 * during the timing loops (DESIGN.md: pending IRQs slow TCG down).  The
 * handler counts where each tick landed: in user mode, or in the kernel,
 * where interrupts are enabled only between the entry's sti and cli
 * (irq=on), so a kernel-mode tick is one that arrived on the syscall path.
 * It never switches tasks or touches the frame.  A delivery into ring 0
 * with IF clear is no tick: the stub drops it and counts it in timer_dup
 * (idt.S says when the nested KVM makes one).
 *
 * The local APIC and not the 8254 PIT on the 8259 PIC: under KVM the
 * microvm machine's PIT/PIC route did not deliver (measured in the nested
 * test: no tick in 400,000 syscalls), the local APIC timer works under TCG
 * and KVM alike.  Its clock is the APIC bus, 1 GHz in QEMU and in KVM, so
 * with divide-by-1 one count is one nanosecond of guest time (under
 * -icount shift=0, one instruction).  The 8259 PICs stay remapped off the
 * exception vectors and masked.
 */
#include "kernel.h"

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xa0
#define PIC2_DATA 0xa1

#define LAPIC_BASE 0xfee00000ull
#define LAPIC_EOI 0x0b0
#define LAPIC_SVR 0x0f0
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_DIV 0x3e0
#define SVR_ENABLE 0x100
#define LVT_MASKED (1u << 16)
#define LVT_PERIODIC (1u << 17)

static u64 ticks_user, ticks_kernel, ticks_outside;
/* Written by the stub, on the user page table too (pti=on). */
u64 timer_dup __attribute__((section(".entry.data")));
static u64 lapic_pd[512] __attribute__((aligned(4096)));
extern char __text_start[], __text_end[];

static void lapic_write(u32 reg, u32 v)
{
	*(volatile u32 *)(LAPIC_BASE + reg) = v;
}

static u32 lapic_read(u32 reg)
{
	return *(volatile u32 *)(LAPIC_BASE + reg);
}

/* The local APIC's page at 0xfee00000 (4th GiB, above the boot identity
 * map), mapped uncached, supervisor only, with a 2 MiB page. */
static void lapic_map(void)
{
	extern u64 boot_pml4[512];
	u64 *pdpt = (u64 *)(boot_pml4[0] & ~0xfffull);
	lapic_pd[(LAPIC_BASE >> 21) & 511] = (LAPIC_BASE & ~((1ull << 21) - 1)) | 0x9b;
	pdpt[LAPIC_BASE >> 30] = (u64)lapic_pd | 0x3;
	__asm__ volatile("mov %%cr3, %%rax; mov %%rax, %%cr3" ::: "rax", "memory");
}

/* Remap both PICs to vectors 32-47 (their reset vectors 8-15 are the CPU's
 * exceptions) and mask every line; map the local APIC, its timer masked. */
void timer_init(void)
{
	outb(PIC1_CMD, 0x11);		/* ICW1: edge, cascade, ICW4 follows */
	outb(PIC2_CMD, 0x11);
	outb(PIC1_DATA, 32);		/* ICW2: vector base */
	outb(PIC2_DATA, 40);
	outb(PIC1_DATA, 0x04);		/* ICW3: slave on IRQ 2 */
	outb(PIC2_DATA, 0x02);
	outb(PIC1_DATA, 0x01);		/* ICW4: 8086 mode */
	outb(PIC2_DATA, 0x01);
	outb(PIC1_DATA, 0xff);		/* mask both: no interrupt may arrive */
	outb(PIC2_DATA, 0xff);
	lapic_map();
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | EL_TIMER_VECTOR);
}

void timer_interrupt(struct pt_regs *regs)
{
	lapic_write(LAPIC_EOI, 0);
	if (regs->cs & 3)
		ticks_user++;
	else if (regs->rip >= (u64)__text_start && regs->rip < (u64)__text_end)
		ticks_kernel++;
	else
		ticks_outside++;
}

static void timer_start(u32 ns)
{
	lapic_write(LAPIC_SVR, lapic_read(LAPIC_SVR) | SVR_ENABLE | 0xff);	/* spurious: 0xff */
	lapic_write(LAPIC_TIMER_DIV, 0xb);			/* divide by 1 */
	lapic_write(LAPIC_LVT_TIMER, LVT_PERIODIC | EL_TIMER_VECTOR);
	lapic_write(LAPIC_TIMER_INIT, ns);
}

static void timer_stop(void)
{
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | EL_TIMER_VECTOR);
	lapic_write(LAPIC_TIMER_INIT, 0);
}

/* One duplicate delivery raised with interrupts disabled; the number of
 * deliveries the stub dropped meanwhile (1 when it recognised it). */
static long dup_probe(void)
{
	u64 flags, before = timer_dup;

	__asm__ volatile("pushfq; popq %0; cli" : "=r"(flags) :: "memory");
	timer_dup_probe();
	if (flags & X86_EFLAGS_IF)
		__asm__ volatile("sti" ::: "memory");
	return (long)(timer_dup - before);
}

/* el_timer(cmd, arg): start (arg = period in ns of guest time, 1000 ..
 * 10^9), stop, read a counter, or raise a duplicate delivery. */
long sys_el_timer(long cmd, long arg)
{
	switch (cmd) {
	case EL_TIMER_START:
		if (arg < 1000 || arg > 1000000000)
			return -EL_EINVAL;
		ticks_user = ticks_kernel = ticks_outside = timer_dup = 0;
		timer_start((u32)arg);
		return 0;
	case EL_TIMER_STOP:
		timer_stop();
		return 0;
	case EL_TIMER_TICKS_USER:
		return (long)ticks_user;
	case EL_TIMER_TICKS_KERNEL:
		return (long)ticks_kernel;
	case EL_TIMER_TICKS_OUTSIDE:
		return (long)ticks_outside;
	case EL_TIMER_DUPS:
		return (long)timer_dup;
	case EL_TIMER_DUP_PROBE:
		return dup_probe();
	default:
		return -EL_EINVAL;
	}
}
