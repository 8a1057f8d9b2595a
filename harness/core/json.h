/* The JSON helpers every writer of the harness uses (jansson): strings
 * from any bytes, numbers that may not be finite, and a document written
 * atomically.  meta.json, summary.json, the baseline file, verdict.json
 * and the Linux rows' facts are made with these. */
#ifndef ENTRYLAB_JSON_H
#define ENTRYLAB_JSON_H

#include <jansson.h>

/* A string from any bytes: kept when it is valid UTF-8, else with every
 * control character and non-ASCII byte as '?'.  NULL gives "". */
json_t *el_json_str(const char *s);
/* The same, null for NULL or "". */
json_t *el_json_str_or_null(const char *s);
/* Printable ASCII only (others as '?'): for what a guest or tool sent. */
json_t *el_json_text(const char *s);
/* A real, or null when x is NaN or infinite (JSON has neither). */
json_t *el_json_num(double x);

/* Write doc (not stolen) to path atomically (util.h), indented by indent,
 * keys in insertion order (sorted when sort), with a final newline.
 * Returns 0, or -1 with errno set. */
int el_json_write(const char *path, const json_t *doc, int indent, int sort);

#endif
