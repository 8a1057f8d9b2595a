/*
 * linuxref_cache — the Linux rows' getpid breakdown, kept between runs
 * (linuxref_matrix.h, lr_cache_*).  Tracing a Linux row costs its boot
 * the kallsyms transfer (49,674 symbols over the record protocol), the
 * traced windows and the host's parsing; the breakdown it gives depends
 * only on what the key below names, so a run whose key matches a stored
 * breakdown boots the row untraced and takes the stored one, after two
 * checks:
 *   - the file is whole and consistent (its key lines, the CSV's header,
 *     one total equal to the traced boot's loop - empty, the role lines
 *     and the symbol lines each summing to the total, the closing line);
 *     anything else is one line on stderr and the row is traced again;
 *   - after the run, the row's own loop - empty of this boot (the median of
 *     the benchmark's samples, as the table shows it) equals the stored total;
 *     else one line, and a trace boot of the row (an `entrylab run` child
 *     like the row's own, with --linux-trace) replaces the stored one.
 * The key: sha256 of the kernel image, of the initramfs (/init), of
 * variants/roles.conf and of the harness binary (which counts and
 * classifies); QEMU's version line; the row's QEMU CPU model and this
 * host's CPUID; the row's whole kernel command line, the benchmarks and
 * samples it runs, and the benchmark traced: the whole key heads the file,
 * whose name is <release>-<row>-<model>-<FNV-1a of the key>.  Files live
 * in build/cache/linuxref/ (`make clean` removes them).
 */
#include "matrix/linuxref_matrix.h"
#include "matrix/matrix_jobs.h"
#include "boot/qemu.h"
#include "core/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAGIC   "# entrylab linuxref breakdown cache v1"
#define HEADER  "bench,kind,name,role,instructions"
#define CSV_MAX (1u << 20)

static void sink_buf(void *ctx, const char *data, size_t len)
{
	el_buf_append(ctx, data, len);
}

/* "sha256sum FILE..." into lm->cache_hashes, one "name=HEX" per file;
 * 0, or -1 with the reason in lm->cache_off. */
static int hash_inputs(struct lr_matrix *lm, const char *root)
{
	char exe[LR_PATH], roles[LR_PATH];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	struct el_buf out = { 0 };
	struct el_qemu_limits lim = { 30000, 1u << 16 };
	struct el_qemu_result q;

	if (n <= 0) {
		el_fmt(lm->cache_off, sizeof(lm->cache_off), "cannot read /proc/self/exe: %s",
		       strerror(errno));
		return -1;
	}
	exe[n] = '\0';
	el_fmt(roles, sizeof(roles), "%s/variants/roles.conf", root && root[0] ? root : ".");
	char *argv[] = { "sha256sum", "--", lm->k.image, lm->k.initrd, roles, exe, NULL };
	el_qemu_run(argv, &lim, sink_buf, &out, &q);
	const char *names[] = { "kernel_sha256", "initramfs_sha256", "roles_sha256",
				"harness_sha256" };
	size_t used = 0, k = 0;
	for (const char *p = out.data; q.end == EL_QEMU_EXITED && q.code == 0 && p && k < 4;
	     p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL, k++) {
		if (strspn(p, "0123456789abcdef") != 64)
			break;
		used += (size_t)snprintf(lm->cache_hashes + used, sizeof(lm->cache_hashes) - used,
					 "# key %s=%.64s\n", names[k], p);
	}
	if (k != 4)
		el_fmt(lm->cache_off, sizeof(lm->cache_off), "sha256sum of the kernel, initramfs, "
		       "roles.conf and harness failed: %.200s", q.err.data ? q.err.data : "no output");
	el_qemu_result_free(&q);
	el_buf_free(&out);
	return k == 4 ? 0 : -1;
}

void lr_cache_begin(struct lr_matrix *lm, const char *root, const char *qemu_version,
		    const char *bench_list, uint64_t samples, const char *traced)
{
	struct lr_host_cpu c;

	lm->cache_on = 0;
	if (!lm->rows || !traced)
		return;
	el_strlcpy(lm->cache_bench, traced, sizeof(lm->cache_bench));
	el_fmt(lm->cache_dir, sizeof(lm->cache_dir), "%s%sbuild/cache/linuxref",
	       root && strcmp(root, ".") ? root : "", root && strcmp(root, ".") ? "/" : "");
	if (hash_inputs(lm, root) < 0) {
		el_err("warning: linux breakdown cache off: %s: the rows are traced", lm->cache_off);
		return;
	}
	lr_host_cpu(&c);
	el_fmt(lm->cache_common, sizeof(lm->cache_common), "%s# key qemu=%s\n# key host_cpu=%s "
	       "family %u model 0x%x stepping %u\n# key benches=%s samples=%llu traced=%s\n",
	       lm->cache_hashes, qemu_version, c.vendor, c.family, c.model, c.stepping, bench_list,
	       (unsigned long long)samples, traced);
	lm->cache_on = 1;
}

/* ------------------------------------------------------------ checking a breakdown */

/* One CSV line from *p into up to max fields f[k] (quoted or not; an
 * empty field is ""), *p advanced past the line's end.  The number of
 * fields, or -1 for a quote left open or text after a closing quote. */
static int csv_line(const char **p, char (*f)[512], int max)
{
	const char *s = *p;
	int k = 0;

	for (;;) {
		size_t n = 0;
		char *dst = k < max ? f[k] : NULL;
		if (*s == '"') {
			for (s++; *s && !(*s == '"' && s[1] != '"'); s++) {
				if (*s == '"')
					s++;
				if (dst && n + 1 < 512)
					dst[n++] = *s;
			}
			if (*s != '"')
				return -1;
			s++;
			if (*s && *s != ',' && *s != '\n')
				return -1;
		} else {
			for (; *s && *s != ',' && *s != '\n'; s++)
				if (dst && n + 1 < 512)
					dst[n++] = *s;
		}
		if (dst)
			dst[n] = '\0';
		k++;
		if (*s != ',')
			break;
		s++;
	}
	*p = s + (*s == '\n');
	return k;
}

static int count_of(const char *s, long *v)
{
	char *end;

	if (!s[0] || strspn(s, "0123456789") != strlen(s) || strlen(s) > 9)
		return -1;
	*v = strtol(s, &end, 10);
	return 0;
}

/* A breakdown CSV of bench (from its header line on) that a report may
 * show: every line five fields of bench, kinds total, check, symbols,
 * role, symbol (and the cache's own source and verify), one total equal
 * to check, symbols from kallsyms, roles and symbols each summing to the
 * total.  0 with *total, or -1 with why. */
static int check_csv(const char *csv, const char *bench, long *total, char *why, size_t n)
{
	long tot = -1, chk = -1, roles = 0, syms = 0, v = 0;
	int nrole = 0, nsym = 0, kallsyms = 0, line = 1;
	const char *p = csv;

	if (strncmp(p, HEADER "\n", strlen(HEADER) + 1)) {
		el_fmt(why, n, "no CSV header line");
		return -1;
	}
	for (p += strlen(HEADER) + 1; *p; line++) {
		char f[5][512];
		if (csv_line(&p, f, 5) != 5) {
			el_fmt(why, n, "CSV line %d: not five fields", line + 1);
			return -1;
		}
		if (strcmp(f[0], bench)) {
			el_fmt(why, n, "CSV line %d: benchmark '%.64s', not %s", line + 1, f[0], bench);
			return -1;
		}
		bool counted = !strcmp(f[1], "total") || !strcmp(f[1], "check") ||
			       !strcmp(f[1], "role") || !strcmp(f[1], "symbol") ||
			       !strcmp(f[1], "verify");
		if (counted && count_of(f[4], &v)) {
			el_fmt(why, n, "CSV line %d: '%.32s' is no count", line + 1, f[4]);
			return -1;
		}
		if (!strcmp(f[1], "total"))
			tot = v;
		else if (!strcmp(f[1], "check"))
			chk = v;
		else if (!strcmp(f[1], "symbols"))
			kallsyms = !strcmp(f[2], "kallsyms");
		else if (!strcmp(f[1], "role"))
			roles += v, nrole++;
		else if (!strcmp(f[1], "symbol"))
			syms += v, nsym++;
		else if (strcmp(f[1], "source") && strcmp(f[1], "verify")) {
			el_fmt(why, n, "CSV line %d: kind '%.32s'", line + 1, f[1]);
			return -1;
		}
	}
	if (tot < 0 || tot != chk || !kallsyms || !nrole || !nsym || roles != tot || syms != tot) {
		el_fmt(why, n, "total %ld, loop - empty %ld, roles %ld, symbols %ld%s: not one "
		       "consistent breakdown", tot, chk, roles, syms, kallsyms ? "" :
		       ", no kernel symbols");
		return -1;
	}
	*total = tot;
	return 0;
}

/* ------------------------------------------------------------ the rows */

static struct lr_matrix_row *row_of(struct lr_matrix *lm, const char *short_name)
{
	for (size_t i = 0; i < lm->nrow; i++)
		if (!strcmp(lm->row[i].short_name, short_name))
			return &lm->row[i];
	return NULL;
}

const char *lr_cache_lookup(struct lr_matrix *lm, const char *short_name, const char *model,
			    const char *append, const char *trace)
{
	struct lr_matrix_row *r = row_of(lm, short_name);
	char *text, why[256], name[160];

	if (!r || !lm->cache_on || !trace || strcmp(trace, lm->cache_bench))
		return trace;   /* no cache this run: traced as asked */
	el_fmt(r->cache_key, sizeof(r->cache_key), "%s\n%s# key kernel=%s\n# key cpu_model=%s\n"
	       "# key cmdline=%s\n", MAGIC, lm->cache_common, lm->k.release, model ? model : "host",
	       append);
	uint64_t h = 0xcbf29ce484222325ull;   /* FNV-1a of the key: one file per key */
	for (const char *c = r->cache_key; *c; c++)
		h = (h ^ (unsigned char)*c) * 0x100000001b3ull;
	el_fmt(name, sizeof(name), "%s-%s-%s-%016llx", lm->k.release, short_name,
	       model ? model : "host", (unsigned long long)h);
	for (char *c = name; *c; c++)   /* a file name: no '/' from a model */
		*c = *c == '/' ? '_' : *c;
	el_fmt(r->cache_path, sizeof(r->cache_path), "%s/%s.csv", lm->cache_dir, name);
	r->cache = LR_CACHE_MISS;
	if (!(text = el_read_text(r->cache_path, CSV_MAX))) {
		if (errno != ENOENT)
			el_err("warning: linux breakdown cache %s unreadable (%s): tracing %s again",
			       r->cache_path, strerror(errno), short_name);
		return lm->cache_bench;
	}
	size_t klen = strlen(r->cache_key);
	const char *body = NULL, *end = strstr(text, "\n# end\n");
	if (strncmp(text, MAGIC "\n", strlen(MAGIC) + 1)) {
		el_fmt(why, sizeof(why), "no '%s' first line", MAGIC);
	} else if (strncmp(text, r->cache_key, klen)) {
		free(text);
		return lm->cache_bench;   /* another kernel, QEMU, CPU, ...: no fault */
	} else if (!end || end[7]) {
		el_fmt(why, sizeof(why), "no '# end' last line (cut short?)");
	} else {
		body = text + klen;
		while (!strncmp(body, "# ", 2) && strchr(body, '\n') && body < end)
			body = strchr(body, '\n') + 1;   /* the traced line */
		char csv[sizeof(r->cache_body)];
		size_t len = (size_t)(end + 1 - body);
		if (end < body || len >= sizeof(csv)) {
			el_fmt(why, sizeof(why), "no breakdown between the key and '# end'");
			body = NULL;
		} else {
			memcpy(csv, body, len);
			csv[len] = '\0';
			if (check_csv(csv, lm->cache_bench, &r->cache_total, why, sizeof(why)) == 0) {
				el_strlcpy(r->cache_body, csv, sizeof(r->cache_body));
				r->cache = LR_CACHE_HIT;
			}
		}
	}
	if (r->cache != LR_CACHE_HIT)
		el_err("warning: linux breakdown cache %s is corrupt (%s): tracing %s again",
		       r->cache_path, why, short_name);
	free(text);
	return r->cache == LR_CACHE_HIT ? NULL : lm->cache_bench;
}

/* ------------------------------------------------------------ after the run */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The row's loop - empty for bench in this boot, as the matrix reports it:
 * the median per-call count of its samples (exact under tcg-icount; a
 * sample a timer interrupt landed in is off it), a whole number.  0, or -1
 * with why. */
static int live_count(const char *raw_dir, const char *short_name, const char *bench, long *out,
		      char *why, size_t n)
{
	char path[LR_PATH + 96], *text, *end;
	double *x = NULL, med;
	size_t nx = 0;

	el_fmt(path, sizeof(path), "%s/%s.samples.csv", raw_dir, short_name);
	if (!(text = el_read_text(path, 1u << 24))) {
		el_fmt(why, n, "no samples of the row (%s)", strerror(errno));
		return -1;
	}
	for (const char *p = strchr(text, '\n'); p && p[1]; p = strchr(p + 1, '\n')) {
		const char *s = p + 1;
		char f[9][512];
		if (csv_line(&s, f, 9) < 8 || strcmp(f[2], bench))
			continue;
		x = el_xrealloc(x, (nx + 1) * sizeof(*x));
		x[nx] = strtod(f[7], &end);
		if (end == f[7] || *end) {
			el_fmt(why, n, "%s sample '%.32s' is no number", bench, f[7]);
			free(x);
			free(text);
			return -1;
		}
		nx++;
	}
	free(text);
	if (!nx) {
		el_fmt(why, n, "no %s sample in the row", bench);
		return -1;
	}
	qsort(x, nx, sizeof(*x), cmp_double);
	med = nx % 2 ? x[nx / 2] : (x[nx / 2 - 1] + x[nx / 2]) / 2;
	free(x);
	if (med != (double)(long)med || med < 0) {
		el_fmt(why, n, "the median %s count (%g) is no whole number of instructions", bench,
		       med);
		return -1;
	}
	*out = (long)med;
	return 0;
}

/* raw/<short>.breakdown.csv: csv and its source line (and the verify line
 * when live >= 0). */
static void write_raw(const char *raw_dir, const char *short_name, const char *bench,
		      const char *csv, const char *source, long live)
{
	char path[LR_PATH + 96];
	struct el_buf b = { 0 };

	el_buf_puts(&b, csv);
	el_buf_printf(&b, "%s,source,\"", bench);
	for (const char *c = source; *c; c++)
		el_buf_puts(&b, *c == '"' ? "'" : (char[2]){ *c, 0 });
	el_buf_puts(&b, "\",,\n");
	if (live >= 0)
		el_buf_printf(&b, "%s,verify,live-loop-empty,,%ld\n", bench, live);
	el_fmt(path, sizeof(path), "%s/%s.breakdown.csv", raw_dir, short_name);
	if (el_write_atomic(path, b.data, b.len) < 0)
		el_err("warning: cannot write %s: %s", path, strerror(errno));
	el_buf_free(&b);
}

static void store(const struct lr_matrix *lm, const struct lr_matrix_row *r, const char *csv,
		  const char *run_id)
{
	struct el_buf b = { 0 };

	if (el_mkdir_p(lm->cache_dir)) {
		el_err("warning: cannot create %s: %s: the breakdown is not kept", lm->cache_dir,
		       strerror(errno));
		return;
	}
	el_buf_printf(&b, "%s# traced in run %s\n%s# end\n", r->cache_key, run_id, csv);
	if (el_write_atomic(r->cache_path, b.data, b.len) < 0)
		el_err("warning: cannot write %s: %s: the breakdown is not kept", r->cache_path,
		       strerror(errno));
	el_buf_free(&b);
}

/* The traced breakdown of a file, without any source/verify lines. */
static char *read_traced(const char *path, long *total, const char *bench, char *why, size_t n)
{
	char *text = el_read_text(path, CSV_MAX);

	if (!text) {
		el_fmt(why, n, "no breakdown written (%s)", strerror(errno));
		return NULL;
	}
	if (check_csv(text, bench, total, why, n)) {
		free(text);
		return NULL;
	}
	return text;
}

/* The scratch directory of a trace boot, and the files `entrylab run` writes. */
static void remove_dir(const char *dir, const char *short_name)
{
	char path[LR_PATH + 256];

	for (const char *e = "console\0result\0samples.csv\0tap\0breakdown.csv\0"; *e;
	     e += strlen(e) + 1) {
		el_fmt(path, sizeof(path), "%s/%s.%s", dir, short_name, e);
		unlink(path);
	}
	rmdir(dir);
}

/* The row's boot again, traced: its job's arguments with --out a scratch
 * directory and --linux-trace.  The breakdown, or NULL with why. */
static char *retrace(const struct lr_matrix *lm, const struct lr_matrix_row *r,
		     const char *raw_dir, const struct mx_job *job, long live, long *total,
		     char *why, size_t n)
{
	char dir[LR_PATH + 96], path[LR_PATH + 192], *csv = NULL;
	size_t argc = 0;

	while (job->argv.v[argc])
		argc++;
	char **argv = el_xrealloc(NULL, (argc + 3) * sizeof(*argv));
	el_fmt(dir, sizeof(dir), "%s/%s.retrace", raw_dir, r->short_name);
	argv[0] = "/proc/self/exe";
	for (size_t i = 1; i < argc; i++)
		argv[i] = !strcmp(job->argv.v[i - 1], "--out") ? dir : job->argv.v[i];
	argv[argc] = "--linux-trace";
	argv[argc + 1] = (char *)lm->cache_bench;
	argv[argc + 2] = NULL;
	struct el_qemu_limits lim = { job->limit_ms, 1u << 22 };
	struct el_qemu_result q;
	struct el_buf out = { 0 };
	el_qemu_run(argv, &lim, sink_buf, &out, &q);
	long again;
	char lwhy[256];
	el_fmt(path, sizeof(path), "%s/%s.breakdown.csv", dir, r->short_name);
	if (q.end != EL_QEMU_EXITED || q.code != 0)
		el_fmt(why, n, "the trace boot failed (status %d): %.200s", q.code,
		       q.err.data ? q.err.data : "");
	else if (live_count(dir, r->short_name, lm->cache_bench, &again, lwhy, sizeof(lwhy)))
		el_fmt(why, n, "the trace boot: %s", lwhy);
	else if (again != live)
		el_fmt(why, n, "the trace boot's loop - empty (%ld) is not the row's (%ld)", again,
		       live);
	else if ((csv = read_traced(path, total, lm->cache_bench, why, n)) && *total != live) {
		el_fmt(why, n, "the traced path (%ld) is not the row's loop - empty (%ld)", *total,
		       live);
		free(csv);
		csv = NULL;
	}
	el_qemu_result_free(&q);
	el_buf_free(&out);
	free(argv);
	remove_dir(dir, r->short_name);
	return csv;
}

void lr_cache_finish(struct lr_matrix *lm, const char *raw_dir, const char *run_id,
		     const struct mx_variant *v, const struct mx_job *jobs, size_t nv)
{
	char why[512], source[LR_PATH + 512], path[LR_PATH + 96];

	if (!lm->cache_on)
		return;
	for (size_t i = 0; i < nv; i++) {
		struct lr_matrix_row *r = v[i].code == LR_CODE ? row_of(lm, v[i].short_name) : NULL;
		long live = -1, total;
		char *csv;
		if (!r || r->cache == LR_CACHE_OFF || strcmp(v[i].status, "pass"))
			continue;
		if (r->cache == LR_CACHE_MISS) {   /* traced in this boot: keep it */
			el_fmt(path, sizeof(path), "%s/%s.breakdown.csv", raw_dir, r->short_name);
			if (!(csv = read_traced(path, &total, lm->cache_bench, why, sizeof(why))))
				continue;   /* the report says what went wrong */
			store(lm, r, csv, run_id);
			el_fmt(source, sizeof(source), "traced in this run's boot of the row; kept in "
			       "%s", r->cache_path);
			write_raw(raw_dir, r->short_name, lm->cache_bench, csv, source, -1);
			free(csv);
			continue;
		}
		char lwhy[256] = "";
		if (live_count(raw_dir, r->short_name, lm->cache_bench, &live, lwhy, sizeof(lwhy))) {
			live = -1;   /* nothing to check the stored one against */
		} else if (live == r->cache_total) {
			el_fmt(source, sizeof(source), "stored by an earlier run (%s: same kernel, "
			       "initramfs, QEMU, CPU model, command line, roles and harness); "
			       "checked: this run's median loop - empty %ld = the stored path's %ld",
			       r->cache_path, live, r->cache_total);
			write_raw(raw_dir, r->short_name, lm->cache_bench, r->cache_body, source, live);
			continue;
		} else {
			el_err("warning: %s: the stored breakdown's %s path (%ld instructions, %s) is "
			       "not this run's loop - empty (%ld): tracing again", r->short_name,
			       lm->cache_bench, r->cache_total, r->cache_path, live);
		}
		if (live < 0 || !(csv = retrace(lm, r, raw_dir, &jobs[i], live, &total, why,
						 sizeof(why)))) {
			if (live < 0)
				el_fmt(why, sizeof(why), "cannot check the stored one: %s", lwhy);
			el_err("warning: no breakdown of %s: %s", r->short_name, why);
			el_fmt(path, sizeof(path), "%s/%s.breakdown.csv", raw_dir, r->short_name);
			struct el_buf b = { 0 };
			for (char *c = why; *c; c++)   /* inside one quoted CSV field */
				*c = *c == '"' ? '\'' : *c;
			el_buf_printf(&b, "%s\n%s,error,\"%s\",,\n", HEADER, lm->cache_bench, why);
			if (el_write_atomic(path, b.data, b.len) < 0)
				el_err("warning: cannot write %s: %s", path, strerror(errno));
			el_buf_free(&b);
			continue;
		}
		store(lm, r, csv, run_id);
		el_fmt(source, sizeof(source), "traced again in this run: the stored path (%ld) was "
		       "not this run's loop - empty (%ld); kept in %s", r->cache_total, live,
		       r->cache_path);
		write_raw(raw_dir, r->short_name, lm->cache_bench, csv, source, live);
		free(csv);
	}
}
