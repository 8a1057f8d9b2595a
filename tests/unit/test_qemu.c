/* Unit tests for the QEMU runner (harness/boot/qemu.c) and the run command
 * (harness/cmd/run.c, run_verdict.c).  The process handling is tested against a fake "qemu":
 * small shell scripts written here that print a canned record stream and
 * exit with a chosen status, sleep, flood, or cannot be executed.  The real
 * QEMU is exercised by the integration tests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/exitcodes.h"
#include "boot/qemu.h"
#include "cmd/run.h"

static char dir[] = "/tmp/entrylab-test-qemu-XXXXXX";
#include "testutil.h"

#define HDR "@H proto=2 variant=ptregs=partial,rsp=cached,regs=stub,exit=asm short=pcsa " \
	"ptregs=partial rsp=cached regs=stub exit=asm build=ab cpu=x/6/85/4 hv=none " \
	"mode=tcg-icount unit=instructions\n"
#define STREAM_PASS HDR "@B bench=getpid iters=10 samples=3 warmup=1\n" \
	"@D bench=getpid sample=0 iters=10 ticks=140 empty=10\n" \
	"@D bench=getpid sample=1 iters=10 ticks=141 empty=10\n" \
	"@D bench=getpid sample=2 iters=10 ticks=150 empty=10\n" \
	"@T 1..2\n@T ok 1 - getpid\n@T ok 2 - rbx survives\n@E records=8 status=pass\n"
#define STREAM_FAIL HDR "@T 1..2\n@T ok 1 - getpid\n@T not ok 2 - rbx survives\n@E records=4 status=fail\n"
#define STREAM_GP HDR "@X vector=13 name=GP err=0 rip=ffffffff81000123 cs=10 rsp=0 cr2=0 " \
	"mode=kernel fatal=1\n@E records=2 status=panic\n"

/* A fake qemu: records its arguments, prints file 'stream' and runs tail. */
static void fake_qemu(const char *stream, const char *tail)
{
	char script[1024];

	put("stream", stream, 0644);
	snprintf(script, sizeof(script),
		 "#!/bin/sh\nprintf '%%s\\n' \"$@\" > '%s/args'\ncat '%s/stream'\n%s\n",
		 dir, dir, tail);
	put("qemu", script, 0755);
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	put("k.elf", "\177ELF fake kernel", 0644);
	return 0;
}

/* ------------------------------------------------------------ argv */

static int find(const struct el_argv *a, const char *opt, const char *val)
{
	for (size_t i = 0; i < a->n; i++)
		if (!strcmp(a->v[i], opt) && (!val || (i + 1 < a->n && !strcmp(a->v[i + 1], val))))
			return (int)i;
	return -1;
}

static void test_argv_tcg(void **state)
{
	struct el_qemu_config c = { .image = "build/kernels/pcsa.elf", .cmdline = "el.mode=tcg-icount",
				    .name = "pcsa", .mode = EL_MODE_TCG_ICOUNT };
	struct el_argv a;

	(void)state;
	el_qemu_argv(&c, &a);
	assert_string_equal(a.v[0], "qemu-system-x86_64");
	assert_null(a.v[a.n]);
	assert_true(find(&a, "-M", "microvm,x-option-roms=off,rtc=off") > 0);
	assert_true(find(&a, "-accel", "tcg") > 0);
	assert_true(find(&a, "-icount", "shift=0") > 0);
	assert_true(find(&a, "-cpu", "max") > 0);
	assert_true(find(&a, "-nodefaults", NULL) > 0);
	assert_true(find(&a, "-no-reboot", NULL) > 0);
	assert_true(find(&a, "-debugcon", "stdio") > 0);
	assert_true(find(&a, "-serial", "none") > 0);
	assert_true(find(&a, "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04") > 0);
	assert_true(find(&a, "-kernel", "build/kernels/pcsa.elf") > 0);
	assert_true(find(&a, "-append", "el.mode=tcg-icount") > 0);
	assert_true(find(&a, "-name", "entrylab-pcsa,debug-threads=on") > 0);
	assert_int_equal(find(&a, "kvm", NULL), -1);
	assert_int_equal(find(&a, "-accel", "kvm"), -1);
	assert_int_equal(find(&a, "-nographic", NULL), -1);
	assert_int_equal(find(&a, "-netdev", NULL), -1);
	assert_int_equal(find(&a, "-drive", NULL), -1);
	assert_true(find(&a, "-nic", "none") > 0);
	assert_int_equal(find(&a, "-sandbox", NULL), -1);
	el_argv_free(&a);
	c.sandbox = true;
	el_qemu_argv(&c, &a);
	assert_true(find(&a, "-sandbox", "on,obsolete=deny,elevateprivileges=deny,spawn=deny,"
			 "resourcecontrol=deny") > 0);
	el_argv_free(&a);
}

static void test_argv_kvm(void **state)
{
	struct el_qemu_config c = { .qemu = "/opt/q", .image = "k.elf", .cmdline = "el.mode=kvm",
				    .name = "fsac", .mode = EL_MODE_KVM };
	struct el_argv a;

	(void)state;
	el_qemu_argv(&c, &a);
	assert_string_equal(a.v[0], "/opt/q");
	assert_true(find(&a, "-accel", "kvm") > 0);
	assert_true(find(&a, "-cpu", "host,-arch-capabilities") > 0);
	assert_int_equal(find(&a, "-icount", NULL), -1);
	assert_int_equal(find(&a, "-accel", "tcg"), -1);
	assert_int_equal(find(&a, "-cpu", "max"), -1);
	el_argv_free(&a);
	c.pmu = true;
	el_qemu_argv(&c, &a);
	assert_true(find(&a, "-cpu", "host,-arch-capabilities,pmu=on") > 0);
	el_argv_free(&a);
}

/* ------------------------------------------------------------ the runner */

static void collect(void *ctx, const char *data, size_t len)
{
	el_buf_append(ctx, data, len);
}

static void run_fake(int64_t timeout_ms, size_t cap, struct el_buf *out, struct el_qemu_result *r)
{
	char *argv[] = { (char *)at("qemu"), (char *)"-kernel", (char *)"x", NULL };
	struct el_qemu_limits lim = { timeout_ms, cap };

	el_qemu_run(argv, &lim, collect, out, r);
}

static void test_exit_statuses(void **state)
{
	static const struct { int code; enum el_guest_end end; } cases[] = {
		{ 33, EL_GUEST_PASS }, { 35, EL_GUEST_CHECK_FAILED }, { 37, EL_GUEST_PANIC },
		{ 0, EL_GUEST_RESET }, { 1, EL_GUEST_QEMU_ERROR },
	};
	char tail[64], qs[32];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct el_buf out = { 0 };
		struct el_qemu_result r;

		snprintf(tail, sizeof(tail), "echo qemu says hi >&2; exit %d", cases[i].code);
		fake_qemu(STREAM_PASS, tail);
		run_fake(10000, 1 << 20, &out, &r);
		assert_int_equal(r.end, EL_QEMU_EXITED);
		assert_int_equal(r.code, cases[i].code);
		assert_int_equal(el_qemu_decode(&r), cases[i].end);
		assert_string_equal(out.data, STREAM_PASS);
		assert_int_equal(r.out_bytes, strlen(STREAM_PASS));
		assert_string_equal(r.err.data, "qemu says hi\n");
		snprintf(tail, sizeof(tail), "exit:%d", cases[i].code);
		assert_string_equal(el_qemu_status_text(&r, qs, sizeof(qs)), tail);
		el_qemu_result_free(&r);
		el_buf_free(&out);
	}
}

static void test_killed_by_signal(void **state)
{
	struct el_buf out = { 0 };
	struct el_qemu_result r;

	(void)state;
	fake_qemu(HDR, "kill -SEGV $$");
	run_fake(10000, 1 << 20, &out, &r);
	assert_int_equal(r.end, EL_QEMU_SIGNALED);
	assert_int_equal(r.code, 11);
	assert_int_equal(el_qemu_decode(&r), EL_GUEST_KILLED);
	el_qemu_result_free(&r);
	el_buf_free(&out);
}

static bool process_alive(long pid)
{
	char path[64], stat[256];
	FILE *f;
	bool alive = false;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	f = fopen(path, "r");
	if (f) {
		char *p = fgets(stat, sizeof(stat), f) ? strrchr(stat, ')') : NULL;
		alive = p && p[2] != 'Z' && p[2] != 'X';
		fclose(f);
	}
	return alive;
}

/* A hanging guest is killed at the limit, with everything it started. */
static void test_hang_killed(void **state)
{
	struct el_buf out = { 0 };
	struct el_qemu_result r;
	char tail[256];
	long child = 0;
	FILE *f;

	(void)state;
	snprintf(tail, sizeof(tail), "sleep 1000 & echo $! > '%s/child'; wait", dir);
	fake_qemu(HDR "@K partial line without newline", tail);
	run_fake(400, 1 << 20, &out, &r);
	assert_int_equal(r.end, EL_QEMU_TIMEOUT);
	assert_int_equal(el_qemu_decode(&r), EL_GUEST_HANG);
	assert_true(r.wall_ms >= 400 && r.wall_ms < 3000);
	assert_string_equal(out.data, HDR "@K partial line without newline");
	f = fopen(at("child"), "r");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%ld", &child), 1);
	fclose(f);
	for (int i = 0; i < 100 && process_alive(child); i++)
		usleep(10000);
	assert_false(process_alive(child));
	el_qemu_result_free(&r);
	el_buf_free(&out);
}

/* QEMU reports a KVM internal error and sits with the guest paused: it is
 * killed at once, not at the time limit, and the verdict names the error. */
static void test_kvm_internal_error(void **state)
{
	struct el_buf out = { 0 };
	struct el_qemu_result r;
	struct el_run_verdict v;
	struct el_stream s;

	(void)state;
	fake_qemu(HDR, "echo 'KVM internal error. Suberror: 1' >&2; "
		  "echo 'extra data[0]: 0x0000000000000001' >&2; sleep 1000");
	run_fake(20000, 1 << 20, &out, &r);
	assert_int_equal(r.end, EL_QEMU_HV_ERROR);
	assert_int_equal(el_qemu_decode(&r), EL_GUEST_QEMU_ERROR);
	assert_true(r.wall_ms < 5000);
	el_stream_init(&s);
	el_stream_feed(&s, out.data, out.len);
	el_stream_finish(&s);
	el_run_classify(&r, &s, "pcsa", EL_MODE_KVM, NULL, 1 << 24, NULL, &v);
	assert_int_equal(v.exit, EL_EX_CRASH);
	if (!strstr(v.error, "KVM could not run the guest (QEMU: KVM internal error. Suberror: 1)"))
		fail_msg("verdict '%s' lacks the KVM internal error", v.error);
	el_stream_free(&s);
	el_qemu_result_free(&r);
	el_buf_free(&out);
}

/* A child that closes its output but keeps running still hits the limit. */
static void test_hang_after_close(void **state)
{
	struct el_buf out = { 0 };
	struct el_qemu_result r;

	(void)state;
	fake_qemu(HDR, "exec >/dev/null 2>&1; sleep 1000");
	run_fake(400, 1 << 20, &out, &r);
	assert_int_equal(r.end, EL_QEMU_TIMEOUT);
	assert_true(r.wall_ms < 3000);
	el_qemu_result_free(&r);
	el_buf_free(&out);
}

static void test_flood_capped(void **state)
{
	struct el_buf out = { 0 };
	struct el_qemu_result r;
	char qs[32];

	(void)state;
	fake_qemu(HDR, "exec yes '@K flood flood flood'");
	run_fake(10000, 65536, &out, &r);
	assert_int_equal(r.end, EL_QEMU_FLOOD);
	assert_int_equal(el_qemu_decode(&r), EL_GUEST_FLOOD);
	assert_int_equal(r.out_bytes, 65536);
	assert_int_equal(out.len, 65536);
	assert_string_equal(el_qemu_status_text(&r, qs, sizeof(qs)), "output-cap");
	el_qemu_result_free(&r);
	el_buf_free(&out);
}

static void test_exec_failures(void **state)
{
	char *missing[] = { (char *)at("no-such-qemu"), NULL };
	char *notexec[] = { NULL, NULL };
	struct el_qemu_limits lim = { 5000, 1 << 20 };
	struct el_buf out = { 0 };
	struct el_qemu_result r;

	(void)state;
	el_qemu_run(missing, &lim, collect, &out, &r);
	assert_int_equal(r.end, EL_QEMU_NOT_FOUND);
	assert_int_equal(el_qemu_decode(&r), EL_GUEST_NO_QEMU);
	el_qemu_result_free(&r);
	put("plain", "not a program\n", 0644);
	notexec[0] = (char *)at("plain");
	el_qemu_run(notexec, &lim, collect, &out, &r);
	assert_int_equal(r.end, EL_QEMU_EXEC_ERROR);
	el_qemu_result_free(&r);
	assert_int_equal(out.len, 0);
	el_buf_free(&out);
}

/* ------------------------------------------------------------ classification */

static void classify(const char *stream, enum el_qemu_end end, int code,
		     const struct el_run_want *want, struct el_run_verdict *v)
{
	struct el_qemu_result q = { .end = end, .code = code, .wall_ms = 60000 };
	struct el_stream s;

	el_stream_init(&s);
	el_stream_feed(&s, stream, strlen(stream));
	el_stream_finish(&s);
	el_run_classify(&q, &s, "pcsa", EL_MODE_TCG_ICOUNT, NULL, 1 << 24, want, v);
	el_stream_free(&s);
}

static void expect_wanted(const char *stream, enum el_qemu_end end, int code,
			  const struct el_run_want *want, int exit, const char *status,
			  const char *msg)
{
	struct el_run_verdict v;

	classify(stream, end, code, want, &v);
	assert_int_equal(v.exit, exit);
	assert_string_equal(v.status, status);
	if (!strstr(v.error, msg))
		fail_msg("verdict '%s' lacks '%s'", v.error, msg);
}

static void expect_verdict(const char *stream, enum el_qemu_end end, int code,
			   int exit, const char *status, const char *msg)
{
	expect_wanted(stream, end, code, NULL, exit, status, msg);
}

static void test_classify(void **state)
{
	(void)state;
	expect_verdict(STREAM_PASS, EL_QEMU_EXITED, 33, EL_EX_OK, "pass", "");
	expect_verdict(STREAM_FAIL, EL_QEMU_EXITED, 35, EL_EX_FAIL, "fail",
		       "conformance failed: 1 of 2 checks failed (first: not ok 2 - rbx survives): variant pcsa");
	expect_verdict(STREAM_GP, EL_QEMU_EXITED, 37, EL_EX_CRASH, "crash",
		       "guest exception #GP (vector 13) at rip 0xffffffff81000123 in kernel mode: variant pcsa");
	expect_verdict(HDR, EL_QEMU_EXITED, 0, EL_EX_CRASH, "crash", "guest reset or triple fault");
	expect_verdict(HDR, EL_QEMU_TIMEOUT, 0, EL_EX_HANG, "hang", "guest hung: killed after 60 s: variant pcsa");
	expect_verdict(HDR "@K x\n", EL_QEMU_EXITED, 33, EL_EX_PROTOCOL, "protocol",
		       "truncated record stream: no final @E record after line 2: variant pcsa");
	expect_verdict(STREAM_FAIL, EL_QEMU_EXITED, 33, EL_EX_PROTOCOL, "protocol",
		       "QEMU status 33 (pass) disagrees with the final record");
	expect_verdict(HDR, EL_QEMU_FLOOD, 0, EL_EX_PROTOCOL, "protocol", "output cap");
	/* off PATH: installed (where the test hosts have it) or not at all */
	expect_verdict("", EL_QEMU_NOT_FOUND, 2, EL_EX_USAGE, "usage",
		       access("/usr/bin/qemu-system-x86_64", X_OK) == 0 ?
		       "qemu-system-x86_64 is not on PATH (installed as /usr/bin/qemu-system-x86_64): "
		       "add /usr/bin to PATH" :
		       "qemu-system-x86_64 not found on PATH: install qemu-system-x86");
	expect_verdict("@H proto=2 variant=v short=pcsa ptregs=a rsp=b regs=c exit=d build=0 cpu=x "
		       "hv=none mode=kvm unit=tsc\n@E records=1 status=pass\n", EL_QEMU_EXITED, 33,
		       EL_EX_PROTOCOL, "protocol", "unit=tsc but mode tcg-icount counts instructions");
}

/* A guest that skips what it was asked for never passes. */
static void test_classify_delivered(void **state)
{
	struct el_run_want all = { .conform = true, .bench = true, .bench_list = "getpid",
				   .samples = 3 };
	struct el_run_want w = all;

	(void)state;
	expect_wanted(STREAM_PASS, EL_QEMU_EXITED, 33, &all, EL_EX_OK, "pass", "");
	/* el.run=none: a header and @E, nothing else */
	expect_wanted(HDR "@E records=1 status=pass\n", EL_QEMU_EXITED, 33, &all, EL_EX_PROTOCOL,
		      "protocol", "no conformance run: the guest sent no TAP plan");
	/* el.run=bench: samples but no TAP */
	expect_wanted(HDR "@B bench=getpid iters=10 samples=3 warmup=1\n"
		      "@D bench=getpid sample=0 iters=10 ticks=140 empty=10\n"
		      "@D bench=getpid sample=1 iters=10 ticks=141 empty=10\n"
		      "@D bench=getpid sample=2 iters=10 ticks=150 empty=10\n"
		      "@E records=5 status=pass\n", EL_QEMU_EXITED, 33, &all, EL_EX_PROTOCOL,
		      "protocol", "no conformance run");
	/* el.run=conform: TAP but no benchmark */
	expect_wanted(HDR "@T 1..1\n@T ok 1 - getpid\n@E records=3 status=pass\n", EL_QEMU_EXITED,
		      33, &all, EL_EX_PROTOCOL, "protocol",
		      "benchmark getpid was asked for but neither measured nor reported unavailable");
	w.samples = 5;
	expect_wanted(STREAM_PASS, EL_QEMU_EXITED, 33, &w, EL_EX_PROTOCOL, "protocol",
		      "benchmark getpid sent 3 of the 5 samples asked for");
	w = all;
	w.bench_list = "getpid,iopl";
	expect_wanted(STREAM_PASS, EL_QEMU_EXITED, 33, &w, EL_EX_PROTOCOL, "protocol",
		      "benchmark iopl was asked for");
	expect_wanted(HDR "@N bench=iopl reason=unsupported_by_entry\n"
		      "@B bench=getpid iters=10 samples=3 warmup=1\n"
		      "@D bench=getpid sample=0 iters=10 ticks=140 empty=10\n"
		      "@D bench=getpid sample=1 iters=10 ticks=141 empty=10\n"
		      "@D bench=getpid sample=2 iters=10 ticks=150 empty=10\n"
		      "@T 1..1\n@T ok 1 - getpid\n@E records=8 status=pass\n", EL_QEMU_EXITED, 33,
		      &w, EL_EX_OK, "pass", "");
	w = (struct el_run_want){ .probe = true };
	expect_wanted(STREAM_PASS, EL_QEMU_EXITED, 33, &w, EL_EX_PROTOCOL, "protocol",
		      "no probe record");
	w.bench_list = NULL;
	w.bench = true;
	w.probe = false;
	w.samples = 3;   /* every benchmark of benches.def */
	expect_wanted(STREAM_PASS, EL_QEMU_EXITED, 33, &w, EL_EX_PROTOCOL, "protocol",
		      "benchmark getpid_traced was asked for");
}

/* ------------------------------------------------------------ the run command */

static int run_cmd(const char *extra1, const char *extra2)
{
	char image[256], out[256], qemu[256];
	char *argv[16];
	int n = 0;

	snprintf(image, sizeof(image), "%s/k.elf", dir);
	snprintf(out, sizeof(out), "%s/out/sub", dir);
	snprintf(qemu, sizeof(qemu), "%s/qemu", dir);
	argv[n++] = (char *)"run";
	argv[n++] = (char *)"--image";
	argv[n++] = image;
	argv[n++] = (char *)"--name=pcsa";
	argv[n++] = (char *)"--out";
	argv[n++] = out;
	argv[n++] = (char *)"--qemu";
	argv[n++] = qemu;
	if (extra1)
		argv[n++] = (char *)extra1;
	if (extra2)
		argv[n++] = (char *)extra2;
	argv[n] = NULL;
	return el_cmd_run(n, argv);
}

static void test_run_command(void **state)
{
	(void)state;
	fake_qemu(STREAM_PASS, "exit 33");
	assert_int_equal(run_cmd("--bench=getpid", "--samples=3"), EL_EX_OK);
	assert_non_null(strstr(slurp("args"), "el.mode=tcg-icount el.bench=getpid el.samples=3\n"));
	assert_string_equal(slurp("out/sub/pcsa.console"), STREAM_PASS);
	assert_string_equal(slurp("out/sub/pcsa.tap"), "1..2\nok 1 - getpid\nok 2 - rbx survives\n");
	assert_string_equal(slurp("out/sub/pcsa.samples.csv"),
			    "variant,short,bench,sample,iters,ticks,empty,per_call,unit\n"
			    "\"ptregs=partial,rsp=cached,regs=stub,exit=asm\",pcsa,getpid,0,10,140,10,13,instructions\n"
			    "\"ptregs=partial,rsp=cached,regs=stub,exit=asm\",pcsa,getpid,1,10,141,10,13.1000,instructions\n"
			    "\"ptregs=partial,rsp=cached,regs=stub,exit=asm\",pcsa,getpid,2,10,150,10,14,instructions\n");
	assert_non_null(strstr(slurp("out/sub/pcsa.result"), "status=pass\nexit=0\nerror=\n"));
	assert_non_null(strstr(slurp("out/sub/pcsa.result"), "\ntap_planned=2\ntap_pass=2\n"));
	assert_non_null(strstr(slurp("out/sub/pcsa.result"), "\nqemu_status=exit:33\n"));

	fake_qemu(STREAM_GP, "exit 37");
	assert_int_equal(run_cmd(NULL, NULL), EL_EX_CRASH);
	assert_non_null(strstr(slurp("out/sub/pcsa.result"), "status=crash\nexit=5\nerror=guest exception #GP"));

	fake_qemu(HDR, "sleep 1000");
	assert_int_equal(run_cmd("--timeout", "0.3"), EL_EX_HANG);
	assert_non_null(strstr(slurp("out/sub/pcsa.result"), "status=hang\nexit=4\n"));
}

/* A QEMU without seccomp refuses -sandbox at start: the run is retried
 * without it and the .result says so. */
static void test_run_sandbox(void **state)
{
	char script[1024];

	(void)state;
	fake_qemu(STREAM_PASS, "exit 33");
	assert_int_equal(run_cmd(NULL, NULL), EL_EX_PROTOCOL);   /* not every benchmark */
	assert_int_equal(run_cmd("--bench=getpid", "--samples=3"), EL_EX_OK);
	assert_non_null(strstr(slurp("args"), "\n-sandbox\non,obsolete=deny,"));
	assert_non_null(strstr(slurp("out/sub/pcsa.result"), "\nsandbox=on\n"));

	snprintf(script, sizeof(script),
		 "#!/bin/sh\nprintf '%%s\\n' \"$@\" > '%s/args'\n"
		 "case \" $* \" in *' -sandbox '*) echo \"qemu: -sandbox on: There is no option "
		 "group 'sandbox'\" >&2; exit 1 ;; esac\ncat '%s/stream'\nexit 33\n", dir, dir);
	put("qemu", script, 0755);
	assert_int_equal(run_cmd("--bench=getpid", "--samples=3"), EL_EX_OK);
	assert_null(strstr(slurp("args"), "-sandbox"));
	assert_non_null(strstr(slurp("out/sub/pcsa.result"), "status=pass\n"));
	assert_non_null(strstr(slurp("out/sub/pcsa.result"), "\nsandbox=off\n"));
}

static void test_run_usage(void **state)
{
	char *no_args[] = { (char *)"run", NULL };

	(void)state;
	fake_qemu(STREAM_PASS, "exit 33");
	assert_int_equal(el_cmd_run(1, no_args), EL_EX_USAGE);
	assert_int_equal(run_cmd("--accel", "fast"), EL_EX_USAGE);
	assert_int_equal(run_cmd("--mode", "auto"), EL_EX_USAGE);   /* run never probes */
	assert_int_equal(run_cmd("--timeout", "-1"), EL_EX_USAGE);
	assert_int_equal(run_cmd("--samples", "0"), EL_EX_USAGE);
	assert_int_equal(run_cmd("--run", "conform,dance"), EL_EX_USAGE);
	assert_int_equal(run_cmd("--events", "0x3c"), EL_EX_USAGE);   /* needs kvm */
	assert_int_equal(run_cmd("--frobnicate", NULL), EL_EX_USAGE);
	assert_int_equal(run_cmd("--image", at("missing.elf")), EL_EX_USAGE);
	assert_int_equal(run_cmd("--image", at("stream")), EL_EX_USAGE);   /* not ELF */
	assert_int_equal(run_cmd("--qemu", at("no-such-qemu")), EL_EX_USAGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_argv_tcg),
		cmocka_unit_test(test_argv_kvm),
		cmocka_unit_test(test_exit_statuses),
		cmocka_unit_test(test_killed_by_signal),
		cmocka_unit_test(test_hang_killed),
		cmocka_unit_test(test_kvm_internal_error),
		cmocka_unit_test(test_hang_after_close),
		cmocka_unit_test(test_flood_capped),
		cmocka_unit_test(test_exec_failures),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_classify_delivered),
		cmocka_unit_test(test_run_command),
		cmocka_unit_test(test_run_sandbox),
		cmocka_unit_test(test_run_usage),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
