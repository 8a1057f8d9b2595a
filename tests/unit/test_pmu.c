/*
 * test_pmu — host counters: event names to raw event-select values with the
 * real libpfm4 (pmu.c), and the perf cross-check on real `perf stat` output
 * (perfx.c).
 *
 * libpfm4 reads LIBPFM_FORCE_PMU at its first initialization in a process,
 * so this process forces Intel Skylake ("skl") before any call, and the
 * tests for other models run in a forked child that forces its own model.
 * Expected values are the architectural encodings (event | umask << 8 |
 * USR | OS | EN), INT cleared.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include <time.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/exitcodes.h"
#include "host/perfx.h"
#include "host/pmu.h"

#define USR_OS_EN 0x430000ULL

static void test_generic_names_skl(void **state)
{
	struct pmu_events ev;
	char err[512] = "";

	(void)state;
	assert_int_equal(pmu_resolve("cycles,instructions,branches,branch-misses",
				     &ev, err, sizeof(err)), 0);
	assert_string_equal(ev.pmu, "skl");
	assert_int_equal(ev.n, 4);
	assert_int_equal(ev.ev[0].raw, USR_OS_EN | 0x3c);
	assert_int_equal(ev.ev[1].raw, USR_OS_EN | 0xc0);
	assert_int_equal(ev.ev[2].raw, USR_OS_EN | 0xc4);
	assert_int_equal(ev.ev[3].raw, USR_OS_EN | 0xc5);
	assert_string_equal(ev.ev[0].name, "cycles");
	assert_non_null(strstr(ev.ev[0].native, "UNHALTED_CORE_CYCLES"));
}

static void test_native_names_and_modifiers(void **state)
{
	struct pmu_events ev;
	char err[512] = "";

	(void)state;
	assert_int_equal(pmu_resolve("INST_RETIRED:ANY_P:u,cycles:k,skl::BR_MISP_RETIRED"
				     ":ALL_BRANCHES", &ev, err, sizeof(err)), 0);
	assert_int_equal(ev.n, 3);
	assert_int_equal(ev.ev[0].raw, 0x4100c0);      /* USR only */
	assert_int_equal(ev.ev[1].raw, 0x42003c);      /* OS only */
	assert_int_equal(ev.ev[2].raw, USR_OS_EN | 0xc5);
	assert_int_equal(ev.ev[0].raw & PMU_RAW_INT_BIT, 0);
}

static void test_cmdline_and_render(void **state)
{
	struct pmu_events ev;
	char err[512] = "", line[128], small[12];
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	assert_int_equal(pmu_resolve("cycles,instructions", &ev, err, sizeof(err)), 0);
	assert_int_equal(pmu_format_cmdline(&ev, line, sizeof(line)), 0);
	assert_string_equal(line, "el.events=43003c,4300c0");
	assert_int_equal(pmu_format_cmdline(&ev, small, sizeof(small)), -1);
	f = open_memstream(&text, &len);
	assert_non_null(f);
	pmu_render(&ev, f);
	fclose(f);
	assert_non_null(strstr(text, "pmu=skl\n"));
	assert_non_null(strstr(text, "pmu_counters=8\n"));
	assert_non_null(strstr(text, "pmu_event1=instructions\npmu_event1_raw=0x4300c0\n"));
	free(text);
}

static void test_unknown_name_lists_events(void **state)
{
	struct pmu_events ev;
	char err[512] = "";

	(void)state;
	assert_int_equal(pmu_resolve("cycles,no_such_event", &ev, err, sizeof(err)),
			 EL_EX_USAGE);
	assert_non_null(strstr(err, "unknown PMU event \"no_such_event\""));
	assert_non_null(strstr(err, "UNHALTED_CORE_CYCLES"));   /* from the PMU's list */
	assert_null(strchr(err, '\n'));
	/* another PMU's event is not ours to program */
	assert_int_equal(pmu_resolve("amd64_fam17h_zen2::RETIRED_INSTRUCTIONS", &ev, err,
				     sizeof(err)), EL_EX_USAGE);
	assert_non_null(strstr(err, "unknown PMU event"));
}

static void test_bad_lists_rejected(void **state)
{
	static const char *bad[] = { "", ",", "cycles,", "cycles,,instructions",
				     "cyc les", "cycles;rm", "a\nb", "\x01", "INST_RETIRED:NOPE" };
	struct pmu_events ev;
	char err[512];
	char longname[300];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(pmu_resolve(bad[i], &ev, err, sizeof(err)), EL_EX_USAGE);
		assert_true(err[0] != '\0');
	}
	assert_int_equal(pmu_resolve(NULL, &ev, err, sizeof(err)), EL_EX_USAGE);
	memset(longname, 'A', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(pmu_resolve(longname, &ev, err, sizeof(err)), EL_EX_USAGE);
	assert_non_null(strstr(err, "too long"));
	assert_int_equal(pmu_resolve("cycles", &ev, err, 0), 0);   /* no err buffer */
}

static void test_too_many_events(void **state)
{
	struct pmu_events ev;
	char err[512] = "";

	(void)state;
	/* skl: 8 general-purpose counters as libpfm4 describes it */
	assert_int_equal(pmu_resolve("cycles,instructions,branches,branch-misses,"
				     "cycles:u,cycles:k,instructions:u,instructions:k",
				     &ev, err, sizeof(err)), 0);
	assert_int_equal(ev.n, 8);
	assert_int_equal(pmu_resolve("cycles,instructions,branches,branch-misses,"
				     "cycles:u,cycles:k,instructions:u,instructions:k,"
				     "branches:u", &ev, err, sizeof(err)), EL_EX_USAGE);
	assert_non_null(strstr(err, "has 8 general-purpose counters"));
}

/* Run fn in a child whose libpfm4 is forced to model; its exit status is
 * 0 when every check passed, otherwise the number of the failed check. */
static int in_child(const char *model, int (*fn)(void))
{
	int status = -1;
	pid_t pid = fork();

	if (pid == 0) {
		setenv("LIBPFM_FORCE_PMU", model, 1);
		_exit(fn());
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static int zen2_checks(void)
{
	struct pmu_events ev;
	char err[512];

	if (pmu_resolve("cycles,instructions,branch-misses", &ev, err, sizeof(err)))
		return 1;
	if (strcmp(ev.pmu, "amd64_fam17h_zen2") || ev.num_counters != 6)
		return 2;
	if (ev.ev[0].raw != (USR_OS_EN | 0x76) || ev.ev[1].raw != (USR_OS_EN | 0xc0) ||
	    ev.ev[2].raw != (USR_OS_EN | 0xc3))
		return 3;
	if (pmu_resolve("cycles,cycles,cycles,cycles,cycles,cycles,cycles", &ev, err,
			sizeof(err)) != EL_EX_USAGE || !strstr(err, "has 6 general"))
		return 4;
	if (pmu_resolve("ref-cycles", &ev, err, sizeof(err)) != EL_EX_USAGE ||
	    !strstr(err, "no equivalent on PMU amd64_fam17h_zen2"))
		return 5;
	return 0;
}

static int no_core_pmu_checks(void)
{
	struct pmu_events ev;
	char err[512];

	if (pmu_resolve("cycles", &ev, err, sizeof(err)) != EL_EX_USAGE)
		return 1;
	if (!strstr(err, "no hardware PMU detected"))
		return 2;
	if (pmu_detect(&ev, err, sizeof(err)) != EL_EX_USAGE)
		return 3;
	return 0;
}

static void test_amd_model(void **state)
{
	(void)state;
	assert_int_equal(in_child("amd64_fam17h_zen2", zen2_checks), 0);
}

static void test_no_hardware_pmu(void **state)
{
	(void)state;
	/* only the perf_events software/generic PMU active: no core PMU */
	assert_int_equal(in_child("perf", no_core_pmu_checks), 0);
}

static void test_host_counts_answers(void **state)
{
	char why[128] = "";
	int r;

	(void)state;
	/* 1 on a host with a PMU, 0 here (software hypervisor): either way a reason */
	r = pmu_host_counts(why, sizeof(why));
	assert_true(r == 0 || r == 1);
	assert_true(r ? strcmp(why, "ok") == 0 : strstr(why, "perf_event_open") != NULL);
}

/* ---- perfx: perf stat command line, CSV parser, comparison ---- */

/* Run argv with stdio on /dev/null and LIBPFM_FORCE_PMU unset; its exit
 * status, or -1. */
static int run(char *const argv[])
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		int fd = open("/dev/null", O_RDWR);

		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		unsetenv("LIBPFM_FORCE_PMU");
		alarm(20);              /* survives exec: a stuck perf dies */
		execvp(argv[0], argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static char *slurp(const char *path)
{
	static char buf[8192];
	size_t len;
	FILE *f = fopen(path, "r");

	assert_non_null(f);
	len = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[len] = '\0';
	return buf;
}

static void test_perfx_parse_real_output(void **state)
{
	char out[] = "/tmp/entrylab-perf-XXXXXX";
	char *argv[] = { "perf", "stat", "-x,", "-o", out, "-e", "task-clock,instructions",
			 "true", NULL };
	const struct perfx_count *tc, *in;
	struct perfx_result r;
	char err[256] = "";
	int fd;

	(void)state;
	fd = mkstemp(out);
	assert_true(fd >= 0);
	close(fd);
	if (run(argv) != 0) {
		unlink(out);
		skip();                 /* perf missing or not permitted */
	}
	assert_int_equal(perfx_parse(slurp(out), &r, err, sizeof(err)), 0);
	unlink(out);
	assert_int_equal(r.n, 2);
	tc = perfx_find(&r, "task-clock");
	in = perfx_find(&r, "instructions");
	assert_non_null(tc);
	assert_non_null(in);
	assert_int_equal(tc->state, PERFX_COUNTED);
	assert_true(tc->value > 0);
	assert_string_equal(tc->unit, "msec");
	/* counted on a host with a PMU, "<not supported>" on this dev machine */
	assert_true((in->state == PERFX_COUNTED && in->value > 0) ||
		    in->state == PERFX_NOT_SUPPORTED);
}

/* A thread of this process that lives 0.3 s: like QEMU's vCPU thread, its
 * tid disappears when it exits, which ends `perf stat -t`. */
static volatile pid_t short_tid;

static void *short_thread(void *arg)
{
	const struct timespec t = { 0, 300 * 1000 * 1000 };

	(void)arg;
	short_tid = (pid_t)syscall(SYS_gettid);
	nanosleep(&t, NULL);
	return NULL;
}

static void test_perfx_argv_runs_on_a_thread(void **state)
{
	char out[] = "/tmp/entrylab-perf-XXXXXX";
	int kvm = perfx_kvm_exit_available("/");
	const struct perfx_count *exits;
	struct perfx_result r;
	struct perfx_cmd cmd;
	char err[256] = "";
	pthread_t th;
	int fd, rc;

	(void)state;
	fd = mkstemp(out);
	assert_true(fd >= 0);
	close(fd);
	short_tid = 0;
	assert_int_equal(pthread_create(&th, NULL, short_thread, NULL), 0);
	while (short_tid == 0)
		sched_yield();
	assert_int_equal(perfx_build(&cmd, short_tid, out, kvm), 0);
	assert_string_equal(cmd.argv[0], "perf");
	assert_string_equal(cmd.argv[2], "-x,");
	assert_string_equal(cmd.argv[6], kvm ? "cycles:G,instructions:G,kvm:kvm_exit"
					     : "cycles:G,instructions:G");
	rc = run(cmd.argv);      /* perf stat -t ends when the thread exits */
	pthread_join(th, NULL);
	if (rc != 0) {
		unlink(out);
		skip();
	}
	assert_int_equal(perfx_parse(slurp(out), &r, err, sizeof(err)), 0);
	unlink(out);
	assert_non_null(perfx_find(&r, "cycles:G"));
	assert_non_null(perfx_find(&r, "instructions:G"));
	exits = perfx_find(&r, "kvm:kvm_exit");
	if (kvm) {             /* a sleeping non-VM thread causes no exits */
		assert_non_null(exits);
		assert_int_equal(exits->state, PERFX_COUNTED);
		assert_true(exits->value == 0);
	}
	assert_int_equal(perfx_build(&cmd, 0, out, 0), -1);
	assert_int_equal(perfx_build(&cmd, 5, NULL, 0), 0);
	assert_string_equal(cmd.argv[3], "-e");
}

static void test_perfx_parse_cases(void **state)
{
	static const char *bad[] = { "abc,,x\n", "1,2\n", "-5,,x\n", "1,,\n",
				     "1,,x,1,2,3,4,5,6\n", "1,,x,1,abc\n", "nan,,x\n",
				     "1,waytoolongunitname,x\n", ",,x\n", " 1,,x\n" };
	const char *good = "# started on Sat\n\n"
			   "<not counted>,,cycles:G,0,0.00,,\r\n"
			   "12345,,instructions:G,1000,50.00,,\n"
			   "<not supported>,,branches,0,100.00,,\n"
			   "7,,kvm:kvm_exit,1000,100.00,0.000,/sec";
	struct perfx_result r;
	char err[256], big[2000];
	size_t i;

	(void)state;
	assert_int_equal(perfx_parse(good, &r, err, sizeof(err)), 0);
	assert_int_equal(r.n, 4);
	assert_int_equal(r.c[0].state, PERFX_NOT_COUNTED);
	assert_string_equal(r.c[0].event, "cycles:G");
	assert_int_equal(r.c[1].state, PERFX_COUNTED);
	assert_true(r.c[1].value == 12345 && r.c[1].running_pct == 50.0);
	assert_int_equal(r.c[2].state, PERFX_NOT_SUPPORTED);
	assert_true(perfx_find(&r, "kvm:kvm_exit")->value == 7);
	assert_null(perfx_find(&r, "cycles"));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(perfx_parse(bad[i], &r, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "perf output line 1: "));
	}
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(perfx_parse(big, &r, err, sizeof(err)), -1);
	for (i = 0; i + 6 < sizeof(big) && i < 17 * 6; i += 6)
		memcpy(big + i, "1,,x\n\n", 6);
	big[i] = '\0';
	assert_int_equal(perfx_parse(big, &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "more than 16 counts"));
	assert_int_equal(perfx_parse(NULL, &r, err, sizeof(err)), 0);
	assert_int_equal(r.n, 0);
}

static void test_perfx_compare(void **state)
{
	struct perfx_count perf = { "cycles:G", PERFX_COUNTED, 1000, "", 100 };
	struct perfx_count none = { "cycles:G", PERFX_NOT_SUPPORTED, 0, "", 100 };
	struct perfx_count exits = { "kvm:kvm_exit", PERFX_COUNTED, 3, "", 100 };
	struct perfx_count noexits = { "kvm:kvm_exit", PERFX_COUNTED, 0, "", 100 };
	struct perfx_check c;

	(void)state;
	perfx_compare("cycles", 900, &perf, &noexits, &c);
	assert_int_equal(c.verdict, PERFX_AGREE);
	assert_true(c.ratio > 0.89 && c.ratio < 0.91);
	assert_string_equal(c.exits_warning, "");
	perfx_compare("cycles", 1010, &perf, NULL, &c);
	assert_int_equal(c.verdict, PERFX_AGREE);     /* within tolerance */
	perfx_compare("cycles", 1100, &perf, &exits, &c);
	assert_int_equal(c.verdict, PERFX_DISAGREE);
	assert_non_null(strstr(c.note, "ratio 1.100"));
	assert_non_null(strstr(c.exits_warning, "3 VM exits"));
	perfx_compare("cycles", 0, &perf, NULL, &c);
	assert_int_equal(c.verdict, PERFX_DISAGREE);
	perfx_compare("cycles", 900, &none, &exits, &c);
	assert_int_equal(c.verdict, PERFX_UNAVAILABLE);
	assert_non_null(strstr(c.note, "<not supported>"));
	assert_non_null(strstr(c.exits_warning, "3 VM exits"));
	perfx_compare("instructions", 900, NULL, NULL, &c);
	assert_int_equal(c.verdict, PERFX_UNAVAILABLE);
	perf.value = 0;
	perfx_compare("cycles", 900, &perf, NULL, &c);
	assert_int_equal(c.verdict, PERFX_DISAGREE);
}

static void test_perfx_kvm_exit_tree(void **state)
{
	char root[] = "/tmp/entrylab-trace-XXXXXX", path[256], cmd[300];

	(void)state;
	assert_non_null(mkdtemp(root));
	assert_int_equal(perfx_kvm_exit_available(root), 0);
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/sys/kernel/debug/tracing/events/kvm/"
		 "kvm_exit'", root);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(perfx_kvm_exit_available(root), 1);
	snprintf(path, sizeof(path), "%s/", root);
	assert_int_equal(perfx_kvm_exit_available(path), 1);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	/* the forked-model tests first: a child inherits an initialized libpfm4 */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_amd_model),
		cmocka_unit_test(test_no_hardware_pmu),
		cmocka_unit_test(test_generic_names_skl),
		cmocka_unit_test(test_native_names_and_modifiers),
		cmocka_unit_test(test_cmdline_and_render),
		cmocka_unit_test(test_unknown_name_lists_events),
		cmocka_unit_test(test_bad_lists_rejected),
		cmocka_unit_test(test_too_many_events),
		cmocka_unit_test(test_host_counts_answers),
		cmocka_unit_test(test_perfx_parse_real_output),
		cmocka_unit_test(test_perfx_argv_runs_on_a_thread),
		cmocka_unit_test(test_perfx_parse_cases),
		cmocka_unit_test(test_perfx_compare),
		cmocka_unit_test(test_perfx_kvm_exit_tree),
	};

	setenv("LIBPFM_FORCE_PMU", "skl", 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
