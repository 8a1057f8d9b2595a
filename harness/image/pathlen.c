/* `entrylab pathlen`: see pathlen.h. */
#include "image/pathlen.h"
#include "core/exitcodes.h"
#include "core/opts.h"
#include "core/csv.h"
#include "core/util.h"
#include "variants/variants.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The mnemonic of an instruction text, without prefixes such as "bnd" or
 * "notrack" that objdump prints before a branch. */
static void mnemonic(const char *text, char *dst, size_t size)
{
	static const char *const prefixes[] = { "bnd ", "notrack ", "rex.W ", "cs ", "ds ", NULL };
	bool again = true;
	size_t n;

	while (again) {
		again = false;
		for (const char *const *p = prefixes; *p; p++)
			if (!strncmp(text, *p, strlen(*p))) {
				text += strlen(*p);
				again = true;
			}
	}
	n = strcspn(text, " ");
	if (n >= size)
		n = size - 1;
	memcpy(dst, text, n);
	dst[n] = '\0';
}

static bool ends_straight_line(const char *m)
{
	return !strcmp(m, "jmp") || !strncmp(m, "ret", 3) || !strncmp(m, "iret", 4) ||
	       !strcmp(m, "ud2");
}

int el_pathlen_image(const struct el_image *im, bool floor, struct el_pathlen *p,
		     char *err, size_t errlen)
{
	const char *entry_name = floor ? "entry_floor_SYSCALL_64" : "entry_SYSCALL_64";
	const char *sysret_name = floor ? "floor_sysret_insn" : "syscall_sysret_insn";
	const struct el_sym *entry = el_sym_find(im, entry_name);
	const struct el_sym *sysret = el_sym_find(im, sysret_name);
	const struct el_insn *last;
	char m[32];
	size_t i;

	memset(p, 0, sizeof(*p));
	if (!entry || !sysret || sysret->addr < entry->addr) {
		el_fmt(err, errlen, "image has no %s..%s range: %s: %s", entry_name, sysret_name,
		       im->path, floor ? "is this the floor image?" : "is this a matrix variant image?");
		return -1;
	}
	last = el_insn_at(im, sysret->addr);
	if (!last || strncmp(last->text, "sysret", 6) || !last->len) {
		el_fmt(err, errlen, "no sysret instruction at %s (0x%llx): %s: rebuild the image",
		       sysret_name, (unsigned long long)sysret->addr, im->path);
		return -1;
	}
	p->entry = entry->addr;
	p->sysret = sysret->addr;
	p->bytes = (int)(sysret->addr + last->len - entry->addr);
	if (!el_insn_at(im, entry->addr)) {
		el_fmt(err, errlen, "no instruction decoded at %s (0x%llx): %s: rebuild the image",
		       entry_name, (unsigned long long)entry->addr, im->path);
		return -1;
	}
	for (i = el_insn_index(im, entry->addr); i < im->ninsn && im->insn[i].addr <= sysret->addr; i++) {
		const struct el_insn *in = &im->insn[i];
		bool gap = in->addr != (i ? im->insn[i - 1].addr + im->insn[i - 1].len : 0);

		mnemonic(in->text, m, sizeof(m));
		if ((p->insns && gap) || !in->len || (in != last && ends_straight_line(m))) {
			el_fmt(err, errlen, "fast path %s..%s is not straight-line code at 0x%llx (%s): %s: "
			       "check the entry layout", entry_name, sysret_name,
			       (unsigned long long)in->addr, in->text, im->path);
			return -1;
		}
		p->insns++;
		p->jcc += m[0] == 'j';
	}
	if (p->insns > p->bytes) {   /* cannot happen with the checks above */
		el_fmt(err, errlen, "inconsistent disassembly of %s: %s: rebuild the image",
		       entry_name, im->path);
		return -1;
	}
	return 0;
}

int pathlen_measure(const char *image, const char *short_name, int *insns, int *bytes,
		    char *err, size_t errlen)
{
	struct el_image im;
	struct el_pathlen p;
	int rc = EL_EX_OK;

	if (el_image_load(&im, image, true, err, errlen) ||
	    el_pathlen_image(&im, !strcmp(short_name, "floor"), &p, err, errlen)) {
		rc = EL_EX_USAGE;
	} else {
		*insns = p.insns;
		*bytes = p.bytes;
	}
	el_image_free(&im);
	return rc;
}

/* ------------------------------------------------------------ selection */

int el_select_images(const char *variants_dir, const char *kernels_dir, char *const *sel,
		     int nsel, struct el_kimage **out, const char *cmd)
{
	int codes[EL_MAX_VARIANTS + 1];
	char err[EL_VARIANT_ERR];
	struct el_variants v;
	size_t n = 0;

	*out = NULL;
	if (el_variants_load(&v, variants_dir, err, sizeof(err))) {
		el_err("%s", err);
		return -1;
	}
	for (int i = 0; i < nsel; i++)
		if (el_variants_resolve(&v, sel[i], codes, sizeof(codes) / sizeof(codes[0]), &n,
					err, sizeof(err))) {
			el_err("%s: entrylab %s: see 'entrylab list'", err, cmd);
			el_variants_free(&v);
			return -1;
		}
	*out = el_xrealloc(NULL, (n ? n : 1) * sizeof(**out));
	for (size_t i = 0; i < n; i++) {
		struct el_kimage *k = &(*out)[i];
		el_variant_short(&v, codes[i], k->short_name, sizeof(k->short_name));
		el_variant_canonical(&v, codes[i], k->canonical, sizeof(k->canonical));
		el_fmt(k->path, sizeof(k->path), "%s/%s.elf", kernels_dir, k->short_name);
	}
	el_variants_free(&v);
	return (int)n;
}

int el_select_one(const char *variants_dir, const char *kernels_dir, const char *sel,
		  struct el_kimage *k, const char *cmd)
{
	struct el_kimage *all = NULL;
	char *one[] = { (char *)sel };
	int n = el_select_images(variants_dir, kernels_dir, one, 1, &all, cmd);

	if (n == 1)
		*k = all[0];
	else if (n > 1)
		el_err("selector '%s' names %d variants: entrylab %s: give one variant (see 'entrylab list')",
		       sel, n, cmd);
	free(all);
	return n == 1 ? 0 : -1;
}

/* ------------------------------------------------------------ command */

struct pathlen_opts {
	const char *variants_dir, *kernels_dir;
	bool csv;
	char **sel;
	int nsel;
};

static const struct el_opt pathlen_options[] = {
	{ "csv", 'c', NULL, "comma-separated values instead of the table" },
	{ "kernels", 'k', "DIR", "the images (default build/kernels)", "@dir" },
	{ "variants-dir", 'd', "DIR", "the axes and presets (default variants)", "@dir" },
	{ 0 }
};

const struct el_optcmd pathlen_optcmd = {
	"pathlen", "[VARIANT...] [OPTIONS]",
	"Static fast-path length: instructions and bytes from the entry symbol to its\n"
	"sysretq in each image (VARIANT: short or canonical name, preset, floor,\n"
	"all, presets, axis pattern; default all).",
	pathlen_options, "exit status: 0 ok, 2 usage error, unknown variant or missing image",
	"@variants",
};

static int pathlen_opt(void *ctx, int key, const char *arg)
{
	struct pathlen_opts *o = ctx;

	if (key == 'c')
		o->csv = true;
	else
		*(key == 'k' ? &o->kernels_dir : &o->variants_dir) = arg;
	return 0;
}

/* 0 to go on; else the command's status. */
static int parse_opts(int argc, char **argv, struct pathlen_opts *o)
{
	int first, rc;

	memset(o, 0, sizeof(*o));
	o->variants_dir = "variants";
	o->kernels_dir = "build/kernels";
	o->sel = el_xrealloc(NULL, (size_t)(argc + 1) * sizeof(*o->sel));
	rc = el_opts_parse(&pathlen_optcmd, argc, argv, pathlen_opt, o, &first);
	if (rc != EL_OPTS_GO)
		return rc == EL_OPTS_HELP ? EL_EX_OK : EL_EX_USAGE;
	while (first < argc)
		o->sel[o->nsel++] = argv[first++];
	if (!o->nsel)
		o->sel[o->nsel++] = "all";
	return -1;
}

static void print_table(const struct el_kimage *k, const struct el_pathlen *p, int n, bool csv)
{
	struct el_buf b = { 0 };
	struct el_csv c = { &b, 0 };

	if (csv)
		el_csv_header(&c, "short,variant,instructions,bytes,jcc");
	else
		printf("%-9s %-72s %12s %6s %4s\n", "short", "variant", "instructions", "bytes", "jcc");
	for (int i = 0; i < n; i++) {
		if (!csv) {
			printf("%-9s %-72s %12d %6d %4d\n", k[i].short_name, k[i].canonical,
			       p[i].insns, p[i].bytes, p[i].jcc);
			continue;
		}
		el_csv_field(&c, k[i].short_name);
		el_csv_quoted(&c, k[i].canonical);
		el_csv_printf(&c, "%d", p[i].insns);
		el_csv_printf(&c, "%d", p[i].bytes);
		el_csv_printf(&c, "%d", p[i].jcc);
		el_csv_end(&c);
	}
	if (b.len)
		fwrite(b.data, 1, b.len, stdout);
	el_buf_free(&b);
	if (!csv)
		printf("(static: instructions and bytes from the entry symbol to its sysretq inclusive,\n"
		       " straight-line layout; jcc = conditional jumps to slow paths, not taken on the fast path;\n"
		       " the syscall handler reached by the table call is not counted)\n");
}

int el_cmd_pathlen(int argc, char **argv)
{
	struct pathlen_opts o;
	struct el_kimage *k = NULL;
	struct el_pathlen *p;
	int n, rc = EL_EX_OK;

	if ((rc = parse_opts(argc, argv, &o)) >= 0) {
		free(o.sel);
		return rc;
	}
	rc = EL_EX_OK;
	n = el_select_images(o.variants_dir, o.kernels_dir, o.sel, o.nsel, &k, "pathlen");
	if (n < 0)
		rc = EL_EX_USAGE;
	p = el_xrealloc(NULL, (size_t)(n > 0 ? n : 1) * sizeof(*p));
	for (int i = 0; i < n && rc == EL_EX_OK; i++) {   /* measure all, then print */
		struct el_image im;
		char err[1024];

		if (el_image_load(&im, k[i].path, true, err, sizeof(err)) ||
		    el_pathlen_image(&im, !strcmp(k[i].short_name, "floor"), &p[i], err, sizeof(err))) {
			el_err("%s", err);
			rc = EL_EX_USAGE;
		}
		el_image_free(&im);
	}
	if (rc == EL_EX_OK)
		print_table(k, p, n, o.csv);
	free(p);
	free(k);
	free(o.sel);
	return rc;
}
