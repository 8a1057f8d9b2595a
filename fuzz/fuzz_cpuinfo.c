/* libFuzzer target: /proc/cpuinfo as read for meta.json (harness/matrix/meta.h
 * mx_cpuinfo).  Checked: no crash, no sanitizer report; both answers are
 * NUL-terminated one-line strings within their buffers. */
#include "fuzz.h"

#include "matrix/meta.h"

static void check(int cond)
{
	if (!cond)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64], model[96], micro[24];
	int fd = fz_memfile(data, size, path, sizeof(path));

	if (fd < 0)
		abort();
	memset(model, 'x', sizeof(model));
	memset(micro, 'x', sizeof(micro));
	if (mx_cpuinfo(path, model, sizeof(model), micro, sizeof(micro)) == 0) {
		check(memchr(model, '\0', sizeof(model)) && memchr(micro, '\0', sizeof(micro)));
		check(!strchr(model, '\n') && !strchr(micro, '\n'));
	}
	close(fd);
	return 0;
}
