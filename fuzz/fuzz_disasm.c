/* libFuzzer target: objdump's disassembly as parsed by harness/image/symbols.h
 * (el_disasm_parse; trace and pathlen read it for every image), then the
 * instruction lookups and the cross-image instruction keys.  Checked: no
 * crash, no sanitizer report, no leak; instructions sorted by address and
 * found again by address (el_insn_index: the first at that address). */
#include "fuzz.h"

#include "image/symbols.h"

static void check(int cond)
{
	if (!cond)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct el_image im;
	char *text = fz_string(data, size), key[512];
	size_t n;

	memset(&im, 0, sizeof(im));
	n = el_disasm_parse(&im, text, size);
	check(n == im.ninsn);
	for (size_t i = 0; i < im.ninsn; i++) {
		check(im.insn[i].text != NULL);
		/* hostile text may repeat an address: any of those may be found */
		check(i == 0 || im.insn[i - 1].addr <= im.insn[i].addr);
		check(el_insn_at(&im, im.insn[i].addr)->addr == im.insn[i].addr);
		size_t k = el_insn_index(&im, im.insn[i].addr);
		check(k <= i && im.insn[k].addr == im.insn[i].addr);
		el_image_insn_key(&im, im.insn[i].addr, key, sizeof(key));
	}
	el_image_free(&im);
	free(text);
	return 0;
}
