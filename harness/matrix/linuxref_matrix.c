/*
 * linuxref, the matrix side: which Linux rows a run gets, the arguments of
 * their `entrylab run` children, the host row under kvm, and their facts in
 * meta.json.  See linuxref.h; matrix.c calls these at four points.
 */
#include "matrix/linuxref_matrix.h"
#include "matrix/meta.h"
#include "core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void add_row(struct mx_variant *v, const struct lr_kernel *k, const struct lr_row *r)
{
	char append[512];

	memset(v, 0, sizeof(*v));
	v->code = LR_CODE;
	v->exit = -1;
	el_strlcpy(v->short_name, r->short_name, sizeof(v->short_name));
	/* what the guest names itself in @H (linuxref/init.c) */
	el_fmt(v->canonical, sizeof(v->canonical), "linux-debian-%s%s%s", k->release,
	       r->cmdline[0] ? "," : "", r->cmdline);
	lr_row_append(r, append, sizeof(append));
	el_fmt(v->flags, sizeof(v->flags), "kernel command line: %s", append);
	el_strlcpy(v->image, k->image, sizeof(v->image));
	el_strlcpy(v->build_id, k->build_id, sizeof(v->build_id));
}

int lr_matrix_plan(struct lr_matrix *lm, enum lr_want want, int whole_matrix, const char *root,
		   struct mx_variant **v, size_t *nv)
{
	char err[LR_PATH * 2];

	memset(lm, 0, sizeof(*lm));
	if (want == LR_WANT_OFF || (want == LR_WANT_AUTO && !whole_matrix))
		return 0;
	lm->wanted = 1;
	if (lr_prepare(root, NULL, &lm->k, err, sizeof(err)) < 0) {
		if (want == LR_WANT_ON) {
			el_err("%s", err);
			return -1;
		}
		el_strlcpy(lm->skipped, err, sizeof(lm->skipped));
		el_err("linux reference rows skipped: %s", err);
		return 0;
	}
	*v = el_xrealloc(*v, (*nv + lr_nrows) * sizeof(**v));
	for (size_t i = 0; i < lr_nrows; i++)
		add_row(&(*v)[(*nv)++], &lm->k, &lr_rows[i]);
	lm->rows = 1;
	return 0;
}

void lr_matrix_args(const struct lr_matrix *lm, const char *short_name, const char **args,
		    size_t max, char *append, size_t n)
{
	char given[512], row[512];
	size_t count = 0;

	for (size_t i = 0; i < lr_nrows; i++)
		if (!strcmp(short_name, lr_rows[i].short_name)) {
			el_strlcpy(given, append, sizeof(given));
			lr_row_append(&lr_rows[i], row, sizeof(row));
			el_fmt(append, n, "%s%s%s", row, given[0] ? " " : "", given);
		}
	while (args[count])
		count++;
	if (count + 2 < max) {
		args[count++] = "--initrd";
		args[count++] = lm->k.initrd;
		args[count] = NULL;
	}
}

void lr_matrix_host(struct lr_matrix *lm, const char *root, int cpu, uint64_t samples,
		    const char *raw_dir)
{
	char program[LR_PATH], err[LR_PATH];

	el_fmt(program, sizeof(program), "%s%s%s", root && strcmp(root, ".") ? root : "",
	       root && strcmp(root, ".") ? "/" : "", LR_INIT);
	fprintf(stderr, "host row: the getpid loop natively on cpu %d, then perf bench "
		"syscall basic\n", cpu);
	if (lr_host_row(program, cpu, samples, "kvm", raw_dir, &lm->host, err, sizeof(err)) < 0) {
		el_strlcpy(lm->host_skipped, err, sizeof(lm->host_skipped));
		el_err("host row skipped: %s", err);
		return;
	}
	lm->host_ran = 1;
	if (lm->host.perf_ok)
		fprintf(stderr, "host row: getpid %.1f ns per call (%.1f TSC ticks); perf bench "
			"%s: %.1f ns per call\n", lm->host.ns_per_call, lm->host.ticks_per_call,
			lm->host.perf.syscall, lm->host.perf.ns_per_call);
	else
		el_err("warning: host row without perf bench: %s", lm->host.perf_error);
}

int lr_matrix_meta(const struct lr_matrix *lm, const char *dir)
{
	char err[LR_PATH * 2];

	if (!lm->rows && !lm->skipped[0] && !lm->host_ran && !lm->host_skipped[0])
		return 0;   /* not asked for */
	if (lr_meta_add(dir, lm->rows ? &lm->k : NULL, lm->skipped[0] ? lm->skipped : NULL,
			lm->host_ran ? &lm->host : NULL,
			lm->host_skipped[0] ? lm->host_skipped : NULL, err, sizeof(err)) < 0) {
		el_err("%s", err);
		return -1;
	}
	return 0;
}
