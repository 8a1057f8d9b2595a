/* conform.h — shared pieces of the conformance suite (conform.c,
 * conform_tasks.c) and the assembler probes of regtest.S. */
#ifndef ENTRYLAB_CONFORM_H
#define ENTRYLAB_CONFORM_H
#include "user.h"
#include "fmt.h"

extern struct el_regs rt_in, rt_out, rt_child, rt_target, rt_exec_out;
extern u64 rt_exec_rflags;
extern u64 rt_out_rflags, rt_child_rflags, rt_saved_rsp, rt_flags_set;
extern u64 rt_is_clone, rt_child_ran, rt_landed;
extern int (*rt_child_fn)(void);
long rt_clone_child(int (*fn)(void), void *stack_top);
long rt_syscall(void);
long rt_setregs(void);
long rt_syscall_at(void);
extern u64 rt_jump;
void rt_syscall_ret(void);
void rt_setregs_landing(void);
void rt_exec_entry(void);

void check(bool ok, const char *what);
bool need(unsigned features, int nchecks, const char *what);
void rt_prepare(long nr, long a0, long a1, long a2, long a3, long a4, long a5);
bool callee_saved_survived(const struct el_regs *in, const struct el_regs *out);
bool args_survived(const struct el_regs *in, const struct el_regs *out);

void test_tracing(void);
void test_signals(void);
void test_sigreturn_noncanonical(void);
void test_execve(void);
void test_clone(void);
void test_yield_pingpong(void);
void test_tf_nt(void);
void test_every_register(void);
void test_top_of_user_range(unsigned features);
void test_timer_on_path(unsigned features);
void test_isolation(void);
void test_fpu(void);
#endif
