/* Small host-side helpers shared by the harness: one-line errors, strict
 * number parsing, a growable text buffer and atomic file writes. */
#ifndef ENTRYLAB_UTIL_H
#define ENTRYLAB_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* Print "entrylab: <formatted>\n" to stderr as exactly one line: control
 * characters in the formatted text are replaced by '?'.  By convention the
 * text is "<what went wrong>: <where>: <what to do>". */
void el_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Format into dst (always NUL-terminated, truncated to fit). */
void el_fmt(char *dst, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Copy src into dst, always NUL-terminated; returns strlen(src) so that a
 * result >= size means the copy was truncated. */
size_t el_strlcpy(char *dst, const char *src, size_t size);

/* Strict unsigned parsing of a whole string: decimal digits only (no sign,
 * no spaces), or for the hex form an optional "0x" then hex digits.
 * Return 0 on success, EL_NUM_SYNTAX or EL_NUM_OVERFLOW otherwise. */
enum { EL_NUM_SYNTAX = -1, EL_NUM_OVERFLOW = -2 };
int el_parse_u64(const char *s, uint64_t *out);
int el_parse_hex64(const char *s, uint64_t *out);

/* Allocation that never returns NULL: on failure it prints one line and
 * exits with EL_EX_USAGE (an environment problem, not an input problem). */
void *el_xrealloc(void *p, size_t size);
char *el_xstrdup(const char *s);

/* A growable byte buffer; data is always NUL-terminated. */
struct el_buf {
	char *data;
	size_t len;
	size_t cap;
};
void el_buf_append(struct el_buf *b, const void *p, size_t n);
void el_buf_puts(struct el_buf *b, const char *s);
void el_buf_printf(struct el_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void el_buf_free(struct el_buf *b);

/* Write len bytes to path atomically: write "<path>.tmp.<pid>", fsync,
 * rename over path, fsync the directory.  Returns 0, or -1 with errno set
 * (the temporary file is removed on failure). */
int el_write_atomic(const char *path, const void *data, size_t len);

/* Milliseconds on the monotonic clock. */
int64_t el_now_ms(void);

#endif
