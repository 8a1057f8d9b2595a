/* cpuid.h (lib) — CPUID for the guest kernel and the guest programs (CPUID
 * works in ring 3 too): the raw instruction, the vendor string, and the
 * "cpu=... hv=..." fields of the @H header record (include/entrylab/proto.h). */
#ifndef ENTRYLAB_LIB_CPUID_H
#define ENTRYLAB_LIB_CPUID_H
#include <stddef.h>
#include <stdint.h>
void el_cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d);
/* The 12-character vendor string of leaf 0, NUL-terminated (13 bytes). */
void el_cpu_vendor(char vendor[13]);
/* "cpu=<vendor>/<family>/<model>/<stepping> hv=<signature|none>" */
void el_cpu_header_fields(char *buf, size_t n);
#endif
