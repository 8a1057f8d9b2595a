/*
 * test_pmu — event names to raw event-select values with the real libpfm4.
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
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "exitcodes.h"
#include "pmu.h"

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
	};

	setenv("LIBPFM_FORCE_PMU", "skl", 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
