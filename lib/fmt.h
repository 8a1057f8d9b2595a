/* fmt.h — freestanding formatting shared by the guest kernel and the guest
 * user programs (each links its own copy).  Supports %d %i %u %x %p %s %c %%
 * with the l/ll/z length modifiers, '0' padding and a field width. */
#ifndef ENTRYLAB_FMT_H
#define ENTRYLAB_FMT_H
#include <stdarg.h>
#include <stddef.h>
int el_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int el_snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* One record line: formatted into buf[size]; if it does not fit it is cut
 * and still ends in '\n' (never an over-long record).  Returns its length. */
int el_vformat_line(char *buf, size_t size, const char *fmt, va_list ap);
#endif
