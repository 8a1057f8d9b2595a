/*
 * sched.c — tasks and the round-robin scheduler.  No timer: a task gives up
 * the CPU only through exit work (TIF_NEED_RESCHED), wait4 or exit.  One
 * address space is shared by all tasks (they are threads of the user
 * program).  Task 0's slot holds pid 1, the init task running bench/.
 */
#include "kernel.h"

struct task tasks[MAX_TASKS];
static u8 kstacks[MAX_TASKS][KSTACK_SIZE] __attribute__((aligned(16)));
static int next_pid = 1;

struct task *task_by_pid(int pid)
{
	for (int i = 0; i < MAX_TASKS; i++)
		if (tasks[i].pid == pid && tasks[i].state != TASK_FREE && tasks[i].state != TASK_DEAD)
			return &tasks[i];
	return NULL;
}

struct task *task_alloc(void)
{
	for (int i = 0; i < MAX_TASKS; i++) {
		struct task *t = &tasks[i];
		if (t->state != TASK_FREE && t->state != TASK_DEAD)
			continue;
		memset(t, 0, sizeof(*t));
		t->kstack = kstacks[i];
		t->kstack_top = (u64)(kstacks[i] + KSTACK_SIZE);
		t->pid = next_pid++;
		fpu_task_init(t);
		return t;
	}
	return NULL;
}

void sched_init(void)
{
	struct task *init = task_alloc();
	init->state = TASK_RUNNABLE;
	fpu_init_task(init);
	cpu0.current = init;
	cpu_set_kernel_stack(init->kstack_top);
}

static struct task *pick_next(struct task *prev)
{
	int start = (int)(prev - tasks);
	for (int k = 1; k <= MAX_TASKS; k++) {
		struct task *t = &tasks[(start + k) % MAX_TASKS];
		if (t->state == TASK_RUNNABLE)
			return t;
	}
	return NULL;
}

/* Run the next runnable task; returns when prev is scheduled again. */
void schedule(void)
{
	struct task *prev = current_task();
	clear_flag(prev, TIF_NEED_RESCHED);
	struct task *next = pick_next(prev);
	if (!next)
		panic("no runnable task (pid %d state %d)", prev->pid, prev->state);
	if (next == prev)
		return;
	switch_fpu(prev, next);
	cpu0.current = next;
	cpu_set_kernel_stack(next->kstack_top);
	switch_user_rsp_slot(prev, next);
	switch_to(prev, next);
}

/* Prepare t's kernel stack so that its first switch_to() "returns" into
 * ret_from_fork with %rsp at its frame: six callee-saved slots, then the
 * return address, then the frame (already copied to task_regs(t)). */
void task_prepare_fork(struct task *t)
{
	u64 *sp = (u64 *)task_regs(t);
	*--sp = (u64)ret_from_fork;
	for (int i = 0; i < 6; i++)
		*--sp = 0;
	t->ksp = (u64)sp;
}

void task_exit(int status)
{
	struct task *t = current_task();
	if (t->pid == 1) {
		kprintf("@K init exited with status %d\n", status);
		system_exit(status == 0 ? EL_EXIT_PASS : EL_EXIT_FAIL, status == 0 ? "pass" : "fail");
	}
	fpu_drop(t);
	t->exit_status = status;
	t->state = t->detached ? TASK_DEAD : TASK_ZOMBIE;
	struct task *parent = task_by_pid(t->parent);
	if (parent && parent->state == TASK_BLOCKED)
		parent->state = TASK_RUNNABLE;
	schedule();
	panic("exited task %d was scheduled again", t->pid);
}
