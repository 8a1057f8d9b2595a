/*
 * report_static.c — the "static fast path" section of report.md and
 * summary.json: for every variant (and the floor), the instructions and
 * bytes from its entry symbol to its sysretq in the image that ran
 * (pathlen.h), beside the dynamic getpid count.  The image is measured only
 * if it still carries the build-id the guest reported in its @H record;
 * an image rebuilt since the run is named, not measured.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "analysis/model.h"
#include "analysis/report.h"
#include "image/elf.h"
#include "image/pathlen.h"
#include "core/util.h"

/* 0, or -1 when the image could not be read or disassembled (err set). */
static int measure(const struct an_run *run, struct an_variant *v, char *err, size_t errlen)
{
	char path[PATH_MAX], id[96];

	if (v->code == AN_UNKNOWN || v->code < EL_VARIANT_FLOOR) {
		el_strlcpy(v->static_note, "not an entrylab image", sizeof(v->static_note));
		return 0;
	}
	if (!v->image[0]) {
		el_strlcpy(v->static_note, "no image= in the run's result", sizeof(v->static_note));
		return 0;
	}
	if (v->image[0] == '/')
		el_strlcpy(path, v->image, sizeof(path));
	else
		snprintf(path, sizeof(path), "%s/%s", run->root, v->image);
	if (el_elf_build_id(path, id, sizeof(id)) || strcmp(id, v->build)) {
		el_fmt(v->static_note, sizeof(v->static_note),
		       "image %s rebuilt or gone since this run", v->image);
		return 0;
	}
	if (pathlen_measure(path, v->short_name, &v->static_insns, &v->static_bytes, err, errlen)) {
		el_strlcpy(v->static_note, strstr(err, "objdump") ? "objdump failed or missing" :
			   "entry path not found in the image", sizeof(v->static_note));
		return -1;
	}
	v->have_static = 1;
	return 0;
}

/* One line on stderr for each different reason an image was not measured
 * (a missing objdump is the same for every image: said once). */
void an_static_paths(struct an_run *run)
{
	char err[1024], said[1024] = "";

	for (size_t i = 0; i < run->nv; i++)
		if (measure(run, &run->v[i], err, sizeof(err)) &&
		    strcmp(run->v[i].static_note, said)) {
			el_err("static fast path not measured: %s", err);
			el_strlcpy(said, run->v[i].static_note, sizeof(said));
		}
}

static long getpid_bench(const struct an_run *run)
{
	for (size_t k = 0; k < run->nbench; k++)
		if (!strcmp(run->bench[k], "getpid"))
			return (long)k;
	return -1;
}

void an_md_static(struct el_buf *b, const struct an_run *run)
{
	long gp = getpid_bench(run);
	const char *u = an_unit_label(run->unit);

	el_buf_puts(b, "## Static fast path (entry symbol to sysretq, read from each image)\n\n");
	el_buf_printf(b, "| variant | preset | static instructions | static bytes | "
		      "getpid median (%s per call) |\n|---|---|--:|--:|--:|\n", u);
	for (size_t i = 0; i < run->nv; i++) {
		const struct an_variant *v = &run->v[i];
		if (v->code == AN_UNKNOWN || v->code < EL_VARIANT_FLOOR)
			continue;
		el_buf_printf(b, "| %s | %s | ", v->short_name, v->preset ? v->preset : "");
		if (v->have_static)
			el_buf_printf(b, "%d | %d | ", v->static_insns, v->static_bytes);
		else
			el_buf_printf(b, "- (%s) | - | ", v->static_note);
		if (gp >= 0 && v->cells[gp].have_stats)
			el_buf_printf(b, "%.6g |\n", v->cells[gp].s.median);
		else
			el_buf_puts(b, "- |\n");
	}
	el_buf_puts(b, "\nThe dynamic figure adds the syscall instruction and the handler "
		    "reached through the table; the static one counts the laid-out "
		    "straight-line fast path (conditional branches to slow paths included, "
		    "not taken).\n\n");
}
