/*
 * linuxref, host side of a kvm matrix: the getpid loop of bench/loops.S run
 * natively (the same build/linuxref/init program, which runs in host mode
 * when it is not pid 1), pinned to the measurement PU of pin.h, next to
 * `perf bench syscall basic` on the same PU; and the meta.json entries of
 * the Linux rows.  See linuxref.h.
 */
#include "linuxref/linuxref.h"
#include "core/exitcodes.h"
#include "host/pin.h"
#include "boot/qemu.h"
#include "boot/records.h"
#include "stats/stats.h"
#include "core/json.h"
#include "core/csv.h"
#include "core/util.h"

#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <x86intrin.h>

#include <jansson.h>

#define HOST_BUDGET     "2000000"      /* TSC ticks per sample: about 1 ms */
#define HOST_TIMEOUT_MS 120000
#define PERF_LOOPS      "1000000"
#define PERF_RUNS       5              /* the fastest counts: see perf_bench */
#define TSC_CAL_NS      200000000L

/* ------------------------------------------------------------ perf bench */

/* The number after the last space before suffix on the line holding
 * suffix, or NaN. */
static double number_before(const char *text, const char *suffix)
{
	const char *at = strstr(text, suffix), *p;
	char *end;

	if (!at)
		return NAN;
	for (p = at; p > text && p[-1] == ' '; p--)
		;
	while (p > text && p[-1] != ' ' && p[-1] != '\n')
		p--;
	double v = strtod(p, &end);
	return end == p ? NAN : v;
}

int lr_perf_parse(const char *text, struct lr_perf *p)
{
	const char *ex = strstr(text, "# Executed ");
	unsigned long long calls;
	char name[32];

	memset(p, 0, sizeof(*p));
	p->usecs_per_op = number_before(text, " usecs/op");
	p->ops_per_sec = number_before(text, " ops/sec");
	if (ex && sscanf(ex, "# Executed %llu %31[a-z_0-9]() calls", &calls, name) == 2) {
		p->calls = calls;
		el_strlcpy(p->syscall, name, sizeof(p->syscall));
	}
	if (!(p->ops_per_sec > 0) || !isfinite(p->ops_per_sec)) {
		p->ns_per_call = NAN;
		return -1;
	}
	p->ns_per_call = 1e9 / p->ops_per_sec;
	return 0;
}

/* ------------------------------------------------------------ children */

static void to_buf(void *ctx, const char *data, size_t len)
{
	el_buf_append(ctx, data, len);
}

/* Run argv (on PATH) under the runner of qemu.h: time limit, output cap,
 * killed on SIGINT.  0 when it exited 0; else -1 with why. */
static int run_tool(char *const argv[], struct el_buf *out, int64_t *wall_ms, char *why, size_t n)
{
	struct el_qemu_limits lim = { HOST_TIMEOUT_MS, 16u << 20 };
	struct el_qemu_result r;
	char st[64];
	int rc;

	el_qemu_run(argv, &lim, to_buf, out, &r);
	rc = r.end == EL_QEMU_EXITED && r.code == 0 ? 0 : -1;
	if (rc)
		el_fmt(why, n, "%s ended %s%s%.*s", argv[0], el_qemu_status_text(&r, st, sizeof(st)),
		       r.err.len ? ": " : "", (int)strcspn(r.err.data ? r.err.data : "", "\n"),
		       r.err.data ? r.err.data : "");
	if (wall_ms)
		*wall_ms = r.wall_ms;
	el_qemu_result_free(&r);
	return rc;
}

static double tsc_hz(void)
{
	struct timespec a, b, nap = { 0, TSC_CAL_NS };
	unsigned aux;

	clock_gettime(CLOCK_MONOTONIC_RAW, &a);
	uint64_t t0 = __rdtscp(&aux);
	nanosleep(&nap, NULL);
	uint64_t t1 = __rdtscp(&aux);
	clock_gettime(CLOCK_MONOTONIC_RAW, &b);
	double ns = (double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec);
	return ns > 0 ? (double)(t1 - t0) * 1e9 / ns : NAN;
}

/* ------------------------------------------------------------ row files */

static void result_file(struct el_buf *b, const struct el_stream *s, const struct lr_host *h,
			const char *mode, const char *cmdline)
{
	const struct el_header *hd = &s->header;

	el_buf_printf(b, "status=pass\nexit=0\nerror=\nvariant=%s\nshort=host\nbuild=%s\ncpu=%s\n"
		      "hv=%s\nmode=%s\nunit=%s\nrecords=%llu\ntap_planned=0\ntap_pass=0\n"
		      "tap_fail=0\ntap_skip=0\nunavailable=\nwhere=host-native,cpu%d\nwall_ms=%lld\n"
		      "image=%s\ncmdline=%s\n", hd->variant, hd->build, hd->cpu, hd->hv, mode,
		      hd->unit, (unsigned long long)s->nrecords, h->cpu, (long long)h->wall_ms,
		      h->program, cmdline);
}

static void samples_file(struct el_buf *b, const struct el_bench *bn, const char *variant,
			 const char *unit)
{
	struct el_csv c = { b, 0 };

	el_csv_header(&c, "variant,short,bench,sample,iters,ticks,empty,per_call,unit");
	for (size_t k = 0; k < bn->nsample; k++) {
		const struct el_sample *d = &bn->sample[k];
		el_sample_csv_fields(&c, variant, "host", bn->name, d, unit);
		el_csv_end(&c);
	}
}

static int write_row(const char *dir, const char *ext, const struct el_buf *b, char *err, size_t n)
{
	char path[LR_PATH + 32];

	el_fmt(path, sizeof(path), "%s/host.%s", dir, ext);
	if (el_write_atomic(path, b->data ? b->data : "", b->len) == 0)
		return 0;
	el_fmt(err, n, "cannot write %s: %s: check the output directory", path, strerror(errno));
	return -1;
}

/* ------------------------------------------------------------ the host row */

static int native_loop(const char *program, uint64_t samples, const char *mode, struct lr_host *h,
		       struct el_buf *console, struct el_stream *s, char *cmdline, size_t cn,
		       char *err, size_t n)
{
	char sm[32], md[80], why[512];
	char *argv[] = { (char *)program, "el.bench=getpid", sm, "el.budget=" HOST_BUDGET, md,
			 "el.short=host", NULL };
	const struct el_bench *b;

	el_fmt(sm, sizeof(sm), "el.samples=%llu", (unsigned long long)samples);
	el_fmt(md, sizeof(md), "el.mode=%s", mode);
	el_fmt(cmdline, cn, "%s %s el.budget=%s %s el.short=host", argv[1], sm, HOST_BUDGET, md);
	if (run_tool(argv, console, &h->wall_ms, why, sizeof(why)) < 0) {
		el_fmt(err, n, "the native loop failed: %s: run 'make' (builds %s)", why, LR_INIT);
		return -1;
	}
	el_stream_feed(s, console->data ? console->data : "", console->len);
	if (el_stream_finish(s) < 0 || !(b = el_stream_bench(s, "getpid")) || !b->nsample) {
		el_fmt(err, n, "the native loop's records are unusable: %s: %s",
		       el_stream_error(s) ? el_stream_error(s) : "no getpid samples", program);
		return -1;
	}
	double *x = el_xrealloc(NULL, b->nsample * sizeof(*x));
	struct el_summary sum;
	for (size_t i = 0; i < b->nsample; i++)
		x[i] = b->sample[i].per_call;
	int rc = el_stats_summarize(x, b->nsample, 0, el_stats_seed("host", "getpid"), &sum);
	free(x);
	if (rc < 0) {
		el_fmt(err, n, "statistics of the native loop failed: %s", strerror(errno));
		return -1;
	}
	h->samples = b->nsample;
	h->iters = b->iters;
	h->ticks_per_call = sum.median;
	h->ticks_min = sum.min;
	h->ticks_max = sum.max;
	return 0;
}

/* perf times the whole loop with the wall clock, so time the loop spends
 * preempted or in interrupts counts; the fastest of PERF_RUNS runs is the
 * figure compared with the loop's median sample (the median of the runs
 * is kept too). */
static void perf_bench(struct lr_host *h)
{
	char *argv[] = { "perf", "bench", "syscall", "basic", "--loop", PERF_LOOPS, NULL };
	double ns[PERF_RUNS];
	struct lr_perf p;

	el_fmt(h->perf_cmd, sizeof(h->perf_cmd), "perf bench syscall basic --loop %s "
	       "(fastest of %d runs)", PERF_LOOPS, PERF_RUNS);
	for (int i = 0; i < PERF_RUNS; i++) {
		struct el_buf out = { 0 };
		int rc = run_tool(argv, &out, NULL, h->perf_error, sizeof(h->perf_error));
		if (rc < 0)
			el_strlcpy(h->perf_error + strlen(h->perf_error), ": install linux-perf",
				   sizeof(h->perf_error) - strlen(h->perf_error));
		else if (lr_perf_parse(out.data ? out.data : "", &p) < 0)
			el_fmt(h->perf_error, sizeof(h->perf_error), "no ops/sec line in the "
			       "output of %s", h->perf_cmd);
		el_buf_free(&out);
		if (h->perf_error[0])
			return;
		ns[i] = p.ns_per_call;
		if (i == 0 || p.ns_per_call < h->perf.ns_per_call)
			h->perf = p;
	}
	struct el_summary s;
	h->perf_runs = PERF_RUNS;
	h->perf_ns_median = el_stats_summarize(ns, PERF_RUNS, 0, el_stats_seed("host", "perf"),
					       &s) == 0 ? s.median : NAN;
	h->perf_ok = 1;
}

int lr_host_row(const char *program, int cpu, uint64_t samples, const char *mode,
		const char *out_dir, struct lr_host *h, char *err, size_t n)
{
	struct pin_plan plan;
	cpu_set_t old;
	struct el_buf console = { 0 }, res = { 0 }, csv = { 0 };
	struct el_stream s;
	char cmdline[256];
	int rc;

	memset(h, 0, sizeof(*h));
	el_strlcpy(h->program, program, sizeof(h->program));
	if (pin_choose(&plan, cpu, err, n))
		return -1;
	h->cpu = plan.cpu;
	/* The children inherit this thread's binding; it is restored after. */
	if (sched_getaffinity(0, sizeof(old), &old) < 0 ||
	    pin_thread(plan.topo, getpid(), plan.vcpu_set, err, n)) {
		pin_free(&plan);
		return -1;
	}
	el_stream_init(&s);
	h->tsc_hz = tsc_hz();
	rc = native_loop(program, samples, mode, h, &console, &s, cmdline, sizeof(cmdline), err, n);
	if (rc == 0)
		perf_bench(h);
	sched_setaffinity(0, sizeof(old), &old);
	pin_free(&plan);
	h->ns_per_call = h->ticks_per_call * 1e9 / h->tsc_hz;
	h->ratio = h->perf_ok ? h->ns_per_call / h->perf.ns_per_call : NAN;
	if (rc == 0 && out_dir) {
		result_file(&res, &s, h, mode, cmdline);
		samples_file(&csv, el_stream_bench(&s, "getpid"), s.header.variant, s.header.unit);
		rc = write_row(out_dir, "console", &console, err, n) ||
		     write_row(out_dir, "samples.csv", &csv, err, n) ||
		     write_row(out_dir, "result", &res, err, n) ? -1 : 0;
	}
	el_stream_free(&s);
	el_buf_free(&console);
	el_buf_free(&res);
	el_buf_free(&csv);
	return rc;
}

/* ------------------------------------------------------------ meta.json */

static json_t *host_json(const struct lr_host *h)
{
	json_t *perf = h->perf_ok ?
		json_pack("{s:s, s:s, s:I, s:o, s:o, s:o}", "command", h->perf_cmd,
			  "syscall", h->perf.syscall, "calls", (json_int_t)h->perf.calls,
			  "usecs_per_op", el_json_num(h->perf.usecs_per_op),
			  "ops_per_sec", el_json_num(h->perf.ops_per_sec),
			  "ns_per_call", el_json_num(h->perf.ns_per_call)) :
		json_pack("{s:s, s:s}", "command", h->perf_cmd, "error", h->perf_error);

	return json_pack("{s:s, s:i, s:s, s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:i, s:o, s:o, s:o}",
			 "program", h->program, "cpu", h->cpu, "bench", "getpid",
			 "samples", (json_int_t)h->samples, "iters", (json_int_t)h->iters,
			 "tsc_ticks_per_call_median", el_json_num(h->ticks_per_call),
			 "tsc_ticks_per_call_min", el_json_num(h->ticks_min),
			 "tsc_hz", el_json_num(h->tsc_hz),
			 "ns_per_call", el_json_num(h->ns_per_call),
			 "perf_bench", perf, "perf_runs", h->perf_runs,
			 "perf_ns_per_call_median_of_runs", el_json_num(h->perf_ns_median),
			 "ratio_loop_to_perf", el_json_num(h->ratio),
			 "note", json_string("perf times getppid() with the wall clock around "
					     PERF_LOOPS " calls (the fastest run is kept); the loop "
					     "times getpid() with the TSC, subtracts its empty twin "
					     "and keeps the median sample"));
}

/* extra: the caller's object (stolen) whose members join the kernel's
 * (rows, host_cpu), NULL for none. */
static json_t *kernel_json(const struct lr_kernel *k, json_t *extra)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:s}", "kernel", k->bzimage,
			      "release", k->release, "image", k->image, "initrd", k->initrd,
			      "build_id", k->build_id, "unpacked_now", k->unpacked, "qemu_extra",
			      "-initrd <initrd> -M rtc=on -m " LR_MEMORY " [-cpu MODEL]");

	if (extra)
		json_object_update(o, extra);
	json_decref(extra);
	return o;
}

int lr_meta_add(const char *dir, const struct lr_kernel *k, json_t *extra, const char *skipped,
		const struct lr_host *host, const char *host_skipped, char *err, size_t n)
{
	char path[LR_PATH + 16];
	json_error_t je;
	json_t *meta, *lr;
	int rc = -1;

	el_fmt(path, sizeof(path), "%s/meta.json", dir);
	if (!(meta = json_load_file(path, 0, &je))) {
		el_fmt(err, n, "cannot read %s: %s: the Linux rows are missing from it", path, je.text);
		json_decref(extra);
		return -1;
	}
	if (k || skipped) {
		lr = k ? kernel_json(k, extra) : json_object();
		extra = NULL;
		json_object_set_new(lr, "skipped", skipped ? json_string(skipped) : json_null());
		json_object_set_new(meta, "linuxref", lr);
	}
	json_decref(extra);
	if (host)
		json_object_set_new(meta, "host_row", host_json(host));
	else if (host_skipped)
		json_object_set_new(meta, "host_row", json_pack("{s:s}", "skipped", host_skipped));
	if (el_json_write(path, meta, 2, 0) == 0)
		rc = 0;
	else
		el_fmt(err, n, "cannot write %s: %s: the Linux rows are missing from it", path,
		       strerror(errno));
	json_decref(meta);
	return rc;
}
