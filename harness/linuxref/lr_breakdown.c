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
	el_buf_printf(csv, "\"%s\",,\n", nosyms[0] ? nosyms : "kallsyms");
	struct el_roles rt;
	if (el_roles_load(&rt, roles_path, err, n))
		goto out;
	el_roles_csv(&rt, &im, log.pc[0] + path.start, path.len, bench, csv);
	el_roles_free(&rt);
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

void lr_breakdown_file(const char *out_dir, const char *name, const char *bench,
		       const struct lr_session *ls, const char *console)
{
	char root[4096], init[4200], roles[4200], path[4200], err[1024] = "";
	struct el_buf csv = { 0 };

	if (el_root_near_exe(root, sizeof(root)) < 0)
		el_strlcpy(root, ".", sizeof(root));
	el_fmt(init, sizeof(init), "%s/%s", root, LR_INIT);
	el_fmt(roles, sizeof(roles), "%s/variants/roles.conf", root);
	el_fmt(path, sizeof(path), "%s/%s.breakdown.csv", out_dir, name);
	if (lr_session_check(ls, err, sizeof(err)) == 0)
		lr_breakdown(init, roles, console, ls->log, bench, &csv, err, sizeof(err));
	if (err[0]) {
		el_err("warning: no breakdown of %s %s: %s", name, bench, err);
		el_buf_free(&csv);
		el_buf_printf(&csv, "bench,kind,name,role,instructions\n%s,error,\"", bench);
		for (const char *c = err; *c; c++)
			el_buf_puts(&csv, *c == '"' ? "'" : (char[2]){ *c, 0 });
		el_buf_puts(&csv, "\",,\n");
	}
	if (el_write_atomic(path, csv.data, csv.len) < 0)
		el_err("warning: cannot write %s: %s", path, strerror(errno));
	el_buf_free(&csv);
}
