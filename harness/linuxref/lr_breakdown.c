/*
 * lr_breakdown — one traced call of a Linux row, counted by role
 * (variants/roles.conf) and by symbol, as the CSV that report.md reads
 * (raw/<row>.breakdown.csv).  The path is the one `entrylab trace` prints
 * (image/trace.h), checked against loop - empty of the same windows.
 */
#include "linuxref/linuxref.h"
#include "core/util.h"
#include "image/roles.h"
#include "image/trace.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SYM_MAX 512   /* distinct (symbol, role) pairs kept */

struct symrole {
	const char *name;
	int role;
	size_t n;
};

static void csv_text(struct el_buf *b, const char *s)
{
	el_buf_puts(b, "\"");
	for (; *s; s++)
		el_buf_puts(b, *s == '"' ? "\"\"" : (char[2]){ *s, 0 });
	el_buf_puts(b, "\"");
}

static int count(struct el_buf *csv, const char *bench, const struct el_image *im,
		 const uint64_t *pc, size_t n, const char *roles_path, char *err, size_t en)
{
	struct el_roles rt;
	unsigned char *role;
	size_t per[EL_ROLE_COUNT] = { 0 }, nsr = 0;
	struct symrole *sr;

	if (el_roles_load(&rt, roles_path, err, en))
		return -1;
	role = el_xrealloc(NULL, n + 1);
	sr = el_xrealloc(NULL, SYM_MAX * sizeof(*sr));
	el_roles_assign(&rt, im, pc, n, role);
	for (size_t i = 0; i < n; i++) {
		const struct el_sym *s = el_sym_lookup(im, pc[i]);
		const char *name = s ? s->name : "(no symbol)";
		size_t k = 0;
		per[role[i]]++;
		while (k < nsr && (sr[k].role != role[i] || strcmp(sr[k].name, name)))
			k++;
		if (k == nsr && nsr < SYM_MAX)
			sr[nsr++] = (struct symrole){ name, role[i], 0 };
		if (k < nsr)
			sr[k].n++;
	}
	for (int r = 0; r < EL_ROLE_COUNT; r++)
		el_buf_printf(csv, "%s,role,%s,%s,%zu\n", bench, el_role_name(r), el_role_name(r), per[r]);
	for (size_t k = 0; k < nsr; k++) {
		el_buf_printf(csv, "%s,symbol,", bench);
		csv_text(csv, sr[k].name);
		el_buf_printf(csv, ",%s,%zu\n", el_role_name(sr[k].role), sr[k].n);
	}
	free(sr);
	free(role);
	el_roles_free(&rt);
	return 0;
}

int lr_breakdown(const char *init, const char *roles_path, const char *console,
		 const char *logpath, const char *bench, struct el_buf *csv, char *err, size_t n)
{
	struct el_image im;
	struct el_trace_log log;
	struct el_path path;
	const struct el_sym *b, *e;
	char nosyms[256];
	FILE *f;
	int rc = -1;

	memset(&log, 0, sizeof(log));
	if (el_image_linux(&im, init, err, n) < 0)
		goto out;
	b = el_sym_find(&im, "el_trace_begin");
	e = el_sym_find(&im, "el_trace_end");
	if (!b || !e) {
		el_fmt(err, n, "no el_trace_begin/el_trace_end in %s: rebuild it with 'make'", init);
		goto out;
	}
	el_trace_log_init(&log, b->addr, e->addr);
	if (!(f = fopen(logpath, "r")) || el_trace_log_read(&log, f)) {
		el_fmt(err, n, "cannot read QEMU's exec log %s: %s: check free space", logpath,
		       strerror(errno));
		if (f)
			fclose(f);
		goto out;
	}
	fclose(f);
	if (log.nwin < 2 || log.bad_lines || log.overflow) {
		el_fmt(err, n, "QEMU's exec log holds %d of the 2 marker windows%s: %s", log.nwin,
		       log.bad_lines ? " and lines it cannot parse" : "", logpath);
		goto out;
	}
	lr_trace_kernel(&im, console, logpath, nosyms, sizeof(nosyms));
	if (el_trace_find_path(&im, log.pc[0], log.n[0], &path, err, n))
		goto out;
	long long matrix = (long long)log.n[0] - (long long)log.n[1];
	el_buf_printf(csv, "bench,kind,name,role,instructions\n%s,total,path,,%zu\n"
		      "%s,check,loop-empty,,%lld\n%s,symbols,", bench, path.len, bench, matrix, bench);
	csv_text(csv, nosyms[0] ? nosyms : "kallsyms");
	el_buf_puts(csv, ",,\n");
	if (count(csv, bench, &im, log.pc[0] + path.start, path.len, roles_path, err, n))
		goto out;
	if ((long long)path.len != matrix) {
		el_fmt(err, n, "the traced path (%zu instructions) is not loop - empty (%lld): an "
		       "interrupt inside the window?", path.len, matrix);
		goto out;
	}
	rc = 0;
out:
	el_trace_log_free(&log);
	el_image_free(&im);
	return rc;
}
