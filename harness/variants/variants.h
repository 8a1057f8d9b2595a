/* The variant matrix: axes and presets read from variants/axes.conf and
 * variants/presets.conf (their headers document the format), names, flags
 * and user selectors.  A variant is a code: 0 .. 2^naxes - 1 for the matrix
 * (binary counting, first value of each axis first, last axis fastest), or
 * EL_VARIANT_FLOOR for the reference entry. */
#ifndef ENTRYLAB_VARIANTS_H
#define ENTRYLAB_VARIANTS_H

#include <stdbool.h>
#include <stddef.h>

#define EL_MAX_AXES 8
#define EL_VARIANT_FLOOR (-1)
#define EL_NAME_MAX 64
#define EL_VARIANT_ERR 512   /* size of an error message buffer */

struct el_axis {
	char name[EL_NAME_MAX];
	char value[2][EL_NAME_MAX];
	char flag[2][EL_NAME_MAX];
	char letter[2];
};

struct el_preset {
	char name[EL_NAME_MAX];
	unsigned char choice[EL_MAX_AXES];   /* value index per axis */
	char note[256];
};

struct el_variants {
	struct el_axis axis[EL_MAX_AXES];
	unsigned naxes;
	struct el_preset *preset;
	unsigned npresets;
};

/* Read dir/axes.conf and dir/presets.conf.  On error returns -1 with a
 * one-line message in err ("<what>: <file>:<line>: <what to do>"). */
int el_variants_load(struct el_variants *v, const char *dir, char *err, size_t errlen);
/* The same for single files (the tests use them). */
int el_variants_load_files(struct el_variants *v, const char *axes_path,
			   const char *presets_path, char *err, size_t errlen);
void el_variants_free(struct el_variants *v);

int el_variant_count(const struct el_variants *v);        /* 2^naxes */
int el_variant_choice(const struct el_variants *v, int code, unsigned axis);

/* Names and flags; floor gives "floor" for both names.  Return dst. */
char *el_variant_canonical(const struct el_variants *v, int code, char *dst, size_t size);
char *el_variant_short(const struct el_variants *v, int code, char *dst, size_t size);
/* "-DA -DB ..." (floor: "-DENTRY_FLOOR" plus the flags of variant 0). */
char *el_variant_flags(const struct el_variants *v, int code, char *dst, size_t size);
int el_variant_preset_code(const struct el_variants *v, const struct el_preset *p);

/* Resolve a selector list "sel[,sel...]" where sel is a canonical name
 * (axes in any order, all present), a short name, a preset name, "floor",
 * "all" (the matrix and floor), "presets", or an axis pattern: the
 * variants whose axes hold the given values.  "ptregs=full" is every
 * variant with a full frame; "ptregs=full+exit=c" those with both.
 * Comma-separated axis=value parts that name every axis once are one
 * canonical name (one variant); parts that do not are patterns each (a
 * union: "ptregs=full,exit=c" is every variant with either).  Appends
 * codes to out (no duplicates, first mention wins).  Returns 0, or -1
 * with err set. */
int el_variants_resolve(const struct el_variants *v, const char *selector,
			int *out, size_t max, size_t *n, char *err, size_t errlen);

/* The short names of the reference rows the matrix adds (the Linux rows
 * of linuxref/ and the kvm-only host row): no preset may take them. */
bool el_variant_reference_row(const char *name);

#endif
