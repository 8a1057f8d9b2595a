/* The ELF reader on libelf; contracts in elf.h. */
#include "image/elf.h"
#include "core/util.h"

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ELF_FILE_MAX (256u << 20)

static int fail(char *err, size_t n, const char *what)
{
	el_fmt(err, n, "%s", what);
	return -1;
}

static int begin(struct el_elf *x, char *err, size_t n)
{
	if (!x->elf || elf_kind(x->elf) != ELF_K_ELF)
		return fail(err, n, "not an ELF file");
	if (gelf_getclass(x->elf) != ELFCLASS64)
		return fail(err, n, "not an ELF64 file");
	return 0;
}

int el_elf_open(struct el_elf *x, const char *path, char *err, size_t n)
{
	struct stat st;

	memset(x, 0, sizeof(*x));
	elf_version(EV_CURRENT);
	if ((x->fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return fail(err, n, "cannot open the file");
	if (fstat(x->fd, &st) || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    (uint64_t)st.st_size > ELF_FILE_MAX)
		return fail(err, n, "not a regular file of at most 256 MiB");
	x->elf = elf_begin(x->fd, ELF_C_READ_MMAP, NULL);
	return begin(x, err, n);
}

int el_elf_open_mem(struct el_elf *x, const void *buf, size_t len, char *err, size_t n)
{
	memset(x, 0, sizeof(*x));
	x->fd = -1;
	elf_version(EV_CURRENT);
	if (!len)
		return fail(err, n, "not an ELF file");
	/* libelf may convert in place: it gets a copy of its own */
	x->copy = el_xrealloc(NULL, len);
	memcpy(x->copy, buf, len);
	x->elf = elf_memory((char *)x->copy, len);
	return begin(x, err, n);
}

void el_elf_end(struct el_elf *x)
{
	if (x->elf)
		elf_end(x->elf);
	if (x->fd >= 0)
		close(x->fd);
	free(x->copy);
	memset(x, 0, sizeof(*x));
	x->fd = -1;
}

int el_elf_check_x86_64(struct el_elf *x, char *err, size_t n)
{
	GElf_Ehdr eh;

	if (!gelf_getehdr(x->elf, &eh) || eh.e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh.e_machine != EM_X86_64)
		return fail(err, n, "not an ELF64 little-endian x86-64 file");
	return 0;
}

/* ------------------------------------------------------------ symbols */

static bool executable(Elf *e, size_t shndx, size_t nsh)
{
	GElf_Shdr sh;
	Elf_Scn *scn;

	if (shndx == SHN_UNDEF || shndx >= nsh || !(scn = elf_getscn(e, shndx)) ||
	    !gelf_getshdr(scn, &sh))
		return false;
	return sh.sh_flags & SHF_EXECINSTR;
}

static int one_table(Elf *e, Elf_Scn *scn, const GElf_Shdr *sh, size_t nsh,
		     int (*fn)(void *, const struct el_elf_sym *), void *ctx, char *err, size_t n)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	size_t count;
	int rc;

	if (!d || sh->sh_entsize != sizeof(Elf64_Sym) || sh->sh_link >= nsh ||
	    d->d_size < sh->sh_size)
		return fail(err, n, "symbol table malformed or outside the file");
	count = sh->sh_size / sizeof(Elf64_Sym);
	for (size_t i = 1; i < count; i++) {
		GElf_Sym s;
		struct el_elf_sym o;

		if (!gelf_getsym(d, (int)i, &s))
			return fail(err, n, "symbol table malformed or outside the file");
		if (!(o.name = elf_strptr(e, sh->sh_link, s.st_name)))
			return fail(err, n, "symbol name outside the string table");
		o.value = s.st_value;
		o.size = s.st_size;
		o.bind = GELF_ST_BIND(s.st_info);
		o.type = GELF_ST_TYPE(s.st_info);
		o.shndx = s.st_shndx;
		o.code = executable(e, s.st_shndx, nsh);
		if ((rc = fn(ctx, &o)))
			return rc;
	}
	return 0;
}

int el_elf_symbols_each(struct el_elf *x, int (*fn)(void *ctx, const struct el_elf_sym *s),
			void *ctx, char *err, size_t n)
{
	Elf_Scn *scn = NULL, *table = NULL;
	GElf_Shdr sh, table_sh;
	size_t nsh;

	GElf_Ehdr eh;

	/* libelf reads entries of its own size whatever e_shentsize says */
	if (elf_getshdrnum(x->elf, &nsh) || nsh == 0 || !gelf_getehdr(x->elf, &eh) ||
	    eh.e_shentsize != sizeof(Elf64_Shdr))
		return fail(err, n, "section header table missing or outside the file");
	while ((scn = elf_nextscn(x->elf, scn)))
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_SYMTAB) {
			if (table)
				return fail(err, n, "more than one symbol table");
			table = scn;
			table_sh = sh;
		}
	if (!table)
		return fail(err, n, "no symbol table (stripped image)");
	return one_table(x->elf, table, &table_sh, nsh, fn, ctx, err, n);
}

/* ------------------------------------------------------------ notes */

static int notes_in(Elf_Data *d, int (*fn)(void *, const char *, uint32_t, const void *, size_t),
		    void *ctx)
{
	size_t off = 0, next, name_off, desc_off;
	GElf_Nhdr nh;
	int rc;

	while (d && off < d->d_size &&
	       (next = gelf_getnote(d, off, &nh, &name_off, &desc_off)) > 0) {
		const char *base = d->d_buf;
		const char *name = nh.n_namesz ? base + name_off : "";
		if (nh.n_namesz && name[nh.n_namesz - 1] != '\0')
			return 0;   /* not a C string: malformed */
		if ((rc = fn(ctx, name, nh.n_type, base + desc_off, nh.n_descsz)))
			return rc;
		off = next;
	}
	return 0;
}

int el_elf_notes_each(struct el_elf *x,
		      int (*fn)(void *ctx, const char *name, uint32_t type, const void *desc,
				size_t descsz), void *ctx)
{
	Elf_Scn *scn = NULL;
	size_t nph = 0;
	int rc;

	if (elf_getphdrnum(x->elf, &nph))
		nph = 0;
	for (size_t i = 0; i < nph; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(x->elf, (int)i, &ph) || ph.p_type != PT_NOTE)
			continue;
		Elf_Data *d = elf_getdata_rawchunk(x->elf, (int64_t)ph.p_offset, ph.p_filesz,
						   ph.p_align == 8 ? ELF_T_NHDR8 : ELF_T_NHDR);
		if ((rc = notes_in(d, fn, ctx)))
			return rc;
	}
	while ((scn = elf_nextscn(x->elf, scn))) {
		GElf_Shdr sh;
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_NOTE &&
		    (rc = notes_in(elf_getdata(scn, NULL), fn, ctx)))
			return rc;
	}
	return 0;
}

struct id_want {
	char *dst;
	size_t n;
	int found;   /* 1 found, -1 too long for dst */
};

static int build_id_note(void *ctx, const char *name, uint32_t type, const void *desc,
			 size_t descsz)
{
	struct id_want *w = ctx;
	const unsigned char *p = desc;

	if (type != NT_GNU_BUILD_ID || strcmp(name, "GNU") || !descsz)
		return 0;
	if (2 * descsz >= w->n)
		return (w->found = -1);
	for (size_t i = 0; i < descsz; i++)
		el_fmt(w->dst + 2 * i, 3, "%02x", p[i]);
	return (w->found = 1);
}

int el_elf_build_id_of(struct el_elf *x, char *dst, size_t n)
{
	struct id_want w = { dst, n, 0 };

	if (n)
		dst[0] = '\0';
	el_elf_notes_each(x, build_id_note, &w);
	if (w.found != 1 && n)
		dst[0] = '\0';
	return w.found == 1 ? 0 : -1;
}

int el_elf_build_id(const char *path, char *dst, size_t n)
{
	struct el_elf x;
	char err[128];
	int rc = -1;

	if (n)
		dst[0] = '\0';
	if (el_elf_open(&x, path, err, sizeof(err)) == 0 &&
	    gelf_getehdr(x.elf, &(GElf_Ehdr){ 0 }) &&
	    ((unsigned char *)elf_getident(x.elf, NULL))[EI_DATA] == ELFDATA2LSB)
		rc = el_elf_build_id_of(&x, dst, n);
	el_elf_end(&x);
	return rc;
}
