/* Command-line options: one table per command (perf's parse-options is the
 * model).  The same table parses argv with getopt_long, prints the
 * command's --help, and generates the bash completion and the man page
 * (`entrylab --bash-completion`, `entrylab --man`; the Makefile writes
 * build/share/).  Every command answers --help and -h with status 0, takes
 * `--opt VALUE` and `--opt=VALUE`, and a misspelled option gets one line
 * naming the nearest option of that command, or the commands that do take
 * it, and status 2.
 *
 * A command's table:
 *
 *   static const struct el_opt opts[] = {
 *       { "samples", 's', "N", "samples per benchmark (default 10)" },
 *       { "pin", 'P', NULL, "bind QEMU's threads under tcg-icount too" },
 *       { "mode", 'm', "ACCEL", "the same as --accel", .flags = EL_OPT_ALIAS },
 *       { 0 }
 *   };
 *   const struct el_optcmd mx_optcmd = { "matrix", "[OPTIONS]", "boot ...", opts, ... };
 *
 *   rc = el_opts_parse(&mx_optcmd, argc, argv, one_opt, &o, &first);
 *
 * argv[0] is the command's name (not parsed).  The callback gets each
 * option's key and value (NULL for a flag) in the order given and returns
 * 0, or non-zero after printing its own one-line error. */
#ifndef ENTRYLAB_OPTS_H
#define ENTRYLAB_OPTS_H

#include <stdio.h>

/* Tables leave the trailing fields (complete, flags) out where they are
 * empty: that is the point of a table, not a forgotten field. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

/* A macro's value as a string, for defaults in help texts. */
#define EL_OPT_STR_(x) #x
#define EL_OPT_STR(x)  EL_OPT_STR_(x)

/* el_opt.flags */
#define EL_OPT_ALIAS  1u   /* another spelling of the option before it: not in help */
#define EL_OPT_HIDDEN 2u   /* for tests only: parsed, listed under "test options" */

struct el_opt {
	const char *name;      /* long name without "--"; NULL ends the table */
	int key;               /* what the callback gets; not 'h' (--help) */
	const char *arg;       /* value placeholder ("N", "DIR"); NULL: a flag */
	const char *help;      /* lines separated by '\n' */
	/* What completes the value: NULL nothing, "@file", "@dir", "@variants"
	 * (selectors), "@benches", or words separated by spaces. */
	const char *complete;
	unsigned flags;
};

struct el_optcmd {
	const char *name;        /* "matrix", or "linuxref host" for a subcommand */
	const char *synopsis;    /* after the name: "[OPTIONS]", "VARIANT BENCH [OPTIONS]" */
	const char *about;       /* what it does, lines separated by '\n' */
	const struct el_opt *opts;
	const char *exits;       /* "exit status: ..." lines */
	const char *positional;  /* completion of positional arguments, as el_opt.complete */
};

typedef int (*el_opt_fn)(void *ctx, int key, const char *arg);

/* el_opts_parse's returns besides the callback's */
enum { EL_OPTS_GO = 0, EL_OPTS_HELP = 1, EL_OPTS_BAD = -1 };

/* Parse argv[1..argc-1] (argv may be permuted: positional arguments end up
 * from *first on; first may be NULL when the command takes none, and then
 * one is a usage error).  Returns EL_OPTS_GO, EL_OPTS_HELP after printing
 * the help on stdout, or EL_OPTS_BAD after one line on stderr (unknown
 * option with the nearest one or the commands that take it, missing value,
 * value given to a flag, unexpected argument, or the callback's own). */
int el_opts_parse(const struct el_optcmd *c, int argc, char **argv, el_opt_fn fn, void *ctx,
		  int *first);

/* The command's help (usage line, about, options, exit statuses). */
void el_opts_help(const struct el_optcmd *c, FILE *f);

/* Every command's table, for "an option of gate" and the generators;
 * main() sets it once before dispatching.  NULL-terminated. */
void el_opts_set_registry(const struct el_optcmd *const *all);
const struct el_optcmd *const *el_opts_registry(void);

/* The nearest option name of c to name (without "--"), or NULL when none
 * is close (edit distance at most a third of the longer name, at least 2). */
const char *el_opts_nearest(const struct el_optcmd *c, const char *name);

/* Edit distance (Damerau: adjacent transpositions count one). */
unsigned el_opts_distance(const char *a, const char *b);

/* The generators, over the registry: a bash completion script for
 * `entrylab` and `run.sh`, and a man page (roff, section 1).  version goes
 * into the page's title line. */
void el_opts_bash_completion(FILE *f);
void el_opts_man(FILE *f, const char *version, const char *about, const char *exits);

#endif
