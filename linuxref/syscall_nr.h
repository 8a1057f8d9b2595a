/* syscall_nr.h (linuxref) — the SYS_* names bench/ code uses, taken from
 * the Linux UAPI header (linux-libc-dev), for the Linux reference program.
 * It stands in for the generated build/gen/syscall_nr.h (our kernels'
 * table uses Linux's numbers wherever a syscall exists in both), so that
 * bench/loops.S and bench/user.h build unchanged against Linux.  Usable from
 * C and from assembler. */
#ifndef ENTRYLAB_LINUXREF_SYSCALL_NR_H
#define ENTRYLAB_LINUXREF_SYSCALL_NR_H

#include <asm/unistd_64.h>

#define SYS_read          __NR_read
#define SYS_write         __NR_write
#define SYS_open          __NR_open
#define SYS_close         __NR_close
#define SYS_rt_sigaction  __NR_rt_sigaction
#define SYS_rt_sigreturn  __NR_rt_sigreturn
#define SYS_sched_yield   __NR_sched_yield
#define SYS_getpid        __NR_getpid
#define SYS_exit          __NR_exit
#define SYS_kill          __NR_kill
#define SYS_uname         __NR_uname
#define SYS_getdents64    __NR_getdents64
#define SYS_mkdir         __NR_mkdir
#define SYS_mount         __NR_mount
#define SYS_ioperm        __NR_ioperm
#define SYS_iopl          __NR_iopl
#define SYS_exit_group    __NR_exit_group

#endif
