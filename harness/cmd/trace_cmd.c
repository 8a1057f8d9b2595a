/* `entrylab trace VARIANT BENCH` and `--diff VARIANT_A VARIANT_B BENCH`:
 * boot the image with QEMU's exec log, cut out the path of one call
 * (trace.c), print it against the matrix figure, or align two paths by
 * symbol and instruction.  See trace.h. */
#include "cmd/commands.h"
#include "cmd/trace_cmd.h"
#include "image/trace.h"
#include "core/exitcodes.h"
#include "image/pathlen.h"
#include "image/roles.h"
#include "core/opts.h"
#include "core/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TRACE_TIMEOUT_MS 60000
#define TRACE_MAX_OUTPUT (1u << 20)

static const char *const bench_names[] = {
#define EL_BENCH(name, features, description) #name,
#include "entrylab/benches.def"
#undef EL_BENCH
	NULL
};

/* ------------------------------------------------------------ one trace */

static void console_sink(void *ctx, const char *data, size_t len)
{
	el_buf_append(ctx, data, len);
}

/* Why the guest did not end with a pass; an el_exit status. */
int tr_boot_verdict(const struct trace_opts *o, const struct trace_run *r, const char *bench,
			const struct el_qemu_result *q, const char *console)
{
	const char *bin = o->qemu ? o->qemu : EL_QEMU_DEFAULT, *na = strstr(console, "@N bench=");
	enum el_guest_end g = el_qemu_decode(q);
	char st[64];

	if (g == EL_GUEST_NO_QEMU) {
		el_err("cannot run %s (%s): %s: install qemu-system-x86 or fix --qemu", bin,
		       q->end == EL_QEMU_NOT_FOUND ? "not found" : strerror(q->code),
		       o->qemu ? "--qemu" : "PATH");
		return EL_EX_USAGE;
	}
	if (g == EL_GUEST_HANG || g == EL_GUEST_INTERRUPTED) {
		el_err("%s: trace of %s %s: %s", g == EL_GUEST_HANG ? "guest hung, killed" :
		       "interrupted, QEMU killed", r->k.short_name, bench,
		       g == EL_GUEST_HANG ? "raise --timeout or run 'entrylab run' on the image" : "nothing kept");
		return g == EL_GUEST_HANG ? EL_EX_HANG : EL_EX_INTERRUPTED;
	}
	if (na) {
		int n = (int)strcspn(na, "\n");
		el_err("benchmark %s is not available in variant %s (guest: %.*s): choose a benchmark "
		       "the variant supports", bench, r->k.short_name, n > 120 ? 120 : n, na);
		return EL_EX_USAGE;
	}
	if (g != EL_GUEST_PASS) {
		el_err("trace boot failed (QEMU %s): %s: run 'entrylab run --image %s' to see why",
		       el_qemu_status_text(q, st, sizeof(st)), r->k.path, r->k.path);
		return EL_EX_CRASH;
	}
	return EL_EX_OK;
}

static bool rejected_singlestep(const struct el_qemu_result *q)
{
	return q->end == EL_QEMU_EXITED && q->code == 1 && q->err.data &&
	       strstr(q->err.data, "singlestep");
}

/* Boot the image once with QEMU's exec log going to logpath. */
static int boot_traced(const struct trace_opts *o, const struct trace_run *r, const char *bench,
		       const char *logpath)
{
	struct el_qemu_limits lim = { o->timeout_ms, TRACE_MAX_OUTPUT };
	struct el_qemu_result q;
	struct el_buf con = { 0 };
	struct el_argv a;
	int rc;

	/* QEMU 7.2 spells it -singlestep, from 8.1 one-insn-per-tb; a QEMU
	 * built without seccomp refuses -sandbox: retry once for each. */
	bool one_insn_per_tb = false, sandbox = true;
	for (;;) {
		el_trace_qemu_argv(o->qemu, r->k.path, r->k.short_name, bench, logpath,
				   one_insn_per_tb, sandbox, &a);
		el_buf_free(&con);
		el_qemu_run(a.v, &lim, console_sink, &con, &q);
		el_argv_free(&a);
		if (sandbox && el_qemu_sandbox_refused(&q))
			sandbox = false;
		else if (!one_insn_per_tb && rejected_singlestep(&q))
			one_insn_per_tb = true;
		else
			break;
		el_qemu_result_free(&q);
	}
	rc = tr_boot_verdict(o, r, bench, &q, con.data ? con.data : "");
	el_qemu_result_free(&q);
	el_buf_free(&con);
	return rc;
}

int tr_read_log(struct trace_run *r, const char *bench, const char *logpath)
{
	FILE *f = fopen(logpath, "r");

	if (!f || el_trace_log_read(&r->log, f)) {
		el_err("cannot read QEMU's exec log: %s: %s: check free space in the temp directory",
		       logpath, strerror(errno));
		if (f)
			fclose(f);
		return EL_EX_USAGE;
	}
	fclose(f);
	if (r->log.bad_lines || r->log.overflow) {
		el_err("%s in QEMU's exec log: %s %s: use QEMU 7.2 (its -d exec format)",
		       r->log.overflow ? "a marker window longer than 16M instructions" :
		       "unparsable Trace lines", r->k.short_name, bench);
		return EL_EX_USAGE;
	}
	if (r->log.nwin < 2) {
		el_err("the trace never reached the markers (%d of 2 el_trace_begin..el_trace_end windows, "
		       "%llu instructions logged): %s %s: rebuild the image with 'make'", r->log.nwin,
		       (unsigned long long)r->log.exec_lines, r->k.short_name, bench);
		return EL_EX_USAGE;
	}
	return EL_EX_OK;
}

/* The trace's log window [begin, end) and an empty raw log file under
 * $TMPDIR (or /tmp), its name in logpath; 0, or -1 after one line. */
int tr_log_open(struct trace_run *r, uint64_t begin, uint64_t end, char *logpath, size_t size)
{
	const char *tmp = getenv("TMPDIR");
	int fd;

	el_trace_log_init(&r->log, begin, end);
	el_fmt(logpath, size, "%s/entrylab-trace-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
	if ((fd = mkstemp(logpath)) < 0) {
		el_err("cannot create the raw trace file: %s: %s: free space there or set TMPDIR",
		       logpath, strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}


/* Trace one call of bench in the variant sel; an el_exit status. */
static int trace_one(const struct trace_opts *o, const char *sel, const char *bench,
		     struct trace_run *r)
{
	const struct el_sym *b, *e;
	char err[1024], logpath[4096];
	int rc;

	if (tr_is_linux(sel))
		return tr_trace_linux(o, sel, bench, r);
	if (el_select_one(o->variants_dir, o->kernels_dir, sel, &r->k, "trace"))
		return EL_EX_USAGE;
	if (el_image_load(&r->im, r->k.path, true, err, sizeof(err))) {
		el_err("%s", err);
		return EL_EX_USAGE;
	}
	b = el_sym_find(&r->im, "el_trace_begin");
	e = el_sym_find(&r->im, "el_trace_end");
	if (!b || !e) {
		el_err("image has no el_trace_begin/el_trace_end markers: %s: rebuild it with 'make'",
		       r->k.path);
		return EL_EX_USAGE;
	}
	if (tr_log_open(r, b->addr, e->addr, logpath, sizeof(logpath)))
		return EL_EX_USAGE;
	rc = boot_traced(o, r, bench, logpath);
	if (rc == EL_EX_OK)
		rc = tr_read_log(r, bench, logpath);
	unlink(logpath);
	if (rc != EL_EX_OK)
		return rc;
	r->matrix = (long long)r->log.n[0] - (long long)r->log.n[1];
	if (el_trace_find_path(&r->im, r->log.pc[0], r->log.n[0], &r->path, err, sizeof(err))) {
		el_err("%s: %s %s: the loop window does not hold one call", err, r->k.short_name, bench);
		return EL_EX_FAIL;
	}
	return EL_EX_OK;
}

static void trace_free(struct trace_run *r)
{
	el_image_free(&r->im);
	el_trace_log_free(&r->log);
}

const char *tr_ring_name(const struct el_image *im, uint64_t pc)
{
	enum el_ring ring = el_image_ring(im, pc);

	return ring == EL_RING0 ? "ring0" : ring == EL_RING3 ? "ring3" : "ring?";
}

const char *tr_insn_text(const struct el_image *im, uint64_t pc)
{
	const struct el_insn *in = el_insn_at(im, pc);

	return in ? in->text : "(not in the disassembly)";
}

/* The verification line; returns false if the two counts disagree. */
bool tr_verify(const struct trace_run *r, const char *bench, const char *label)
{
	printf("%scount = %zu instructions; matrix figure (loop - empty) = %lld\n", label,
	       r->path.len, r->matrix);
	printf("%s(loop window %zu - empty window %zu instructions, %s %s)\n", label[0] ? "  " : "",
	       r->log.n[0], r->log.n[1], r->k.short_name, bench);
	if ((long long)r->path.len == r->matrix)
		return true;
	el_err("path count %zu disagrees with the matrix figure %lld: %s %s: the marker windows hold "
	       "something else; check bench/bench.c run_trace", r->path.len, r->matrix,
	       r->k.short_name, bench);
	return false;
}

static int print_path(const struct trace_run *r, const char *bench)
{
	size_t ring0 = 0;
	char loc[256];

	printf("trace %s %s: %s\n", r->k.short_name, bench, r->k.canonical);
	printf("one call, from the loop's syscall to its return, as executed under tcg-icount\n");
	if (r->linux_row)
		printf("kernel symbols: %s%s\n", r->nosyms[0] ? "none: " : "from /proc/kallsyms of "
		       "the traced boot (nokaslr)", r->nosyms);
	printf("%-5s  %-10s  %-36s  %s\n", "ring", "address", "symbol+offset", "instruction");
	for (size_t i = r->path.start; i < r->path.start + r->path.len; i++) {
		uint64_t pc = r->log.pc[0][i];
		ring0 += el_image_ring(&r->im, pc) == EL_RING0;
		printf("%-5s  0x%-8llx  %-36s  %s\n", tr_ring_name(&r->im, pc), (unsigned long long)pc,
		       el_sym_format(&r->im, pc, loc, sizeof(loc)), tr_insn_text(&r->im, pc));
	}
	printf("total: %zu instructions (ring0 %zu, ring3 %zu)\n", r->path.len, ring0,
	       r->path.len - ring0);
	return tr_verify(r, bench, "") ? EL_EX_OK : EL_EX_FAIL;
}

/* ------------------------------------------------------------ command */

static bool known_bench(const char *name)
{
	for (const char *const *b = bench_names; *b; b++)
		if (!strcmp(*b, name))
			return true;
	return false;
}

static int parse_timeout(const char *s, int64_t *ms)
{
	uint64_t sec;

	if (el_parse_u64(s, &sec) || sec == 0 || sec > 86400)
		return -1;
	*ms = (int64_t)sec * 1000;
	return 0;
}

static const struct el_opt trace_options[] = {
	{ "diff", 'd', NULL, "trace two variants and align their paths, differences marked" },
	{ "kernels", 'k', "DIR", "the images (default build/kernels)", "@dir" },
	{ "variants-dir", 'V', "DIR", "the axes and presets (default variants)", "@dir" },
	{ "qemu", 'q', "PATH", "the QEMU binary (default qemu-system-x86_64 on PATH)", "@file" },
	{ "timeout", 't', "SEC", "time limit of the boot, whole seconds (default 60; a Linux\n"
	  "row at least 120)" },
	{ "linux-cpu", 'L', "MODEL", "the QEMU CPU model of a Linux row (default: the one standing\n"
	  "for this host's CPU, variants/linux-cpus.conf; linux.MODEL names one too)" },
	{ "linux-kernel", 'N', "PATH", "the vmlinuz a Linux row boots (default: the newest\n"
	  "/boot/vmlinuz-*; run.sh fetches debian-5.10, linuxref/README.md)", "@file" },
	{ "breakdown", 'B', "FILE", "write the path's instructions by role (variants/roles.conf)\n"
	  "and by symbol as CSV to FILE (one trace, not --diff)", "@file" },
	{ "append", 'a', "ARGS", "more guest arguments of a Linux row (el.kptr_restrict=2 hides\n"
	  "the kernel's symbols)", NULL, EL_OPT_HIDDEN },
	{ 0 }
};

const struct el_optcmd trace_optcmd = {
	"trace", "VARIANT BENCH | --diff VARIANT_A VARIANT_B BENCH [OPTIONS]",
	"The exact instruction path of one call of BENCH under tcg-icount (ring,\n"
	"address, symbol+offset, disassembly), checked against (loop - empty) of the\n"
	"same boot; --diff aligns two variants' paths.  VARIANT may be a Linux row\n"
	"(linux, linux-nomit, linux.MODEL): its kernel's symbols come from\n"
	"/proc/kallsyms of the traced boot, and a diff with a Linux row aligns the\n"
	"paths role by role (variants/roles.conf), then by symbol.",
	trace_options,
	"exit status: 0 ok, 1 count mismatch, 2 unknown variant or benchmark, missing\n"
	"image, trace never reached the call",
	"@variants",
};

static int trace_opt(void *ctx, int key, const char *arg)
{
	struct trace_opts *o = ctx;

	switch (key) {
	case 'd': o->diff = true; return 0;
	case 'k': o->kernels_dir = arg; return 0;
	case 'V': o->variants_dir = arg; return 0;
	case 'q': o->qemu = arg; return 0;
	case 'L': o->linux_cpu = arg; return 0;
	case 'N': o->linux_kernel = arg; return 0;
	case 'B': o->breakdown = arg; return 0;
	case 'a': o->append = arg; return 0;
	}
	if (parse_timeout(arg, &o->timeout_ms)) {
		el_err("bad value '%s' for --timeout: entrylab trace: give whole seconds from 1 to 86400",
		       arg);
		return -1;
	}
	return 0;
}

/* 0 to go on; else the command's status. */
static int parse_opts(int argc, char **argv, struct trace_opts *o)
{
	int first, rc;

	memset(o, 0, sizeof(*o));
	o->variants_dir = "variants";
	o->kernels_dir = "build/kernels";
	o->timeout_ms = TRACE_TIMEOUT_MS;
	rc = el_opts_parse(&trace_optcmd, argc, argv, trace_opt, o, &first);
	if (rc != EL_OPTS_GO)
		return rc == EL_OPTS_HELP ? EL_EX_OK : EL_EX_USAGE;
	for (; first < argc; first++) {
		if (o->npos == 3) {
			el_err("unexpected argument '%s': entrylab trace: see 'entrylab trace --help'",
			       argv[first]);
			return EL_EX_USAGE;
		}
		o->pos[o->npos++] = argv[first];
	}
	if (o->npos != (o->diff ? 3 : 2)) {
		el_err("wrong number of arguments: entrylab trace: give VARIANT BENCH, or --diff VARIANT_A VARIANT_B BENCH");
		return EL_EX_USAGE;
	}
	if (!known_bench(o->pos[o->npos - 1])) {
		el_err("unknown benchmark '%s': entrylab trace: use one of include/entrylab/benches.def "
		       "(getpid, iopl, signal, ...)", o->pos[o->npos - 1]);
		return EL_EX_USAGE;
	}
	return -1;
}

/* --breakdown FILE: the path by role and symbol (the CSV of a Linux row's
 * raw/<row>.breakdown.csv, for report.md's comparison). */
static int write_breakdown(const struct trace_opts *o, const struct trace_run *r, const char *bench)
{
	struct el_buf csv = { 0 };
	struct el_roles rt;
	char path[4096], err[1024];
	int rc = EL_EX_OK;

	el_fmt(path, sizeof(path), "%s/%s", o->variants_dir, EL_ROLES_FILE);
	if (el_roles_load(&rt, path, err, sizeof(err))) {
		el_err("%s", err);
		return EL_EX_USAGE;
	}
	el_buf_printf(&csv, "bench,kind,name,role,instructions\n%s,total,path,,%zu\n"
		      "%s,check,loop-empty,,%lld\n%s,symbols,\"%s\",,\n", bench, r->path.len, bench,
		      r->matrix, bench, r->nosyms[0] ? r->nosyms : r->linux_row ? "kallsyms" : "image");
	el_roles_csv(&rt, &r->im, r->log.pc[0] + r->path.start, r->path.len, bench, &csv);
	if (el_write_atomic(o->breakdown, csv.data, csv.len) < 0) {
		el_err("cannot write %s: %s: check --breakdown", o->breakdown, strerror(errno));
		rc = EL_EX_USAGE;
	}
	el_roles_free(&rt);
	el_buf_free(&csv);
	return rc;
}

int el_cmd_trace(int argc, char **argv)
{
	struct trace_opts o;
	struct trace_run r[2];
	int rc;

	if ((rc = parse_opts(argc, argv, &o)) >= 0)
		return rc;
	memset(r, 0, sizeof(r));
	el_qemu_catch_signals();
	rc = trace_one(&o, o.pos[0], o.pos[o.npos - 1], &r[0]);
	if (rc == EL_EX_OK && o.diff)
		rc = trace_one(&o, o.pos[1], o.pos[2], &r[1]);
	if (rc == EL_EX_OK)
		rc = o.diff ? tr_print_diff(&o, &r[0], &r[1], o.pos[2]) : print_path(&r[0], o.pos[1]);
	if (rc == EL_EX_OK && o.breakdown && !o.diff)
		rc = write_breakdown(&o, &r[0], o.pos[1]);
	trace_free(&r[0]);
	trace_free(&r[1]);
	return rc;
}
