/* The harness's one ELF reader, on libelf (elfutils), as libbpf, bpftool
 * and objtool read ELF: symbols, notes and the GNU build id of the lab's
 * images, Debian's vmlinux and any other file.  Nothing else in the
 * harness parses ELF. */
#ifndef ENTRYLAB_ELF_H
#define ENTRYLAB_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct el_elf {
	void *elf;              /* Elf * */
	int fd;                 /* -1 for a buffer */
	unsigned char *copy;    /* the buffer's private copy */
};

/* Open a file, or a copy of a buffer.  0, or -1 with a one-line reason in
 * err ("not an ELF file", ...).  el_elf_end after either. */
int el_elf_open(struct el_elf *x, const char *path, char *err, size_t n);
int el_elf_open_mem(struct el_elf *x, const void *buf, size_t len, char *err, size_t n);
void el_elf_end(struct el_elf *x);

/* ELF64, little-endian, x86-64?  0, or -1 with the reason in err. */
int el_elf_check_x86_64(struct el_elf *x, char *err, size_t n);

struct el_elf_sym {
	const char *name;       /* valid until el_elf_end */
	uint64_t value, size;
	unsigned bind, type;    /* STB_*, STT_* */
	unsigned shndx;
	bool code;              /* defined in an executable section */
};

/* Each symbol of the one symbol table (.symtab) but the null one, in
 * table order; fn returns 0 to go on.  0, or -1 with the reason in err
 * (no symbol table, more than one, a name outside its string table), or
 * fn's non-zero status. */
int el_elf_symbols_each(struct el_elf *x, int (*fn)(void *ctx, const struct el_elf_sym *s),
			void *ctx, char *err, size_t n);

/* Each note of the PT_NOTE segments, then of the SHT_NOTE sections (a note
 * in both is seen twice); fn returns 0 to go on.  Malformed notes end
 * their segment.  Returns fn's non-zero status, else 0. */
int el_elf_notes_each(struct el_elf *x,
		      int (*fn)(void *ctx, const char *name, uint32_t type, const void *desc,
				size_t descsz), void *ctx);

/* The GNU build-id note as lowercase hex into dst.  0, or -1 (none, or it
 * does not fit) with dst "". */
int el_elf_build_id_of(struct el_elf *x, char *dst, size_t n);

/* The same for a file (a regular file of at most 256 MiB, ELF64 LE). */
int el_elf_build_id(const char *path, char *dst, size_t n);

#endif
