/* entrylab gate: the command and, for --base REV, the orchestration (git
 * worktrees, builds, interleaved runs, trace explanations).  See gate.h. */
#include "gate/gate.h"
#include "core/exitcodes.h"
#include "matrix/matrix.h"
#include "matrix/meta.h"
#include "boot/qemu.h"
#include "core/opts.h"
#include "core/util.h"
#include "variants/variants.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "entrylab/proto.h"

#define DEFAULT_SAMPLES   10
#define DEFAULT_TIMEOUT_S 60.0
#define BUILD_TIMEOUT_MS  (30 * 60 * 1000)
#define GIT_TIMEOUT_MS    (5 * 60 * 1000)

static void on_signal(int sig)
{
	if (!gate_signal)
		gate_signal = sig;
}

static const struct el_opt gate_options[] = {
	{ "base", 'b', "REV", "the base revision: checked out in a temporary git worktree\n"
	  "and built with its own Makefile", NULL },
	{ "head", 'H', "REV", "the head revision (default: the working tree, built in place)" },
	{ "base-tree", 'x', "DIR", "a base tree already built (make host and the images, e.g.\n"
	  "by CI): booted as it is, no checkout, no build", "@dir" },
	{ "head-tree", 'y', "DIR", "the same for the head", "@dir" },
	{ "baseline-file", 'B', "FILE", "compare a run (default RESULTS/latest) with a file\n"
	  "written by 'entrylab baseline save' (not --baseline: that\n"
	  "names a variant in matrix and analyze)", "@file" },
	{ "run", 'R', "DIR", "with --baseline-file: the run to compare (default\n"
	  "RESULTS/latest)", "@dir" },
	{ "variants", 'v', "SEL", "variants (default all; baseline-file mode: those of the run);\n"
	  "as matrix --variants, axis patterns too", "@variants" },
	{ "bench", 'n', "LIST", "benchmarks (default all; baseline-file mode: those of the run)",
	  "@benches" },
	{ "samples", 's', "N", "samples per boot (default " EL_OPT_STR(DEFAULT_SAMPLES) ")" },
	{ "rounds", 'r', "N", "boots per side and variant (default 1; 5 under kvm)" },
	{ "accel", 'm', "ACCEL", "auto probes KVM, else tcg-icount (default auto)",
	  "auto tcg kvm" },
	{ "mode", 'm', "ACCEL", NULL, "auto tcg kvm", EL_OPT_ALIAS },
	{ "timeout", 't', "SEC", "time limit of one boot (default 60, times samples/1000\n"
	  "above 1000 samples)" },
	{ "thresholds", 'T', "FILE", "default variants/thresholds.conf (documents its format)",
	  "@file" },
	{ "out", 'd', "DIR", "the results directory gate-<id>/ goes into (default RESULTS =\n"
	  "results/ of the repository)", "@dir" },
	{ "results-dir", 'd', "DIR", NULL, "@dir", EL_OPT_ALIAS },
	{ 0 }
};

const struct el_optcmd gate_optcmd = {
	"gate", "--base REV [--head REV] | --baseline-file FILE [--run DIR] [OPTIONS]",
	"Merge gate.  With --base REV (and --head REV, or --base-tree/--head-tree DIR)\n"
	"both sides' images are booted by this harness, base and head interleaved\n"
	"(round 1 base first, round 2 head first, ...), and every variant and\n"
	"benchmark is compared against variants/thresholds.conf.  Writes\n"
	"RESULTS/gate-<id>/verdict.md (printed too), verdict.json, base/ and head/.",
	gate_options,
	"exit status: 0 pass, 1 regression (or a path missing or failing in the head),\n"
	"  2 usage or environment error (bad revision, build failure, corrupt baseline or\n"
	"  thresholds file; nothing published), 3 inconclusive (an interval straddles a\n"
	"  threshold: run more samples), 130 interrupted by SIGINT, SIGTERM, SIGHUP or\n"
	"  SIGPIPE before the verdict was published (worktrees removed, nothing published;\n"
	"  after publishing the verdict's status stands and one line says so)",
	NULL,
};

static int bad(const char *opt, const char *val, const char *todo)
{
	el_err("bad value '%.64s' for %s: entrylab gate: %s", val, opt, todo);
	return EL_EX_USAGE;
}

static int one_opt(int c, const char *arg, struct gate_opts *o)
{
	char *end;

	switch (c) {
	case 'b': o->base = arg; return 0;
	case 'H': o->head = arg; o->rev_only = 1; return 0;
	case 'B': o->baseline = arg; return 0;
	case 'x': o->tree[GATE_BASE] = arg; return 0;
	case 'y': o->tree[GATE_HEAD] = arg; o->rev_only = 1; return 0;
	case 'R': o->run_dir = arg; return 0;
	case 'v': o->variants = arg; return 0;
	case 'n': o->bench = arg; return 0;
	case 'T': o->thresholds = arg; return 0;
	case 'd': o->results_dir = arg; return 0;
	case 's':
		o->rev_only = 1;
		return el_parse_u64(arg, &o->samples) || !o->samples || o->samples > 100000 ?
			bad("--samples", arg, "give a whole number from 1 to 100000") : 0;
	case 'r':
		o->rev_only = o->rounds_set = 1;
		return el_parse_u64(arg, &o->rounds) || !o->rounds || o->rounds > 100 ?
			bad("--rounds", arg, "give a whole number from 1 to 100") : 0;
	case 't':
		o->rev_only = 1;
		errno = 0;
		o->timeout_s = strtod(arg, &end);
		return errno || end == arg || *end || !(o->timeout_s > 0) || o->timeout_s > 86400 ?
			bad("--timeout", arg, "give seconds, more than 0 and at most 86400") : 0;
	case 'm':
		o->rev_only = 1;
		o->mode = !strcmp(arg, "auto") ? 0 : !strcmp(arg, "tcg") ||
			  !strcmp(arg, "tcg-icount") ? 1 : !strcmp(arg, "kvm") ? 2 : -1;
		return o->mode < 0 ? bad("--accel", arg, "use auto, tcg or kvm") : 0;
	}
	return EL_EX_USAGE;
}

static int check_opts(const struct gate_opts *o)
{
	const char *revs[2] = { o->base, o->head };

	const char *base = o->base ? o->base : o->tree[GATE_BASE];

	if (o->base && o->tree[GATE_BASE]) {
		el_err("--base and --base-tree together: entrylab gate: give one of them");
		return EL_EX_USAGE;
	}
	if (o->head && o->tree[GATE_HEAD]) {
		el_err("--head and --head-tree together: entrylab gate: give one of them");
		return EL_EX_USAGE;
	}
	if (!base == !o->baseline) {
		el_err("%s: entrylab gate: give --base REV (a git revision), --base-tree DIR or "
		       "--baseline-file FILE", base ? "--base and --baseline-file together" :
		       "nothing to compare with");
		return EL_EX_USAGE;
	}
	if (o->baseline && o->rev_only) {
		el_err("--head, --samples, --rounds, --accel and --timeout need --base: entrylab gate: "
		       "a baseline gate compares finished runs; drop them");
		return EL_EX_USAGE;
	}
	if (base && o->run_dir) {
		el_err("--run needs --baseline-file: entrylab gate: drop it");
		return EL_EX_USAGE;
	}
	for (int k = 0; k < 2; k++)
		if (revs[k] && (!revs[k][0] || revs[k][0] == '-' || strpbrk(revs[k], " \t\n"))) {
			el_err("bad revision '%.64s': --%s: give a commit, branch or tag", revs[k],
			       gate_role[k]);
			return EL_EX_USAGE;
		}
	return EL_EX_OK;
}

static int opt_cb(void *ctx, int key, const char *arg)
{
	return one_opt(key, arg, ctx);
}

static int parse_opts(int argc, char **argv, struct gate_opts *o)
{
	int rc;

	memset(o, 0, sizeof(*o));
	o->samples = DEFAULT_SAMPLES;
	o->rounds = 1;
	rc = el_opts_parse(&gate_optcmd, argc, argv, opt_cb, o, NULL);
	if (rc == EL_OPTS_BAD)
		return EL_EX_USAGE;
	o->help = rc == EL_OPTS_HELP;
	if (!o->timeout_s)   /* no --timeout: the default, scaled with the samples asked */
		o->timeout_s = DEFAULT_TIMEOUT_S * el_timeout_scale(o->samples);
	return o->help ? EL_EX_OK : check_opts(o);
}

/* ------------------------------------------------------------ trees */

static int git_line(struct gate *g, const char *a, const char *b, const char *c, const char *d,
		    char *dst, size_t n)
{
	char *argv[] = { "git", "-C", g->root, (char *)a, (char *)b, (char *)c, (char *)d, NULL };

	return mx_tool_line(argv, GIT_TIMEOUT_MS, dst, n);
}

/* EL_PROTO_VERSION in dir/include/entrylab/proto.h, or -1. */
static long proto_version(const char *dir)
{
	char path[GATE_PATH + 64], line[512];
	long v = -1;
	FILE *f;

	el_fmt(path, sizeof(path), "%s/include/entrylab/proto.h", dir);
	if (!(f = fopen(path, "r")))
		return -1;
	while (v < 0 && fgets(line, sizeof(line), f))
		if (sscanf(line, " #define EL_PROTO_VERSION %ld", &v) != 1)
			v = -1;
	fclose(f);
	return v;
}

static int check_proto(const struct gate_tree *t, int k)
{
	long v = proto_version(t->dir);

	if (v == EL_PROTO_VERSION)
		return 0;
	if (v < 0)
		el_err("%s revision %s has no record protocol version (include/entrylab/proto.h): "
		       "%s: choose a revision this harness can run", gate_role[k], t->rev, t->commit);
	else
		el_err("%s revision %s speaks record protocol version %ld, this harness reads %d: "
		       "%s: choose a revision of protocol version %d", gate_role[k], t->rev, v,
		       EL_PROTO_VERSION, t->commit, EL_PROTO_VERSION);
	return -1;
}

static int checkout(struct gate *g, struct gate_tree *t, int k)
{
	char spec[512], line[512];
	char *argv[] = { "git", "-C", g->root, "worktree", "add", "--detach", t->dir, t->commit, NULL };
	int rc;

	el_fmt(spec, sizeof(spec), "%s^{commit}", t->rev);
	if (git_line(g, "rev-parse", "--verify", "--quiet", spec, t->commit, sizeof(t->commit))) {
		el_err("%s revision '%s' does not exist: %s: give a commit, branch or tag of that "
		       "repository", gate_role[k], t->rev, g->root);
		return -1;
	}
	if (git_line(g, "log", "-1", "--format=%h %s", t->commit, line, sizeof(line)))
		el_strlcpy(line, t->commit, sizeof(line));
	if (strlen(line) > 72)
		strcpy(line + 69, "...");
	el_fmt(t->label, sizeof(t->label), "%s = %s", t->rev, line);
	el_fmt(t->dir, sizeof(t->dir), "%s/%s", g->tmp, gate_role[k]);
	if ((rc = gate_child("git", argv, g->git_log, GIT_TIMEOUT_MS, 1)) != 0) {
		if (rc == EL_EX_INTERRUPTED)
			return -1;
		gate_log_last_error(g->git_log, line, sizeof(line));
		el_err("cannot check out %s revision %s: git worktree add: %s: check the repository",
		       gate_role[k], t->rev, line);
		return -1;
	}
	t->worktree = 1;
	return check_proto(t, k);
}

/* --base-tree/--head-tree: a tree built elsewhere (by CI, or on the host of
 * a nested test), used as it is. */
static int prebuilt_tree(struct gate_tree *t, const char *dir, int k)
{
	char *real = realpath(dir, NULL);

	if (!real) {
		el_err("--%s-tree %s: %s: give a built checkout of this repository", gate_role[k], dir,
		       strerror(errno));
		return -1;
	}
	el_strlcpy(t->dir, real, sizeof(t->dir));
	free(real);
	el_fmt(t->label, sizeof(t->label), "built tree %s", t->dir);
	el_strlcpy(t->commit, "a built tree", sizeof(t->commit));
	t->rev = t->dir;
	t->prebuilt = 1;
	return check_proto(t, k);
}

static void working_tree(struct gate *g, struct gate_tree *t)
{
	char line[512] = "", dirty[8] = "";
	char *argv[] = { "git", "-C", g->root, "status", "--porcelain", "--untracked-files=no", NULL };

	el_strlcpy(t->dir, g->root, sizeof(t->dir));
	git_line(g, "log", "-1", "--format=%h", "HEAD", line, sizeof(line));
	el_strlcpy(t->commit, line, sizeof(t->commit));
	int changed = mx_tool_line(argv, GIT_TIMEOUT_MS, dirty, sizeof(dirty)) == 0;
	el_fmt(t->label, sizeof(t->label), "working tree %s (at %s%s)", g->root,
	       line[0] ? line : "?", changed ? ", with uncommitted changes" : "");
}

static void remove_worktrees(struct gate *g)
{
	for (int k = 0; k < 2; k++) {
		struct gate_tree *t = &g->tree[k];
		char *argv[] = { "git", "-C", g->root, "worktree", "remove", "--force", t->dir, NULL };
		if (t->worktree && gate_child("git", argv, g->git_log, GIT_TIMEOUT_MS, 0) != 0)
			el_remove_tree(t->dir);
		t->worktree = 0;
	}
	if (g->tmp[0]) {
		char *argv[] = { "git", "-C", g->root, "worktree", "prune", NULL };
		el_remove_tree(g->tmp);
		gate_child("git", argv, "/dev/null", GIT_TIMEOUT_MS, 0);
		g->tmp[0] = '\0';
	}
}

/* The selected variants this tree's variants/ knows (all of them for the
 * head).  -1 after a one-line error. */
static int known_variants(struct gate *g, struct gate_tree *t, int k)
{
	char dir[GATE_PATH + 16], err[EL_VARIANT_ERR];
	struct el_variants vs;
	size_t n = 0, m;
	int code;

	el_fmt(dir, sizeof(dir), "%s/variants", t->dir);
	if (el_variants_load(&vs, dir, err, sizeof(err)) < 0) {
		el_err("%s revision cannot be read by this harness: %s", gate_role[k], err);
		return -1;
	}
	for (m = 0; g->shorts[m]; m++)
		;
	t->known = el_xrealloc(NULL, (m + 1) * sizeof(*t->known));
	for (size_t i = 0; i < m; i++)
		if (el_variants_resolve(&vs, g->shorts[i], &code, 1, &(size_t){ 0 }, err,
					sizeof(err)) == 0)
			t->known[n++] = el_xstrdup(g->shorts[i]);
	t->known[n] = NULL;
	el_variants_free(&vs);
	return 0;
}

/* make host and the known images, with the tree's own Makefile; a failed
 * parallel build is retried serially (generated files can race). */
static int build(struct gate *g, struct gate_tree *t, int k)
{
	char log[GATE_PATH + 32], jobs[16], **argv;
	size_t n = 0, m = 0;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int rc = 1;

	while (t->known[m])
		m++;
	argv = el_xrealloc(NULL, (m + 8) * sizeof(*argv));
	el_fmt(log, sizeof(log), "%s/build-%s.log", g->tmp, gate_role[k]);
	el_fmt(jobs, sizeof(jobs), "-j%ld", cpus > 0 ? cpus : 1);
	argv[n++] = "make";
	argv[n++] = "-C";
	argv[n++] = t->dir;
	argv[n++] = "-s";
	argv[n++] = jobs;
	argv[n++] = "host";
	for (size_t i = 0; i < m; i++) {
		size_t len = strlen(t->known[i]) + 32;
		argv[n++] = el_xrealloc(NULL, len);
		el_fmt(argv[n - 1], len, "build/kernels/%s.elf", t->known[i]);
	}
	argv[n] = NULL;
	fprintf(stderr, "gate: building %s (%s)\n", gate_role[k], t->label);
	for (int attempt = 0; attempt < 2 && rc && !gate_signal; attempt++) {
		if (attempt) {
			fprintf(stderr, "gate: parallel build of %s failed; retrying serially (generated "
				"files can race)\n", gate_role[k]);
			argv[4] = "-j1";
			if (truncate(log, 0) < 0)
				unlink(log);
		}
		rc = gate_child("make", argv, log, BUILD_TIMEOUT_MS, 1);
	}
	for (size_t i = 6; i < n; i++)
		free(argv[i]);
	free(argv);
	if (rc == 0 || rc == EL_EX_INTERRUPTED)
		return rc;
	gate_log_tail(log, 15);
	el_err("%s %s does not build: make -C %s host <images> failed (output above): %s", gate_role[k],
	       t->rev ? t->rev : "working tree", t->dir, t->rev ? "fix that revision or choose "
	       "another" : "fix the build");
	return EL_EX_USAGE;
}

/* ------------------------------------------------------------ the gate */

static int setup(struct gate *g)
{
	const struct gate_opts *o = g->o;
	const char *tmpdir = getenv("TMPDIR");
	char err[GATE_PATH + 256], top[GATE_PATH];

	if (gate_find_root(g->root, sizeof(g->root)))
		return EL_EX_USAGE;
	if (!(o->tree[GATE_BASE] && o->tree[GATE_HEAD]) &&
	    git_line(g, "rev-parse", "--show-toplevel", NULL, NULL, top, sizeof(top))) {
		el_err("not a git work tree: %s: run the gate inside a clone of the repository", g->root);
		return EL_EX_USAGE;
	}
	el_fmt(g->th_path, sizeof(g->th_path), "%s", o->thresholds ? o->thresholds : "");
	if (!o->thresholds)
		el_fmt(g->th_path, sizeof(g->th_path), "%s/variants/thresholds.conf", g->root);
	el_fmt(g->results, sizeof(g->results), "%s", o->results_dir ? o->results_dir : "");
	if (!o->results_dir)
		el_fmt(g->results, sizeof(g->results), "%s/results", g->root);
	if (th_load(g->th_path, &g->t, err, sizeof(err)) ||
	    mx_bench_list(o->bench, g->bench, sizeof(g->bench), err, sizeof(err))) {
		el_err("%s", err);
		return EL_EX_USAGE;
	}
	gate_recover(g->root, tmpdir);
	if (gate_tmp_create(tmpdir, g->tmp, sizeof(g->tmp)))
		return EL_EX_USAGE;
	el_fmt(g->git_log, sizeof(g->git_log), "%s/git.log", g->tmp);
	return 0;
}

/* Check out, select, build. */
static int prepare_trees(struct gate *g)
{
	struct gate_tree *base = &g->tree[GATE_BASE], *head = &g->tree[GATE_HEAD];
	char img[GATE_PATH + 64];
	int rc;

	base->rev = g->o->base;
	head->rev = g->o->head;
	for (int k = 0; k < 2; k++) {
		struct gate_tree *t = &g->tree[k];
		if (g->o->tree[k] ? prebuilt_tree(t, g->o->tree[k], k) :
		    t->rev ? checkout(g, t, k) : (working_tree(g, t), 0))
			return gate_signal ? EL_EX_INTERRUPTED : EL_EX_USAGE;
	}
	if (!(g->shorts = gate_select_variants(head->dir, g->o->variants ? g->o->variants : "all")) ||
	    known_variants(g, base, GATE_BASE) || known_variants(g, head, GATE_HEAD))
		return EL_EX_USAGE;
	for (int k = 0; k < 2; k++)
		if (!g->tree[k].prebuilt && (rc = build(g, &g->tree[k], k)))
			return rc;
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; g->tree[k].known[i]; i++) {
			el_fmt(img, sizeof(img), "%s/build/kernels/%s.elf", g->tree[k].dir,
			       g->tree[k].known[i]);
			if (access(img, R_OK) == 0)
				continue;
			el_err("%s kernel image missing %s: %s: %s", gate_role[k], g->tree[k].prebuilt ?
			       "from the built tree" : "after the build", img, g->tree[k].prebuilt ?
			       "build it there (make host build/kernels/<short>.elf)" :
			       "check the Makefile's image names (build/kernels/<short>.elf)");
			return EL_EX_USAGE;
		}
	return 0;
}

static int make_dirs(struct gate *g)
{
	char dir[GATE_PATH + 16];

	if (gate_partial_create(g->results, g->partial, sizeof(g->partial)))
		return EL_EX_USAGE;
	el_fmt(dir, sizeof(dir), "%s/logs", g->partial);
	if (mkdir(dir, 0755) < 0) {
		el_err("cannot create %s: %s: check --results-dir", dir, strerror(errno));
		return EL_EX_USAGE;
	}
	return 0;
}

static int compare_and_publish(struct gate *g)
{
	char err[512], how[1024], note[512];
	struct gl_result r;
	int rc;

	if (gate_load_sides(g))
		return EL_EX_USAGE;
	if (gl_compare(&g->side[GATE_BASE], &g->side[GATE_HEAD], &g->t, 0, &r, err, sizeof(err))) {
		el_err("%s", err);
		return EL_EX_USAGE;
	}
	gate_explain_regressions(g, &r);
	el_fmt(how, sizeof(how), "%llu sample%s per boot, %llu round%s, base and head booted "
	       "alternately per variant (odd rounds base first) by this harness (protocol %d)",
	       (unsigned long long)g->o->samples, g->o->samples == 1 ? "" : "s",
	       (unsigned long long)g->rounds, g->rounds == 1 ? "" : "s", EL_PROTO_VERSION);
	if (g->mode == EL_MODE_KVM && strcmp(mx_cpu_class("/proc/cpuinfo", note, sizeof(note)),
					     "bare-metal"))
		el_fmt(how + strlen(how), sizeof(how) - strlen(how), "; not performance figures: %s",
		       note);
	struct gl_report_info info = { g->tree[GATE_BASE].label, g->tree[GATE_HEAD].label,
				       el_mode_name(g->mode), how, g->th_path };
	rc = gate_signal ? EL_EX_INTERRUPTED : gate_publish(g->results, g->partial, &r, &info);
	if (rc != EL_EX_USAGE && rc != EL_EX_INTERRUPTED)
		g->partial[0] = '\0';   /* published */
	gl_result_free(&r);
	return rc;
}

static int revisions(struct gate *g)
{
	int rc = setup(g);

	if (!rc)
		rc = prepare_trees(g);
	if (!rc && !(rc = gate_decide_mode(g))) {
		g->rounds = g->o->rounds_set ? g->o->rounds : g->mode == EL_MODE_KVM ? 5 : 1;
		rc = make_dirs(g);
	}
	if (!rc)
		rc = gate_run_rounds(g);
	if (!rc)
		rc = compare_and_publish(g);
	return rc;
}

static void gate_free(struct gate *g)
{
	for (int k = 0; k < 2; k++) {
		gate_free_list(g->tree[k].known);
		gl_side_free(&g->side[k]);
	}
	gate_free_list(g->shorts);
	th_free(&g->t);
}

/* SIGINT, SIGTERM, SIGHUP (a closed terminal) and SIGPIPE (our reader went
 * away) all stop the gate the same way. */
static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };
#define NSTOP (sizeof(stop_signals) / sizeof(stop_signals[0]))

/* What a signal leaves: before the verdict is published nothing, after it
 * the verdict stands (its status, one line saying so). */
static int interrupted(int rc, const char *partial)
{
	const char *sig = strsignal(gate_signal ? gate_signal : SIGINT);

	if (gate_published[0]) {
		el_err("interrupted by %s after publishing: %s/verdict.md is complete; the "
		       "printed copy may be cut: exit status is the verdict's", sig, gate_published);
		return rc;
	}
	el_err("interrupted by %s: worktrees removed, nothing published: %s", sig,
	       partial[0] ? partial : "no gate directory was made");
	return EL_EX_INTERRUPTED;
}

int el_cmd_gate(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal }, old[NSTOP];
	struct gate_opts o;
	struct gate g;
	int rc = parse_opts(argc, argv, &o);

	if (rc || o.help)
		return rc;
	gsl_set_error_handler_off();
	memset(&g, 0, sizeof(g));
	g.o = &o;
	gate_signal = 0;
	gate_published[0] = '\0';
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < NSTOP; i++)
		sigaction(stop_signals[i], &sa, &old[i]);
	if (o.baseline) {
		struct gate_baseline_opts b = { o.baseline, o.run_dir, o.variants, o.bench,
						o.thresholds, o.results_dir };
		rc = gate_against_baseline(&b);
		if (gate_signal && gate_published[0])
			rc = interrupted(rc, "");
	} else {
		rc = revisions(&g);
		remove_worktrees(&g);
		if (gate_signal || rc == EL_EX_INTERRUPTED)
			rc = interrupted(rc, g.partial);
		else if (g.partial[0])
			el_remove_tree(g.partial);
	}
	for (size_t i = 0; i < NSTOP; i++)
		sigaction(stop_signals[i], &old[i], NULL);
	gate_free(&g);
	return rc;
}
