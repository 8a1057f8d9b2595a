/*
 * timer.c — the periodic timer interrupt: the 8254 PIT's channel 0 on IRQ 0
 * of the 8259 PIC, remapped to vector 32 (irq.S).  Off unless a user
 * program asks for it with el_timer(EL_TIMER_START, divisor), so no
 * interrupt is ever pending during the timing loops (DESIGN.md: pending
 * IRQs slow TCG down).  The handler counts where each tick landed: in user
 * mode, or in the kernel, where interrupts are enabled only between the
 * entry's sti and cli (irq=on), so a kernel-mode tick is one that arrived
 * on the syscall path.  It never switches tasks or touches the frame.
 */
#include "kernel.h"

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xa0
#define PIC2_DATA 0xa1
#define PIT_CH0 0x40
#define PIT_CMD 0x43

#define LAPIC_BASE 0xfee00000ull
#define LAPIC_LVT_LINT0 0x350
#define LVT_EXTINT 0x700		/* delivery mode ExtINT, not masked */

static u64 ticks_user, ticks_kernel, ticks_outside;
static u64 lapic_pd[512] __attribute__((aligned(4096)));
extern char __text_start[], __text_end[];

/* The local APIC passes the PIC's interrupt to the CPU only with LINT0
 * unmasked as ExtINT (firmware does that on a PC; the PVH boot has none).
 * Its page at 0xfee00000 (4th GiB, above the boot identity map) is mapped
 * uncached, supervisor only, with a 2 MiB page. */
static void lapic_lint0_extint(void)
{
	extern u64 boot_pml4[512];
	u64 *pdpt = (u64 *)(boot_pml4[0] & ~0xfffull);
	lapic_pd[(LAPIC_BASE >> 21) & 511] = (LAPIC_BASE & ~((1ull << 21) - 1)) | 0x9b;
	pdpt[LAPIC_BASE >> 30] = (u64)lapic_pd | 0x3;
	__asm__ volatile("mov %%cr3, %%rax; mov %%rax, %%cr3" ::: "rax", "memory");
	*(volatile u32 *)(LAPIC_BASE + LAPIC_LVT_LINT0) = LVT_EXTINT;
}

/* Remap both PICs to vectors 32-47 (their reset vectors 8-15 are the CPU's
 * exceptions) and mask every line. */
void timer_init(void)
{
	outb(PIC1_CMD, 0x11);		/* ICW1: edge, cascade, ICW4 follows */
	outb(PIC2_CMD, 0x11);
	outb(PIC1_DATA, EL_TIMER_VECTOR);	/* ICW2: vector base */
	outb(PIC2_DATA, EL_TIMER_VECTOR + 8);
	outb(PIC1_DATA, 0x04);		/* ICW3: slave on IRQ 2 */
	outb(PIC2_DATA, 0x02);
	outb(PIC1_DATA, 0x01);		/* ICW4: 8086 mode */
	outb(PIC2_DATA, 0x01);
	outb(PIC1_DATA, 0xff);		/* mask both: no interrupt may arrive */
	outb(PIC2_DATA, 0xff);
}

void timer_interrupt(struct pt_regs *regs)
{
	outb(PIC1_CMD, 0x20);		/* EOI */
	if (regs->cs & 3)
		ticks_user++;
	else if (regs->rip >= (u64)__text_start && regs->rip < (u64)__text_end)
		ticks_kernel++;
	else
		ticks_outside++;
}

static void timer_start(u64 divisor)
{
	outb(PIT_CMD, 0x34);		/* channel 0, lo/hi byte, mode 2 (rate generator) */
	outb(PIT_CH0, (u8)divisor);
	outb(PIT_CH0, (u8)(divisor >> 8));
	lapic_lint0_extint();
	outb(PIC1_DATA, 0xfe);		/* unmask IRQ 0 only */
}

/* el_timer(cmd, arg): start (arg = PIT divisor, 1.193182 MHz / arg per
 * second of guest time), stop, or read a counter. */
long sys_el_timer(long cmd, long arg)
{
	switch (cmd) {
	case EL_TIMER_START:
		if (arg < 2 || arg > 0xffff)
			return -EL_EINVAL;
		ticks_user = ticks_kernel = ticks_outside = 0;
		timer_start((u64)arg);
		return 0;
	case EL_TIMER_STOP:
		outb(PIC1_DATA, 0xff);
		return 0;
	case EL_TIMER_TICKS_USER:
		return (long)ticks_user;
	case EL_TIMER_TICKS_KERNEL:
		return (long)ticks_kernel;
	case EL_TIMER_TICKS_OUTSIDE:
		return (long)ticks_outside;
	default:
		return -EL_EINVAL;
	}
}
