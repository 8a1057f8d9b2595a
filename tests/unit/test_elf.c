/* Unit tests: the ELF reader on libelf (harness/image/elf.h), on a real
 * built image (build/kernels/pcsa.elf, `make` first): every defined symbol
 * nm lists, with its address; the build id and the PVH entry note as
 * readelf -n shows them; and refusals of what is not ELF. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image/elf.h"

#define IMAGE "build/kernels/pcsa.elf"

struct seen {
	char names[4096][48];
	uint64_t addr[4096];
	size_t n;
};

static int collect(void *ctx, const struct el_elf_sym *s)
{
	struct seen *w = ctx;

	if (s->shndx != SHN_UNDEF && s->name[0] && w->n < 4096 && strlen(s->name) < 48) {
		strcpy(w->names[w->n], s->name);
		w->addr[w->n++] = s->value;
	}
	return 0;
}

static void test_symbols_as_nm(void **state)
{
	static struct seen w;
	struct el_elf x;
	char err[256], line[256], name[128];
	unsigned long long addr;
	size_t checked = 0;
	FILE *nm;

	(void)state;
	if (access(IMAGE, R_OK))
		skip();
	assert_int_equal(el_elf_open(&x, IMAGE, err, sizeof(err)), 0);
	assert_int_equal(el_elf_check_x86_64(&x, err, sizeof(err)), 0);
	assert_int_equal(el_elf_symbols_each(&x, collect, &w, err, sizeof(err)), 0);
	el_elf_end(&x);
	assert_true(w.n > 100);
	assert_non_null(nm = popen("nm --defined-only " IMAGE, "r"));
	while (fgets(line, sizeof(line), nm)) {
		char type;
		size_t i = 0;
		if (sscanf(line, "%llx %c %127s", &addr, &type, name) != 3 || strlen(name) >= 48)
			continue;
		while (i < w.n && (strcmp(w.names[i], name) || w.addr[i] != addr))
			i++;
		if (i == w.n)
			fail_msg("nm's %s at 0x%llx is not among the reader's symbols", name, addr);
		checked++;
	}
	pclose(nm);
	assert_true(checked > 100);
}

struct notes {
	int pvh;
	uint32_t pvh_entry;
};

static int note(void *ctx, const char *name, uint32_t type, const void *desc, size_t descsz)
{
	struct notes *n = ctx;

	if (!strcmp(name, "Xen") && type == 18 && descsz >= 4) {
		n->pvh = 1;
		memcpy(&n->pvh_entry, desc, 4);
	}
	return 0;
}

static void test_notes_as_readelf(void **state)
{
	struct notes n = { 0, 0 };
	struct el_elf x;
	char err[256], id[128], line[256], want[128] = "", pvh[64] = "";
	FILE *re;

	(void)state;
	if (access(IMAGE, R_OK))
		skip();
	assert_non_null(re = popen("readelf -n " IMAGE, "r"));
	while (fgets(line, sizeof(line), re)) {
		sscanf(line, " Build ID: %127s", want);
		if (strstr(line, "description data:"))   /* the Xen note's: the entry, LE */
			snprintf(pvh, sizeof(pvh), "%s", strstr(line, ":") + 2);
	}
	pclose(re);
	assert_true(strlen(want) == 40);
	assert_int_equal(el_elf_build_id(IMAGE, id, sizeof(id)), 0);
	assert_string_equal(id, want);
	assert_int_equal(el_elf_open(&x, IMAGE, err, sizeof(err)), 0);
	assert_int_equal(el_elf_notes_each(&x, note, &n), 0);
	el_elf_end(&x);
	assert_true(n.pvh);
	unsigned b[4];
	assert_int_equal(sscanf(pvh, "%x %x %x %x", &b[0], &b[1], &b[2], &b[3]), 4);
	assert_int_equal(n.pvh_entry, b[0] | b[1] << 8 | b[2] << 16 | b[3] << 24);
}

static void test_refusals(void **state)
{
	struct el_elf x;
	char err[256], id[64];

	(void)state;
	assert_int_equal(el_elf_open_mem(&x, "not elf at all", 14, err, sizeof(err)), -1);
	assert_string_equal(err, "not an ELF file");
	el_elf_end(&x);
	assert_int_equal(el_elf_open(&x, "/nonexistent", err, sizeof(err)), -1);
	el_elf_end(&x);
	assert_int_equal(el_elf_open(&x, "/tmp", err, sizeof(err)), -1);   /* a directory */
	el_elf_end(&x);
	assert_int_equal(el_elf_build_id("Makefile", id, sizeof(id)), -1);
	assert_string_equal(id, "");
	if (access(IMAGE, R_OK) == 0) {   /* an image's id does not fit 20 bytes */
		assert_int_equal(el_elf_build_id(IMAGE, id, 20), -1);
		assert_string_equal(id, "");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_symbols_as_nm),
		cmocka_unit_test(test_notes_as_readelf),
		cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
