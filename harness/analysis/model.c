/* The analysed run's helpers: warnings, numbers and labels for tables,
 * the benchmarks of benches.def, freeing a run.  Contracts in model.h. */
#include "analysis/model.h"
#include "core/util.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ small helpers */

void an_warn(struct an_run *run, const char *fmt, ...)
{
	struct el_buf b = { 0 };
	va_list ap;
	char line[AN_NAME * 2];

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	el_buf_puts(&b, line);
	run->warn = el_xrealloc(run->warn, (run->nwarn + 1) * sizeof(*run->warn));
	run->warn[run->nwarn++] = b.data;
}

const char *an_num(char *buf, size_t size, double x)
{
	if (isnan(x))
		el_fmt(buf, size, "-");
	else if (fabs(x) >= 10000.0 || (x == floor(x) && fabs(x) < 1e9))
		el_fmt(buf, size, "%.0f", x);
	else
		el_fmt(buf, size, "%.2f", x);
	return buf;
}

const char *an_unit_label(const char *unit)
{
	return !strcmp(unit, "tsc") ? "TSC ticks" : unit;
}

const char *an_baseline_label(const struct an_run *run)
{
	if (run->baseline < 0)
		return "none";
	const struct an_variant *b = &run->v[run->baseline];
	return b->preset ? b->preset : b->short_name;
}


/* ------------------------------------------------------------ benchmarks */

static const struct { const char *name, *description; } known_bench[] = {
#define EL_BENCH(name, features, description) { #name, description },
#include "entrylab/benches.def"
#undef EL_BENCH
};
#define NKNOWN (sizeof(known_bench) / sizeof(known_bench[0]))

const char *an_bench_description(const char *name)
{
	for (size_t i = 0; i < NKNOWN; i++)
		if (!strcmp(known_bench[i].name, name))
			return known_bench[i].description;
	return NULL;
}

size_t an_bench_rank(const char *name)
{
	for (size_t i = 0; i < NKNOWN; i++)
		if (!strcmp(known_bench[i].name, name))
			return i;
	return NKNOWN;
}

void an_run_free(struct an_run *run)
{
	for (size_t i = 0; i < run->nv; i++) {
		for (size_t b = 0; b < run->nbench; b++) {
			free(run->v[i].cells[b].x);
			free(run->v[i].cells[b].idx);
		}
		free(run->v[i].cells);
		free(run->v[i].console_tail);
	}
	for (size_t i = 0; i < run->nwarn; i++)
		free(run->warn[i]);
	for (size_t i = 0; i < run->nplot_file; i++)
		free(run->plot_file[i]);
	free(run->v);
	free(run->bench);
	free(run->warn);
	free(run->plot_file);
	free(run->preset_variant);
	free(run->effect);
	free(run->effect_ok);
	free(run->inter);
	free(run->inter_ok);
	el_variants_free(&run->vs);
}
