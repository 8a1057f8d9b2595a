/* entrylab — the host harness.  main() only: the command table and its
 * dispatch.  Each command lives in its own file and takes (argc, argv)
 * with argv[0] set to the command name; it returns an el_exit status.
 * Each command's options are one table (core/opts.h) that parses argv and
 * prints its --help; the tables, gathered here, also make the bash
 * completion (--bash-completion) and the man page (--man). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "host/accel.h"
#include "analysis/analyze.h"
#include "core/exitcodes.h"
#include "core/opts.h"
#include "fleet/merge.h"
#include "gate/gate.h"
#include "linuxref/linuxref.h"
#include "matrix/matrix.h"
#include "image/pathlen.h"
#include "cmd/commands.h"
#include "cmd/run.h"
#include "core/util.h"

#ifndef EL_VERSION
#define EL_VERSION "unknown"
#endif

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const struct el_optcmd *opts[4];    /* its option tables (subcommands), NULL-ended */
};

static const struct command commands[] = {
	{ "run", el_cmd_run, { &run_optcmd } },
	{ "matrix", el_cmd_matrix, { &mx_optcmd } },
	{ "variants", el_cmd_variants, { &variants_optcmds[0] } },
	{ "list", el_cmd_list, { &variants_optcmds[1] } },
	{ "resolve", el_cmd_resolve, { &variants_optcmds[2] } },
	{ "trace", el_cmd_trace, { &trace_optcmd } },
	{ "pathlen", el_cmd_pathlen, { &pathlen_optcmd } },
	{ "hostinfo", cmd_hostinfo, { &hostinfo_optcmd } },
	{ "analyze", cmd_analyze, { &analyze_optcmd } },
	{ "linuxref", el_cmd_linuxref, { &lr_optcmds[0], &lr_optcmds[1], &lr_optcmds[2] } },
	{ "gate", el_cmd_gate, { &gate_optcmd } },
	{ "baseline", el_cmd_baseline, { &baseline_optcmd } },
	{ "merge", el_cmd_merge, { &merge_optcmd } },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const char about[] =
	"a performance lab for x86-64 system-call entry strategies";

static const char exits[] =
	"exit status:\n"
	"  0    everything ran and passed\n"
	"  1    a check failed, a variant failed, or a regression\n"
	"  2    usage or environment error (bad option, missing tool or image)\n"
	"  3    gate: an interval straddles a threshold\n"
	"  4    guest hit the time limit and was killed\n"
	"  5    guest exception, panic, triple fault or unexpected QEMU exit\n"
	"  6    truncated or malformed record stream, count mismatch\n"
	"  130  interrupted (SIGINT, SIGTERM, SIGHUP, SIGPIPE): children killed, nothing\n"
	"       published (after publishing: the published status, one line says so)\n";

static void usage(FILE *out)
{
	fprintf(out, "usage: entrylab COMMAND [OPTIONS]\n"
		"       entrylab COMMAND --help\n"
		"       entrylab --version | --bash-completion | --man\n\ncommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		for (const struct el_optcmd *const *c = commands[i].opts; *c; c++) {
			size_t len = strcspn((*c)->about, "\n");
			fprintf(out, "  %-20s %s\n  %-20s %.*s%s\n", (*c)->name, (*c)->synopsis, "",
				(int)len, (*c)->about, (*c)->about[len] ? " ..." : "");
		}
	fprintf(out, "\n%s", exits);
}

/* Every table, in command order, for the registry (core/opts.h). */
static const struct el_optcmd *registry[NCOMMANDS * 4 + 1];

static void fill_registry(void)
{
	size_t n = 0;

	for (size_t i = 0; i < NCOMMANDS; i++)
		for (const struct el_optcmd *const *c = commands[i].opts; *c; c++)
			registry[n++] = *c;
	registry[n] = NULL;
	el_opts_set_registry(registry);
}

static int command_help(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(commands[i].name, name)) {
			for (const struct el_optcmd *const *c = commands[i].opts; *c; c++)
				el_opts_help(*c, stdout), fputs(c[1] ? "\n" : "", stdout);
			return EL_EX_OK;
		}
	el_err("unknown command '%s': entrylab help: see 'entrylab --help'", name);
	return EL_EX_USAGE;
}

/* The nearest command name, or NULL. */
static const char *nearest_command(const char *name)
{
	const char *best = NULL;
	unsigned best_d = 3;

	for (size_t i = 0; i < NCOMMANDS; i++) {
		unsigned d = el_opts_distance(name, commands[i].name);
		if (d < best_d) {
			best = commands[i].name;
			best_d = d;
		}
	}
	return best;
}

int main(int argc, char **argv)
{
	const char *near;

	fill_registry();
	if (argc < 2) {
		el_err("no command given: entrylab: see 'entrylab --help'");
		return EL_EX_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		if (argc > 2 && !strcmp(argv[1], "help"))
			return command_help(argv[2]);
		usage(stdout);
		return EL_EX_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("entrylab %s\n", EL_VERSION);
		return EL_EX_OK;
	}
	if (!strcmp(argv[1], "--bash-completion")) {
		el_opts_bash_completion(stdout);
		return EL_EX_OK;
	}
	if (!strcmp(argv[1], "--man")) {
		el_opts_man(stdout, EL_VERSION, about, exits);
		return EL_EX_OK;
	}
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	if ((near = nearest_command(argv[1])))
		el_err("unknown command '%s': entrylab: did you mean '%s'?", argv[1], near);
	else
		el_err("unknown command '%s': entrylab: see 'entrylab --help'", argv[1]);
	return EL_EX_USAGE;
}
