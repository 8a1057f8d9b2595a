/* entrylab — the host harness.  main() only: the command table and its
 * dispatch.  Each command lives in its own file and takes (argc, argv)
 * with argv[0] set to the command name; it returns an el_exit status.
 * A command whose own parser has no --help (own_help false) gets its line
 * of this table for --help or -h, with status 0. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "host/accel.h"
#include "analysis/analyze.h"
#include "core/exitcodes.h"
#include "fleet/merge.h"
#include "gate/gate.h"
#include "linuxref/linuxref.h"
#include "matrix/matrix.h"
#include "image/pathlen.h"
#include "cmd/commands.h"
#include "cmd/run.h"
#include "core/util.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage;
	bool own_help;          /* the command prints its own --help */
};

static const struct command commands[] = {
	{ "run", el_cmd_run,
	  "run --image PATH --name SHORT --out DIR [--mode tcg-icount|kvm] [--timeout SEC]\n"
	  "        [--bench a,b] [--samples N] [--run conform,bench] [--events HEX,...]\n"
	  "        [--append ARGS] [--qemu PATH] [--max-output BYTES] [--initrd PATH]\n"
	  "                      boot one variant kernel once, check and store its records",
	  false },
	{ "matrix", el_cmd_matrix,
	  "matrix [--variants SEL,...] [--bench a,b] [--samples N] [--jobs N] [--mode auto|tcg|kvm]\n"
	  "        [--baseline SEL] [--results-dir DIR] [--run-id ID] [--timeout SEC] [--no-plots]\n"
	  "        [--list-benches]\n"
	  "                      boot every selected variant, publish results/<run-id>/ and report",
	  true },
	{ "variants", el_cmd_variants,
	  "variants --make [--variants-dir DIR]\n"
	  "                      print the makefile fragment for every variant",
	  false },
	{ "list", el_cmd_list,
	  "list [--presets] [--variants-dir DIR]\n"
	  "                      table of the variant matrix (or of the presets)",
	  false },
	{ "resolve", el_cmd_resolve,
	  "resolve SELECTOR[,...] [--variants-dir DIR]\n"
	  "                      print the short names a selector means, one per line\n"
	  "                      (selector: short, canonical, preset, floor, all, presets)",
	  false },
	{ "trace", el_cmd_trace,
	  "trace VARIANT BENCH | trace --diff VARIANT_A VARIANT_B BENCH\n"
	  "        [--kernels DIR] [--variants-dir DIR] [--qemu PATH] [--timeout SEC]\n"
	  "                      the exact instruction path of one call under tcg-icount, checked\n"
	  "                      against the matrix figure; --diff aligns two variants' paths",
	  false },
	{ "pathlen", el_cmd_pathlen,
	  "pathlen [VARIANT...] [--csv] [--kernels DIR] [--variants-dir DIR]\n"
	  "                      static fast-path length: instructions and bytes from the entry\n"
	  "                      symbol to its sysretq in each image",
	  false },
	{ "hostinfo", cmd_hostinfo,
	  "hostinfo [--cpu N] [--events LIST]\n"
	  "                      pinning plan, topology, noise report, PMU events and /dev/kvm\n"
	  "                      as key=value lines, then warnings",
	  true },
	{ "analyze", cmd_analyze,
	  "analyze DIR [--baseline SEL] [--no-plots] [--root REPO]\n"
	  "                      statistics, summary.csv/.json, report.md and plots of a run",
	  true },
	{ "linuxref", el_cmd_linuxref,
	  "linuxref prepare|initramfs|host [OPTIONS]  (linuxref --help: options)\n"
	  "                      the Linux reference rows: unpack Debian's kernel, write the\n"
	  "                      initramfs, or run the getpid loop natively next to perf bench",
	  true },
	{ "gate", el_cmd_gate,
	  "gate --base REV [--head REV] | --baseline FILE [--run DIR]  (gate --help: options)\n"
	  "                      merge gate: compare every path of the head with the base against\n"
	  "                      variants/thresholds.conf; verdict.md; exit 0 pass, 1 regression,\n"
	  "                      2 usage or environment error, 3 inconclusive",
	  true },
	{ "merge", el_cmd_merge,
	  "merge [--out DIR] [--labels L1,...] [--no-plots] [--root REPO] RUN...\n"
	  "                      the results directories of several machines in one report and\n"
	  "                      plots (units never mixed); exit 2 on a corrupt RUN or the same\n"
	  "                      run given twice",
	  true },
	{ "baseline", el_cmd_baseline,
	  "baseline save [--run DIR] [--out FILE]\n"
	  "                      store a run (default results/latest) as a baseline file for\n"
	  "                      gate --baseline (default results/baseline.json)",
	  true },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	fprintf(out, "usage: entrylab COMMAND [OPTIONS]\n"
		"       entrylab --version\n"
		"       entrylab COMMAND --help\n\ncommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %s\n", commands[i].usage);
	fprintf(out,
		"\nexit status:\n"
		"  0    everything ran and passed\n"
		"  1    a check failed, a variant failed, or a regression\n"
		"  2    usage or environment error (bad option, missing tool or image)\n"
		"  3    gate: an interval straddles a threshold\n"
		"  4    guest hit the time limit and was killed\n"
		"  5    guest exception, panic, triple fault or unexpected QEMU exit\n"
		"  6    truncated or malformed record stream, count mismatch\n"
		"  130  interrupted (SIGINT, SIGTERM, SIGHUP, SIGPIPE): children killed, nothing\n"
		"       published (after publishing: the published status, one line says so)\n");
}

#ifndef EL_VERSION
#define EL_VERSION "unknown"
#endif

static bool asks_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return true;
	return false;
}

static int command_help(const struct command *c)
{
	printf("usage: entrylab %s\n\nexit status: see 'entrylab --help'\n", c->usage);
	return EL_EX_OK;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		el_err("no command given: entrylab: see 'entrylab --help'");
		return EL_EX_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return EL_EX_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("entrylab %s\n", EL_VERSION);
		return EL_EX_OK;
	}
	for (size_t i = 0; i < NCOMMANDS; i++) {
		const struct command *c = &commands[i];

		if (strcmp(argv[1], c->name))
			continue;
		if (!c->own_help && asks_help(argc - 1, argv + 1))
			return command_help(c);
		return c->fn(argc - 1, argv + 1);
	}
	el_err("unknown command '%s': entrylab: see 'entrylab --help'", argv[1]);
	return EL_EX_USAGE;
}
