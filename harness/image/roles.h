/*
 * roles — what each instruction of a traced system-call path is for, by
 * the table of function-name patterns in variants/roles.conf (data, not
 * code): entry assembler, dispatch, entry work, body, exit work, exit
 * assembler, or user (ring 3).  `entrylab trace --diff` aligns two paths
 * role by role (by symbol inside a role), and report.md breaks a Linux
 * row's path down by role.
 */
#ifndef ENTRYLAB_ROLES_H
#define ENTRYLAB_ROLES_H

#include <stddef.h>
#include <stdint.h>

#include "image/symbols.h"

enum el_role {
	EL_ROLE_USER, EL_ROLE_ENTRY_ASM, EL_ROLE_DISPATCH, EL_ROLE_ENTRY_WORK, EL_ROLE_BODY,
	EL_ROLE_EXIT_WORK, EL_ROLE_EXIT_ASM,
	EL_ROLE_COUNT,
	EL_ROLE_INHERIT = EL_ROLE_COUNT,   /* table only: the previous instruction's role */
};

#define EL_ROLES_FILE "roles.conf"   /* in the variants directory */

struct el_role_rule {
	char pattern[128];
	unsigned char before, after;      /* enum el_role */
};

struct el_roles {
	struct el_role_rule *rule;
	size_t n;
	char path[512];
};

/* Name of a role ("entry-asm", ...). */
const char *el_role_name(int role);

/* Read the table at path.  0, or -1 with err ("<file>:<line>: what: what
 * to do"). */
int el_roles_load(struct el_roles *r, const char *path, char *err, size_t n);
void el_roles_free(struct el_roles *r);

/* The role of each of the n instructions at pc[] of one path in image im,
 * into role[] (enum el_role, never inherit). */
void el_roles_assign(const struct el_roles *r, const struct el_image *im, const uint64_t *pc,
		     size_t n, unsigned char *role);

/* The n instructions counted by role and by (symbol, role) into csv as
 * "bench,role,ROLE,ROLE,N" and "bench,symbol,\"NAME\",ROLE,N" lines, in
 * path order of first appearance (the columns of a breakdown file:
 * bench,kind,name,role,instructions). */
struct el_buf;
void el_roles_csv(const struct el_roles *r, const struct el_image *im, const uint64_t *pc,
		  size_t n, const char *bench, struct el_buf *csv);

#endif
