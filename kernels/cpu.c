/*
 * cpu.c — processor set-up: TSS with the ring-0 stack and a double-fault
 * stack, IDT for the 32 exceptions and the timer, the per-CPU area behind the GS base,
 * SYSCALL MSRs, the masked 8259 PIC, user access to the user region, and
 * the kernel command line from the PVH start_info.
 */
#include "kernel.h"
#include "fmt.h"
#include "cpuid.h"

struct idt_gate {
	u16 off0, sel;
	u8 ist, type;
	u16 off1;
	u32 off2, reserved;
} __attribute__((packed));

extern u64 gdt[];
extern const u64 exception_stubs[32];
extern char irq_timer_stub[];
extern u64 boot_pd[512], boot_pml4[512];
extern char entry_SYSCALL_64[], entry_floor_SYSCALL_64[] __attribute__((weak));

struct percpu cpu0 __entry_data __attribute__((aligned(64)));
struct tss tss __entry_data __attribute__((aligned(64)));
static struct idt_gate idt[256] __entry_data __attribute__((aligned(16)));
static u8 df_stack[4096] __entry_data __attribute__((aligned(16)));

static void tss_init(void)
{
	u64 base = (u64)&tss;
	u64 limit = sizeof(tss) - 1;
	tss.iomap_base = sizeof(tss);
	tss.ist[0] = (u64)(df_stack + sizeof(df_stack));
	gdt[TSS_SEL / 8] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
			   (0x89ull << 40) | (((limit >> 16) & 0xf) << 48) |
			   (((base >> 24) & 0xff) << 56);
	gdt[TSS_SEL / 8 + 1] = base >> 32;
	__asm__ volatile("ltr %w0" :: "r"(TSS_SEL));
}

static void idt_init(void)
{
	for (int v = 0; v <= EL_TIMER_VECTOR; v++) {
		u64 a = v < 32 ? exception_stubs[v] : (u64)irq_timer_stub;
		idt[v] = (struct idt_gate){
			.off0 = a & 0xffff, .sel = KERNEL_CS,
			.ist = v == 8 ? 1 : 0,	/* #DF on its own stack */
			.type = v == 3 ? 0xee : 0x8e,	/* int3 callable from ring 3 */
			.off1 = (a >> 16) & 0xffff, .off2 = a >> 32,
		};
	}
	struct { u16 limit; u64 base; } __attribute__((packed)) p = { sizeof(idt) - 1, (u64)idt };
	__asm__ volatile("lidt %0" :: "m"(p));
}


void cpu_init(void)
{
	tss_init();
	idt_init();
	timer_init();		/* 8259 PICs remapped and masked: no interrupt may arrive */
	fpu_init();
	cpu0.self = (u64)&cpu0;
	wrmsr(MSR_GS_BASE, (u64)&cpu0);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
	wrmsr(MSR_STAR, ((u64)USER32_CS << 48) | ((u64)KERNEL_CS << 32));
	/* The floor image links entry_floor.S; every other image does not. */
	wrmsr(MSR_LSTAR, entry_floor_SYSCALL_64 ? (u64)entry_floor_SYSCALL_64
						 : (u64)entry_SYSCALL_64);
	wrmsr(MSR_FMASK, SYSCALL_FMASK);
}

/* User pages at the top of the lower canonical half, 4 KiB each: the one
 * below EL_USER_TOP_END only if el_map_top_page (regs.c), the one below
 * it always.  PML4[255] -> PDPT[511] -> PD[511] -> PT[510], PT[511]. */
static u64 top_pdpt[512] __attribute__((aligned(4096)));
static u64 top_pd[512] __attribute__((aligned(4096)));
static u64 top_pt[512] __attribute__((aligned(4096)));
static u8 top_pages[2][4096] __attribute__((aligned(4096)));

static void map_top_pages(void)
{
	boot_pml4[255] = (u64)top_pdpt | 0x7;
	top_pdpt[511] = (u64)top_pd | 0x7;
	top_pd[511] = (u64)top_pt | 0x7;
	top_pt[510] = (u64)top_pages[0] | 0x7;	/* present, writable, user */
	if (el_map_top_page)
		top_pt[511] = (u64)top_pages[1] | 0x7;
}

/* Open the 2 MiB pages holding the user region to ring 3. */
void mm_init(void)
{
	map_top_pages();
	u64 start = (u64)__user_start >> 21, end = ((u64)__user_end + (1 << 21) - 1) >> 21;
	for (u64 i = start; i < end; i++)
		boot_pd[i] |= 0x4;
	__asm__ volatile("mov %%cr3, %%rax; mov %%rax, %%cr3" ::: "rax", "memory");
}

bool user_range_ok(u64 addr, u64 len)
{
	u64 lo = (u64)__user_start & ~((1ull << 21) - 1);
	u64 hi = ((u64)__user_end + (1 << 21) - 1) & ~((1ull << 21) - 1);
	return addr >= lo && addr <= hi && len <= hi - addr;
}

/* ------------------------------------------------------ command line */
static char cmdline[EL_CMDLINE_MAX];

void cmdline_init(u32 start_info)
{
	if (!start_info)
		return;
	const u32 *si = (const u32 *)(u64)start_info;
	if (si[0] != 0x336ec578)	/* hvm_start_info magic */
		return;
	const char *src = (const char *)*(const u64 *)(u64)(start_info + 24);
	size_t i = 0;
	if (src)
		for (; src[i] && i + 1 < sizeof(cmdline); i++)
			cmdline[i] = src[i];
	cmdline[i] = 0;
}

/* Value of "key=value" on the command line (a static copy), or NULL. */
const char *cmdline_get(const char *key)
{
	static char value[256];
	return el_cmdline_value(cmdline, key, value, sizeof(value));
}

const char *cmdline_raw(void)
{
	return cmdline;
}
