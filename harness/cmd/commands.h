/* The commands of cmd/ that have no header of their own: argv[0] is the
 * command name, each returns an el_exit status (core/exitcodes.h).
 * trace_cmd.c: trace; variants_cmd.c: variants, list, resolve. */
#ifndef ENTRYLAB_COMMANDS_H
#define ENTRYLAB_COMMANDS_H

int el_cmd_trace(int argc, char **argv);
int el_cmd_variants(int argc, char **argv);
int el_cmd_list(int argc, char **argv);
int el_cmd_resolve(int argc, char **argv);

#include "core/opts.h"
extern const struct el_optcmd trace_optcmd;
extern const struct el_optcmd variants_optcmds[3];   /* variants, list, resolve */

#endif
