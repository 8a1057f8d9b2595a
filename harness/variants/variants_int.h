/* Shared inside harness/variants/ only (the files' helpers for one
 * another's error messages); everything else includes variants.h. */
#ifndef ENTRYLAB_VARIANTS_INT_H
#define ENTRYLAB_VARIANTS_INT_H

#include "variants/variants.h"

/* "partial, full": the values of an axis, for "use one of ..." */
void el_axis_value_list(const struct el_axis *a, char *dst, size_t size);
/* "ptregs, rsp, ...": the axes in file order */
void el_axis_name_list(const struct el_variants *v, char *dst, size_t size);
/* The index of value val on axis a, or -1. */
int el_axis_find_value(const struct el_axis *a, const char *val);
/* A selector word (floor, all, presets, history, default): no short
 * name or preset may be one. */
bool el_selector_word(const char *name);

#endif
