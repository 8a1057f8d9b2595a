/*
 * test_pin — the measurement-PU choice on this machine's real topology, and
 * real binding of real processes checked through /proc: a sleep child and
 * a paused QEMU (-S) whose vCPU thread is found by the name QEMU gives it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/exitcodes.h"
#include "host/pin.h"

static char err[512];

/* Cpus_allowed_list of /proc/<pid>/task/<tid>/status into buf. */
static void allowed_list(pid_t pid, pid_t tid, char *buf, size_t n)
{
	char path[96], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/status", (int)pid, (int)tid);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_true(n >= 128);
	buf[0] = '\0';
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Cpus_allowed_list: %127s", buf) == 1)
			break;
	fclose(f);
	assert_true(buf[0] != '\0');
}

static const char *list(hwloc_const_bitmap_t set, char *buf, size_t n)
{
	hwloc_bitmap_list_snprintf(buf, n, set);
	return buf;
}

static pid_t spawn(char *const argv[])
{
	pid_t pid = fork();

	if (pid == 0) {
		int fd = open("/dev/null", O_RDWR);

		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	assert_true(pid > 0);
	return pid;
}

static void reap(pid_t pid)
{
	int status;

	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &status, 0), pid);
}

static void test_choose_default(void **state)
{
	struct pin_plan plan;
	char buf[128], *text = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	assert_int_equal(pin_choose(&plan, -1, err, sizeof(err)), 0);
	assert_true(plan.pus >= 1 && plan.cores >= 1 && plan.packages >= 1);
	assert_true(hwloc_bitmap_isset(plan.allowed, (unsigned)plan.cpu));
	assert_true(hwloc_bitmap_isset(plan.core_set, (unsigned)plan.cpu));
	assert_int_equal(hwloc_bitmap_weight(plan.vcpu_set), 1);
	assert_false(hwloc_bitmap_intersects(plan.other_set, plan.core_set));
	if (plan.cores > 1 && plan.nwarn == 0)  /* another core was usable: not cpu 0's */
		assert_false(hwloc_bitmap_isset(plan.core_set, 0));
	if (hwloc_bitmap_weight(plan.allowed) == 1)
		assert_true(plan.nwarn > 0);
	f = open_memstream(&text, &len);
	assert_non_null(f);
	pin_render(&plan, f);
	fclose(f);
	snprintf(buf, sizeof(buf), "\npin_cpu=%d\n", plan.cpu);
	assert_non_null(strstr(text, buf));
	assert_non_null(strstr(text, "topo_pus="));
	assert_non_null(strstr(text, "pin_other="));
	free(text);
	pin_free(&plan);
	pin_free(&plan);        /* idempotent */
}

static void test_choose_each_allowed_cpu(void **state)
{
	struct pin_plan plan, probe;
	unsigned cpu;

	(void)state;
	assert_int_equal(pin_choose(&probe, -1, err, sizeof(err)), 0);
	hwloc_bitmap_foreach_begin(cpu, probe.allowed) {
		assert_int_equal(pin_choose(&plan, (int)cpu, err, sizeof(err)), 0);
		assert_int_equal(plan.cpu, (int)cpu);
		assert_int_equal(hwloc_bitmap_first(plan.vcpu_set), (int)cpu);
		assert_false(hwloc_bitmap_isset(plan.other_set, cpu));
		pin_free(&plan);
	} hwloc_bitmap_foreach_end();
	pin_free(&probe);
}

static void test_invalid_cpu_rejected(void **state)
{
	struct pin_plan plan;

	(void)state;
	err[0] = '\0';
	assert_int_equal(pin_choose(&plan, 99999, err, sizeof(err)), EL_EX_USAGE);
	assert_non_null(strstr(err, "cpu 99999 does not exist"));
	assert_non_null(strstr(err, "--cpu"));
	assert_null(plan.topo);  /* nothing left to free */
	pin_free(&plan);
}

static void test_pin_real_child(void **state)
{
	char *argv[] = { "sleep", "30", NULL };
	struct pin_plan plan;
	char got[128], want[128];
	pid_t pid;

	(void)state;
	assert_int_equal(pin_choose(&plan, -1, err, sizeof(err)), 0);
	pid = spawn(argv);
	assert_int_equal(pin_thread(plan.topo, pid, plan.vcpu_set, err, sizeof(err)), 0);
	allowed_list(pid, pid, got, sizeof(got));
	assert_string_equal(got, list(plan.vcpu_set, want, sizeof(want)));
	assert_int_equal(pin_thread(plan.topo, pid, plan.allowed, err, sizeof(err)), 0);
	allowed_list(pid, pid, got, sizeof(got));
	assert_string_equal(got, list(plan.allowed, want, sizeof(want)));
	reap(pid);
	/* gone, or never existed: an error, not a crash */
	assert_int_equal(pin_thread(plan.topo, pid, plan.vcpu_set, err, sizeof(err)),
			 EL_EX_USAGE);
	assert_non_null(strstr(err, "cannot bind thread"));
	assert_int_equal(pin_thread(plan.topo, 0, plan.vcpu_set, err, sizeof(err)),
			 EL_EX_USAGE);
	pin_free(&plan);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_choose_default),
		cmocka_unit_test(test_choose_each_allowed_cpu),
		cmocka_unit_test(test_invalid_cpu_rejected),
		cmocka_unit_test(test_pin_real_child),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
