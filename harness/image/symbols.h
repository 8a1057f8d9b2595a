/* Reading a guest kernel image on the host: its ELF64 symbol table (read
 * by image/elf.h, on libelf) and its
 * disassembly (objdump -d --no-show-raw-insn, run once per image and parsed
 * into an address-sorted instruction list).  Used by `entrylab trace` to
 * symbolize an execution trace and by `entrylab pathlen` to measure the
 * syscall fast path. */
#ifndef ENTRYLAB_SYMBOLS_H
#define ENTRYLAB_SYMBOLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Address-space assumption of the guest (kernels/kernel.ld): the kernel
 * runs at ring 0 from 1 MiB up to the user region, the user program at
 * ring 3 from __user_start (4 MiB) up to __user_end, all identity mapped
 * and nothing else executable.  So the ring of an executed instruction
 * follows from its address.  el_image_load checks the image's own
 * __user_start and __user_end against this. */
#define EL_KERNEL_BASE 0x100000ull
#define EL_USER_BASE   0x400000ull
#define EL_USER_LIMIT  0x600000ull

struct el_sym {
	uint64_t addr;
	uint64_t size;
	char *name;
	bool global;
	bool func;        /* STT_FUNC (else a label or object) */
	bool code;        /* defined in an executable section */
};

struct el_insn {
	uint64_t addr;
	unsigned len;     /* bytes; 0 if unknown (last before a gap or section end) */
	char *text;       /* objdump's text, runs of blanks collapsed to one space */
};

struct el_image {
	char *path;
	struct el_sym *sym;       /* sorted by address, best name first at ties */
	size_t nsym;
	struct el_insn *insn;     /* sorted by address */
	size_t ninsn;
	uint64_t user_start, user_end;
	bool linux_layout;        /* a Linux guest: ring 0 is the upper canonical half,
				   * ring 3 the lower (el_image_linux) */
};

enum el_ring { EL_RING_UNKNOWN = -1, EL_RING0 = 0, EL_RING3 = 3 };

/* Parse an ELF64 little-endian x86-64 image held in memory: fills im->sym
 * (im->path untouched).  Any malformed input gives -1 and a one-line
 * reason in err; never reads outside buf. */
int el_elf_symbols(struct el_image *im, const unsigned char *buf, size_t len,
		   char *err, size_t errlen);

/* Read the file, its symbols and the layout symbols (__user_start and
 * __user_end, checked against EL_USER_BASE/EL_USER_LIMIT).  With disasm,
 * also run objdump on it.  Returns 0, or -1 with err set to
 * "<what>: <path>: <what to do>". */
int el_image_load(struct el_image *im, const char *path, bool disasm,
		  char *err, size_t errlen);
void el_image_free(struct el_image *im);

/* A Linux guest's user program at path (static, no layout symbols): its
 * symbols and disassembly, with im->linux_layout set; the kernel's
 * symbols and instructions are added by the caller (el_image_sort after).
 * 0, or -1 with err. */
int el_image_linux(struct el_image *im, const char *path, char *err, size_t errlen);
/* Sort im->sym and im->insn after the caller appended to them. */
void el_image_sort(struct el_image *im);

/* Parse objdump -d --no-show-raw-insn output into im->insn (replacing any
 * list there).  Lines that are not instructions are skipped; returns the
 * number of instructions found. */
size_t el_disasm_parse(struct el_image *im, const char *text, size_t len);

/* The symbol called name (the first one if several locals share it). */
const struct el_sym *el_sym_find(const struct el_image *im, const char *name);
/* The best-named symbol (of any kind) exactly at addr, or NULL. */
const struct el_sym *el_sym_at(const struct el_image *im, uint64_t addr);
/* The code symbol at or nearest below addr, or NULL. */
const struct el_sym *el_sym_lookup(const struct el_image *im, uint64_t addr);
/* "name+0xoff" for addr, or "0x<addr>" when no code symbol is within
 * 64 KiB below it.  Returns dst. */
char *el_sym_format(const struct el_image *im, uint64_t addr, char *dst, size_t size);

/* The instruction starting exactly at addr, or NULL. */
const struct el_insn *el_insn_at(const struct el_image *im, uint64_t addr);
/* Index of the first instruction at or above addr (ninsn if none). */
size_t el_insn_index(const struct el_image *im, uint64_t addr);

/* An instruction as text comparable across images, for aligning two
 * traces: "<symbol>|<instruction>" with "HEX <sym+off>" branch targets
 * reduced to "<sym>" and 0x-constants that are a symbol's address replaced
 * by its name.  Returns dst. */
char *el_image_insn_key(const struct el_image *im, uint64_t pc, char *dst, size_t size);

/* Ring of an instruction address under the layout assumption above. */
enum el_ring el_image_ring(const struct el_image *im, uint64_t addr);

#endif
