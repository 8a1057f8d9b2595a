/* libFuzzer target: the host's ELF reader (harness/image/elf.h, on libelf)
 * through the symbol table reader of harness/image/symbols.h (el_elf_symbols,
 * used by trace and pathlen) and the build-id reader (el_elf_build_id, used
 * by matrix for meta.json).  Input: an ELF image (the seeds are real kernel images).
 * Checked: no crash, no sanitizer report, no leak, symbols sorted by
 * address and findable by name and address, a build id that is hex. */
#include "fuzz.h"

#include "image/elf.h"
#include "image/symbols.h"

static void check(int cond)
{
	if (!cond)
		abort();
}

static void symbols(const uint8_t *data, size_t size)
{
	struct el_image im;
	char err[512], buf[256];

	memset(&im, 0, sizeof(im));
	if (el_elf_symbols(&im, data, size, err, sizeof(err)) == 0) {
		for (size_t i = 0; i < im.nsym; i++) {
			check(im.sym[i].name != NULL);
			check(i == 0 || im.sym[i - 1].addr <= im.sym[i].addr);
			check(el_sym_find(&im, im.sym[i].name) != NULL);
			check(el_sym_at(&im, im.sym[i].addr) != NULL);
			el_sym_lookup(&im, im.sym[i].addr + 1);
			el_sym_format(&im, im.sym[i].addr + 3, buf, sizeof(buf));
			el_image_ring(&im, im.sym[i].addr);
		}
	} else {
		check(err[0] && !strchr(err, '\n'));
	}
	el_image_free(&im);
}

static void build_id(const uint8_t *data, size_t size)
{
	char path[64], id[128];
	int fd = fz_memfile(data, size, path, sizeof(path));

	if (fd < 0)
		abort();
	if (el_elf_build_id(path, id, sizeof(id)) == 0)
		check(id[0] && strspn(id, "0123456789abcdef") == strlen(id));
	else
		check(id[0] == '\0');
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	symbols(data, size);
	build_id(data, size);
	return 0;
}
