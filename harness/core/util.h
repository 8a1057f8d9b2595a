/* Small host-side helpers shared by the harness: one-line errors, strict
 * number parsing, a growable text buffer, atomic file writes, small files
 * read whole, directory trees and the repository root. */
#ifndef ENTRYLAB_UTIL_H
#define ENTRYLAB_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* Print "entrylab: <formatted>\n" to stderr as exactly one line: control
 * characters in the formatted text are replaced by '?'.  By convention the
 * text is "<what went wrong>: <where>: <what to do>". */
void el_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Format into dst (always NUL-terminated, truncated to fit); nothing when
 * dst is NULL or size is 0. */
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

/* Rename from to to unless to exists (a file, directory or link).  Uses
 * renameat2's RENAME_NOREPLACE; where the file system refuses it (EINVAL:
 * 9p, some NFS), checks that to is absent and renames (a concurrent creator
 * of to can slip in between: results directories have unique names, so the
 * check is for honest collisions).  0, or -1 with errno (EEXIST if to
 * exists). */
int el_rename_noreplace(const char *from, const char *to);

/* Milliseconds on the monotonic clock. */
int64_t el_now_ms(void);

/* Make dir and its missing parents (mode 0755); existing ones are fine.
 * Returns 0, or -1 with errno from the mkdir that failed. */
int el_mkdir_p(const char *dir);

/* Remove path and everything below it (symlinks are not followed); errors
 * are ignored.  NULL or "" does nothing. */
void el_remove_tree(const char *path);

/* The repository seen from the running executable: the nearest of the four
 * directories above /proc/self/exe that holds variants/axes.conf, into dst
 * (n bytes, which also bound the executable's path as read).  Returns 0, or
 * -1 with nothing printed and dst untouched; the caller says what to do. */
int el_root_near_exe(char *dst, size_t n);

/* The first max bytes of a small file, NUL-terminated, in memory the caller
 * frees; NULL when it cannot be opened. */
char *el_read_text(const char *path, size_t max);
/* The value of key=... in the text of a key=value file, up to its line's
 * end, copied into dst.  Returns 0, or -1 with dst empty (no such key). */
int el_kv_get(const char *text, const char *key, char *dst, size_t n);

#endif
