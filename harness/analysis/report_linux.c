/*
 * report_linux.c — the Linux rows' part of report.md: each row's QEMU CPU
 * model, how it was chosen, and the kernel's own verdicts on the CPU it saw
 * (/sys/devices/system/cpu/vulnerabilities, kept in meta.json
 * linuxref.rows[] by the matrix), side by side, so that `linux` against
 * `linux-nomit` reads as "what the mitigations cost on this CPU".
 */
#include "analysis/model.h"
#include "analysis/report.h"
#include "core/util.h"
#include "linuxref/linuxref.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define LR_BD_COLUMNS 17   /* Linux rows (8 models x 2) and the preset */

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

/* ------------------------------------------------------------ breakdown */

#define BD_MAX 256   /* (symbol, role) lines of one breakdown file */

struct bd_line {
	char kind[16], name[128], role[16];
	long n;
};

struct breakdown {
	char label[80];             /* the column's head */
	char error[512];            /* why there is none ("" when there is) */
	char symbols[256];          /* where the kernel's symbols came from */
	char source[1024];          /* traced in this run, or stored and checked ("" if neither said) */
	long total, check, verify;  /* verify: this run's loop - empty, -1 if not given */
	struct bd_line line[BD_MAX];
	size_t nline;
};

/* One CSV field (quoted or not) from *p into dst; advances past its comma. */
static void field(const char **p, char *dst, size_t n)
{
	size_t k = 0;
	const char *s = *p;

	if (*s == '"') {
		for (s++; *s && !(*s == '"' && s[1] != '"'); s++) {
			if (*s == '"')
				s++;
			if (k + 1 < n)
				dst[k++] = *s;
		}
		s += *s == '"';
	} else {
		for (; *s && *s != ',' && *s != '\n'; s++)
			if (k + 1 < n)
				dst[k++] = *s;
	}
	dst[k] = '\0';
	*p = s + (*s == ',');
}

/* raw/<short>.breakdown.csv of bench; 0, or -1 when the file is missing. */
static int read_breakdown(const struct an_run *run, const char *short_name, const char *bench,
			  struct breakdown *bd)
{
	char path[sizeof(run->dir) + 96], *text;

	memset(bd, 0, sizeof(*bd));
	bd->verify = -1;
	el_fmt(path, sizeof(path), "%s/raw/%s.breakdown.csv", run->dir, short_name);
	if (!(text = el_read_text(path, 1u << 20)))
		return -1;
	for (const char *p = strchr(text, '\n'); p && p[1]; p = strchr(p + 1, '\n')) {
		const char *s = p + 1;
		char b[64], kind[16], name[1024], role[16], num[32];
		field(&s, b, sizeof(b));
		field(&s, kind, sizeof(kind));
		field(&s, name, sizeof(name));
		field(&s, role, sizeof(role));
		field(&s, num, sizeof(num));
		if (strcmp(b, bench))
			continue;
		if (!strcmp(kind, "error"))
			el_strlcpy(bd->error, name, sizeof(bd->error));
		else if (!strcmp(kind, "symbols"))
			el_strlcpy(bd->symbols, name, sizeof(bd->symbols));
		else if (!strcmp(kind, "total"))
			bd->total = atol(num);
		else if (!strcmp(kind, "check"))
			bd->check = atol(num);
		else if (!strcmp(kind, "source"))
			el_strlcpy(bd->source, name, sizeof(bd->source));
		else if (!strcmp(kind, "verify"))
			bd->verify = atol(num);
		else if (bd->nline < BD_MAX) {
			struct bd_line *l = &bd->line[bd->nline++];
			el_strlcpy(l->kind, kind, sizeof(l->kind));
			el_strlcpy(l->name, name, sizeof(l->name));
			el_strlcpy(l->role, role, sizeof(l->role));
			l->n = atol(num);
		}
	}
	free(text);
	return 0;
}

static long bd_count(const struct breakdown *bd, const char *kind, const char *name,
		     const char *role)
{
	for (size_t i = 0; i < bd->nline; i++)
		if (!strcmp(bd->line[i].kind, kind) && !strcmp(bd->line[i].name, name) &&
		    !strcmp(bd->line[i].role, role))
			return bd->line[i].n;
	return 0;
}

static void md_breakdown_tables(struct el_buf *b, struct breakdown *bd, size_t n, size_t nlinux)
{
	static const char *const roles[] = { "user", "entry-asm", "dispatch", "entry-work", "body",
					     "exit-work", "exit-asm" };

	el_buf_puts(b, "| role |");
	for (size_t c = 0; c < n; c++)
		el_buf_printf(b, " %s |", bd[c].label);
	el_buf_puts(b, "\n|---|");
	for (size_t c = 0; c < n; c++)
		el_buf_puts(b, "--:|");
	el_buf_puts(b, "\n");
	for (size_t r = 0; r < sizeof(roles) / sizeof(roles[0]); r++) {
		el_buf_printf(b, "| %s |", roles[r]);
		for (size_t c = 0; c < n; c++)
			el_buf_printf(b, " %ld |", bd_count(&bd[c], "role", roles[r], roles[r]));
		el_buf_puts(b, "\n");
	}
	el_buf_puts(b, "| **total** |");
	for (size_t c = 0; c < n; c++)
		el_buf_printf(b, " **%ld** |", bd[c].total);
	el_buf_puts(b, "\n\nBy symbol (instructions of each function in each role; `–`: not on "
		    "that path):\n\n| symbol | role |");
	for (size_t c = 0; c < n; c++)
		el_buf_printf(b, " %s |", bd[c].label);
	el_buf_puts(b, "\n|---|---|");
	for (size_t c = 0; c < n; c++)
		el_buf_puts(b, "--:|");
	el_buf_puts(b, "\n");
	for (size_t c = 0; c < n; c++)     /* every (symbol, role) once, in path order */
		for (size_t i = 0; i < bd[c].nline; i++) {
			const struct bd_line *l = &bd[c].line[i];
			bool seen = false;
			if (strcmp(l->kind, "symbol"))
				continue;
			for (size_t e = 0; e < c && !seen; e++)
				seen = bd_count(&bd[e], "symbol", l->name, l->role) != 0;
			if (seen)
				continue;
			el_buf_printf(b, "| `%s` | %s |", l->name, l->role);
			for (size_t e = 0; e < n; e++) {
				long v = bd_count(&bd[e], "symbol", l->name, l->role);
				if (v)
					el_buf_printf(b, " %ld |", v);
				else
					el_buf_puts(b, " – |");
			}
			el_buf_puts(b, "\n");
		}
	(void)nlinux;
}

/* What the Linux rows run that the preset has no counterpart for: the
 * roles the preset's path leaves empty, with the Linux functions in them. */
static void md_not_modelled(struct el_buf *b, const struct breakdown *bd, size_t nlinux,
			    const struct breakdown *preset)
{
	static const char *const roles[] = { "dispatch", "entry-work", "body", "exit-work" };

	el_buf_printf(b, "\nWhat the preset %s does not model on this path:\n\n", preset->label);
	for (size_t r = 0; r < sizeof(roles) / sizeof(roles[0]); r++) {
		long lab = bd_count(preset, "role", roles[r], roles[r]);
		el_buf_printf(b, "- %s: the preset %ld, Linux", roles[r], lab);
		for (size_t c = 0; c < nlinux; c++)
			el_buf_printf(b, "%s %ld (%s)", c ? "," : "", bd_count(&bd[c], "role", roles[r],
										 roles[r]), bd[c].label);
		el_buf_puts(b, lab ? "" : "; Linux runs ");
		size_t k = 0;
		for (size_t i = 0; !lab && nlinux && i < bd[0].nline; i++)
			if (!strcmp(bd[0].line[i].kind, "symbol") && !strcmp(bd[0].line[i].role, roles[r]))
				el_buf_printf(b, "%s`%s`", k++ ? ", " : "", bd[0].line[i].name);
		el_buf_puts(b, lab ? "\n" : (k ? " where the preset has nothing\n" : "nothing there\n"));
	}
	el_buf_puts(b, "- in every role: the speculation mitigations (page-table isolation's CR3 "
		    "switches, return and indirect-branch thunks, VERW before the return), "
		    "the register clearing on entry, PID namespaces and RCU in getpid's body: "
		    "the functions that differ between the Linux rows above are the mitigations' "
		    "own code on this CPU model.\n\n");
}

void an_md_linux_breakdown(struct el_buf *b, const struct an_run *run)
{
	char path[sizeof(run->dir) + 16];
	struct breakdown *bd = el_xrealloc(NULL, (LR_BD_COLUMNS + 1) * sizeof(*bd));
	size_t n = 0, nlinux;
	json_t *meta, *near;

	for (size_t i = 0; i < run->nv && n < LR_BD_COLUMNS; i++)
		if (run->v[i].code == LR_CODE &&
		    read_breakdown(run, run->v[i].short_name, "getpid", &bd[n]) == 0) {
			el_fmt(bd[n].label, sizeof(bd[n].label), "`%s`", run->v[i].short_name);
			n++;
		}
	nlinux = n;
	el_fmt(path, sizeof(path), "%s/meta.json", run->dir);
	meta = json_load_file(path, 0, NULL);
	near = json_object_get(json_object_get(meta, "linuxref"), "nearest_preset");
	const char *ps = json_string_value(json_object_get(near, "short"));
	const char *pn = json_string_value(json_object_get(near, "preset"));
	if (n && ps && ps[0] && read_breakdown(run, ps, "getpid", &bd[n]) == 0) {
		el_fmt(bd[n].label, sizeof(bd[n].label), "`%s` (%s)", ps, pn ? pn : "");
		n++;
	}
	if (nlinux) {
		el_buf_puts(b, "## Linux rows by function (getpid, one traced call)\n\n"
			    "One getpid of each Linux row traced after its benchmarks (QEMU's exec "
			    "log, the kernel's symbols from /proc/kallsyms; `./run.sh trace linux "
			    "getpid` prints the path) in this run's boot of the row, or stored by an "
			    "earlier run with the same inputs and checked against this run's count "
			    "(each row's line below says which), counted by role (variants/roles.conf) "
			    "and by function, next to the lab preset nearest to that kernel");
		if (n > nlinux)
			el_buf_printf(b, " (%s: %s)", pn ? pn : "", json_string_value(json_object_get(near, "note")));
		el_buf_puts(b, ".\n\n");
		for (size_t c = 0; c < n; c++) {
			if (bd[c].error[0])
				el_buf_printf(b, "- %s: no breakdown: %s\n", bd[c].label, bd[c].error);
			else if (c < nlinux && strcmp(bd[c].symbols, "kallsyms"))
				el_buf_printf(b, "- %s: no kernel symbols: %s\n", bd[c].label, bd[c].symbols);
			else if (bd[c].total != bd[c].check)
				el_buf_printf(b, "- %s: the path (%ld) is not loop - empty (%ld)\n",
					      bd[c].label, bd[c].total, bd[c].check);
			else if (bd[c].verify >= 0 && bd[c].verify != bd[c].total)
				el_buf_printf(b, "- %s: the path (%ld) is not this run's loop - empty "
					      "(%ld)\n", bd[c].label, bd[c].total, bd[c].verify);
			else if (bd[c].source[0])
				el_buf_printf(b, "- %s: %s\n", bd[c].label, bd[c].source);
		}
		el_buf_puts(b, "\n");
		md_breakdown_tables(b, bd, n, nlinux);
		if (n > nlinux)
			md_not_modelled(b, bd, nlinux, &bd[nlinux]);
		else
			el_buf_puts(b, "\n");
	}
	json_decref(meta);
	free(bd);
}
