/* qmp: QEMU's QMP socket, see qmp.h. */
#include "host/qmp.h"
#include "boot/qemu.h"
#include "core/util.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define QMP_ANSWER_MS 30000   /* a command's answer (a loaded host took seconds) */

void el_nap_ms(int ms)
{
	struct timespec t = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&t, NULL);
}

bool el_qemu_alive(pid_t pid)
{
	char path[64], *stat;
	bool alive;

	el_fmt(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (!(stat = el_read_text(path, 512)))
		return false;
	alive = strrchr(stat, ')') && strrchr(stat, ')')[1] == ' ' && strrchr(stat, ')')[2] != 'Z';
	free(stat);
	return alive;
}

/* Read one line (without the newline) from fd before the deadline. */
static int qmp_line(int fd, char *buf, size_t n, int64_t deadline)
{
	size_t len = 0;

	while (len + 1 < n) {
		struct pollfd p = { fd, POLLIN, 0 };
		int64_t left = deadline - el_now_ms();
		if (left <= 0 || poll(&p, 1, (int)left) <= 0 || read(fd, buf + len, 1) != 1)
			return -1;
		if (buf[len] == '\n')
			break;
		len++;
	}
	buf[len] = '\0';
	return 0;
}

int el_qmp_call(int fd, const char *cmd, char *reply, size_t rn, char *err, size_t n)
{
	char line[4096], msg[1024];
	int64_t deadline = el_now_ms() + QMP_ANSWER_MS;

	if (cmd[0] == '{')
		el_fmt(msg, sizeof(msg), "%s\n", cmd);
	else
		el_fmt(msg, sizeof(msg), "{\"execute\":\"%s\"}\n", cmd);
	if (write(fd, msg, strlen(msg)) != (ssize_t)strlen(msg)) {
		el_fmt(err, n, "QMP %.80s: write: %s: QEMU ended early?", cmd, strerror(errno));
		return -1;
	}
	while (qmp_line(fd, line, sizeof(line), deadline) == 0) {
		if (strstr(line, "\"return\"")) {
			if (reply)
				el_strlcpy(reply, line, rn);
			return 0;
		}
		if (strstr(line, "\"error\"")) {
			el_fmt(err, n, "QMP %.80s refused: %.200s: check the QEMU version", cmd, line);
			return -1;
		}
	}
	el_fmt(err, n, "QMP %.80s: no answer within %d ms: QEMU ended or hangs", cmd, QMP_ANSWER_MS);
	return -1;
}

int el_qmp_exec(int fd, const char *cmd, char *err, size_t n)
{
	return el_qmp_call(fd, cmd, NULL, 0, err, n);
}

int el_qmp_hmp(int fd, const char *line, char *err, size_t n)
{
	char cmd[512], reply[1024];

	el_fmt(cmd, sizeof(cmd), "{\"execute\":\"human-monitor-command\",\"arguments\":"
	       "{\"command-line\":\"%s\"}}", line);
	if (el_qmp_call(fd, cmd, reply, sizeof(reply), err, n))
		return -1;
	if (!strstr(reply, "\"return\": \"\"") && !strstr(reply, "\"return\":\"\"")) {
		el_fmt(err, n, "QEMU's monitor refused '%s': %.200s: use QEMU 7.2", line, reply);
		return -1;
	}
	return 0;
}

int el_qmp_wait_status(int fd, const char *status, int timeout_ms, char *err, size_t n)
{
	char reply[1024], want[96];
	int64_t deadline = el_now_ms() + timeout_ms;

	el_fmt(want, sizeof(want), "\"status\": \"%s\"", status);
	for (;;) {
		if (el_qmp_call(fd, "query-status", reply, sizeof(reply), err, n))
			return -1;
		if (strstr(reply, want))
			return 0;
		if (el_now_ms() > deadline || el_qemu_interrupted) {
			el_fmt(err, n, "QEMU not %s within %d ms (%.200s): the guest did not stop "
			       "where it should", status, timeout_ms, reply);
			return -1;
		}
		el_nap_ms(2);
	}
}

int el_qmp_open(const char *path, pid_t pid, int timeout_ms, char *err, size_t n)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	char line[4096];
	int fd = -1;

	el_strlcpy(a.sun_path, path, sizeof(a.sun_path));
	for (int waited = 0; fd < 0; waited += 5) {
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0)
			break;
		close(fd);
		fd = -1;
		if (!el_qemu_alive(pid) || el_qemu_interrupted || waited >= timeout_ms) {
			el_fmt(err, n, "cannot reach QEMU's QMP socket %s: %s: QEMU ended at start "
			       "(see its error output)", path, strerror(errno));
			return -1;
		}
		el_nap_ms(5);
	}
	if (qmp_line(fd, line, sizeof(line), el_now_ms() + timeout_ms) || !strstr(line, "QMP")) {
		el_fmt(err, n, "no QMP greeting on %s: QEMU ended at start", path);
		close(fd);
		return -1;
	}
	if (el_qmp_exec(fd, "qmp_capabilities", err, n)) {
		close(fd);
		return -1;
	}
	return fd;
}
