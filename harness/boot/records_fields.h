/* records_fields — the key=value parser under records.c (internal to
 * records.c and records_fields.c).  Each record type describes its fields
 * in a table of struct fspec; rec_parse_fields checks a record's text
 * against it and stores the values, and rec_fail keeps the stream's first
 * error as "line N: what". */
#ifndef ENTRYLAB_RECORDS_FIELDS_H
#define ENTRYLAB_RECORDS_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot/records.h"

enum ftype { F_DEC, F_HEX, F_WORD, F_BOOL };

struct fspec {
	const char *key;
	enum ftype type;
	bool required;
	size_t off;     /* offset of the destination in the record struct */
	size_t size;    /* F_WORD: size of the char array */
};

#define DEC(k, T, m, r)  { k, F_DEC, r, offsetof(T, m), 0 }
#define HEX(k, T, m)     { k, F_HEX, true, offsetof(T, m), 0 }
#define BOOL(k, T, m)    { k, F_BOOL, true, offsetof(T, m), 0 }
#define WORD(k, T, m)    { k, F_WORD, true, offsetof(T, m), sizeof(((T *)0)->m) }
#define OPTWORD(k, T, m) { k, F_WORD, false, offsetof(T, m), sizeof(((T *)0)->m) }

/* Keep "line N: <formatted>" as the stream's error unless it has one
 * already.  Returns -1. */
int rec_fail(struct el_stream *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Split "k=v k=v" (text may be "") and store every field per spec into dst.
 * *present gets a bit per spec entry that was given.  The key ends at the
 * first '='; a value may contain '=' because @H variant=<canonical name>
 * does ("variant=ptregs=partial,rsp=cached,...").  Returns 0, or -1 after
 * rec_fail. */
int rec_parse_fields(struct el_stream *s, const char *tag, const char *text,
		     const struct fspec *spec, size_t nspec, void *dst, uint64_t *present);

#endif
