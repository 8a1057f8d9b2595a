/* libFuzzer target: QEMU's execution log as read by `entrylab trace`
 * (harness/image/trace.h: el_log_line, el_trace_log_feed / _read).
 *
 * Input: the log text; the marker addresses are taken from the first
 * "begin=HEX end=HEX" line when there is one, else 0x1000 and 0x2000.
 * Checked: no crash, no sanitizer report, no leak; at most two windows,
 * each within EL_TRACE_WINDOW_MAX; line counts add up. */
#include "fuzz.h"

#include "image/trace.h"

static void check(int cond)
{
	if (!cond)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct el_trace_log t;
	unsigned long long begin = 0x1000, end = 0x2000;
	char *text = fz_string(data, size), path[64];
	uint64_t pc, lines = 0;
	FILE *f = NULL;
	int fd;

	sscanf(text, "begin=%llx end=%llx", &begin, &end);
	el_trace_log_init(&t, begin, end);
	for (char *line = text, *nl; line; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		el_log_line(line, &pc);
		el_trace_log_feed(&t, line);
		lines++;
	}
	check(t.nwin >= 0 && t.nwin <= 2);
	check(t.n[0] <= EL_TRACE_WINDOW_MAX && t.n[1] <= EL_TRACE_WINDOW_MAX);
	check(t.exec_lines + t.stopped_lines + t.bad_lines <= lines);
	el_trace_log_free(&t);

	/* the same log read from a file */
	fd = fz_memfile(data, size, path, sizeof(path));
	check(fd >= 0 && (f = fopen(path, "r")) != NULL);
	el_trace_log_init(&t, begin, end);
	check(el_trace_log_read(&t, f) == 0);
	el_trace_log_free(&t);
	fclose(f);
	close(fd);
	free(text);
	return 0;
}
