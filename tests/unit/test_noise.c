/*
 * test_noise — the noise report on fake sysfs/procfs trees (one per warning,
 * plus garbage) and on the real root of this machine.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "host/noise.h"

#define CPU "sys/devices/system/cpu/"

static char root[64];

/* Write content to <root>/<rel>, creating directories. */
static void put(const char *rel, const char *content)
{
	char path[512], *slash;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (slash = path + strlen(root) + 1; (slash = strchr(slash, '/')); slash++) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
}

static void drop(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_int_equal(unlink(path), 0);
}

/* A tree in which cpu 3 is as quiet as a host can be. */
static void quiet_tree(void)
{
	put(CPU "cpu3/cpufreq/scaling_governor", "performance\n");
	put(CPU "cpufreq/boost", "0\n");
	put(CPU "cpu3/topology/thread_siblings_list", "3\n");
	put(CPU "smt/control", "off\n");
	put(CPU "isolated", "2-3\n");
	put(CPU "nohz_full", "3\n");
	put("proc/loadavg", "0.00 0.01 0.05 1/80 1234\n");
}

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/entrylab-noise-XXXXXX");
	return mkdtemp(root) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

/* Exactly one warning, containing fix. */
static void one_warning(const struct noise_report *r, const char *fix)
{
	assert_int_equal(r->nwarn, 1);
	assert_non_null(strstr(r->warn[0], fix));
}

static void test_empty_tree_is_unknown(void **state)
{
	struct noise_report r;

	(void)state;
	assert_int_equal(noise_check(root, 3, &r), 0);
	assert_string_equal(r.governor, "unknown");
	assert_string_equal(r.boost, "unknown");
	assert_string_equal(r.siblings, "unknown");
	assert_string_equal(r.cpu_isolated, "unknown");
	assert_string_equal(r.nohz_full, "unknown");
	assert_string_equal(r.loadavg, "unknown");
	assert_true(r.load1 < 0);
}

static void test_quiet_tree(void **state)
{
	struct noise_report r;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	quiet_tree();
	assert_int_equal(noise_check(root, 3, &r), 0);
	assert_string_equal(r.governor, "performance");
	assert_string_equal(r.boost, "off");
	assert_string_equal(r.siblings_online, "none");
	assert_string_equal(r.cpu_isolated, "yes");
	assert_string_equal(r.cpu_nohz_full, "yes");
	assert_string_equal(r.loadavg, "0.00/0.01/0.05");
	f = open_memstream(&text, &len);
	assert_non_null(f);
	noise_render(&r, f);
	fclose(f);
	assert_non_null(strstr(text, "noise_governor=performance\n"));
	assert_non_null(strstr(text, "noise_isolated=2-3\n"));
	assert_non_null(strstr(text, "noise_warnings=0\n"));
	free(text);
}

static void test_governor(void **state)
{
	struct noise_report r;

	(void)state;
	quiet_tree();
	put(CPU "cpu3/cpufreq/scaling_governor", "powersave\n");
	noise_check(root, 3, &r);
	one_warning(&r, "cpupower -c 3 frequency-set -g performance");
}

static void test_boost_and_turbo(void **state)
{
	struct noise_report r;

	(void)state;
	quiet_tree();
	put(CPU "cpufreq/boost", "1\n");
	noise_check(root, 3, &r);
	one_warning(&r, "echo 0 > /sys/devices/system/cpu/cpufreq/boost");
	assert_string_equal(r.boost, "on");

	drop(CPU "cpufreq/boost");
	put(CPU "intel_pstate/no_turbo", "0\n");
	noise_check(root, 3, &r);
	one_warning(&r, "echo 1 > /sys/devices/system/cpu/intel_pstate/no_turbo");
	assert_string_equal(r.boost_source, "intel_pstate");
	put(CPU "intel_pstate/no_turbo", "1\n");
	assert_int_equal(noise_check(root, 3, &r), 0);
	assert_string_equal(r.boost, "off");
}

static void test_smt_sibling(void **state)
{
	struct noise_report r;

	(void)state;
	quiet_tree();
	put(CPU "cpu3/topology/thread_siblings_list", "3,7\n");
	put(CPU "cpu7/online", "1\n");
	noise_check(root, 3, &r);
	one_warning(&r, "echo 0 > /sys/devices/system/cpu/cpu7/online");
	assert_string_equal(r.siblings_online, "7");
	put(CPU "cpu7/online", "0\n");
	assert_int_equal(noise_check(root, 3, &r), 0);
	/* cpu 0 has no online file: counted as online */
	put(CPU "cpu3/topology/thread_siblings_list", "0,3\n");
	noise_check(root, 3, &r);
	one_warning(&r, "sibling(s) 0");
}

static void test_isolation(void **state)
{
	struct noise_report r;

	(void)state;
	quiet_tree();
	put(CPU "isolated", "\n");
	noise_check(root, 3, &r);
	one_warning(&r, "isolcpus=3");
	assert_string_equal(r.isolated, "none");
	put(CPU "isolated", "1-2\n");
	noise_check(root, 3, &r);
	one_warning(&r, "isolcpus=3");

	quiet_tree();
	put(CPU "nohz_full", "0-2,4\n");
	noise_check(root, 3, &r);
	one_warning(&r, "nohz_full=3");
	assert_string_equal(r.cpu_nohz_full, "no");
}

static void test_load(void **state)
{
	struct noise_report r;

	(void)state;
	quiet_tree();
	put("proc/loadavg", "2.50 1.00 0.50 3/100 999\n");
	noise_check(root, 3, &r);
	one_warning(&r, "load average 2.50");
	assert_true(r.load1 > 2.4 && r.load1 < 2.6);
}

static void test_garbage_is_unknown(void **state)
{
	static const char *lists[] = { "0-4294967295", "0-", "-1", "3,", "x", "0-99999",
				       "3 4", "99999999999999999999" };
	char longline[1000], rel[128];
	struct noise_report r;
	size_t i;

	(void)state;
	memset(longline, '1', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = '\0';
	put(CPU "cpu3/cpufreq/scaling_governor", "\x01\x02\n");
	put(CPU "cpufreq/boost", "yes\n");
	put("proc/loadavg", "abc def\n");
	put(CPU "smt/control", longline);
	snprintf(rel, sizeof(rel), "%s/" CPU "nohz_full", root);
	mkdir(rel, 0755);                      /* a directory where a file belongs */
	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		put(CPU "isolated", lists[i]);
		put(CPU "cpu3/topology/thread_siblings_list", lists[i]);
		assert_int_equal(noise_check(root, 3, &r), 0);
		assert_string_equal(r.isolated, "unknown");
		assert_string_equal(r.siblings, "unknown");
	}
	assert_string_equal(r.governor, "unknown");
	assert_string_equal(r.boost, "unknown");
	assert_string_equal(r.smt_control, "unknown");
	assert_string_equal(r.nohz_full, "unknown");
	assert_string_equal(r.loadavg, "unknown");
	put("proc/loadavg", "1e308 0 0 1/1 1\n");
	noise_check(root, 3, &r);
	assert_string_equal(r.loadavg, "unknown");
}

static void test_real_root(void **state)
{
	struct noise_report r, r2;
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int i;

	(void)state;
	assert_true(noise_check("/", 0, &r) >= 0);
	assert_true(noise_check(NULL, -5, &r2) >= 0);   /* defaults: "/", cpu 0 */
	assert_string_equal(r.siblings, r2.siblings);
	assert_true(r.loadavg[0] != '\0' && strcmp(r.loadavg, "unknown") != 0);
	assert_true(r.siblings[0] != '\0');
	for (i = 0; i < r.nwarn; i++)
		assert_non_null(strstr(r.warn[i], "fix: "));
	f = open_memstream(&text, &len);
	assert_non_null(f);
	noise_render(&r, f);
	fclose(f);
	assert_non_null(strstr(text, "noise_loadavg="));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_empty_tree_is_unknown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quiet_tree, setup, teardown),
		cmocka_unit_test_setup_teardown(test_governor, setup, teardown),
		cmocka_unit_test_setup_teardown(test_boost_and_turbo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_smt_sibling, setup, teardown),
		cmocka_unit_test_setup_teardown(test_isolation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load, setup, teardown),
		cmocka_unit_test_setup_teardown(test_garbage_is_unknown, setup, teardown),
		cmocka_unit_test(test_real_root),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
