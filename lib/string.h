/* string.h (lib) — freestanding memory and string routines shared by the
 * guest kernel and the guest user program (each links its own copy), and
 * the parser of the el.* command line (include/entrylab/proto.h). */
#ifndef ENTRYLAB_LIB_STRING_H
#define ENTRYLAB_LIB_STRING_H
#include <stddef.h>
#include <stdbool.h>
void *memcpy(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
/* Is item one of the comma-separated words of csv? */
bool el_csv_has(const char *csv, const char *item);
/* The value of "key=value" among the space-separated words of line, copied
 * NUL-terminated (and truncated) into out[n]; NULL if the key is absent. */
const char *el_cmdline_value(const char *line, const char *key, char *out, size_t n);
#endif
