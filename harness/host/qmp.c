/* The QMP client; contracts in qmp.h. */
#include "host/qmp.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define QMP_LINE_MAX (1u << 20)   /* a reply longer than this is no reply of ours */

int el_qmp_parse(const char *line, json_t **ret, char *err, size_t n)
{
	json_error_t je;
	json_t *msg = json_loads(line, 0, &je), *v;
	int rc = EL_QMP_OTHER;

	if (ret)
		*ret = NULL;
	if (!json_is_object(msg)) {
		el_fmt(err, n, "not a QMP message (%s): %.120s", msg ? "not an object" : je.text,
		       line);
		json_decref(msg);
		return EL_QMP_ERROR;
	}
	if ((v = json_object_get(msg, "return"))) {
		if (ret)
			*ret = json_incref(v);
		rc = EL_QMP_RETURN;
	} else if ((v = json_object_get(msg, "error"))) {
		const char *desc = json_string_value(json_object_get(v, "desc"));
		const char *cls = json_string_value(json_object_get(v, "class"));
		el_fmt(err, n, "%s%s%s", cls ? cls : "", cls ? ": " : "",
		       desc ? desc : "(no description)");
		rc = EL_QMP_ERROR;
	} else if (json_object_get(msg, "QMP")) {
		rc = EL_QMP_GREETING;
	} else if (!json_object_get(msg, "event")) {
		el_fmt(err, n, "a QMP message without return, error or event: %.120s", line);
		rc = EL_QMP_ERROR;
	}
	json_decref(msg);
	return rc;
}

int el_qmp_cpus_thread(const json_t *ret, pid_t *tid, char *err, size_t n)
{
	size_t i;
	json_t *cpu;

	if (!json_is_array(ret)) {
		el_fmt(err, n, "query-cpus-fast returned no list of cpus");
		return -1;
	}
	json_array_foreach(ret, i, cpu) {
		json_t *idx = json_object_get(cpu, "cpu-index"), *t = json_object_get(cpu, "thread-id");
		if (!json_is_integer(idx) || json_integer_value(idx) != 0)
			continue;
		if (!json_is_integer(t) || json_integer_value(t) <= 0 ||
		    json_integer_value(t) > INT32_MAX) {
			el_fmt(err, n, "query-cpus-fast: cpu 0 has no thread-id");
			return -1;
		}
		*tid = (pid_t)json_integer_value(t);
		return 0;
	}
	el_fmt(err, n, "query-cpus-fast lists no cpu 0");
	return -1;
}

/* The next whole line, read in blocks before the deadline: 0 with a
 * malloc'd line in *out, or -1 (timeout, end of stream, overlong). */
static int next_line(struct el_qmp *q, int64_t deadline, char **out)
{
	for (;;) {
		char *nl = q->in.data ? memchr(q->in.data, '\n', q->in.len) : NULL;
		if (nl) {
			size_t len = (size_t)(nl - q->in.data);
			*out = el_xrealloc(NULL, len + 1);
			memcpy(*out, q->in.data, len);
			(*out)[len] = '\0';
			memmove(q->in.data, nl + 1, q->in.len - len - 1);
			q->in.len -= len + 1;
			q->in.data[q->in.len] = '\0';
			return 0;
		}
		if (q->in.len > QMP_LINE_MAX)
			return -1;
		struct pollfd p = { q->fd, POLLIN, 0 };
		int64_t left = deadline - el_now_ms();
		char block[4096];
		ssize_t got;
		if (left <= 0 || poll(&p, 1, (int)left) <= 0 ||
		    (got = read(q->fd, block, sizeof(block))) <= 0)
			return -1;
		el_buf_append(&q->in, block, (size_t)got);
	}
}

/* Messages until one of kind want (EL_QMP_RETURN or EL_QMP_GREETING). */
static int await(struct el_qmp *q, int want, const char *what, json_t **ret, char *err,
		 size_t n)
{
	int64_t deadline = el_now_ms() + q->timeout_ms;
	char *line, why[512];

	while (next_line(q, deadline, &line) == 0) {
		int k = el_qmp_parse(line, ret, why, sizeof(why));
		free(line);
		if (k == want)
			return 0;
		if (k == EL_QMP_ERROR) {
			el_fmt(err, n, "QMP %s refused: %s: check the QEMU version", what, why);
			return -1;
		}
		if (k == EL_QMP_RETURN && ret) {
			json_decref(*ret);
			*ret = NULL;
		}
	}
	el_fmt(err, n, "QMP %s: no answer within %d ms: QEMU ended or hangs", what, q->timeout_ms);
	return -1;
}

int el_qmp_exec(struct el_qmp *q, const char *command, json_t **ret, char *err, size_t n)
{
	return el_qmp_exec_args(q, command, NULL, ret, err, n);
}

int el_qmp_exec_args(struct el_qmp *q, const char *command, json_t *args, json_t **ret,
		     char *err, size_t n)
{
	json_t *cmd = json_pack("{s:s}", "execute", command), *got = NULL;

	if (cmd && args)
		json_object_set(cmd, "arguments", args);
	json_decref(args);

	char *text = cmd ? json_dumps(cmd, JSON_COMPACT) : NULL;
	struct el_buf msg = { 0 };
	int rc = -1;

	json_decref(cmd);
	if (ret)
		*ret = NULL;
	if (!text) {
		el_fmt(err, n, "QMP %s: cannot encode the command", command);
		return -1;
	}
	el_buf_printf(&msg, "%s\n", text);
	free(text);
	if (write(q->fd, msg.data, msg.len) != (ssize_t)msg.len)
		el_fmt(err, n, "QMP %s: write: %s: QEMU ended early?", command, strerror(errno));
	else
		rc = await(q, EL_QMP_RETURN, command, &got, err, n);
	el_buf_free(&msg);
	if (rc == 0 && ret)
		*ret = got;
	else
		json_decref(got);
	return rc;
}

int el_qmp_vcpu_thread(struct el_qmp *q, pid_t *tid, char *err, size_t n)
{
	json_t *cpus;
	int rc;

	if (el_qmp_exec(q, "query-cpus-fast", &cpus, err, n))
		return -1;
	rc = el_qmp_cpus_thread(cpus, tid, err, n);
	json_decref(cpus);
	return rc;
}

int el_qmp_open(struct el_qmp *q, const char *path, int timeout_ms,
		bool (*alive)(void *ctx), void *ctx, char *err, size_t n)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct timespec nap = { 0, 5 * 1000 * 1000 };

	memset(q, 0, sizeof(*q));
	q->fd = -1;
	q->timeout_ms = timeout_ms;
	el_strlcpy(a.sun_path, path, sizeof(a.sun_path));
	for (int waited = 0; q->fd < 0; waited += 5) {
		q->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (q->fd >= 0 && connect(q->fd, (struct sockaddr *)&a, sizeof(a)) == 0)
			break;
		close(q->fd);
		q->fd = -1;
		if (!alive(ctx) || waited >= timeout_ms) {
			el_fmt(err, n, "cannot reach QEMU's QMP socket %s: %s: QEMU ended at start "
			       "(see its error output)", path, strerror(errno));
			return -1;
		}
		nanosleep(&nap, NULL);
	}
	if (await(q, EL_QMP_GREETING, "greeting", NULL, err, n) ||
	    el_qmp_exec(q, "qmp_capabilities", NULL, err, n)) {
		el_qmp_close(q);
		return -1;
	}
	return 0;
}

void el_qmp_close(struct el_qmp *q)
{
	if (q->fd >= 0)
		close(q->fd);
	q->fd = -1;
	el_buf_free(&q->in);
}
