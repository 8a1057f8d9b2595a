/* entrylab matrix, the command: its options and --help, the --bench list
 * checked against include/entrylab/benches.def, and the plan (repository,
 * variants, benchmarks, baseline, images, Linux reference rows), all
 * checked before anything runs; then matrix_run.c runs it.  Contracts in
 * matrix.h. */
#include "matrix/matrix.h"
#include "core/exitcodes.h"
#include "entrylab/proto.h"
#include "image/elf.h"
#include "matrix/matrix_run.h"
#include "boot/qemu.h"
#include "core/opts.h"
#include "core/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct { const char *name, *description; } benches[] = {
#define EL_BENCH(name, features, description) { #name, description },
#include "entrylab/benches.def"
#undef EL_BENCH
};
#define NBENCH (sizeof(benches) / sizeof(benches[0]))

/* ------------------------------------------------------------ options */

static const struct el_opt mx_options[] = {
	{ "variants", 'v', "SEL", "variants (default: default = variants/default.conf, the\n"
	  "presets with the steps between them and one-axis flips; all =\n"
	  "every valid axis combination and floor): short or canonical names,\n"
	  "presets, floor, all, presets, history, default, flips:NAME, or axis\n"
	  "patterns (ptregs=full: every variant with a full frame;\n"
	  "ptregs=full+exit=c: both); comma separated, repeatable", "@variants" },
	{ "bench", 'b', "LIST", "benchmarks, comma separated (default all; --list-benches)",
	  "@benches" },
	{ "samples", 's', "N", "samples per benchmark (default " EL_OPT_STR(MX_DEFAULT_SAMPLES) ")" },
	{ "jobs", 'j', "N", "boots at once (default: online cpus; 1 under kvm)" },
	{ "accel", 'm', "ACCEL", "auto boots a probe kernel under KVM and falls back to\n"
	  "tcg-icount with a one-line reason; kvm fails (status 2) where\n"
	  "the probe fails; tcg skips the probe (default auto)", "auto tcg kvm" },
	{ "mode", 'm', "ACCEL", NULL, "auto tcg kvm", EL_OPT_ALIAS },
	{ "baseline", 'B', "SEL", "the variant the deltas are against (default: preset linux-5.x)",
	  "@variants" },
	{ "out", 'r', "DIR", "the results directory the run's own directory goes into\n"
	  "(default RESULTS = results/ of the repository)", "@dir" },
	{ "results-dir", 'r', "DIR", NULL, "@dir", EL_OPT_ALIAS },
	{ "run-id", 'i', "ID", "the run's name under RESULTS (default: time and pid)" },
	{ "timeout", 't', "SEC", "time limit of one boot (default 60, times samples/1000\n"
	  "above 1000 samples)" },
	{ "cpu", 'c', "N", "the cpu that runs the vCPU thread (default: pin.h's choice)" },
	{ "pin", 'P', NULL, "bind QEMU's threads under tcg-icount too (always under kvm)" },
	{ "events", 'e', "LIST", "kvm: PMU events by name (cycles,instructions,... or the PMU's\n"
	  "own, e.g. INST_RETIRED:ANY_P) counted by the guest" },
	{ "perf", 'f', NULL, "count the vCPU thread's guest-mode cycles and instructions\n"
	  "with perf stat and compare with the guest's own figures" },
	{ "no-plots", 'p', NULL, "do not run gnuplot" },
	{ "tap", 'T', NULL, "stream every variant's conformance TAP on stdout as one TAP\n"
	  "stream (a subtest per variant, for CI systems); the table and\n"
	  "the paths go to stderr" },
	{ "list-benches", 'l', NULL, "list the benchmarks and stop" },
	{ "linux", 'L', NULL, "add the Linux reference rows (Debian's kernel: linux,\n"
	  "linux-nomit; under kvm also the native host row); default: with\n"
	  "the default selection (no --variants) and with --variants all,\n"
	  "when the kernel can be had" },
	{ "no-linux", 'X', NULL, "leave them out" },
	{ "linux-cpu", 'U', "MODEL[,MODEL...]", "the QEMU CPU model of the Linux rows; several\n"
	  "give a pair of rows each (linux.model, linux-nomit.model); default:\n"
	  "the model standing for this host's CPU (variants/linux-cpus.conf)\n"
	  "under tcg-icount, -cpu host under kvm; an unknown model is status 2\n"
	  "with the models QEMU offers.  Implies --linux" },
	{ "linux-kernel", 'N', "PATH", "the vmlinuz the Linux rows boot (default: the newest\n"
	  "/boot/vmlinuz-*; run.sh fetches debian-5.10, linuxref/README.md).\n"
	  "Implies --linux", "@file" },
	{ "append-for", 'A', "SHORT=ARGS", "extra guest arguments for one variant (e.g.\n"
	  "el.selftest=N to make it fail on purpose); repeatable", NULL, EL_OPT_HIDDEN },
	{ "cpu-model", 'G', "MODEL", "the guest's CPU model under tcg-icount (QEMU -cpu; default\n"
	  "max; 'qemu-system-x86_64 -cpu help' lists them): what the kernels\n"
	  "see in CPUID and patch in at boot (kvm keeps host)" },
	{ 0 }
};

const struct el_optcmd mx_optcmd = {
	"matrix", "[OPTIONS]",
	"Boot every selected variant, write RESULTS/<run-id>/ (raw/, meta.json, summary,\n"
	"report.md, plots/), repoint RESULTS/latest and print the table.",
	mx_options,
	"exit status: 0 all passed, 1 a variant failed, 2 usage or environment,\n"
	"130 interrupted",
	NULL,
};

static int bad(const char *opt, const char *val, const char *todo)
{
	el_err("bad value '%.64s' for %s: entrylab matrix: %s", val, opt, todo);
	return EL_EX_USAGE;
}

static int parse_seconds(const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return errno || end == s || *end || s[0] == ' ' || !(*out > 0) || *out > 86400 ? -1 : 0;
}

static void add_selector(struct mx_opts *o, const char *sel)
{
	size_t old = o->variants ? strlen(o->variants) : 0;

	o->variants = el_xrealloc(o->variants, old + strlen(sel) + 2);
	el_fmt(o->variants + old, strlen(sel) + 2, "%s%s", old ? "," : "", sel);
}

static int one_opt(int c, const char *arg, struct mx_opts *o)
{
	uint64_t v;

	switch (c) {
	case 'v': add_selector(o, arg); return 0;
	case 'b': o->bench = arg; return 0;
	case 'B': o->baseline = arg; return 0;
	case 'r': o->results_dir = arg; return 0;
	case 'p': o->no_plots = 1; return 0;
	case 'l': o->list_benches = 1; return 0;
	case 's':
		return el_parse_u64(arg, &o->samples) || !o->samples || o->samples > 1000000 ?
			bad("--samples", arg, "give a whole number from 1 to 1000000") : 0;
	case 'j':
		return el_parse_u64(arg, &v) || !v || v > 256 ?
			bad("--jobs", arg, "give a whole number from 1 to 256") :
			(o->jobs = (unsigned)v, 0);
	case 't':
		return parse_seconds(arg, &o->timeout_s) ?
			bad("--timeout", arg, "give seconds, more than 0 and at most 86400") : 0;
	case 'i':
		o->run_id = arg;
		return mx_run_id_valid(arg) ? 0 : bad("--run-id", arg,
			"use 1 to 63 of A-Z a-z 0-9 _ . - not starting with . or -, not latest");
	case 'A':
		if (!strchr(arg, '=') || arg[0] == '=' || o->nappend_for == MX_APPEND_FOR_MAX)
			return bad("--append-for", arg, "give SHORT=ARGS, at most 8 times");
		for (const char *c = arg; *c; c++)
			if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
				return bad("--append-for", "...", "use printable ASCII only "
					   "(no newline or control character)");
		o->append_for[o->nappend_for++] = arg;
		return 0;
	case 'c':
		return el_parse_u64(arg, &v) || v > 65535 ?
			bad("--cpu", arg, "give a cpu number (see 'entrylab hostinfo')") :
			(o->cpu = (int)v, 0);
	case 'P': o->pin = 1; return 0;
	case 'G': o->cpu_model = arg; return 0;
	case 'f': o->perf = 1; return 0;
	case 'T': o->tap = 1; return 0;
	case 'e': o->events = arg; return 0;
	case 'L': o->linux_req = LR_WANT_ON; return 0;
	case 'X': o->linux_req = LR_WANT_OFF; return 0;
	case 'U': o->linux_cpu = arg; return 0;
	case 'N': o->linux_kernel = arg; return 0;
	case 'm':
		if (!strcmp(arg, "auto"))
			o->mode = MX_MODE_AUTO;
		else if (!strcmp(arg, "tcg") || !strcmp(arg, "tcg-icount"))
			o->mode = MX_MODE_TCG;
		else if (!strcmp(arg, "kvm"))
			o->mode = MX_MODE_KVM;
		else
			return bad("--accel", arg, "use auto, tcg or kvm");
		return 0;
	}
	return EL_EX_USAGE;
}

static int opt_cb(void *ctx, int key, const char *arg)
{
	return one_opt(key, arg, ctx);
}

int mx_parse_opts(int argc, char **argv, struct mx_opts *o)
{
	int rc;

	memset(o, 0, sizeof(*o));
	o->cpu = -1;
	o->samples = MX_DEFAULT_SAMPLES;
	rc = el_opts_parse(&mx_optcmd, argc, argv, opt_cb, o, NULL);
	if (rc == EL_OPTS_BAD)
		return EL_EX_USAGE;
	o->help = rc == EL_OPTS_HELP;
	if (!o->timeout_s)   /* no --timeout: the default, scaled with the samples asked */
		o->timeout_s = MX_DEFAULT_TIMEOUT_S * el_timeout_scale(o->samples);
	return EL_EX_OK;
}

void mx_opts_free(struct mx_opts *o)
{
	free(o->variants);
	o->variants = NULL;
}

/* ------------------------------------------------------------ benchmarks */

static void bench_names(char *dst, size_t n)
{
	size_t used = 0;

	dst[0] = '\0';
	for (size_t i = 0; i < NBENCH && used < n; i++)
		used += (size_t)snprintf(dst + used, n - used, "%s%s", i ? ", " : "", benches[i].name);
}

int mx_bench_list(const char *sel, char *dst, size_t n, char *err, size_t errn)
{
	int want[NBENCH] = { 0 };
	char names[MX_BENCH_LIST], *copy, *save = NULL;
	size_t used = 0;
	int rc = 0;

	bench_names(names, sizeof(names));
	if (sel && (!sel[0] || sel[0] == ',' || sel[strlen(sel) - 1] == ',' || strstr(sel, ",,"))) {
		el_fmt(err, errn, "empty benchmark name in '%.64s': --bench: use names from %s, "
		       "separated by single commas", sel, names);
		return -1;
	}
	copy = el_xstrdup(sel ? sel : "");
	for (char *tok = strtok_r(copy, ",", &save); tok && !rc; tok = strtok_r(NULL, ",", &save)) {
		size_t i = 0;
		while (i < NBENCH && strcmp(tok, benches[i].name))
			i++;
		if (i == NBENCH) {
			el_fmt(err, errn, "unknown benchmark '%.64s': --bench: use one of %s", tok, names);
			rc = -1;
		} else {
			want[i] = 1;
		}
	}
	free(copy);
	dst[0] = '\0';
	for (size_t i = 0; !rc && i < NBENCH; i++)
		if (!sel || want[i])
			used += (size_t)snprintf(dst + used, used < n ? n - used : 0, "%s%s",
						 used ? "," : "", benches[i].name);
	return rc;
}

/* ------------------------------------------------------------ plan */

static int find_root(char *dst, size_t n)
{
	if (access("variants/axes.conf", R_OK) == 0) {
		el_strlcpy(dst, ".", n);
		return 0;
	}
	if (el_root_near_exe(dst, n) == 0)
		return 0;
	el_err("cannot find variants/axes.conf: current directory and the directories above "
	       "the executable: run from the repository root");
	return -1;
}

static void fill_variant(struct mx_plan *p, struct mx_variant *v, int code)
{
	memset(v, 0, sizeof(*v));
	v->code = code;
	v->exit = -1;
	el_variant_short(&p->vs, code, v->short_name, sizeof(v->short_name));
	el_variant_canonical(&p->vs, code, v->canonical, sizeof(v->canonical));
	el_variant_flags(&p->vs, code, v->flags, sizeof(v->flags));
	el_fmt(v->image, sizeof(v->image), "%s%sbuild/kernels/%s.elf",
	       strcmp(p->root, ".") ? p->root : "", strcmp(p->root, ".") ? "/" : "", v->short_name);
	el_elf_build_id(v->image, v->build_id, sizeof(v->build_id));
	mx_image_note(v);
}

static int check_images(const struct mx_plan *p)
{
	size_t missing = 0, first = 0;
	struct stat st;

	for (size_t i = 0; i < p->nv; i++)
		if (stat(p->v[i].image, &st) < 0 || !S_ISREG(st.st_mode))
			first = missing++ ? first : i;
	if (!missing)
		return 0;
	el_err("kernel image missing: %s%s: run 'make' first", p->v[first].image,
	       missing > 1 ? " and others" : "");
	return -1;
}

static int check_baseline(const struct mx_plan *p, const char *sel)
{
	int code[2];
	size_t n = 0;
	char err[EL_VARIANT_ERR];

	if (el_variants_resolve(&p->vs, sel, code, 2, &n, err, sizeof(err)) < 0 || n != 1) {
		el_err("%s", n > 1 ? "baseline must name one variant: --baseline: give a preset, "
		       "short or canonical name" : err);
		return -1;
	}
	for (size_t i = 0; i < p->nv; i++)
		if (p->v[i].code == code[0])
			return 0;
	el_err("baseline '%.64s' is not among the selected variants: --baseline: add it to "
	       "--variants or choose a selected one", sel);
	return -1;
}

/* Each --append-for names a selected variant, and what it adds fits the
 * guest's command line after the run's own el.mode, el.bench and
 * el.samples (under kvm `entrylab run` also checks its el.events). */
static int check_append_for(const struct mx_plan *p, const struct mx_opts *o)
{
	size_t added[MX_APPEND_FOR_MAX] = { 0 };

	for (unsigned k = 0; k < o->nappend_for; k++) {
		size_t len = strcspn(o->append_for[k], "="), i = 0;
		while (i < p->nv && (strlen(p->v[i].short_name) != len ||
				     strncmp(p->v[i].short_name, o->append_for[k], len)))
			i++;
		if (i == p->nv) {
			el_err("--append-for '%.64s' names no selected variant: entrylab matrix: "
			       "use a short name given to --variants", o->append_for[k]);
			return -1;
		}
		unsigned first = 0;   /* joined by spaces per variant, like matrix_run.c */
		while (strncmp(o->append_for[first], o->append_for[k], len + 1))
			first++;
		added[first] += 1 + strlen(o->append_for[k] + len + 1);
	}
	char own[MX_BENCH_LIST + 96];
	size_t base = (size_t)snprintf(own, sizeof(own), "el.mode=tcg-icount el.bench=%s "
				       "el.samples=%llu", p->bench, (unsigned long long)o->samples);
	for (unsigned k = 0; k < o->nappend_for; k++) {
		if (!added[k])
			continue;
		size_t len = strcspn(o->append_for[k], "=");
		/* with the space before them; matrix_run.c's buffer holds MX_LINE * 2 */
		size_t fit = base + 1 < EL_CMDLINE_MAX ? EL_CMDLINE_MAX - 1 - base : 0;
		if (fit > MX_LINE * 2)
			fit = MX_LINE * 2;
		if (added[k] > fit) {
			el_err("--append-for %.*s gives %zu bytes of guest arguments where %zu fit "
			       "on the guest's command line: entrylab matrix: shorten them",
			       (int)len, o->append_for[k], added[k] - 1, fit ? fit - 1 : 0);
			return -1;
		}
	}
	return 0;
}

int mx_plan_build(const struct mx_opts *o, const char *root, struct mx_plan *p)
{
	char dir[MX_PATH_MAX + 16], err[EL_VARIANT_ERR];
	int *codes;
	size_t max, n = 0;

	memset(p, 0, sizeof(*p));
	if (root)
		el_strlcpy(p->root, root, sizeof(p->root));
	else if (find_root(p->root, sizeof(p->root)) < 0)
		return EL_EX_USAGE;
	el_fmt(dir, sizeof(dir), "%s/variants", p->root);
	if (el_variants_load(&p->vs, dir, err, sizeof(err)) < 0) {
		el_err("%s", err);
		return EL_EX_USAGE;
	}
	max = (size_t)el_variant_count(&p->vs) + 1;
	codes = el_xrealloc(NULL, max * sizeof(*codes));
	if (el_variants_resolve(&p->vs, o->variants ? o->variants : "default", codes, max, &n,
				err, sizeof(err)) < 0) {
		el_err("%s", err);
		free(codes);
		mx_plan_free(p);
		return EL_EX_USAGE;
	}
	p->v = el_xrealloc(NULL, (n ? n : 1) * sizeof(*p->v));
	for (p->nv = 0; p->nv < n; p->nv++)
		fill_variant(p, &p->v[p->nv], codes[p->nv]);
	free(codes);
	if (mx_bench_list(o->bench, p->bench, sizeof(p->bench), err, sizeof(err)) < 0) {
		el_err("%s", err);
		mx_plan_free(p);
		return EL_EX_USAGE;
	}
	if (o->results_dir)
		el_strlcpy(p->results, o->results_dir, sizeof(p->results));
	else
		el_fmt(p->results, sizeof(p->results), "%s%sresults",
		       strcmp(p->root, ".") ? p->root : "", strcmp(p->root, ".") ? "/" : "");
	if ((o->baseline && check_baseline(p, o->baseline)) || check_images(p)) {
		mx_plan_free(p);
		return EL_EX_USAGE;
	}
	/* --append-for may name a Linux row: checked once they are planned */
	/* the default selection or the whole product: the Linux rows by default */
	if (lr_matrix_plan(&p->lr, o->linux_req, !o->variants || !strcmp(o->variants, "all") ||
			   !strcmp(o->variants, "default"), p->root, o->linux_cpu,
			   o->linux_kernel, &p->v, &p->nv) < 0 || check_append_for(p, o)) {
		mx_plan_free(p);
		return EL_EX_USAGE;
	}
	return EL_EX_OK;
}

void mx_plan_free(struct mx_plan *p)
{
	free(p->v);
	p->v = NULL;
	el_variants_free(&p->vs);
}

int el_cmd_matrix(int argc, char **argv)
{
	struct mx_opts o;
	struct mx_plan p;
	char err[512];
	int rc = mx_parse_opts(argc, argv, &o);

	if (rc == EL_EX_OK && o.help) {
		rc = EL_EX_OK;
	} else if (rc == EL_EX_OK && o.list_benches) {
		for (size_t i = 0; i < NBENCH; i++)
			printf("%-16s %s\n", benches[i].name, benches[i].description);
	} else if (rc == EL_EX_OK && o.cpu_model &&
		   el_qemu_cpu_model_check(NULL, o.cpu_model, err, sizeof(err))) {
		el_err("%s", err);
		rc = EL_EX_USAGE;
	} else if (rc == EL_EX_OK && (rc = mx_plan_build(&o, NULL, &p)) == EL_EX_OK) {
		rc = mx_matrix_run(&o, &p, argc, argv);
		mx_plan_free(&p);
	}
	mx_opts_free(&o);
	return rc;
}
