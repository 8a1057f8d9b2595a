/*
 * alternative.c — apply the .altinstructions table (alternative.h) once at
 * boot: for every site whose feature is live, copy the replacement over it
 * (relocating a leading rel32 call/jmp) and pad with one long NOP, so that
 * a site that shrinks still executes as one instruction.  Runs before the
 * first entry to user mode, on the kernel's writable identity map.
 */
#include "alternative.h"

struct alt_entry {
	u64 site, repl;
	u32 feature;
	u8 site_len, repl_len, old_len, pad;
} __attribute__((packed));

extern const struct alt_entry __alt_start[], __alt_end[];
u32 alt_features;

/* One NOP instruction of n bytes (1..8), the encodings of the SDM's table. */
static void nop_one(u8 *p, unsigned n)
{
	static const u8 nops[9][8] = {
		{ 0 }, { 0x90 }, { 0x66, 0x90 }, { 0x0f, 0x1f, 0x00 }, { 0x0f, 0x1f, 0x40, 0x00 },
		{ 0x0f, 0x1f, 0x44, 0x00, 0x00 }, { 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00 },
		{ 0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00 },
		{ 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 },
	};
	memcpy(p, nops[n], n);
}

static void nop_fill(u8 *p, unsigned n)
{
	while (n) {
		unsigned k = n > 8 ? 8 : n;
		nop_one(p, k);
		p += k;
		n -= k;
	}
}

void apply_alternatives(void)
{
	for (const struct alt_entry *a = __alt_start; a < __alt_end; a++) {
		u8 *site = (u8 *)a->site;
		if (!(alt_features & (1u << a->feature))) {
			nop_fill(site + a->old_len, a->site_len - a->old_len);
			continue;
		}
		const u8 *repl = (const u8 *)a->repl;
		if (a->repl_len > a->site_len)
			panic("alternative at %lx: replacement longer than the site", a->site);
		memcpy(site, repl, a->repl_len);
		if (a->repl_len >= 5 && (repl[0] == 0xe8 || repl[0] == 0xe9)) {
			int32_t rel;
			memcpy(&rel, repl + 1, 4);
			rel += (int32_t)((int64_t)a->repl - (int64_t)a->site);
			memcpy(site + 1, &rel, 4);
		}
		nop_fill(site + a->repl_len, a->site_len - a->repl_len);
	}
	/* Serialize before the patched code runs (cpuid is serializing). */
	u32 eax = 0, ebx, ecx = 0, edx;
	__asm__ volatile("cpuid" : "+a"(eax), "=b"(ebx), "+c"(ecx), "=d"(edx) :: "memory");
}
