/* The variant matrix: axes, rules and presets read from variants/axes.conf
 * and variants/presets.conf (their headers document the format), names,
 * flags and user selectors.  A variant is a code: 0 .. el_variant_count()-1,
 * a mixed-radix number with one digit per axis (the axis's value index,
 * first value 0; the first axis most significant, the last fastest), or
 * EL_VARIANT_FLOOR for the reference entry.  A code that an `invalid` rule
 * of axes.conf forbids is no variant: it is never built, listed or run. */
#ifndef ENTRYLAB_VARIANTS_H
#define ENTRYLAB_VARIANTS_H

#include <stdbool.h>
#include <stddef.h>

#define EL_MAX_AXES 12
#define EL_MAX_VALUES 4
#define EL_MAX_RULES 64
#define EL_MAX_VARIANTS 4096 /* the product of the axes' value counts, at most */
#define EL_VARIANT_FLOOR (-1)
#define EL_NAME_MAX 64
#define EL_SHORT_MAX (EL_MAX_AXES + 1)
#define EL_VARIANT_ERR 512   /* size of an error message buffer */

struct el_axis {
	char name[EL_NAME_MAX];
	unsigned nvalues;
	char value[EL_MAX_VALUES][EL_NAME_MAX];
	char flag[EL_MAX_VALUES][EL_NAME_MAX];
	char letter[EL_MAX_VALUES];   /* '\0': this value adds no letter ('-' in the file) */
	char note[EL_MAX_VALUES][160];
};

/* "invalid a=x b=y ...": every code with all of these choices is forbidden. */
struct el_rule {
	unsigned line;                          /* in axes.conf */
	unsigned nterms;
	unsigned char axis[EL_MAX_AXES], value[EL_MAX_AXES];
	char text[256];                         /* the rule as written, normalised */
	char note[160];
};

struct el_preset {
	char name[EL_NAME_MAX];
	unsigned char choice[EL_MAX_AXES];   /* value index per axis */
	char note[256];
};

struct el_variants {
	struct el_axis axis[EL_MAX_AXES];
	unsigned naxes;
	struct el_rule rule[EL_MAX_RULES];
	unsigned nrules;
	struct el_preset *preset;
	unsigned npresets;
	char axes_path[256];
	char default_sel[1024];   /* default.conf's selectors, joined by ','; "" if not read */
	char default_path[256];
};

/* Read dir/axes.conf, dir/presets.conf and dir/default.conf (the
 * selection "default": what `entrylab matrix` runs without --variants;
 * a tree without the file has no "default").
 * On error returns -1 with a one-line message in err ("<what>:
 * <file>:<line>: <what to do>"). */
int el_variants_load(struct el_variants *v, const char *dir, char *err, size_t errlen);
/* The same for single files (the tests use them): no default.conf, so the
 * word "default" is an error. */
int el_variants_load_files(struct el_variants *v, const char *axes_path,
			   const char *presets_path, char *err, size_t errlen);
void el_variants_free(struct el_variants *v);

int el_variant_count(const struct el_variants *v);        /* every code, valid or not */
int el_variant_valid_count(const struct el_variants *v);  /* codes no rule forbids */
int el_variant_choice(const struct el_variants *v, int code, unsigned axis);
int el_variant_stride(const struct el_variants *v, unsigned axis);
/* The first rule forbidding code, or NULL (the floor is always valid). */
const struct el_rule *el_variant_invalid(const struct el_variants *v, int code);
static inline bool el_variant_valid(const struct el_variants *v, int code)
{
	return !el_variant_invalid(v, code);
}
/* "variants/axes.conf:LINE: 'invalid a=x b=y' (note)" */
char *el_rule_describe(const struct el_variants *v, const struct el_rule *r, char *dst,
		       size_t size);

/* Names and flags; floor gives "floor" for both names.  Return dst. */
char *el_variant_canonical(const struct el_variants *v, int code, char *dst, size_t size);
char *el_variant_short(const struct el_variants *v, int code, char *dst, size_t size);
/* "-DA -DB ..." (floor: "-DENTRY_FLOOR" plus the flags of variant 0). */
char *el_variant_flags(const struct el_variants *v, int code, char *dst, size_t size);
int el_variant_preset_code(const struct el_variants *v, const struct el_preset *p);

/* Resolve a selector list "sel[,sel...]" where sel is a canonical name
 * (axes in any order, all present), a short name, a preset name, "floor",
 * "all" (every valid variant and floor), "presets", "history" (the
 * presets named linux-N.M in file order, with the variants one axis at a
 * time between each and the next: see el_variants_walk), "flips:NAME"
 * (the variant NAME, a short or preset name, and every valid variant
 * that differs from it in one axis only, in axis order), "default"
 * (default.conf's selectors), or an axis pattern:
 * the valid variants whose axes hold the given values.  "ptregs=full" is
 * every variant with a full frame; "ptregs=full+exit=c" those with both.
 * Comma-separated axis=value parts that name every axis once are one
 * canonical name (one variant); parts that do not are patterns each (a
 * union: "ptregs=full,exit=c" is every variant with either).  Appends
 * codes to out (no duplicates, first mention wins).  A name (short or
 * canonical) of a combination that a rule forbids is an error naming the
 * rule.  Returns 0, or -1 with err set. */
int el_variants_resolve(const struct el_variants *v, const char *selector,
			int *out, size_t max, size_t *n, char *err, size_t errlen);

/* The walk from variant a to variant b one axis at a time, every step a
 * valid variant: the axes that differ are changed in axis order where the
 * result is valid, else the next that is (a depth-first search over the
 * orders).  Appends the steps strictly between a and b to out (at most
 * EL_MAX_AXES).  Returns how many, or -1 when no such walk exists. */
int el_variants_walk(const struct el_variants *v, int a, int b, int *out);

/* The short names of the reference rows the matrix adds (the Linux rows
 * of linuxref/ and the kvm-only host row): no preset may take them. */
bool el_variant_reference_row(const char *name);

#endif
