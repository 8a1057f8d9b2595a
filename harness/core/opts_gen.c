/* The generators over the option tables (opts.h): a bash completion
 * script and a man page.  Both are written by the Makefile into
 * build/share/ from the built harness, so they list exactly the options
 * the commands parse. */
#include "core/opts.h"

#include <stdbool.h>
#include <string.h>

/* ------------------------------------------------------------ bash */

/* Each distinct first word of the registry's names, space separated. */
static void command_words(FILE *f)
{
	const struct el_optcmd *const *all = el_opts_registry();

	for (const struct el_optcmd *const *c = all; c && *c; c++) {
		size_t len = strcspn((*c)->name, " ");
		bool seen = false;
		for (const struct el_optcmd *const *p = all; p < c; p++)
			seen |= strcspn((*p)->name, " ") == len && !strncmp((*p)->name, (*c)->name, len);
		if (!seen)
			fprintf(f, "%s%.*s", c == all ? "" : " ", (int)len, (*c)->name);
	}
}

static const char values_fn[] =
	"# _entrylab_values SPEC CUR HARNESS: the values SPEC completes (@file, @dir,\n"
	"# @variants and @benches asked of the harness, else the words of SPEC); a\n"
	"# comma list completes its last element.  Axis values come from the rows\n"
	"# of `list` that hold a canonical name (never from its rule lines).\n"
	"_entrylab_values() {\n"
	"\tlocal spec=$1 cur=${2##*,} pre=\"\" words\n"
	"\t[ \"$cur\" = \"$2\" ] || pre=${2%,*},\n"
	"\tcase \"$spec\" in\n"
	"\t@file) compgen -f -- \"$2\"; return ;;\n"
	"\t@dir) compgen -d -- \"$2\"; return ;;\n"
	"\t@variants) words=\"all presets floor $(\"$3\" resolve all 2>/dev/null | tr '\\n' ' ')"
	" $(\"$3\" list --presets 2>/dev/null | awk 'NR > 1 { print $1 }' | tr '\\n' ' ')\"\n"
	"\t\twords=\"$words $(\"$3\" list 2>/dev/null | awk 'NR == 1 { for (i = 3; i < NF; i++)"
	" axis[i] = $i; next } $2 ~ /,/ { for (i in axis) print axis[i] \"=\" $i }'"
	" | sort -u | tr '\\n' ' ')\" ;;\n"
	"\t@benches) words=$(\"$3\" matrix --list-benches 2>/dev/null | awk '{ print $1 }') ;;\n"
	"\t*) words=$spec ;;\n"
	"\tesac\n"
	"\tcompgen -W \"$words\" -- \"$cur\" | sed \"s|^|$pre|\"\n"
	"}\n\n";

static const char complete_fn[] =
	"# _entrylab_complete HARNESS INDEX: complete COMP_WORDS[COMP_CWORD], the\n"
	"# command being at INDEX (variant-matrix is run.sh's name for matrix).\n"
	"_entrylab_complete() {\n"
	"\tlocal el=$1 i=$2 cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
	"\tlocal cmd=${COMP_WORDS[$2]} spec\n"
	"\t[ \"$cmd\" = variant-matrix ] && cmd=matrix\n"
	"\tcase \" $(_entrylab_subcommands \"$cmd\") \" in\n"
	"\t\"  \") ;;\n"
	"\t*) if [ \"$COMP_CWORD\" -eq $((i + 1)) ]; then\n"
	"\t\tCOMPREPLY=($(compgen -W \"$(_entrylab_subcommands \"$cmd\")\" -- \"$cur\")); return\n"
	"\t   fi\n"
	"\t   cmd=\"$cmd ${COMP_WORDS[i+1]}\" ;;\n"
	"\tesac\n"
	"\tif [[ $cur == --*=* ]]; then\n"
	"\t\tspec=$(_entrylab_spec \"$cmd\" \"${cur%%=*}\")\n"
	"\t\tCOMPREPLY=($(_entrylab_values \"$spec\" \"${cur#*=}\" \"$el\" | sed \"s|^|${cur%%=*}=|\"))\n"
	"\t\treturn\n"
	"\tfi\n"
	"\tspec=$(_entrylab_spec \"$cmd\" \"$prev\")\n"
	"\tif [ -n \"$spec\" ] && [ \"$spec\" != - ]; then\n"
	"\t\tCOMPREPLY=($(_entrylab_values \"$spec\" \"$cur\" \"$el\")); return\n"
	"\tfi\n"
	"\tif [[ $cur == -* ]]; then\n"
	"\t\tCOMPREPLY=($(compgen -W \"$(_entrylab_opts \"$cmd\")\" -- \"$cur\")); return\n"
	"\tfi\n"
	"\tspec=$(_entrylab_positional \"$cmd\")\n"
	"\t[ -z \"$spec\" ] || COMPREPLY=($(_entrylab_values \"$spec\" \"$cur\" \"$el\"))\n"
	"}\n\n"
	"_entrylab() {\n"
	"\tif [ \"$COMP_CWORD\" -eq 1 ]; then\n"
	"\t\tCOMPREPLY=($(compgen -W \"$(_entrylab_commands) --help --version\" -- "
	"\"${COMP_WORDS[1]}\")); return\n"
	"\tfi\n"
	"\t_entrylab_complete \"${COMP_WORDS[0]}\" 1\n"
	"}\n\n"
	"# run.sh: its own commands (./run.sh --commands) and the harness's options\n"
	"_entrylab_runsh() {\n"
	"\tlocal dir\n"
	"\tdir=$(dirname \"${COMP_WORDS[0]}\")\n"
	"\tif [ \"$COMP_CWORD\" -eq 1 ]; then\n"
	"\t\tCOMPREPLY=($(compgen -W \"$(\"${COMP_WORDS[0]}\" --commands 2>/dev/null) --help "
	"--version\" -- \"${COMP_WORDS[1]}\")); return\n"
	"\tfi\n"
	"\tcase \"${COMP_WORDS[1]}\" in\n"
	"\thelp) COMPREPLY=($(compgen -W \"$(\"${COMP_WORDS[0]}\" --commands 2>/dev/null)\" -- "
	"\"${COMP_WORDS[COMP_CWORD]}\")) ;;\n"
	"\t*) _entrylab_complete \"$dir/build/host/entrylab\" 1 ;;\n"
	"\tesac\n"
	"}\n\n"
	"complete -F _entrylab entrylab\n"
	"complete -F _entrylab_runsh run.sh ./run.sh\n";

static void subcommands_fn(FILE *f)
{
	const struct el_optcmd *const *all = el_opts_registry();
	const char *open = NULL;
	size_t open_len = 0;

	fprintf(f, "_entrylab_subcommands() {\n\tcase \"$1\" in\n");
	for (const struct el_optcmd *const *c = all; c && *c; c++) {
		size_t len = strcspn((*c)->name, " ");
		if (!(*c)->name[len])
			continue;
		if (!open || open_len != len || strncmp(open, (*c)->name, len)) {
			fprintf(f, "%s\t%.*s) echo \"", open ? "\" ;;\n" : "", (int)len, (*c)->name);
			open = (*c)->name;
			open_len = len;
		} else {
			fputc(' ', f);
		}
		fputs((*c)->name + len + 1, f);
	}
	fprintf(f, "%s\tesac\n}\n\n", open ? "\" ;;\n" : "");
}

void el_opts_bash_completion(FILE *f)
{
	const struct el_optcmd *const *all = el_opts_registry();

	fprintf(f, "# bash completion for entrylab and run.sh: generated by 'entrylab "
		"--bash-completion'\n# from the option tables - do not edit.  Use: "
		". build/share/entrylab.bash\n\n");
	fprintf(f, "_entrylab_commands() { echo \"");
	command_words(f);
	fprintf(f, "\"; }\n\n");
	subcommands_fn(f);
	fprintf(f, "_entrylab_opts() {\n\tcase \"$1\" in\n");
	for (const struct el_optcmd *const *c = all; c && *c; c++) {
		fprintf(f, "\t\"%s\") echo \"", (*c)->name);
		for (const struct el_opt *o = (*c)->opts; o && o->name; o++)
			fprintf(f, "--%s ", o->name);
		fprintf(f, "--help\" ;;\n");
	}
	fprintf(f, "\tesac\n}\n\n");
	fprintf(f, "# _entrylab_spec COMMAND OPTION: what completes its value ('-': a flag)\n"
		"_entrylab_spec() {\n\tcase \"$1 $2\" in\n");
	for (const struct el_optcmd *const *c = all; c && *c; c++)
		for (const struct el_opt *o = (*c)->opts; o && o->name; o++)
			fprintf(f, "\t\"%s --%s\") echo \"%s\" ;;\n", (*c)->name, o->name,
				!o->arg ? "-" : o->complete ? o->complete : "");
	fprintf(f, "\tesac\n}\n\n_entrylab_positional() {\n\tcase \"$1\" in\n");
	for (const struct el_optcmd *const *c = all; c && *c; c++)
		if ((*c)->positional)
			fprintf(f, "\t\"%s\") echo \"%s\" ;;\n", (*c)->name, (*c)->positional);
	fprintf(f, "\tesac\n}\n\n");
	fputs(values_fn, f);
	fputs(complete_fn, f);
}

/* ------------------------------------------------------------ man */

/* text as roff: backslashes and hyphens escaped, a leading dot or quote
 * made literal, each '\n' a new line (.br when br). */
static void roff(FILE *f, const char *text, bool br)
{
	bool bol = true;

	for (const char *p = text ? text : ""; *p; p++) {
		if (bol && (*p == '.' || *p == '\''))
			fputs("\\&", f);
		bol = false;
		if (*p == '\\')
			fputs("\\e", f);
		else if (*p == '-')
			fputs("\\-", f);
		else if (*p == '\n') {
			fputs(br ? "\n.br\n" : "\n", f);
			bol = true;
		} else
			fputc(*p, f);
	}
	fputc('\n', f);
}

static void man_command(FILE *f, const struct el_optcmd *c)
{
	fprintf(f, ".SS \"");
	for (const char *p = c->name; *p; p++)
		fputs(*p == '-' ? "\\-" : (char[2]){ *p, 0 }, f);
	fputc(' ', f);
	for (const char *p = c->synopsis ? c->synopsis : "[OPTIONS]"; *p; p++)
		fputs(*p == '-' ? "\\-" : *p == '"' ? "\\(dq" : (char[2]){ *p, 0 }, f);
	fprintf(f, "\"\n");
	roff(f, c->about, false);
	for (const struct el_opt *o = c->opts; o && o->name; o++) {
		fprintf(f, ".TP\n.%s \"\\-\\-", o->arg ? "BI" : "B");
		for (const char *p = o->name; *p; p++)
			fputs(*p == '-' ? "\\-" : (char[2]){ *p, 0 }, f);
		fprintf(f, "%s\"%s%s\n", o->arg ? " " : "", o->arg ? " " : "", o->arg ? o->arg : "");
		if (o->help) {
			roff(f, o->help, false);
		} else {   /* an alias: the option it spells */
			const struct el_opt *p = o;
			while (p > c->opts && (p->flags & EL_OPT_ALIAS))
				p--;
			fprintf(f, "the same as \\-\\-");
			roff(f, p->name, false);
		}
		if (o->flags & EL_OPT_HIDDEN)
			fprintf(f, "(for tests)\n");
	}
	if (c->exits) {
		fprintf(f, ".PP\n");
		roff(f, c->exits, true);
	}
}

void el_opts_man(FILE *f, const char *version, const char *about, const char *exits)
{
	fprintf(f, ".\\\" generated by 'entrylab --man' from the option tables - do not edit\n"
		".TH ENTRYLAB 1 \"\" \"entrylab %s\" \"entrylab\"\n"
		".SH NAME\nentrylab \\- ", version);
	roff(f, about, false);
	fprintf(f, ".SH SYNOPSIS\n.B entrylab\n.I COMMAND\n[OPTIONS]\n.br\n"
		".B entrylab\n.I COMMAND\n\\-\\-help\n.br\n.B entrylab \\-\\-version\n.br\n"
		".B ./run.sh\n.I COMMAND\n[OPTIONS]\n"
		".SH DESCRIPTION\nEvery command takes\n.B \\-\\-opt VALUE\nand\n"
		".BR \\-\\-opt=VALUE ;\na misspelled option is named with the nearest valid one "
		"(status 2).\n.B ./run.sh\nbuilds what is missing and runs the same commands "
		"(variant\\-matrix is matrix).\n.SH COMMANDS\n");
	for (const struct el_optcmd *const *c = el_opts_registry(); c && *c; c++)
		man_command(f, *c);
	fprintf(f, ".SH EXIT STATUS\n");
	roff(f, exits, true);
	fprintf(f, ".SH FILES\n.TP\n.I results/<run\\-id>/\none directory per matrix run\n"
		".TP\n.I variants/axes.conf, variants/presets.conf, variants/thresholds.conf\n"
		"the axes, the presets, the gate's thresholds\n"
		".SH SEE ALSO\nREADME.md in the repository.\n");
}
