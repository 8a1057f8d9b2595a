/* The `run` command: options, the boot, the result files and the printed
 * summary; how a boot ended is decided in run_verdict.c.  See run.h. */
#include "cmd/run.h"
#include "core/exitcodes.h"
#include "linuxref/linuxref.h"
#include "host/kvmrun.h"
#include "stats/stats.h"
#include "core/opts.h"
#include "core/csv.h"
#include "core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_TIMEOUT_MS  60000
#define DEFAULT_MAX_OUTPUT  (16u << 20)

struct run_opts {
	const char *image, *name, *out, *qemu;
	const char *bench, *run, *events, *append;
	const char *initrd;     /* --initrd: boot a Linux kernel with it (linuxref.h) */
	const char *cpu_model;  /* --cpu-model: QEMU's -cpu under tcg-icount (default max) */
	const char *linux_cpu;  /* --linux-cpu: its QEMU CPU model (NULL: the runner's) */
	const char *linux_trace;  /* --linux-trace BENCH: one traced call after the benchmarks */
	uint64_t samples;
	bool samples_set;
	enum el_mode mode;
	int64_t timeout_ms;
	size_t max_output;
	int cpu;                          /* --cpu N, -1: default */
	bool pin, perf;                   /* --pin, --perf (kvmrun.h) */
	char events_hex[KVM_EVENTS_HEX];  /* --events, encoded */
};

/* ------------------------------------------------------------ options */

static bool only_chars(const char *s, const char *allowed)
{
	return *s && strspn(s, allowed) == strlen(s);
}

#define LOWER "abcdefghijklmnopqrstuvwxyz0123456789"

static bool list_of(const char *list, const char *const *words)
{
	char *copy = el_xstrdup(list), *save = NULL, *tok;
	bool ok = list[0] && list[strlen(list) - 1] != ',' && !strstr(list, ",,");

	for (tok = strtok_r(copy, ",", &save); tok && ok; tok = strtok_r(NULL, ",", &save)) {
		ok = false;
		for (const char *const *w = words; *w; w++)
			ok = ok || !strcmp(tok, *w);
	}
	free(copy);
	return ok;
}

/* 1 if the comma list holds word. */
static bool has_word(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; (p = strstr(p, word)); p += n)
		if ((p == list || p[-1] == ',') && (p[n] == ',' || !p[n]))
			return true;
	return false;
}

static int parse_timeout(const char *s, int64_t *ms)
{
	char *end;
	double sec;

	errno = 0;
	sec = strtod(s, &end);
	if (errno || end == s || *end || !(sec > 0) || sec > 86400 || s[0] == ' ')
		return -1;
	*ms = (int64_t)(sec * 1000.0 + 0.5);
	if (*ms < 1)
		*ms = 1;
	return 0;
}

static int bad(const char *opt, const char *val, const char *todo)
{
	el_err("bad value '%s' for %s: entrylab run: %s", val, opt, todo);
	return -1;
}

static int check_opt(int c, const char *arg, struct run_opts *o)
{
	static const char *const runs[] = { "conform", "bench", "probe", NULL };
	uint64_t v;

	switch (c) {
	case 'i': o->image = arg; return 0;
	case 'I': o->initrd = arg; return 0;
	case 'T':
		o->linux_trace = arg;
		return only_chars(arg, LOWER "_") ? 0 : bad("--linux-trace", arg, "give one benchmark");
	case 'K':
		o->linux_cpu = arg;
		return only_chars(arg, LOWER "ABCDEFGHIJKLMNOPQRSTUVWXYZ_-.") ? 0 :
			bad("--linux-cpu", arg, "give a model from 'qemu-system-x86_64 -cpu help'");
	case 'o': o->out = arg; return 0;
	case 'q': o->qemu = arg; return 0;
	case 'n':
		o->name = arg;
		return only_chars(arg, LOWER "_-@.") && strlen(arg) < 64 ? 0 :
			bad("--name", arg, "use a short variant name such as pcsa (see 'entrylab list')");
	case 'm':
		if (!strcmp(arg, "tcg"))
			arg = "tcg-icount";
		return el_mode_parse(arg, &o->mode) ? bad("--accel", arg, "use tcg (tcg-icount) or kvm") : 0;
	case 't':
		return parse_timeout(arg, &o->timeout_ms) ?
			bad("--timeout", arg, "give seconds, more than 0 and at most 86400") : 0;
	case 'b':
		o->bench = arg;
		return only_chars(arg, LOWER "_,") ? 0 :
			bad("--bench", arg, "give benchmark names separated by commas");
	case 's':
		o->samples_set = true;
		return el_parse_u64(arg, &o->samples) || o->samples == 0 || o->samples > 1000000 ?
			bad("--samples", arg, "give a whole number from 1 to 1000000") : 0;
	case 'r':
		o->run = arg;
		return list_of(arg, runs) ? 0 : bad("--run", arg, "use conform, bench or probe, comma separated");
	case 'e':
		o->events = arg;
		return 0;
	case 'c':
		return el_parse_u64(arg, &v) || v > 65535 ?
			bad("--cpu", arg, "give a cpu number (see 'entrylab hostinfo')") :
			(o->cpu = (int)v, 0);
	case 'C': o->cpu_model = arg; return 0;
	case 'P': o->pin = true; return 0;
	case 'f': o->perf = true; return 0;
	case 'a':
		o->append = arg;
		for (const char *p = arg; *p; p++)
			if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
				return bad("--append", "...", "use printable ASCII only");
		return 0;
	case 'M':
		return el_parse_u64(arg, &v) || v < 4096 || v > (1ull << 32) ?
			bad("--max-output", arg, "give bytes from 4096 to 4294967296") :
			(o->max_output = (size_t)v, 0);
	}
	return -1;
}

static const struct el_opt run_options[] = {
	{ "image", 'i', "PATH", "the kernel image (build/kernels/<short>.elf)", "@file" },
	{ "name", 'n', "SHORT", "its short name (the raw files' names)" },
	{ "out", 'o', "DIR", "where SHORT.{console,samples.csv,tap,result} go", "@dir" },
	{ "accel", 'm', "ACCEL", "tcg (the same as tcg-icount: exact instruction counts; the\n"
	  "default) or kvm (no probe: see matrix --accel)", "tcg tcg-icount kvm" },
	{ "mode", 'm', "ACCEL", NULL, "tcg tcg-icount kvm", EL_OPT_ALIAS },
	{ "timeout", 't', "SEC", "time limit of the boot (default 60, times samples/1000\n"
	  "above 1000 samples)" },
	{ "bench", 'b', "LIST", "benchmarks, comma separated (default all)", "@benches" },
	{ "samples", 's', "N", "samples per benchmark (default the guest's, 10)" },
	{ "run", 'r', "LIST", "what the guest runs: conform, bench, probe (comma separated;\n"
	  "default conform,bench)", "conform bench probe" },
	{ "events", 'e', "LIST", "kvm: PMU events by name or raw hex, counted by the guest" },
	{ "cpu", 'c', "N", "the cpu that runs the vCPU thread (default: pin.h's choice)" },
	{ "pin", 'P', NULL, "bind QEMU's threads under tcg-icount too (always under kvm)" },
	{ "perf", 'f', NULL, "perf stat cross-check of the vCPU thread" },
	{ "append", 'a', "ARGS", "more guest arguments (printable ASCII)" },
	{ "qemu", 'q', "PATH", "the QEMU binary (default qemu-system-x86_64 on PATH)", "@file" },
	{ "initrd", 'I', "PATH", "an initramfs (the Linux rows)", "@file" },
	{ "linux-cpu", 'K', "MODEL", "with --initrd: the Linux guest's QEMU CPU model (default: the\n"
	  "runner's, max under tcg, host under kvm)" },
	{ "linux-trace", 'T', "BENCH", "with --initrd, under tcg-icount: one traced call of BENCH\n"
	  "after the benchmarks, by role and symbol into OUT/SHORT.breakdown.csv", "@benches" },
	{ "max-output", 'M', "BYTES", "cap on the guest's console output (default 16 MiB)" },
	{ "cpu-model", 'C', "MODEL", "the guest's CPU model under tcg-icount (QEMU -cpu, default\n"
	  "max; 'qemu-system-x86_64 -cpu help' lists them; kvm keeps host)" },
	{ 0 }
};

const struct el_optcmd run_optcmd = {
	"run", "--image PATH --name SHORT --out DIR [OPTIONS]",
	"Boot one variant kernel once, check and store its records, print a\n"
	"per-benchmark summary.",
	run_options,
	"exit status: 0 pass, 1 a check failed, 2 usage or environment, 4 hang,\n"
	"5 crash, 6 malformed record stream, 130 interrupted",
	NULL,
};

static int opt_cb(void *ctx, int key, const char *arg)
{
	return check_opt(key, arg, ctx);
}

/* 0 to go on, 1 after the help, -1 after a usage error. */
static int parse_opts(int argc, char **argv, struct run_opts *o)
{
	int rc;

	memset(o, 0, sizeof(*o));
	o->cpu = -1;
	o->max_output = DEFAULT_MAX_OUTPUT;
	rc = el_opts_parse(&run_optcmd, argc, argv, opt_cb, o, NULL);
	if (rc != EL_OPTS_GO)
		return rc == EL_OPTS_HELP ? 1 : -1;
	if (!o->timeout_ms) {   /* no --timeout: the default, scaled with the samples asked */
		double scale = el_timeout_scale(o->samples_set ? o->samples : EL_DEFAULT_SAMPLES);
		o->timeout_ms = (int64_t)(DEFAULT_TIMEOUT_MS * scale);
	}
	if (!o->image || !o->name || !o->out) {
		el_err("missing %s: entrylab run: give --image PATH --name SHORT --out DIR",
		       !o->image ? "--image" : !o->name ? "--name" : "--out");
		return -1;
	}
	if (o->events && o->mode != EL_MODE_KVM) {
		el_err("--events needs --accel kvm: entrylab run: tcg-icount has no PMU; drop --events");
		return -1;
	}
	if (o->events) {   /* raw hex encodings, or names for libpfm4 */
		char err[1024];
		if (kvm_events_arg(o->events, o->events_hex, sizeof(o->events_hex), err, sizeof(err))) {
			el_err("%s", err);
			return -1;
		}
	}
	return 0;
}

/* ------------------------------------------------------------ environment */

static int check_image(const char *path)
{
	unsigned char magic[4];
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0) {
		el_err("cannot read kernel image: %s: %s: run 'make' or fix --image",
		       path, strerror(errno));
		return -1;
	}
	n = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? read(fd, magic, 4) : -1;
	close(fd);
	if (n != 4 || memcmp(magic, "\177ELF", 4)) {
		el_err("kernel image is not an ELF file: %s: run 'make' or fix --image", path);
		return -1;
	}
	return 0;
}

static void build_cmdline(const struct run_opts *o, struct el_buf *b)
{
	el_buf_printf(b, "el.mode=%s", el_mode_name(o->mode));
	if (o->run)
		el_buf_printf(b, " el.run=%s", o->run);
	if (o->bench)
		el_buf_printf(b, " el.bench=%s", o->bench);
	if (o->samples_set)
		el_buf_printf(b, " el.samples=%llu", (unsigned long long)o->samples);
	if (o->events)
		el_buf_printf(b, " el.events=%s", o->events_hex);
	if (o->linux_trace)
		el_buf_printf(b, " el.trace=%s", o->linux_trace);
	if (o->append && o->append[0])
		el_buf_printf(b, " %s", o->append);
}

/* ------------------------------------------------------------ result files */

static const char *unit_of(const struct el_stream *s, enum el_mode mode)
{
	return s->header_seen ? s->header.unit : el_mode_unit(mode);
}

/* The PMU columns pmu0.., epmu0.. (counter deltas over the loop and over
 * its empty twin; empty cells where a sample has none) follow unit, one
 * pair per event announced by @B; none when no benchmark counted events. */
static void samples_csv(struct el_buf *b, const struct el_stream *s, const char *name,
			enum el_mode mode)
{
	unsigned npmu = 0;

	for (size_t i = 0; i < s->nbench; i++)
		if (s->bench[i].events > npmu)
			npmu = (unsigned)s->bench[i].events;
	struct el_csv c = { b, 0 };
	struct el_buf names = { 0 };

	el_buf_puts(&names, "variant,short,bench,sample,iters,ticks,empty,per_call,unit");
	for (unsigned e = 0; e < 2 * npmu; e++)
		el_buf_printf(&names, ",%spmu%u", e < npmu ? "" : "e", e % npmu);
	el_csv_header(&c, names.data);
	el_buf_free(&names);
	for (size_t i = 0; i < s->nbench; i++) {
		const struct el_bench *bn = &s->bench[i];
		for (size_t k = 0; k < bn->nsample; k++) {
			const struct el_sample *d = &bn->sample[k];
			el_sample_csv_fields(&c, s->header.variant, name, bn->name, d,
					     unit_of(s, mode));
			for (unsigned e = 0; e < 2 * npmu; e++) {
				unsigned k = e % npmu, mask = e < npmu ? d->pmu_mask : d->epmu_mask;
				if (mask & (1u << k))
					el_csv_printf(&c, "%llu", (unsigned long long)
						      (e < npmu ? d->pmu[k] : d->epmu[k]));
				else
					el_csv_empty(&c);
			}
			el_csv_end(&c);
		}
	}
}

/* The outlier rule of stats.h on one benchmark of this boot: keep[i] = 0
 * for a rejected sample.  Under unit=instructions every sample is kept (the
 * parser already refused impossible ones).  Returns the number rejected. */
static size_t reject_outliers(const struct el_stream *s, enum el_mode mode,
			      const struct el_bench *b, unsigned char *keep)
{
	double *v;
	long n;

	memset(keep, 1, b->nsample);
	if (!b->nsample || strcmp(unit_of(s, mode), "tsc"))
		return 0;
	v = el_xrealloc(NULL, b->nsample * sizeof(*v));
	for (size_t i = 0; i < b->nsample; i++)
		v[i] = b->sample[i].per_call;
	n = el_stats_reject(v, b->nsample, keep);
	free(v);
	if (n < 0) {   /* no memory: keep everything rather than lose samples */
		memset(keep, 1, b->nsample);
		return 0;
	}
	return (size_t)n;
}

static bool asked_events(const struct el_stream *s)
{
	for (size_t i = 0; i < s->nbench; i++)
		if (s->bench[i].events)
			return true;
	return false;
}

static void result_kv(struct el_buf *b, const char *key, const char *val)
{
	el_buf_printf(b, "%s=", key);
	for (; *val; val++)
		el_buf_append(b, (unsigned char)*val < 0x20 ? "?" : val, 1);
	el_buf_puts(b, "\n");
}

static void result_text(struct el_buf *b, const struct run_opts *o, const struct el_stream *s,
			const struct el_qemu_result *q, const struct el_run_verdict *v,
			const char *cmdline, bool sandbox)
{
	const struct el_header *h = &s->header;
	char qs[64];

	el_buf_printf(b, "status=%s\nexit=%d\n", v->status, v->exit);
	result_kv(b, "error", v->error);
	result_kv(b, "variant", h->variant);
	result_kv(b, "short", o->name);
	result_kv(b, "build", h->build);
	result_kv(b, "cpu", h->cpu);
	result_kv(b, "hv", h->hv);
	result_kv(b, "cpu_model", o->cpu_model ? o->cpu_model : o->mode == EL_MODE_KVM ? "host" : "max");
	if (s->mitig.seen) {   /* @M: what the guest saw and chose */
		const struct el_mitig *m = &s->mitig;
		el_buf_printf(b, "cpuid_pcid=%llu\ncpuid_invpcid=%llu\ncpuid_spec_ctrl=%llu\n"
			      "cpuid_stibp=%llu\ncpuid_md_clear=%llu\ncpuid_arch_capabilities=%llu\n"
			      "arch_cap_msr=%llx\nbug_meltdown=%llu\nbug_mds=%llu\nbug_retbleed=%llu\n",
			      (unsigned long long)m->pcid, (unsigned long long)m->invpcid,
			      (unsigned long long)m->spec_ctrl, (unsigned long long)m->stibp,
			      (unsigned long long)m->md_clear, (unsigned long long)m->arch_capabilities,
			      (unsigned long long)m->arch_cap_msr, (unsigned long long)m->meltdown,
			      (unsigned long long)m->mds, (unsigned long long)m->retbleed);
		result_kv(b, "mitig_pti", m->pti);
		result_kv(b, "mitig_spectre_v2", m->spectre_v2);
		result_kv(b, "mitig_live", m->live);
	}
	result_kv(b, "mode", el_mode_name(o->mode));
	result_kv(b, "unit", unit_of(s, o->mode));
	el_buf_printf(b, "records=%llu\ntap_planned=%llu\ntap_pass=%llu\ntap_fail=%llu\ntap_skip=%llu\n",
		      (unsigned long long)s->nrecords, (unsigned long long)s->tap_planned,
		      (unsigned long long)s->tap_pass, (unsigned long long)s->tap_fail,
		      (unsigned long long)s->tap_skip);
	el_buf_puts(b, "unavailable=");
	for (size_t i = 0; i < s->nunavail; i++)
		el_buf_printf(b, "%s%s:%s", i ? "," : "", s->unavail[i].name, s->unavail[i].reason);
	el_buf_puts(b, "\n");
	if (!strcmp(unit_of(s, o->mode), "tsc")) {   /* bench:rejected per benchmark */
		el_buf_puts(b, "rejected=");
		for (size_t i = 0; i < s->nbench; i++) {
			unsigned char *keep = el_xrealloc(NULL, s->bench[i].nsample + 1);
			el_buf_printf(b, "%s%s:%zu", i ? "," : "", s->bench[i].name,
				      reject_outliers(s, o->mode, &s->bench[i], keep));
			free(keep);
		}
		el_buf_puts(b, "\n");
	}
	if (asked_events(s)) {   /* bench/pmuN:reason for counters that do not count */
		el_buf_puts(b, "pmu_unavailable=");
		for (size_t i = 0, n = 0; i < s->nbench; i++)
			for (unsigned e = 0; e < EL_REC_PMU; e++)
				if (s->bench[i].pmu_zero & (1u << e))
					el_buf_printf(b, "%s%s/pmu%u:" EL_REC_PMU_ZERO_REASON,
						      n++ ? "," : "", s->bench[i].name, e);
		el_buf_puts(b, "\n");
	}
	if (s->probe.seen) {
		el_buf_printf(b, "probe_ok=%d\nprobe_cpl_at_entry=%llu\n", s->probe.ok,
			      (unsigned long long)s->probe.cpl_at_entry);
		result_kv(b, "probe_reason", s->probe.reason);
	}
	result_kv(b, "qemu_status", el_qemu_status_text(q, qs, sizeof(qs)));
	el_buf_printf(b, "wall_ms=%lld\n", (long long)q->wall_ms);
	el_buf_printf(b, "sandbox=%s\n", sandbox ? "on" : "off");
	result_kv(b, "image", o->image);
	result_kv(b, "cmdline", cmdline);
}

static int write_one(const struct run_opts *o, const char *ext, const struct el_buf *b)
{
	char path[4096];

	el_fmt(path, sizeof(path), "%s/%s.%s", o->out, o->name, ext);
	if (el_write_atomic(path, b->data ? b->data : "", b->len) == 0)
		return 0;
	el_err("cannot write %s: %s: check --out", path, strerror(errno));
	return -1;
}

static int write_results(const struct run_opts *o, const struct el_buf *console,
			 const struct el_stream *s, const struct el_qemu_result *q,
			 const struct el_run_verdict *v, const char *cmdline, bool sandbox,
			 const struct kvm_run *kr)
{
	struct el_buf csv = { 0 }, tap = { 0 }, res = { 0 };
	int rc;

	samples_csv(&csv, s, o->name, o->mode);
	for (size_t i = 0; i < s->ntap; i++)
		el_buf_printf(&tap, "%s\n", s->tap[i].raw);
	result_text(&res, o, s, q, v, cmdline, sandbox);
	kvm_run_result(kr, &res);
	rc = write_one(o, "console", console) || write_one(o, "samples.csv", &csv) ||
	     write_one(o, "tap", &tap) || write_one(o, "result", &res) ? -1 : 0;
	el_buf_free(&csv);
	el_buf_free(&tap);
	el_buf_free(&res);
	return rc;
}

/* ------------------------------------------------------------ reports */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static const char *num(double v, char *buf, size_t size)
{
	if (v == floor(v) && fabs(v) < 1e15)
		el_fmt(buf, size, "%.0f", v);
	else
		el_fmt(buf, size, "%.4f", v);
	return buf;
}

/* Median, min and max of the kept samples (all under tcg-icount). */
static void print_bench(const struct el_stream *s, enum el_mode mode, const struct el_bench *b)
{
	double *v = el_xrealloc(NULL, (b->nsample ? b->nsample : 1) * sizeof(*v));
	unsigned char *keep = el_xrealloc(NULL, b->nsample + 1);
	const char *unit = unit_of(s, mode);
	char med[32], lo[32], hi[32];
	size_t n = 0, rejected = reject_outliers(s, mode, b, keep);

	for (size_t i = 0; i < b->nsample; i++)
		if (keep[i])
			v[n++] = b->sample[i].per_call;
	qsort(v, n, sizeof(*v), cmp_double);
	if (n)
		printf("%-20s %6zu %14s %14s %14s  %s\n", b->name, n,
		       num(n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2, med, sizeof(med)),
		       num(v[0], lo, sizeof(lo)), num(v[n - 1], hi, sizeof(hi)), unit);
	else
		printf("%-20s %6zu %14s %14s %14s  %s\n", b->name, n, "-", "-", "-", unit);
	if (rejected)
		printf("%-20s %6zu rejected as outliers (kept in the samples CSV; rule: "
		       "harness/stats/stats.h)\n", b->name, rejected);
	free(keep);
	free(v);
}

static void print_summary(const struct run_opts *o, const struct el_stream *s)
{
	printf("variant %s  %s  mode %s  unit %s (per call)\n", o->name,
	       s->header_seen ? s->header.variant : "?", el_mode_name(o->mode), unit_of(s, o->mode));
	if (s->nbench) {
		printf("%-20s %6s %14s %14s %14s  %s\n", "bench", "n", "median", "min", "max", "unit");
		for (size_t i = 0; i < s->nbench; i++)
			print_bench(s, o->mode, &s->bench[i]);
	}
	for (size_t i = 0; i < s->nunavail; i++)
		printf("unavailable: %s (%s)\n", s->unavail[i].name, s->unavail[i].reason);
	for (size_t i = 0; i < s->nbench; i++)
		for (unsigned e = 0; e < EL_REC_PMU; e++)
			if (s->bench[i].pmu_zero & (1u << e))
				printf("unavailable: %s pmu%u (" EL_REC_PMU_ZERO_REASON ": read 0 "
				       "over the loop and its empty twin in every sample; no vPMU?)\n",
				       s->bench[i].name, e);
	if (s->probe.seen)
		printf("probe: ok=%d cpl_at_entry=%llu reason=%s\n", s->probe.ok,
		       (unsigned long long)s->probe.cpl_at_entry, s->probe.reason);
	if (s->tap_plan_seen || s->tap_run)
		printf("TAP: %llu planned, %llu pass, %llu fail, %llu skip\n",
		       (unsigned long long)s->tap_planned, (unsigned long long)s->tap_pass,
		       (unsigned long long)s->tap_fail, (unsigned long long)s->tap_skip);
}

static void print_line(const char *prefix, const char *text, size_t len)
{
	fputs(prefix, stderr);
	for (size_t i = 0; i < len; i++)
		fputc((unsigned char)text[i] < 0x20 || (unsigned char)text[i] >= 0x7f ? '?' : text[i],
		      stderr);
	fputc('\n', stderr);
}

static void print_failure(const struct el_run_verdict *v, const struct el_stream *s,
			  const struct el_qemu_result *q)
{
	const char *p = q->err.data, *end = p + q->err.len;
	int lines = 0;

	el_err("%s", v->error);
	if (el_stream_tail_count(s))
		fprintf(stderr, "last console lines:\n");
	for (unsigned i = 0; i < el_stream_tail_count(s); i++)
		print_line("  | ", el_stream_tail_line(s, i), strlen(el_stream_tail_line(s, i)));
	while (p && p < end && lines++ < 5) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		print_line("  qemu: ", p, n);
		p += n + 1;
	}
}

/* ------------------------------------------------------------ the command */

struct sink {
	struct el_stream *stream;
	struct el_buf *console;
	struct lr_session *trace;     /* --linux-trace: its pauses, or NULL */
};

static void to_sink(void *ctx, const char *data, size_t len)
{
	struct sink *k = ctx;

	el_buf_append(k->console, data, len);
	el_stream_feed(k->stream, data, len);
	if (k->trace)
		lr_session_feed(k->trace, data, len);
}

/* What this run asks the guest for (a Linux guest has no conformance
 * suite: its /init says so in a TAP comment). */
static void want_of(const struct run_opts *o, struct el_run_want *w)
{
	const char *run = o->run ? o->run : "conform,bench";

	w->conform = !o->initrd && has_word(run, "conform");
	w->bench = has_word(run, "bench");
	w->probe = has_word(run, "probe");
	w->bench_list = o->bench;
	w->samples = o->samples_set ? o->samples : EL_DEFAULT_SAMPLES;
}

static int boot(const struct run_opts *o, struct kvm_run *kr)
{
	struct el_buf cmdline = { 0 }, console = { 0 };
	struct el_stream s;
	struct el_qemu_result q;
	struct el_run_verdict v;
	struct el_run_want want;
	struct el_argv av;
	struct sink k = { &s, &console, NULL };
	struct lr_session ls;
	char lerr[1024] = "";
	struct el_qemu_limits lim = { o->timeout_ms, o->max_output };
	struct el_qemu_config qc = { .qemu = o->qemu, .image = o->image, .name = o->name,
				     .mode = o->mode, .pmu = o->events != NULL, .sandbox = true,
				     .cpu_model = o->cpu_model };

	build_cmdline(o, &cmdline);
	qc.cmdline = cmdline.data;
	struct lr_qemu_extra lx;      /* a Linux guest: its initramfs, RTC and memory */
	if (o->linux_trace && lr_session_open(&ls, lerr, sizeof(lerr)) == 0) {
		k.trace = &ls;
		qc.qmp = ls.sock;
		lim.max_output += LR_TRACE_MAX_CONSOLE;   /* the kernel's symbols */
	} else if (o->linux_trace) {
		el_err("warning: no trace of %s: %s", o->name, lerr);
	}
	qc.extra = o->initrd ? lr_qemu_extra(&lx, o->initrd, o->linux_cpu,
					     k.trace ? ls.log : NULL) : NULL;
	kvm_run_qemu(kr, &qc);
	el_qemu_argv(&qc, &av);
	el_stream_init(&s);
	el_qemu_interrupted = 0;
	el_qemu_catch_signals();
	el_qemu_run_hooked(av.v, &lim, to_sink, &k, k.trace ? lr_session_started : kvm_run_hook(kr),
			   k.trace ? (void *)&ls : (void *)kr, &q);
	if (el_qemu_sandbox_refused(&q)) {   /* QEMU without seccomp: run unconfined */
		el_err("warning: QEMU refused -sandbox (no seccomp support): running without it");
		qc.sandbox = false;
		el_qemu_result_free(&q);
		el_argv_free(&av);
		el_qemu_argv(&qc, &av);
		el_qemu_run_hooked(av.v, &lim, to_sink, &k, k.trace ? lr_session_started :
				   kvm_run_hook(kr), k.trace ? (void *)&ls : (void *)kr, &q);
	}
	el_stream_finish(&s);
	el_stream_zero_counters(&s);   /* before anything reads the counters */
	want_of(o, &want);
	el_run_classify(&q, &s, o->name, o->mode, o->qemu, o->max_output, &want, &v);
	kvm_run_finish(kr, &s);
	if (kr->error[0] && v.exit != EL_EX_INTERRUPTED) {   /* kvmrun stopped QEMU */
		el_fmt(v.error, sizeof(v.error), "%s: variant %s", kr->error, o->name);
		v.exit = EL_EX_USAGE;
		v.status = "usage";
	}
	if (k.trace && v.exit == EL_EX_OK)
		lr_breakdown_file(o->out, o->name, o->linux_trace, &ls, console.data ? console.data : "");
	if (k.trace)
		lr_session_close(&ls);
	if (v.exit != EL_EX_USAGE && v.exit != EL_EX_INTERRUPTED) {
		if (write_results(o, &console, &s, &q, &v, cmdline.data, qc.sandbox, kr))
			v.exit = EL_EX_USAGE;
		print_summary(o, &s);
		kvm_run_print(kr);
	}
	if (v.error[0])
		print_failure(&v, &s, &q);
	el_qemu_result_free(&q);
	el_stream_free(&s);
	el_argv_free(&av);
	el_buf_free(&console);
	el_buf_free(&cmdline);
	return v.exit;
}

/* The whole guest command line fits what the guest keeps (a Linux guest:
 * x86 COMMAND_LINE_SIZE); anything cut off would be dropped silently. */
static int check_cmdline(const struct run_opts *o)
{
	struct el_buf b = { 0 };
	size_t max = o->initrd ? 2047 : EL_CMDLINE_MAX - 1;
	int rc = 0;

	build_cmdline(o, &b);
	if (b.len > max) {
		el_err("guest command line of %zu bytes is longer than the %zu the guest keeps: "
		       "--append: shorten it by %zu bytes", b.len, max, b.len - max);
		rc = -1;
	}
	el_buf_free(&b);
	return rc;
}

int el_cmd_run(int argc, char **argv)
{
	struct run_opts o;
	struct kvm_run kr;
	char err[1024];
	int rc;

	if ((rc = parse_opts(argc, argv, &o)) > 0)
		return EL_EX_OK;
	if (rc || check_image(o.image) || check_cmdline(&o))
		return EL_EX_USAGE;
	if (o.cpu_model && el_qemu_cpu_model_check(o.qemu, o.cpu_model, err, sizeof(err))) {
		el_err("%s", err);
		return EL_EX_USAGE;
	}
	if (o.linux_trace && (!o.initrd || o.mode != EL_MODE_TCG_ICOUNT || o.pin || o.perf ||
			      o.events)) {
		el_err("--linux-trace needs --initrd and --mode tcg-icount, without --pin, --perf "
		       "or --events: entrylab run: leave it out");
		return EL_EX_USAGE;
	}
	if (el_mkdir_p(o.out)) {
		el_err("cannot create output directory %s: %s: check --out", o.out, strerror(errno));
		return EL_EX_USAGE;
	}
	struct kvm_run_cfg kc = { .mode = o.mode, .cpu = o.cpu, .pin = o.pin, .perf = o.perf,
				  .events_hex = o.events ? o.events_hex : NULL,
				  .out_dir = o.out, .name = o.name };
	if ((rc = kvm_run_prepare(&kr, &kc, err, sizeof(err))))
		el_err("%s", err);
	else
		rc = boot(&o, &kr);
	kvm_run_free(&kr);
	return rc;
}
