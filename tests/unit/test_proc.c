/* Unit tests: waiting for a child on its pidfd (harness/core/proc.h):
 * the pidfd becomes readable when the child ends and not before; the
 * wait with a time limit stops a child that outlives it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/proc.h"

static pid_t start(char **argv)
{
	struct el_spawn sp = { .argv = argv, .in = -1, .out = -1, .err = -1 };
	pid_t pid = el_spawn(&sp);

	assert_true(pid > 0);
	return pid;
}

static void test_pidfd_readable_at_exit(void **state)
{
	char *sleeper[] = { "sleep", "30", NULL }, *quick[] = { "true", NULL };
	int st, fd;
	pid_t pid;

	(void)state;
	pid = start(sleeper);
	fd = el_proc_pidfd(pid);
	if (fd < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		skip();   /* a kernel without pidfd_open: el_proc_* tick instead */
	}
	assert_int_equal(el_proc_poll_exit(fd, 50), 0);      /* still running */
	assert_int_equal(waitpid(pid, &st, WNOHANG), 0);
	kill(pid, SIGKILL);
	assert_int_equal(el_proc_poll_exit(fd, 30000), 1);   /* woken by the exit */
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	close(fd);

	pid = start(quick);
	fd = el_proc_pidfd(pid);
	assert_int_equal(el_proc_poll_exit(fd, 30000), 1);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(fd);
}

static void test_wait_limits(void **state)
{
	char *sleeper[] = { "sleep", "30", NULL }, *quick[] = { "sh", "-c", "exit 7", NULL };
	volatile sig_atomic_t stop = 0;
	bool stopped;
	int st;

	(void)state;
	st = el_proc_wait(start(quick), false, 30000, 0, NULL, &stopped);
	assert_false(stopped);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 7);
	st = el_proc_wait(start(sleeper), false, 100, 1000, NULL, &stopped);
	assert_true(stopped);
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
	stop = 1;   /* a stop asked for: SIGKILL at once with no grace */
	st = el_proc_wait(start(sleeper), false, -1, 0, &stop, &stopped);
	assert_true(stopped);
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pidfd_readable_at_exit),
		cmocka_unit_test(test_wait_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
