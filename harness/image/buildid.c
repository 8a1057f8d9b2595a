/*
 * buildid — the GNU build-id note of an ELF64 file (the images, meta.json,
 * the report's static figures).  Contract in buildid.h.
 */
#include "image/buildid.h"

#include <elf.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/util.h"

#define ELF_MAX_BYTES   (64u << 20)

/* Look for the GNU build-id note in [off, off + size) of the file. */
static int notes_build_id(const unsigned char *file, size_t len, uint64_t off, uint64_t size,
			  uint64_t align, char *dst, size_t n)
{
	uint64_t end, p = off;

	align = align == 8 ? 8 : 4;
	if (off > len || size > len - off)
		return -1;
	end = off + size;
	while (end - p >= sizeof(Elf64_Nhdr)) {
		Elf64_Nhdr nh;
		memcpy(&nh, file + p, sizeof(nh));
		uint64_t name = p + sizeof(nh);
		uint64_t desc = name + ((nh.n_namesz + align - 1) & ~(align - 1));
		uint64_t next = desc + ((nh.n_descsz + align - 1) & ~(align - 1));
		if (desc > end || next > end || nh.n_descsz > end - desc)
			return -1;
		if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
		    !memcmp(file + name, "GNU", 4) && nh.n_descsz > 0 && 2 * nh.n_descsz < n) {
			for (uint32_t i = 0; i < nh.n_descsz; i++)
				sprintf(dst + 2 * i, "%02x", file[desc + i]);
			return 0;
		}
		p = next;
	}
	return -1;
}

/* Entry i of the header table at off (program or section headers, size
 * bytes each) into entry; -1 when it does not lie wholly in the file. */
static int table_entry(const unsigned char *f, size_t len, uint64_t off, unsigned i,
		       void *entry, size_t size)
{
	uint64_t at = off + (uint64_t)i * size;

	if (off > len || at > len - size)
		return -1;
	memcpy(entry, f + at, size);
	return 0;
}

static int elf_scan(const unsigned char *f, size_t len, char *dst, size_t n)
{
	Elf64_Ehdr eh;

	if (len < sizeof(eh) || memcmp(f, ELFMAG, SELFMAG) || f[EI_CLASS] != ELFCLASS64 ||
	    f[EI_DATA] != ELFDATA2LSB)
		return -1;
	memcpy(&eh, f, sizeof(eh));
	for (unsigned i = 0; eh.e_phentsize == sizeof(Elf64_Phdr) && i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		if (table_entry(f, len, eh.e_phoff, i, &ph, sizeof(ph)) < 0)
			break;
		if (ph.p_type == PT_NOTE &&
		    notes_build_id(f, len, ph.p_offset, ph.p_filesz, ph.p_align, dst, n) == 0)
			return 0;
	}
	for (unsigned i = 0; eh.e_shentsize == sizeof(Elf64_Shdr) && i < eh.e_shnum; i++) {
		Elf64_Shdr sh;
		if (table_entry(f, len, eh.e_shoff, i, &sh, sizeof(sh)) < 0)
			break;
		if (sh.sh_type == SHT_NOTE &&
		    notes_build_id(f, len, sh.sh_offset, sh.sh_size, sh.sh_addralign, dst, n) == 0)
			return 0;
	}
	return -1;
}

int el_elf_build_id(const char *path, char *dst, size_t n)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	unsigned char *f = NULL;
	size_t got = 0;
	int rc = -1;

	if (n)
		dst[0] = '\0';
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (uint64_t)st.st_size <= ELF_MAX_BYTES) {
		f = el_xrealloc(NULL, (size_t)st.st_size);
		ssize_t r;
		while (got < (size_t)st.st_size &&
		       (r = read(fd, f + got, (size_t)st.st_size - got)) > 0)
			got += (size_t)r;
		rc = got == (size_t)st.st_size ? elf_scan(f, got, dst, n) : -1;
	}
	if (rc && n)
		dst[0] = '\0';
	free(f);
	close(fd);
	return rc;
}
