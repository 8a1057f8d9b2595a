/*
 * user.h — the guest user program's runtime (ring 3): raw syscalls, the
 * record channel, small helpers.  Nothing here may touch kernel memory.
 */
#ifndef ENTRYLAB_USER_H
#define ENTRYLAB_USER_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include "syscall_nr.h"
#include "entrylab/abi.h"
#include "entrylab/proto.h"
#include "string.h"

typedef uint64_t u64;
typedef uint32_t u32;

static inline long sys6(long nr, long a, long b, long c, long d, long e, long f)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	long ret;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}
#define sys0(n)             sys6((n), 0, 0, 0, 0, 0, 0)
#define sys1(n, a)          sys6((n), (long)(a), 0, 0, 0, 0, 0)
#define sys2(n, a, b)       sys6((n), (long)(a), (long)(b), 0, 0, 0, 0)
#define sys3(n, a, b, c)    sys6((n), (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define sys4(n, a, b, c, d) sys6((n), (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)

/* ulib.c */
void rec(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int streq(const char *a, const char *b);
const char *arg_get(const char *key);
bool csv_has(const char *csv, const char *item);
u64 parse_u64(const char *s, u64 dflt);
void user_exit(int status) __attribute__((noreturn));

/* loops.S: timed loops; each returns elapsed TSC ticks. */
struct loop_args { u64 nr, a0, a1, a2; };
u64 el_loop_syscall(const struct loop_args *a, u64 iters);
u64 el_loop_empty(const struct loop_args *a, u64 iters);
u64 el_loop_clone(const struct loop_args *a, u64 iters);
u64 el_loop_clone_empty(const struct loop_args *a, u64 iters);
void el_sig_handler_ret(void);
void el_sig_restorer(void);
void el_trace_begin(void);
void el_trace_end(void);

/* bench.c, conform.c, probe.c */
void run_benchmarks(const char *which, u64 samples, u64 budget, unsigned features);
int run_conformance(unsigned features);
void run_probe(void);
void run_trace(const char *which, unsigned features);

#endif
