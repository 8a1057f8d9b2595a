/* cpuid.c (lib) — see cpuid.h. */
#include "cpuid.h"
#include "fmt.h"
#include "string.h"

void el_cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

/* Twelve bytes from three registers, in the order given. */
static void regs_to_string(char out[13], uint32_t r0, uint32_t r1, uint32_t r2)
{
	memcpy(out, &r0, 4);
	memcpy(out + 4, &r1, 4);
	memcpy(out + 8, &r2, 4);
	out[12] = 0;
}

void el_cpu_vendor(char vendor[13])
{
	uint32_t a, b, c, d;
	el_cpuid(0, &a, &b, &c, &d);
	regs_to_string(vendor, b, d, c);
}

void el_cpu_header_fields(char *buf, size_t n)
{
	uint32_t a, b, c, d;
	char vendor[13], hv[13] = "none";
	el_cpu_vendor(vendor);
	el_cpuid(1, &a, &b, &c, &d);
	uint32_t family = (a >> 8) & 0xf, model = (a >> 4) & 0xf, stepping = a & 0xf;
	if (family == 0xf)
		family += (a >> 20) & 0xff;
	if (family >= 6)
		model |= ((a >> 16) & 0xf) << 4;
	if (c & (1u << 31)) {		/* a hypervisor: its signature */
		el_cpuid(0x40000000, &a, &b, &c, &d);
		regs_to_string(hv, b, c, d);
		for (int i = 0; i < 12; i++)	/* a record value has no spaces */
			if (hv[i] <= ' ' || hv[i] > '~' || hv[i] == '=')
				hv[i] = hv[i] ? '_' : 0;
		if (!hv[0])
			memcpy(hv, "unknown", 8);
	}
	el_snprintf(buf, n, "cpu=%s/%u/%u/%u hv=%s", vendor, family, model, stepping, hv);
}
