/*
 * report_linux.c — the Linux rows' part of report.md: each row's QEMU CPU
 * model, how it was chosen, and the kernel's own verdicts on the CPU it saw
 * (/sys/devices/system/cpu/vulnerabilities, kept in meta.json
 * linuxref.rows[] by the matrix), side by side, so that `linux` against
 * `linux-nomit` reads as "what the mitigations cost on this CPU".
 */
#include "analysis/analyze.h"
#include "core/util.h"

#include <jansson.h>
#include <string.h>

/* A table cell: '|' would end the cell. */
static void cell(struct el_buf *b, const char *s)
{
	for (; s && *s; s++)
		el_buf_printf(b, "%s", *s == '|' ? "\\|" : (char[2]){ *s, 0 });
}

void an_md_linux(struct el_buf *b, const struct an_run *run)
{
	char path[sizeof(run->dir) + 16];
	json_t *meta, *rows, *r, *first, *host;
	const char *name;
	json_t *v;
	size_t i, j;

	el_fmt(path, sizeof(path), "%s/meta.json", run->dir);
	meta = json_load_file(path, 0, NULL);
	rows = json_object_get(json_object_get(meta, "linuxref"), "rows");
	host = json_object_get(json_object_get(meta, "linuxref"), "host_cpu");
	if (!json_is_array(rows) || !json_array_size(rows) ||
	    !json_object_get(json_array_get(rows, 0), "cpu_model")) {
		json_decref(meta);
		return;
	}
	el_buf_puts(b, "## Linux rows: CPU model and the kernel's verdicts\n\n"
		    "The CPU model QEMU showed each Linux row, and what that kernel reported in "
		    "/sys/devices/system/cpu/vulnerabilities on it (Linux decides its mitigations "
		    "from the CPU it sees; linuxref/README.md).\n\n| row | CPU model | chosen |\n|---|---|---|\n");
	json_array_foreach(rows, i, r) {
		el_buf_printf(b, "| `%s` | %s | ", json_string_value(json_object_get(r, "short")),
			      json_string_value(json_object_get(r, "cpu_model")));
		cell(b, json_string_value(json_object_get(r, "cpu_model_reason")));
		el_buf_puts(b, " |\n");
	}
	if (host)
		el_buf_printf(b, "| (this host, not a row) | %s | CPUID; its own kernel's verdicts "
			      "in the last column |\n",
			      json_string_value(json_object_get(host, "cpuid")));
	el_buf_puts(b, "\n| vulnerability |");
	json_array_foreach(rows, i, r)
		el_buf_printf(b, " `%s` |", json_string_value(json_object_get(r, "short")));
	el_buf_puts(b, host ? " this host |\n|---|" : "\n|---|");
	json_array_foreach(rows, i, r)
		el_buf_puts(b, "---|");
	el_buf_puts(b, host ? "---|\n" : "\n");
	first = json_object_get(json_array_get(rows, 0), "vulnerabilities");
	json_object_foreach(first, name, v) {
		el_buf_printf(b, "| %s |", name);
		json_array_foreach(rows, j, r) {
			json_t *t = json_object_get(json_object_get(r, "vulnerabilities"), name);
			el_buf_puts(b, " ");
			cell(b, json_is_string(t) ? json_string_value(t) : "–");
			el_buf_puts(b, " |");
		}
		if (host) {
			json_t *t = json_object_get(json_object_get(host, "vulnerabilities"), name);
			el_buf_puts(b, " ");
			cell(b, json_is_string(t) ? json_string_value(t) : "–");
			el_buf_puts(b, " |");
		}
		el_buf_puts(b, "\n");
	}
	el_buf_puts(b, "\n");
	json_decref(meta);
}
