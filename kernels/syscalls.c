/*
 * syscalls.c — the system calls of kernels/syscall.tbl.  Those marked
 * ":regs" there take no C arguments: they read and change the complete
 * frame through syscall_full_regs() (regs.c), and any change they make is
 * returned with a full restore (regs_mark_changed()).
 */
#include "kernel.h"

long sys_ni_syscall(void)
{
	return -ENOSYS;
}

long sys_write(long fd, long buf, long len)
{
	if (fd != 1)
		return -EL_EINVAL;
	if (len < 0 || !user_range_ok((u64)buf, (u64)len))
		return -EL_EFAULT;
	console_write((const char *)buf, (size_t)len);
	return len;
}

long sys_getpid(void)
{
	return current_task()->pid;
}

long sys_gettid(void)
{
	return current_task()->pid;
}

long sys_sched_yield(void)
{
	set_flag(current_task(), TIF_NEED_RESCHED);
	return 0;
}

long sys_exit(long status)
{
	task_exit((int)status);
}

long sys_wait4(long pid, long status_ptr)
{
	struct task *me = current_task();
	if (status_ptr && !user_range_ok((u64)status_ptr, sizeof(u64)))
		return -EL_EFAULT;
	for (;;) {
		bool have_child = false;
		for (int i = 0; i < MAX_TASKS; i++) {
			struct task *c = &tasks[i];
			if (c->parent != me->pid || c->detached || (pid > 0 && c->pid != pid))
				continue;
			if (c->state == TASK_ZOMBIE) {
				if (status_ptr)
					*(u64 *)status_ptr = (u64)c->exit_status;
				c->state = TASK_FREE;
				return c->pid;
			}
			if (c->state == TASK_RUNNABLE || c->state == TASK_BLOCKED)
				have_child = true;
		}
		if (!have_child)
			return -EL_ECHILD;
		me->state = TASK_BLOCKED;
		schedule();
	}
}

/* Queue notify-resume work: exit work that changes no register. */
long sys_el_notify(void)
{
	struct task *t = current_task();
	set_flag(t, TIF_NOTIFY_RESUME);
	return (long)t->notify_count;
}

long sys_el_echo(long a, long b, long c, long d, long e, long f)
{
	return EL_ECHO(a, b, c, d, e, f);
}

long sys_el_trace(long op, long a, long b, long c)
{
	struct task *t = current_task();
	switch (op) {
	case EL_TRACE_OFF:
		syscall_work_clear(t, _SYSCALL_WORK_TRACE_ENTRY | _SYSCALL_WORK_TRACE_EXIT);
		return 0;
	case EL_TRACE_ENTRY:
		t->trace_match_nr = (u64)a;
		t->trace_new_nr = (u64)b;
		t->trace_arg_delta = (u64)c;
		syscall_work_set(t, _SYSCALL_WORK_TRACE_ENTRY);
		return 0;
	case EL_TRACE_EXIT:
		syscall_work_set(t, _SYSCALL_WORK_TRACE_EXIT);
		return 0;
	case EL_TRACE_SNAPSHOT:
		if (!user_range_ok((u64)a, sizeof(struct el_regs)))
			return -EL_EFAULT;
		memcpy((void *)a, &t->trace_snapshot, sizeof(struct el_regs));
		return 0;
	case EL_TRACE_COUNTS: {
		if (!user_range_ok((u64)a, 3 * sizeof(u64)))
			return -EL_EFAULT;
		u64 *out = (u64 *)a;
		out[0] = t->trace_entries;
		out[1] = t->trace_exits;
		out[2] = t->trace_exit_rax;
		return 0;
	}
	}
	return -EL_EINVAL;
}

/* ------------------------------------------------ syscalls needing the frame */
_Static_assert(sizeof(struct el_regs) == sizeof(struct pt_regs), "el_regs mirrors pt_regs");

long sys_el_getregs(void)
{
	struct pt_regs *regs = syscall_full_regs();
	if (!regs)
		return -EL_ENOSYS;
	if (!user_range_ok(regs->rdi, sizeof(struct el_regs)))
		return -EL_EFAULT;
	memcpy((void *)regs->rdi, regs, sizeof(struct el_regs));
	return 0;
}

long sys_el_setregs(void)
{
	struct pt_regs *regs = syscall_full_regs();
	if (!regs)
		return -EL_ENOSYS;
	if (!user_range_ok(regs->rdi, sizeof(struct el_regs)))
		return -EL_EFAULT;
	struct el_regs u;
	memcpy(&u, (void *)regs->rdi, sizeof(u));
	if (!is_canonical(u.rip))
		return -EL_EINVAL;
	regs_load_user(regs, &u);
	regs_mark_changed();
	return (long)regs->rax;
}

/* iopl(level): the cheap regs syscall — it may change RFLAGS.IOPL. */
long sys_iopl(void)
{
	struct pt_regs *regs = syscall_full_regs();
	if (!regs)
		return -EL_ENOSYS;
	u64 level = regs->rdi;
	if (level > 3)
		return -EL_EINVAL;
	u64 rflags = (regs->rflags & ~0x3000ull) | (level << 12);
	if (rflags != regs->rflags) {
		regs->rflags = rflags;
		regs->r11 = rflags;
		regs_mark_changed();
	}
	return 0;
}

/* execve(entry, stack): start a new program image in this task: every
 * general register zero except RSP, RFLAGS = 0x202. */
long sys_execve(void)
{
	struct pt_regs *regs = syscall_full_regs();
	if (!regs)
		return -EL_ENOSYS;
	u64 entry = regs->rdi, stack = regs->rsi;
	if (!user_range_ok(entry, 1) || !user_range_ok(stack - 16, 16))
		return -EL_EFAULT;
	memset(regs, 0, sizeof(*regs));
	regs->rip = entry;
	regs->rsp = stack;
	regs->rflags = 0x202;
	regs->cs = USER_CS;
	regs->ss = USER_DS;
	regs->orig_rax = ~0ull;
	struct task *t = current_task();
	memset(t->sigactions, 0, sizeof(t->sigactions));
	fpu_exec(t);
	regs_mark_changed();
	return 0;
}

/* clone(flags, child_stack): a new thread with the caller's registers; it
 * returns 0 through ret_from_fork, the caller gets its pid.  The caller is
 * asked to reschedule so that the child runs first. */
long sys_clone(void)
{
	struct pt_regs *regs = syscall_full_regs();
	if (!regs)
		return -EL_ENOSYS;
	u64 flags = regs->rdi, stack = regs->rsi;
	if (flags & ~(u64)EL_CLONE_DETACHED)
		return -EL_EINVAL;
	if (stack && !user_range_ok(stack - 16, 16))
		return -EL_EFAULT;
	struct task *parent = current_task();
	struct task *child = task_alloc();
	if (!child)
		return -EL_EAGAIN;
	struct pt_regs *cregs = task_regs(child);
	*cregs = *regs;
	cregs->rax = 0;
	if (stack)
		cregs->rsp = stack;
	child->parent = parent->pid;
	child->detached = flags & EL_CLONE_DETACHED;
	memcpy(child->sigactions, parent->sigactions, sizeof(child->sigactions));
	child->flags = _TIF_FULL_FRAME | _TIF_REGS_CHANGED;
	fpu_clone(parent, child);
	child->user_rsp_slot = cregs->rsp;
	task_prepare_fork(child);
	child->state = TASK_RUNNABLE;
	set_flag(parent, TIF_NEED_RESCHED);
	return child->pid;
}

/* el_cmdline(buf, len): the kernel command line, for the user program. */
long sys_el_cmdline(long buf, long len)
{
	const char *line = cmdline_raw();
	long n = (long)strlen(line) + 1;
	if (len < n || !user_range_ok((u64)buf, (u64)n))
		return -EL_EFAULT;
	memcpy((void *)buf, line, (size_t)n);
	return n - 1;
}

/* el_probe(): the KVM probe's syscall.  Reaching this C code at all means
 * SYSCALL entered ring 0; return the CPL read from CS to prove it. */
long sys_el_probe(void)
{
	u16 cs;
	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	return cs & 3;
}
