/* libFuzzer target: variants/axes.conf and variants/presets.conf
 * (harness/variants/variants.h) and variant selectors.
 *
 * Input: axes.conf, a line "%%", presets.conf, a line "%%", a selector.
 * A configuration that loads must name every variant consistently: each
 * canonical and short name resolves back to its own variant (so
 * `--variants NAME` and the build's file names agree), every preset to its
 * code; any selector resolves to codes in range or to a one-line error. */
#include "fuzz.h"

#include "variants/variants.h"

#define SEP "\n%%\n"

static void check(int cond)
{
	if (!cond)
		abort();
}

static void resolves_to(const struct el_variants *v, const char *sel, int code)
{
	int out[2];
	size_t n = 0;
	char err[EL_VARIANT_ERR];

	check(el_variants_resolve(v, sel, out, 2, &n, err, sizeof(err)) == 0);
	check(n == 1 && out[0] == code);
}

static void names(const struct el_variants *v)
{
	char canon[2048], shortn[64], flags[2048];

	for (int code = EL_VARIANT_FLOOR; code < el_variant_count(v); code++) {
		el_variant_canonical(v, code, canon, sizeof(canon));
		el_variant_short(v, code, shortn, sizeof(shortn));
		el_variant_flags(v, code, flags, sizeof(flags));
		resolves_to(v, canon, code);
		resolves_to(v, shortn, code);
	}
	for (unsigned i = 0; i < v->npresets; i++)
		resolves_to(v, v->preset[i].name, el_variant_preset_code(v, &v->preset[i]));
}

static void selector(const struct el_variants *v, const struct fz_part *p)
{
	char *sel = fz_string(p->p, p->n), err[EL_VARIANT_ERR];
	size_t max = (size_t)el_variant_count(v) + 1, n = 0;
	int *out = malloc(max * sizeof(*out));

	if (!out)
		abort();
	err[0] = '\0';
	if (el_variants_resolve(v, sel, out, max, &n, err, sizeof(err)) == 0) {
		check(n <= max);
		for (size_t i = 0; i < n; i++)
			check(out[i] >= EL_VARIANT_FLOOR && out[i] < el_variant_count(v));
	} else {
		check(err[0] != '\0');   /* printed by el_err, which keeps it on one line */
	}
	free(out);
	free(sel);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_part part[3] = { { 0 } };
	struct el_variants v;
	char axes[64], presets[64], err[EL_VARIANT_ERR];
	size_t np = fz_split(data, size, SEP, part, 3);
	int fa = fz_memfile(part[0].p, part[0].n, axes, sizeof(axes));
	int fp = fz_memfile(np > 1 ? part[1].p : data, np > 1 ? part[1].n : 0, presets,
			    sizeof(presets));

	if (fa < 0 || fp < 0)
		abort();
	err[0] = '\0';
	if (el_variants_load_files(&v, axes, presets, err, sizeof(err)) == 0) {
		check(v.naxes >= 1 && v.naxes <= EL_MAX_AXES);
		names(&v);
		if (np > 2)
			selector(&v, &part[2]);
		el_variants_free(&v);
	} else {
		check(err[0] && !strchr(err, '\n'));
	}
	close(fa);
	close(fp);
	return 0;
}
