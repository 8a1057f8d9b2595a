/* Unit tests: the QMP client's parsing (harness/host/qmp.h) — replies,
 * errors, events, the greeting, query-cpus-fast's thread-id — and the
 * client against a socket that speaks QMP line by line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host/qmp.h"

static void test_parse(void **state)
{
	char err[256];
	json_t *ret;

	(void)state;
	assert_int_equal(el_qmp_parse("{\"return\": {}}", &ret, err, sizeof(err)), EL_QMP_RETURN);
	assert_true(json_is_object(ret));
	json_decref(ret);
	assert_int_equal(el_qmp_parse("{\"return\": [1, 2], \"id\": \"x\"}", &ret, err,
				      sizeof(err)), EL_QMP_RETURN);
	assert_int_equal(json_array_size(ret), 2);
	json_decref(ret);
	/* "return" inside a string or an event is no reply (strstr found it) */
	assert_int_equal(el_qmp_parse("{\"event\": \"RESUME\", \"data\": {\"why\": \"\\\"return\\\"\"}}",
				      &ret, err, sizeof(err)), EL_QMP_OTHER);
	assert_null(ret);
	assert_int_equal(el_qmp_parse("{\"QMP\": {\"version\": {\"qemu\": {\"major\": 7}}, "
				      "\"capabilities\": [\"oob\"]}}", &ret, err, sizeof(err)),
			 EL_QMP_GREETING);
	assert_int_equal(el_qmp_parse("{\"error\": {\"class\": \"CommandNotFound\", \"desc\": "
				      "\"The command foo has not been found\"}}", &ret, err,
				      sizeof(err)), EL_QMP_ERROR);
	assert_string_equal(err, "CommandNotFound: The command foo has not been found");
	assert_int_equal(el_qmp_parse("{\"return\": {", &ret, err, sizeof(err)), EL_QMP_ERROR);
	assert_non_null(strstr(err, "not a QMP message"));
	assert_int_equal(el_qmp_parse("[1]", &ret, err, sizeof(err)), EL_QMP_ERROR);
	assert_int_equal(el_qmp_parse("{\"something\": 1}", &ret, err, sizeof(err)), EL_QMP_ERROR);
}

static void test_cpus(void **state)
{
	char err[256];
	pid_t tid = 0;
	json_error_t je;
	json_t *r;

	(void)state;
	/* what QEMU 7.2 answers, two cpus, cpu 0 second */
	r = json_loads("[{\"thread-id\": 4242, \"props\": {\"core-id\": 0, \"thread-id\": 0, "
		       "\"socket-id\": 1}, \"qom-path\": \"/machine/unattached/device[1]\", "
		       "\"cpu-index\": 1, \"target\": \"x86_64\"}, {\"thread-id\": 4241, \"props\": "
		       "{\"core-id\": 0, \"thread-id\": 0, \"socket-id\": 0}, \"qom-path\": "
		       "\"/machine/unattached/device[0]\", \"cpu-index\": 0, \"target\": \"x86_64\"}]",
		       0, &je);
	assert_non_null(r);
	assert_int_equal(el_qmp_cpus_thread(r, &tid, err, sizeof(err)), 0);
	assert_int_equal(tid, 4241);
	json_decref(r);
	r = json_loads("[{\"cpu-index\": 1, \"thread-id\": 7}]", 0, &je);
	assert_int_equal(el_qmp_cpus_thread(r, &tid, err, sizeof(err)), -1);
	assert_string_equal(err, "query-cpus-fast lists no cpu 0");
	json_decref(r);
	r = json_loads("[{\"cpu-index\": 0, \"thread-id\": -1}]", 0, &je);
	assert_int_equal(el_qmp_cpus_thread(r, &tid, err, sizeof(err)), -1);
	json_decref(r);
	r = json_loads("{}", 0, &je);
	assert_int_equal(el_qmp_cpus_thread(r, &tid, err, sizeof(err)), -1);
	json_decref(r);
}

static bool always(void *ctx)
{
	(void)ctx;
	return true;
}

/* A QMP server in a child: the greeting in two writes, then per command an
 * event and the reply, the long one split across writes. */
static void serve(int listen_fd)
{
	int c = accept(listen_fd, NULL, NULL);
	char line[512];
	FILE *in = fdopen(dup(c), "r");

	dprintf(c, "{\"QMP\": {\"version\": {}, ");
	usleep(20000);
	dprintf(c, "\"capabilities\": []}}\n");
	while (fgets(line, sizeof(line), in)) {
		if (strstr(line, "qmp_capabilities"))
			dprintf(c, "{\"return\": {}}\n");
		else if (strstr(line, "query-cpus-fast")) {
			dprintf(c, "{\"event\": \"X\", \"data\": {\"return\": 1}}\n{\"return\": [{\"cpu-");
			usleep(20000);
			dprintf(c, "index\": 0, \"thread-id\": 777}]}\n");
		} else if (strstr(line, "cont"))
			dprintf(c, "{\"error\": {\"class\": \"GenericError\", \"desc\": \"no\"}}\n");
	}
	_exit(0);
}

static void test_client(void **state)
{
	char path[64], err[256];
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct el_qmp q;
	pid_t pid, tid = 0;
	int s;

	(void)state;
	snprintf(path, sizeof(path), "/tmp/el-qmp-test.%d", (int)getpid());
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	unlink(path);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(s, 1), 0);
	if ((pid = fork()) == 0)
		serve(s);
	close(s);
	assert_int_equal(el_qmp_open(&q, path, 5000, always, NULL, err, sizeof(err)), 0);
	assert_int_equal(el_qmp_vcpu_thread(&q, &tid, err, sizeof(err)), 0);
	assert_int_equal(tid, 777);
	assert_int_equal(el_qmp_exec(&q, "cont", NULL, err, sizeof(err)), -1);
	assert_string_equal(err, "QMP cont refused: GenericError: no: check the QEMU version");
	el_qmp_close(&q);
	waitpid(pid, NULL, 0);
	unlink(path);
	/* nobody listening: an error, not a hang */
	assert_int_equal(el_qmp_open(&q, path, 50, always, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot reach QEMU's QMP socket"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_cpus),
		cmocka_unit_test(test_client),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
