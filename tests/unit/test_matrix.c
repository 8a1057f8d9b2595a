/*
 * test_matrix — the matrix driver without QEMU: run ids, the run directory
 * lifecycle (partial -> final, results/latest) on temporary directories,
 * option and selection checks, host facts, ELF build-ids and meta.json.
 * Runs from the repository root (it reads variants/).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/exitcodes.h"
#include "matrix/matrix.h"
#include "image/elf.h"
#include "matrix/meta.h"

static char tmp[64];

static int setup(void **state)
{
	(void)state;
	strcpy(tmp, "/tmp/test_matrix.XXXXXX");
	return mkdtemp(tmp) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	return system(cmd) == 0 ? 0 : -1;
}

static void path(char *dst, size_t n, const char *rel)
{
	snprintf(dst, n, "%s/%s", tmp, rel);
}

static int exists(const char *rel)
{
	char p[256];
	struct stat st;

	path(p, sizeof(p), rel);
	return lstat(p, &st) == 0;
}

static void put(const char *rel, const void *data, size_t len)
{
	char p[256];
	FILE *f;

	path(p, sizeof(p), rel);
	f = fopen(p, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

static void link_target(const char *rel, char *dst, size_t n)
{
	char p[256];
	ssize_t len;

	path(p, sizeof(p), rel);
	len = readlink(p, dst, n - 1);
	assert_true(len > 0);
	dst[len] = '\0';
}

/* Run fn with stderr going to a buffer; returns fn's status. */
static int with_stderr(int (*fn)(void *), void *arg, char *buf, size_t n)
{
	FILE *f = tmpfile();
	int saved, rc;
	size_t got;

	assert_non_null(f);
	fflush(stderr);
	saved = dup(2);
	dup2(fileno(f), 2);
	rc = fn(arg);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(f);
	got = fread(buf, 1, n - 1, f);
	buf[got] = '\0';
	fclose(f);
	return rc;
}

/* ------------------------------------------------------------ run ids */

static void test_run_id_format(void **state)
{
	char id[MX_ID_MAX];

	(void)state;
	mx_run_id_default(1700000000, 4242, id, sizeof(id));
	assert_string_equal(id, "20231114-221320-4242");
	assert_true(mx_run_id_valid(id));
	assert_true(mx_run_id_valid("nightly_3.2-a"));
	assert_false(mx_run_id_valid(""));
	assert_false(mx_run_id_valid(".hidden"));
	assert_false(mx_run_id_valid("-x"));
	assert_false(mx_run_id_valid("a/b"));
	assert_false(mx_run_id_valid("latest"));
	assert_false(mx_run_id_valid("latest.tmp.1"));
	assert_false(mx_run_id_valid("sp ace"));
	assert_false(mx_run_id_valid("0123456789012345678901234567890123456789012345678901234567890123"));
}

static void test_run_ids_unique(void **state)
{
	struct mx_rundir a, b, c;
	char res[128], err[512], part[160];

	(void)state;
	path(res, sizeof(res), "results");        /* created on demand */
	assert_int_equal(mx_rundir_create(&a, res, NULL, err, sizeof(err)), 0);
	assert_int_equal(mx_rundir_create(&b, res, NULL, err, sizeof(err)), 0);
	assert_string_not_equal(a.id, b.id);
	if (!strncmp(a.id, b.id, strlen(a.id)))      /* same second: a suffix */
		assert_string_equal(b.id + strlen(a.id), "-2");
	snprintf(part, sizeof(part), "results/.%s.partial", b.id);
	assert_true(exists(part));
	assert_false(exists("results/latest"));

	/* an explicit id is never reused: neither partial nor final */
	assert_int_equal(mx_rundir_create(&c, res, "fixed", err, sizeof(err)), 0);
	assert_int_equal(mx_rundir_create(&c, res, "fixed", err, sizeof(err)), EL_EX_USAGE);
	assert_non_null(strstr(err, "run id 'fixed' is already used"));
	assert_non_null(strstr(err, "choose another --run-id"));
	path(part, sizeof(part), "results/other");
	assert_int_equal(mkdir(part, 0755), 0);
	assert_int_equal(mx_rundir_create(&c, res, "other", err, sizeof(err)), EL_EX_USAGE);
	assert_false(exists("results/.other.partial"));
}

static void test_unwritable_results(void **state)
{
	struct mx_rundir d;
	char res[128], err[512];

	(void)state;
	put("file", "x", 1);
	path(res, sizeof(res), "file/results");
	assert_int_equal(mx_rundir_create(&d, res, NULL, err, sizeof(err)), EL_EX_USAGE);
	assert_non_null(strstr(err, "cannot create results directory"));
	assert_non_null(strstr(err, "file/results"));
	assert_null(strchr(err, '\n'));
}

/* ------------------------------------------------------------ publishing */

static void test_publish_and_latest(void **state)
{
	struct mx_rundir a, b;
	char res[128], err[512], target[128], rel[160];

	(void)state;
	path(res, sizeof(res), "results");
	assert_int_equal(mx_rundir_create(&a, res, "one", err, sizeof(err)), 0);
	put("results/.one.partial/meta.json", "{}", 2);
	assert_int_equal(mx_rundir_publish(&a, err, sizeof(err)), 0);
	assert_false(exists("results/.one.partial"));
	assert_true(exists("results/one/meta.json"));
	link_target("results/latest", target, sizeof(target));
	assert_string_equal(target, "one");

	/* staged: the final name is a symlink during the analysis */
	assert_int_equal(mx_rundir_create(&b, res, "two", err, sizeof(err)), 0);
	assert_int_equal(mx_rundir_stage(&b, err, sizeof(err)), 0);
	link_target("results/two", target, sizeof(target));
	assert_string_equal(target, ".two.partial");
	put("results/two/report.md", "# r\n", 4);   /* written through the final name */
	link_target("results/latest", target, sizeof(target));
	assert_string_equal(target, "one");          /* not before it is complete */
	assert_int_equal(mx_rundir_publish(&b, err, sizeof(err)), 0);
	link_target("results/latest", target, sizeof(target));
	assert_string_equal(target, "two");
	path(rel, sizeof(rel), "results/two");
	struct stat st;
	assert_int_equal(lstat(rel, &st), 0);
	assert_true(S_ISDIR(st.st_mode));            /* a directory now, not the symlink */
	assert_true(exists("results/two/report.md"));
	assert_false(exists("results/.two.partial"));
	assert_true(exists("results/one/meta.json"));
	snprintf(rel, sizeof(rel), "results/latest.tmp.%ld", (long)getpid());
	assert_false(exists(rel));
}

static void test_abandon_keeps_latest(void **state)
{
	struct mx_rundir a, b;
	char res[128], err[512], target[128];

	(void)state;
	path(res, sizeof(res), "results");
	assert_int_equal(mx_rundir_create(&a, res, "done", err, sizeof(err)), 0);
	assert_int_equal(mx_rundir_publish(&a, err, sizeof(err)), 0);
	assert_int_equal(mx_rundir_create(&b, res, "cut", err, sizeof(err)), 0);
	assert_int_equal(mx_rundir_stage(&b, err, sizeof(err)), 0);
	mx_rundir_abandon(&b);                       /* an interrupted run */
	assert_false(exists("results/cut"));
	assert_true(exists("results/.cut.partial"));
	link_target("results/latest", target, sizeof(target));
	assert_string_equal(target, "done");
	mx_rundir_remove(&b);                        /* an environment error */
	assert_false(exists("results/.cut.partial"));
}

static void test_publish_errors(void **state)
{
	struct mx_rundir a, b;
	char res[128], err[512], p[160];

	(void)state;
	path(res, sizeof(res), "results");
	/* latest is a real directory: the run is final, latest untouched */
	assert_int_equal(mx_rundir_create(&a, res, "r1", err, sizeof(err)), 0);
	path(p, sizeof(p), "results/latest");
	assert_int_equal(mkdir(p, 0755), 0);
	put("results/latest/keep", "k", 1);
	assert_int_equal(mx_rundir_publish(&a, err, sizeof(err)), EL_EX_USAGE);
	assert_non_null(strstr(err, "cannot point"));
	assert_true(exists("results/r1"));
	assert_true(exists("results/latest/keep"));

	/* somebody else took the final name: never overwritten */
	assert_int_equal(mx_rundir_create(&b, res, "r2", err, sizeof(err)), 0);
	path(p, sizeof(p), "results/r2");
	assert_int_equal(mkdir(p, 0755), 0);
	assert_int_equal(mx_rundir_publish(&b, err, sizeof(err)), EL_EX_USAGE);
	assert_non_null(strstr(err, "cannot rename"));
	assert_true(exists("results/.r2.partial"));
	assert_int_equal(mx_rundir_stage(&b, err, sizeof(err)), EL_EX_USAGE);
}

/* ------------------------------------------------------------ options and plan */

struct parse_call {
	int argc;
	char **argv;
	struct mx_opts o;
};

static int call_parse(void *arg)
{
	struct parse_call *c = arg;

	return mx_parse_opts(c->argc, c->argv, &c->o);
}

static int parse(char *line, char *errbuf, size_t n, struct mx_opts *out)
{
	char *argv[32], *save = NULL;
	struct parse_call c = { 0, argv, { 0 } };
	int rc;

	for (char *t = strtok_r(line, " ", &save); t && c.argc < 31; t = strtok_r(NULL, " ", &save))
		argv[c.argc++] = t;
	argv[c.argc] = NULL;
	rc = with_stderr(call_parse, &c, errbuf, n);
	*out = c.o;
	return rc;
}

static void test_options(void **state)
{
	char line[256], err[1024];
	struct mx_opts o;

	(void)state;
	strcpy(line, "matrix");
	assert_int_equal(parse(line, err, sizeof(err), &o), EL_EX_OK);
	assert_null(o.variants);
	assert_int_equal(o.samples, MX_DEFAULT_SAMPLES);
	assert_int_equal(o.mode, MX_MODE_AUTO);
	mx_opts_free(&o);

	strcpy(line, "matrix --variants pcsa --variants linux-5.x,floor --samples 3 --jobs 4 "
	       "--mode tcg --timeout 2.5 --no-plots --run-id r1");
	assert_int_equal(parse(line, err, sizeof(err), &o), EL_EX_OK);
	assert_string_equal(o.variants, "pcsa,linux-5.x,floor");
	assert_int_equal(o.samples, 3);
	assert_int_equal(o.jobs, 4);
	assert_int_equal(o.mode, MX_MODE_TCG);
	assert_true(o.timeout_s > 2.4 && o.timeout_s < 2.6);
	assert_true(o.no_plots);
	mx_opts_free(&o);

	const char *bad[] = { "matrix --samples 0", "matrix --samples x", "matrix --jobs 999",
			      "matrix --mode fast", "matrix --timeout -1", "matrix --run-id latest",
			      "matrix --frobnicate", "matrix stray", "matrix --samples" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		strcpy(line, bad[i]);
		assert_int_equal(parse(line, err, sizeof(err), &o), EL_EX_USAGE);
		assert_int_equal(strncmp(err, "entrylab: ", 10), 0);
		assert_ptr_equal(strchr(err, '\n'), err + strlen(err) - 1);   /* one line */
		mx_opts_free(&o);
	}
}

static void test_bench_list(void **state)
{
	char list[MX_BENCH_LIST], err[512];

	(void)state;
	assert_int_equal(mx_bench_list(NULL, list, sizeof(list), err, sizeof(err)), 0);
	assert_int_equal(strncmp(list, "getpid,getpid_traced,", 21), 0);
	assert_non_null(strstr(list, "clone"));
	/* deduplicated, in benches.def order */
	assert_int_equal(mx_bench_list("clone,getpid,clone", list, sizeof(list), err, sizeof(err)), 0);
	assert_string_equal(list, "getpid,clone");
	assert_int_equal(mx_bench_list("getpid,nope", list, sizeof(list), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown benchmark 'nope'"));
	assert_non_null(strstr(err, "getpid, getpid_traced"));   /* the accepted names */
	assert_int_equal(mx_bench_list("", list, sizeof(list), err, sizeof(err)), -1);
	assert_int_equal(mx_bench_list("getpid,", list, sizeof(list), err, sizeof(err)), -1);
	assert_int_equal(mx_bench_list("a,,b", list, sizeof(list), err, sizeof(err)), -1);
}

/* A minimal ELF64 file whose PT_NOTE holds a GNU build-id 00 01 .. 13. */
static size_t fake_elf(unsigned char *buf)
{
	Elf64_Ehdr eh = { 0 };
	Elf64_Phdr ph = { 0 };
	Elf64_Nhdr nh = { 4, 20, NT_GNU_BUILD_ID };
	size_t off = sizeof(eh) + sizeof(ph);

	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;   /* libelf reads no other version */
	eh.e_version = EV_CURRENT;
	eh.e_machine = EM_X86_64;
	eh.e_ehsize = sizeof(eh);
	eh.e_phoff = sizeof(eh);
	eh.e_phentsize = sizeof(ph);
	eh.e_phnum = 1;
	ph.p_type = PT_NOTE;
	ph.p_offset = off;
	ph.p_filesz = sizeof(nh) + 4 + 20;
	ph.p_align = 4;
	memcpy(buf, &eh, sizeof(eh));
	memcpy(buf + sizeof(eh), &ph, sizeof(ph));
	memcpy(buf + off, &nh, sizeof(nh));
	memcpy(buf + off + sizeof(nh), "GNU", 4);
	for (int i = 0; i < 20; i++)
		buf[off + sizeof(nh) + 4 + i] = (unsigned char)i;
	return off + sizeof(nh) + 4 + 20;
}

/* tmp/root: variants/ -> the repository's, build/kernels/<short>.elf fakes. */
static void fake_root(const char *const *shorts)
{
	static const char *const dirs[] = { "root", "root/build", "root/build/kernels" };
	char p[256], cwd[200], target[256];
	unsigned char elf[256];
	size_t len = fake_elf(elf);

	if (access("variants/axes.conf", R_OK) != 0 || !getcwd(cwd, sizeof(cwd)))
		skip();
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		path(p, sizeof(p), dirs[i]);
		assert_int_equal(mkdir(p, 0755), 0);
	}
	path(p, sizeof(p), "root/variants");
	snprintf(target, sizeof(target), "%s/variants", cwd);
	assert_int_equal(symlink(target, p), 0);
	for (; *shorts; shorts++) {
		char rel[128];
		snprintf(rel, sizeof(rel), "root/build/kernels/%s.elf", *shorts);
		put(rel, elf, len);
	}
}

struct plan_call {
	struct mx_opts o;
	char root[128];
	struct mx_plan p;
};

static int call_plan(void *arg)
{
	struct plan_call *c = arg;

	return mx_plan_build(&c->o, c->root, &c->p);
}

static int plan(struct plan_call *c, const char *variants, const char *bench,
		const char *baseline, char *err, size_t n)
{
	memset(&c->o, 0, sizeof(c->o));
	c->o.variants = variants ? strdup(variants) : NULL;
	c->o.bench = bench;
	c->o.baseline = baseline;
	c->o.samples = 3;
	path(c->root, sizeof(c->root), "root");
	int rc = with_stderr(call_plan, c, err, n);
	mx_opts_free(&c->o);
	return rc;
}

static void test_plan(void **state)
{
	static const char *const shorts[] = { "pcsa", "fsac", "floor", NULL };
	struct plan_call c;
	char err[1024];

	(void)state;
	fake_root(shorts);
	assert_int_equal(plan(&c, "pcsa,linux-5.x,floor", "iopl,getpid", "linux-5.x",
			      err, sizeof(err)), EL_EX_OK);
	assert_int_equal(c.p.nv, 3);
	assert_string_equal(c.p.v[0].short_name, "pcsa");
	assert_string_equal(c.p.v[1].short_name, "fsac");
	assert_true(!strncmp(c.p.v[1].canonical, "ptregs=full,rsp=stored,regs=annotated,exit=c,path=asm,clear=no,irq=off", 70));
	assert_non_null(strstr(c.p.v[1].flags, "-DPTREGS_FULL"));
	assert_string_equal(c.p.v[2].short_name, "floor");
	assert_non_null(strstr(c.p.v[0].image, "root/build/kernels/pcsa.elf"));
	assert_string_equal(c.p.v[0].build_id, "000102030405060708090a0b0c0d0e0f10111213");
	assert_string_equal(c.p.bench, "getpid,iopl");
	assert_non_null(strstr(c.p.results, "root/results"));
	assert_int_equal(c.p.v[0].exit, -1);
	mx_plan_free(&c.p);
}

static void test_plan_errors(void **state)
{
	static const char *const shorts[] = { "pcsa", "floor", NULL };
	struct plan_call c;
	char err[1024];

	(void)state;
	fake_root(shorts);
	assert_int_equal(plan(&c, "pcsa,nosuch", NULL, NULL, err, sizeof(err)), EL_EX_USAGE);
	assert_non_null(strstr(err, "unknown variant 'nosuch'"));
	assert_non_null(strstr(err, "linux-5.x"));               /* accepted values listed */
	assert_int_equal(plan(&c, "pcsa", "getpid,nope", NULL, err, sizeof(err)), EL_EX_USAGE);
	assert_non_null(strstr(err, "unknown benchmark 'nope'"));
	assert_int_equal(plan(&c, "pcsa", NULL, "fsac", err, sizeof(err)), EL_EX_USAGE);
	assert_non_null(strstr(err, "not among the selected variants"));
	assert_int_equal(plan(&c, "pcsa,fsac", NULL, NULL, err, sizeof(err)), EL_EX_USAGE);
	assert_non_null(strstr(err, "kernel image missing"));
	assert_non_null(strstr(err, "fsac.elf"));
	assert_non_null(strstr(err, "make"));
	assert_int_equal(plan(&c, NULL, NULL, NULL, err, sizeof(err)), EL_EX_USAGE);  /* all */
	assert_false(exists("root/results"));                     /* nothing created */
}

/* ------------------------------------------------------------ facts */

static void test_elf_build_id(void **state)
{
	unsigned char elf[256];
	size_t len = fake_elf(elf);
	char id[96], p[160];

	(void)state;
	put("ok.elf", elf, len);
	path(p, sizeof(p), "ok.elf");
	assert_int_equal(el_elf_build_id(p, id, sizeof(id)), 0);
	assert_string_equal(id, "000102030405060708090a0b0c0d0e0f10111213");
	assert_int_equal(el_elf_build_id(p, id, 20), -1);          /* does not fit */
	assert_string_equal(id, "");

	put("short.elf", elf, len - 5);                              /* note cut off */
	path(p, sizeof(p), "short.elf");
	assert_int_equal(el_elf_build_id(p, id, sizeof(id)), -1);
	elf[sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr) + 4] = 0xff;     /* huge descsz */
	put("huge.elf", elf, len);
	path(p, sizeof(p), "huge.elf");
	assert_int_equal(el_elf_build_id(p, id, sizeof(id)), -1);
	put("junk.elf", "\177ELFjunk", 8);
	path(p, sizeof(p), "junk.elf");
	assert_int_equal(el_elf_build_id(p, id, sizeof(id)), -1);
	put("empty.elf", "", 0);
	path(p, sizeof(p), "empty.elf");
	assert_int_equal(el_elf_build_id(p, id, sizeof(id)), -1);
	assert_int_equal(el_elf_build_id("/nonexistent/x.elf", id, sizeof(id)), -1);
	assert_int_equal(el_elf_build_id(tmp, id, sizeof(id)), -1); /* a directory */
	/* this test program itself (the toolchain adds a build-id) */
	if (el_elf_build_id("/proc/self/exe", id, sizeof(id)) == 0)
		assert_true(strlen(id) >= 16 && strspn(id, "0123456789abcdef") == strlen(id));
}

static void test_cpuinfo(void **state)
{
	const char *text = "processor\t: 0\nvendor_id\t: GenuineIntel\n"
			   "model name\t: Intel(R) Xeon(R) Test CPU @ 2.00GHz  \n"
			   "microcode\t: 0xde\n\nprocessor\t: 1\nmodel name\t: other\n";
	char p[160], model[128], micro[32];

	(void)state;
	put("cpuinfo", text, strlen(text));
	path(p, sizeof(p), "cpuinfo");
	assert_int_equal(mx_cpuinfo(p, model, sizeof(model), micro, sizeof(micro)), 0);
	assert_string_equal(model, "Intel(R) Xeon(R) Test CPU @ 2.00GHz");
	assert_string_equal(micro, "0xde");
	put("cpuinfo2", "processor : 0\nmodel name:\n", 27);
	path(p, sizeof(p), "cpuinfo2");
	assert_int_equal(mx_cpuinfo(p, model, sizeof(model), micro, sizeof(micro)), 0);
	assert_string_equal(model, "unknown");
	assert_string_equal(micro, "unknown");
	assert_int_equal(mx_cpuinfo("/nonexistent", model, sizeof(model), micro, sizeof(micro)), -1);
	assert_string_equal(model, "unknown");
}

static void test_tool_line(void **state)
{
	char *two[] = { "sh", "-c", "printf 'first line\\nsecond\\n'", NULL };
	char *fails[] = { "sh", "-c", "echo out; exit 3", NULL };
	char *silent[] = { "true", NULL };
	char *missing[] = { "entrylab-no-such-tool", "--version", NULL };
	char line[128];

	(void)state;
	assert_int_equal(mx_tool_line(two, 5000, line, sizeof(line)), 0);
	assert_string_equal(line, "first line");
	assert_int_equal(mx_tool_line(fails, 5000, line, sizeof(line)), -1);
	assert_non_null(strstr(line, "status 3"));
	assert_int_equal(mx_tool_line(silent, 5000, line, sizeof(line)), -1);
	assert_non_null(strstr(line, "printed nothing"));
	assert_int_equal(mx_tool_line(missing, 5000, line, sizeof(line)), -1);
	assert_non_null(strstr(line, "not found"));
}

/* ------------------------------------------------------------ meta.json */

static void test_meta_json(void **state)
{
	char *argv[] = { "entrylab", "matrix", "--variants", "pcsa,floor", "\xff\xfe bad" };
	struct mx_host host = { .cpu_model = "Test CPU", .microcode = "0x1", .sysname = "Linux",
				.release = "6.1.0", .version = "#1", .machine = "x86_64",
				.online_cpus = 2, .qemu = "QEMU emulator version 7.2.0",
				.compiler = "cc 12", .git_rev = "abc123", .git_dirty = 1 };
	struct mx_variant v[2] = {
		{ .short_name = "pcsa", .canonical = "ptregs=partial,rsp=cached,regs=stub,exit=asm",
		  .flags = "-DPTREGS_PARTIAL", .image = "build/kernels/pcsa.elf",
		  .build_id = "00ff", .status = "pass", .exit = 0, .elapsed_s = 0.1 },
		{ .short_name = "floor", .canonical = "floor", .flags = "-DENTRY_FLOOR",
		  .image = "build/kernels/floor.elf", .status = "crash", .exit = 5,
		  .error = "guest exception #PF \x80 in user mode", .elapsed_s = 0.2 },
	};
	struct mx_meta m = { .run_id = "20240101-000000-1", .start = 1704067200,
			     .end = 1704067203, .elapsed_s = 3.5, .argc = 5, .argv = argv,
			     .mode_requested = "auto", .mode = "tcg-icount", .unit = "instructions",
			     .mode_reason = "fell back to tcg-icount: /dev/kvm: No such file",
			     .jobs = 2, .samples = 3, .bench = "getpid,iopl", .timeout_s = 60,
			     .host = &host, .pin_error = "no topology", .pin_applied = "no",
			     .v = v, .nv = 2 };
	char err[512], p[160];
	json_error_t jerr;
	json_t *j, *vars;

	(void)state;
	assert_int_equal(mx_meta_write(tmp, &m, err, sizeof(err)), 0);
	path(p, sizeof(p), "meta.json");
	j = json_load_file(p, 0, &jerr);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "run_id")), "20240101-000000-1");
	assert_string_equal(json_string_value(json_object_get(j, "start_utc")), "2024-01-01T00:00:00Z");
	assert_string_equal(json_string_value(json_object_get(j, "end_utc")), "2024-01-01T00:00:03Z");
	assert_int_equal(json_array_size(json_object_get(j, "command")), 5);
	assert_string_equal(json_string_value(json_array_get(json_object_get(j, "command"), 4)),
			    "?? bad");
	json_t *mode = json_object_get(j, "mode");
	assert_string_equal(json_string_value(json_object_get(mode, "mode")), "tcg-icount");
	assert_non_null(strstr(json_string_value(json_object_get(mode, "reason")), "/dev/kvm"));
	json_t *h = json_object_get(j, "host");
	assert_string_equal(json_string_value(json_object_get(h, "microcode")), "0x1");
	assert_string_equal(json_string_value(json_object_get(h, "qemu")), "QEMU emulator version 7.2.0");
	assert_true(json_is_true(json_object_get(json_object_get(h, "git"), "dirty")));
	assert_string_equal(json_string_value(json_object_get(json_object_get(h, "kernel"),
							      "release")), "6.1.0");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "options"), "jobs")), 2);
	assert_true(json_is_null(json_object_get(json_object_get(j, "options"), "baseline")));
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "pinning"), "error")),
			    "no topology");
	assert_true(json_is_null(json_object_get(j, "noise")));
	vars = json_object_get(j, "variants");
	assert_int_equal(json_array_size(vars), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(vars, 0), "build_id")), "00ff");
	assert_true(json_is_null(json_object_get(json_array_get(vars, 0), "error")));
	assert_string_equal(json_string_value(json_object_get(json_array_get(vars, 1), "status")), "crash");
	assert_true(json_is_null(json_object_get(json_array_get(vars, 1), "build_id")));
	assert_int_equal(json_integer_value(json_object_get(json_array_get(vars, 1), "exit")), 5);
	assert_non_null(strstr(json_string_value(json_object_get(json_array_get(vars, 1), "error")), "#PF ?"));
	assert_int_equal(json_integer_value(json_object_get(j, "variants_failed")), 1);
	json_decref(j);

	/* written atomically: no temporary left; an unwritable place is an error */
	snprintf(p, sizeof(p), "meta.json.tmp.%ld", (long)getpid());
	assert_false(exists(p));
	path(p, sizeof(p), "nodir");
	assert_int_equal(mx_meta_write(p, &m, err, sizeof(err)), EL_EX_USAGE);
	assert_non_null(strstr(err, "cannot write"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run_id_format),
		cmocka_unit_test_setup_teardown(test_run_ids_unique, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unwritable_results, setup, teardown),
		cmocka_unit_test_setup_teardown(test_publish_and_latest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_abandon_keeps_latest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_publish_errors, setup, teardown),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_bench_list),
		cmocka_unit_test_setup_teardown(test_plan, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plan_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_elf_build_id, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cpuinfo, setup, teardown),
		cmocka_unit_test(test_tool_line),
		cmocka_unit_test_setup_teardown(test_meta_json, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
