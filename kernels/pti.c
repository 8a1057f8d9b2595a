/*
 * pti.c — the user page table of pti=on (see pti.h), built once at boot
 * after mm_init(): the upper half of the 8 KiB page-table pair that starts
 * at boot_pml4 (boot.S).  It maps, supervisor-only, the 4 KiB pages of the
 * entry text (read-only, executable) and of the entry data (writable, NX),
 * and the user region's 2 MiB pages and the user pages at the top of the
 * lower half (cpu.c) as the kernel table does; nothing else.
 * Then walks what it built and counts any mapping outside those ranges
 * (el_pti, the conformance suite checks it is zero).  With PCID in CPUID,
 * sets CR4.PCIDE and moves the kernel to PCID 1 (Linux's kern_pcid(0)).
 * pti=off: builds nothing, TSS.rsp0 stays the task's kernel stack.
 */
#include "pti.h"
#include "alternative.h"
#include "cpuid.h"
#include "entrylab/abi.h"

#define PTE_P   0x1ull
#define PTE_RW  0x2ull
#define PTE_US  0x4ull
#define PTE_PS  0x80ull
#define PTE_NX  (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull

extern u64 boot_pml4[512], user_pml4[512], boot_pd[512];
extern char __entry_text_start[], __entry_text_end[];
extern char __entry_data_start[], __entry_data_end[];

static struct el_pti_info info;

#ifdef PTI_ON
/* Entry stack: TSS.rsp0 (exceptions from user mode) and the exits. */
static u8 entry_stack[4096] __attribute__((section(".entry.data"), aligned(64)));
static u64 user_pdpt[512] __attribute__((aligned(4096)));
static u64 user_pd[512] __attribute__((aligned(4096)));
static u64 user_pt[2][512] __attribute__((aligned(4096)));	/* 0 .. 4 MiB */

static void map_4k(u64 start, u64 end, u64 flags)
{
	for (u64 a = start & ~0xfffull; a < end; a += 4096) {
		u64 pd = a >> 21, pt = (a >> 12) & 511;
		if (pd >= 2)
			panic("pti: entry page %lx above the 4 MiB the user page table covers", a);
		user_pt[pd][pt] = a | flags;
		user_pd[pd] = (u64)user_pt[pd] | PTE_P | PTE_RW;
	}
}

static bool in(u64 a, const char *lo, const char *hi) { return a >= (u64)lo && a < (u64)hi; }

/* Count every mapping of the user page table outside what pti.h lists. */
static void walk_user_table(const u64 *pml4)
{
	for (int i = 0; i < 512; i++) {
		if (!(pml4[i] & PTE_P))
			continue;
		const u64 *pdpt = (const u64 *)(pml4[i] & PTE_ADDR);
		for (int j = 0; j < 512; j++) {
			if (!(pdpt[j] & PTE_P))
				continue;
			if (pdpt[j] & PTE_PS) {		/* a 1 GiB page: never intended */
				info.unintended++;
				continue;
			}
			const u64 *pd = (const u64 *)(pdpt[j] & PTE_ADDR);
			for (int k = 0; k < 512; k++) {
				u64 e = pd[k];
				if (!(e & PTE_P))
					continue;
				u64 va = ((u64)i << 39) | ((u64)j << 30) | ((u64)k << 21);
				if (e & PTE_PS) {
					if (user_range_ok(va, 1 << 21) && (e & PTE_US))
						info.user_pages++;
					else
						info.unintended++;
					continue;
				}
				const u64 *pt = (const u64 *)(e & PTE_ADDR);
				for (int l = 0; l < 512; l++) {
					if (!(pt[l] & PTE_P))
						continue;
					u64 a = va | ((u64)l << 12);
					if (pt[l] & PTE_US) {	/* user memory: the top pages (cpu.c) */
						if (a >= (1ull << 39) || user_range_ok(a, 4096))
							info.user_pages++;
						else
							info.unintended++;
					} else if ((pt[l] & PTE_ADDR) != a)
						info.unintended++;
					else if (in(a, __entry_text_start, __entry_text_end)) {
						info.kernel_pages++;
						if (pt[l] & (PTE_RW | PTE_NX))
							info.writable_text++;
					} else if (in(a, __entry_data_start, __entry_data_end))
						info.kernel_pages++;
					else
						info.unintended++;
				}
			}
		}
	}
}

void pti_init(void)
{
	map_4k((u64)__entry_text_start, (u64)__entry_text_end, PTE_P);
	map_4k((u64)__entry_data_start, (u64)__entry_data_end, PTE_P | PTE_RW | PTE_NX);
	for (u64 i = 0; i < 512; i++)
		if ((boot_pd[i] & PTE_US) && user_range_ok(i << 21, 1 << 21))
			user_pd[i] = boot_pd[i];
	user_pdpt[0] = (u64)user_pd | PTE_P | PTE_RW | PTE_US;
	user_pml4[0] = (u64)user_pdpt | PTE_P | PTE_RW | PTE_US;
	user_pml4[255] = boot_pml4[255];	/* the user pages at the top of the lower half */

	cpu0.entry_stack_top = (u64)(entry_stack + sizeof(entry_stack));
	tss.rsp0 = cpu0.entry_stack_top;	/* ring-3 exceptions arrive here */
	info.pti = 1;
	info.probe_addr = (u64)&tasks[0];
	walk_user_table(user_pml4);

	u32 a, b, c, d;
	el_cpuid(1, &a, &b, &c, &d);
	if (c & (1u << 17)) {			/* PCID */
		u64 cr4;
		__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
		__asm__ volatile("mov %0, %%cr4" :: "r"(cr4 | CR4_PCIDE) : "memory");
		__asm__ volatile("mov %0, %%cr3" :: "r"((u64)boot_pml4 | PTI_KERNEL_PCID) : "memory");
		alt_features |= 1u << ALT_F_PCID;
		info.pcid = 1;
	}
}
#else
void pti_init(void)
{
	info.probe_addr = (u64)&tasks[0];
}
#endif

/* The running task's kernel stack.  pti=off: also TSS.rsp0, where the CPU
 * puts a ring-3 exception's frame; pti=on: that stays the entry stack,
 * and the exception entry moves the frame to the task stack (pti.h). */
void cpu_set_kernel_stack(u64 top)
{
#ifndef PTI_ON
	tss.rsp0 = top;
#endif
	cpu0.kstack_top = top;
}

void pti_state(bool *on, bool *pcid)
{
	*on = info.pti;
	*pcid = info.pcid;
}

long sys_el_pti(struct el_pti_info *out)
{
	if (!user_range_ok((u64)out, sizeof(*out)))
		return -EL_EFAULT;
	*out = info;
	return 0;
}
