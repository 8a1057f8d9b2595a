/* `entrylab trace linux BENCH`: the trace of a Linux reference row.  The
 * row's kernel, initramfs and CPU model (as the matrix boots them) in a
 * trace boot (linuxref/lr_trace.c); the result is a trace_run like one of
 * our kernels', whose image is the user program /init plus the kernel's
 * symbols from /proc/kallsyms and its instructions from QEMU's log. */
#include "cmd/trace_cmd.h"
#include "core/exitcodes.h"
#include "core/util.h"
#include "linuxref/linuxref.h"
#include "variants/variants.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define LR_TRACE_TIMEOUT_MIN_MS 120000   /* a Linux boot under icount, log on, on a loaded host */

bool tr_is_linux(const char *sel)
{
	return el_variant_reference_row(sel) && strcmp(sel, "host");
}

/* The QEMU model of the row: ".model" in its name (any case), else
 * --linux-cpu, else the one standing for this host.  0, or -1 after a
 * line. */
static int row_model(const struct trace_opts *o, const char *sel, char *model, size_t n)
{
	const char *at = !strncmp(sel, "linux-nomit.", 12) ? sel + 12 :
			 !strncmp(sel, "linux.", 6) ? sel + 6 : NULL;
	const char *want = at ? at : o->linux_cpu;
	struct el_buf offered = { 0 };
	char err[LR_MODELS_ERR], conf[4096], why[512];
	int have = lr_cpu_models(o->qemu, &offered, err, sizeof(err)) == 0;

	if (want) {
		int found = 0;
		for (const char *p = offered.data; have && p && *p && !found;) {
			size_t len = strcspn(p, "\n");
			if (len == strlen(want) && !strncasecmp(p, want, len)) {
				el_fmt(model, n, "%.*s", (int)len, p);
				found = 1;
			}
			p += len + (p[len] == '\n');
		}
		if (!found) {
			if (have)
				lr_cpu_check(&offered, want, err, sizeof(err));
			fprintf(stderr, "entrylab: %s\n", err);
			el_buf_free(&offered);
			return -1;
		}
	} else {
		struct lr_host_cpu c;
		el_fmt(conf, sizeof(conf), "%s/linux-cpus.conf", o->variants_dir);
		lr_host_cpu(&c);
		lr_cpu_match(conf, &c, have ? &offered : NULL, model, n, why, sizeof(why));
	}
	el_buf_free(&offered);
	return 0;
}

int tr_trace_linux(const struct trace_opts *o, const char *sel, const char *bench,
		   struct trace_run *r)
{
	const struct lr_row *kind = &lr_rows[!strncmp(sel, "linux-nomit", 11) ? 1 : 0];
	const struct el_sym *b, *e;
	struct lr_kernel k;
	struct el_qemu_result q;
	struct el_buf con = { 0 };
	char err[LR_PATH * 2], model[64], words[1024], logpath[4096];
	int rc;

	r->linux_row = true;
	if (row_model(o, sel, model, sizeof(model)))
		return EL_EX_USAGE;
	if (lr_prepare(".", o->linux_kernel, &k, err, sizeof(err)) < 0) {
		el_err("%s", err);
		return EL_EX_USAGE;
	}
	el_strlcpy(r->k.short_name, sel, sizeof(r->k.short_name));
	el_fmt(r->k.canonical, sizeof(r->k.canonical), "linux-debian-%s%s%s,cpu=%s", k.release,
	       kind->cmdline[0] ? "," : "", kind->cmdline, model);
	el_strlcpy(r->k.path, k.image, sizeof(r->k.path));
	if (el_image_linux(&r->im, LR_INIT, err, sizeof(err))) {
		el_err("%s", err);
		return EL_EX_USAGE;
	}
	b = el_sym_find(&r->im, "el_trace_begin");
	e = el_sym_find(&r->im, "el_trace_end");
	if (!b || !e) {
		el_err("no el_trace_begin/el_trace_end markers in %s: rebuild it with 'make'", LR_INIT);
		return EL_EX_USAGE;
	}
	if (tr_log_open(r, b->addr, e->addr, logpath, sizeof(logpath)))
		return EL_EX_USAGE;
	lr_row_append(kind, sel, words, sizeof(words));
	struct lr_trace_req req = {
		.qemu = o->qemu, .image = k.image, .initrd = k.initrd, .cpu = model,
		.short_name = sel, .row_words = words, .append = o->append, .bench = bench,
		.logpath = logpath, .sandbox = 1,
		.timeout_ms = o->timeout_ms > LR_TRACE_TIMEOUT_MIN_MS ? o->timeout_ms :
			      LR_TRACE_TIMEOUT_MIN_MS,
	};
	/* a benchmark Linux does not run (@N) never pauses: the verdict says so */
	if (lr_trace_boot(&req, &con, &q, err, sizeof(err)) < 0 && q.end != EL_QEMU_NOT_FOUND &&
	    !(con.data && strstr(con.data, "@N bench="))) {
		el_err("%s: trace of %s %s", err, sel, bench);
		rc = EL_EX_FAIL;
	} else {
		rc = tr_boot_verdict(o, r, bench, &q, con.data ? con.data : "");
	}
	if (rc == EL_EX_OK)
		rc = tr_read_log(r, bench, logpath);
	if (rc == EL_EX_OK)
		lr_trace_kernel(&r->im, con.data, logpath, r->nosyms, sizeof(r->nosyms));
	unlink(logpath);
	el_qemu_result_free(&q);
	el_buf_free(&con);
	if (rc != EL_EX_OK)
		return rc;
	r->matrix = (long long)r->log.n[0] - (long long)r->log.n[1];
	if (el_trace_find_path(&r->im, r->log.pc[0], r->log.n[0], &r->path, err, sizeof(err))) {
		el_err("%s: %s %s: the loop window does not hold one call", err, sel, bench);
		return EL_EX_FAIL;
	}
	return EL_EX_OK;
}
