/* The one CSV writer of the harness: RFC 4180 fields into a text buffer.
 * A field is quoted when it holds a comma, a double quote, CR or LF (or
 * always, with el_csv_quoted), and a double quote inside is doubled.
 * Records end with LF, as every reader of these files (analyze, awk,
 * gnuplot) expects; RFC 4180's CRLF is the one point left out.  Writers:
 * raw/<short>.samples.csv (run, the Linux host row), summary.csv and
 * pathlen --csv. */
#ifndef ENTRYLAB_CSV_H
#define ENTRYLAB_CSV_H

#include "core/util.h"

struct el_csv {
	struct el_buf *b;
	unsigned col;        /* fields so far in this record */
};

/* A text field, quoted only when it must be. */
void el_csv_field(struct el_csv *c, const char *s);
/* A text field, always quoted. */
void el_csv_quoted(struct el_csv *c, const char *s);
/* A field formatted with printf (numbers: quoted only if it must be). */
void el_csv_printf(struct el_csv *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* An empty field. */
void el_csv_empty(struct el_csv *c);
/* End the record. */
void el_csv_end(struct el_csv *c);
/* A header: the names, comma separated in one string, as fields. */
void el_csv_header(struct el_csv *c, const char *names);

#endif
