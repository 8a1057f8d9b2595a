/*
 * systbl — the syscall table generator (a host build tool).
 *
 * Reads kernels/syscall.tbl (the one list of system calls; its header
 * documents the columns) and generates:
 *   syscall_nr.h      #define SYS_<name> <nr> per row and NR_SYSCALLS; only
 *                     #defines, so kernel and user C and assembler include it
 *   syscall_table.S   sys_call_table: one SYSCALL_ENTRY or SYSCALL_REGS_ENTRY
 *                     line per number 0..max_nr (holes -> sys_ni_syscall),
 *                     then one SYSCALL_REGS_STUB line per ":regs" row; the
 *                     macros come from the kernel's entry_variant.h
 *   syscall_switch.c  x64_sys_call(regs, nr) of dispatch=switch: one case
 *                     per row (SYSCALL_CASE of the kernel's kernel.h), the
 *                     default sys_ni_syscall; all under #ifdef DISPATCH_SWITCH
 *
 * Row syntax: <nr> <name> <entry>[:regs], whitespace separated, '#' starts a
 * comment, blank lines ignored.  nr is decimal 0..SYSTBL_MAX_NR and unique;
 * name matches [a-z][a-z0-9_]* and is unique; entry matches [a-z_][a-z0-9_]*.
 * Any violation, and a table without rows, is an error.
 *
 * CLI (built with -DSYSTBL_MAIN):
 *   systbl <table> <out-header> <out-table.S> <out-switch.c>
 * Exit status: 0 success, 2 on any error (one line on stderr).
 */
#ifndef ENTRYLAB_SYSTBL_H
#define ENTRYLAB_SYSTBL_H

#include <stddef.h>
#include <stdio.h>

#define SYSTBL_MAX_NR 511

struct systbl_row {
	int nr;
	char name[48];         /* without the SYS_ prefix */
	char entry[64];        /* C function, without the ":regs" qualifier */
	int needs_regs;        /* 1 if the row carried ":regs" */
	int line;              /* 1-based line in the table file */
};

struct systbl {
	struct systbl_row rows[SYSTBL_MAX_NR + 1];  /* in file order */
	int nrows;
	int max_nr;            /* highest nr in rows[] */
};

/* Parse text (NUL-terminated) whose name (for messages) is fname.
 * Returns 0 on success; on error returns -1 and writes a one-line message
 * "<fname>:<line>: <what is wrong>, expected <what>" (no trailing newline,
 * no program-name prefix) into err[errlen]. */
int systbl_parse(const char *text, const char *fname, struct systbl *t,
		 char *err, size_t errlen);

/* Write syscall_nr.h / syscall_table.S / syscall_switch.c for a parsed
 * table to f.  Return 0, or -1 if a write to f failed. */
int systbl_write_header(const struct systbl *t, FILE *f);
int systbl_write_table(const struct systbl *t, FILE *f);
int systbl_write_switch(const struct systbl *t, FILE *f);

/* Read and parse the table file at path (same contract as systbl_parse;
 * a file that cannot be read or holds a NUL byte is an error). */
int systbl_load(const char *path, struct systbl *t, char *err, size_t errlen);

/* The whole CLI job: load table_path, write hdr_path, tbl_path and
 * switch_path, each via "<path>.tmp" and rename(), so a failed run never
 * leaves a half-written output and leaves no .tmp behind.  Returns 0, or -1
 * with a message in err. */
int systbl_generate(const char *table_path, const char *hdr_path,
		    const char *tbl_path, const char *switch_path, char *err, size_t errlen);

#endif
