/* Booting a guest under QEMU: the argument vector (as data, no shell), the
 * supervised child process (time limit, output cap, process-group kill,
 * always reaped, dies with the runner: proc.h) and the decoding of QEMU's exit status. */
#ifndef ENTRYLAB_QEMU_H
#define ENTRYLAB_QEMU_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/util.h"

#define EL_QEMU_DEFAULT "qemu-system-x86_64"
#define EL_QEMU_STDERR_MAX (64 * 1024)

enum el_mode { EL_MODE_TCG_ICOUNT, EL_MODE_KVM };

/* "tcg-icount" | "kvm"; returns 0 or -1. */
int el_mode_parse(const char *s, enum el_mode *mode);
const char *el_mode_name(enum el_mode mode);
/* The unit the guest's ticks are in: "instructions" or "tsc". */
const char *el_mode_unit(enum el_mode mode);

struct el_qemu_config {
	const char *qemu;      /* binary; NULL means EL_QEMU_DEFAULT (found on PATH) */
	const char *image;     /* kernel ELF with a PVH note */
	const char *cmdline;   /* -append text */
	const char *const *extra;  /* NULL-terminated, added after -append (a Linux guest's
				    * -initrd and machine options: linuxref.h); NULL: none */
	const char *name;      /* short variant name, for -name entrylab-<name> */
	enum el_mode mode;
	const char *cpu_model; /* -cpu under tcg-icount; NULL: max (kvm: always host) */
	bool pmu;              /* kvm: expose the vPMU (events were asked for) */
	bool sandbox;          /* QEMU's seccomp sandbox (EL_QEMU_SANDBOX) */
	const char *qmp;       /* QMP socket path: start paused (-S) until a QMP "cont"
				* (kvmrun.h pins and attaches perf first); NULL: run at once */
};

/* -sandbox argument: the syscall filter on, and no obsolete syscalls,
 * privilege changes, fork/exec or scheduler/affinity calls from QEMU. */
#define EL_QEMU_SANDBOX "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny"

/* A NULL-terminated argument vector. */
struct el_argv {
	char **v;
	size_t n;
};

void el_qemu_argv(const struct el_qemu_config *c, struct el_argv *a);

/* --cpu-model: 0 if `qemu -cpu help` lists model, else -1 with one line in
 * err naming the model and where to see the list (qemu_cpu.c). */
int el_qemu_cpu_model_check(const char *qemu, const char *model, char *err, size_t errlen);
void el_argv_free(struct el_argv *a);

struct el_qemu_limits {
	int64_t timeout_ms;    /* wall clock, from fork to exit */
	size_t max_output;     /* bytes of guest output before the guest is killed */
};

/* How the child ended, as seen by the runner. */
enum el_qemu_end {
	EL_QEMU_EXITED,        /* code = exit status */
	EL_QEMU_SIGNALED,      /* code = signal (not sent by the runner) */
	EL_QEMU_TIMEOUT,       /* killed by the runner at the time limit */
	EL_QEMU_FLOOD,         /* killed by the runner at the output cap */
	EL_QEMU_INTERRUPTED,   /* killed because the harness got SIGINT/SIGTERM */
	EL_QEMU_NOT_FOUND,     /* exec failed with ENOENT */
	EL_QEMU_EXEC_ERROR,    /* exec failed otherwise; code = errno */
	EL_QEMU_SPAWN_ERROR,   /* pipe or fork failed; code = errno */
	EL_QEMU_HV_ERROR,      /* killed by the runner: QEMU wrote "KVM internal error" (KVM
				* could not run or emulate an instruction) and stopped the
				* guest, which would otherwise sit paused until the time limit */
};

struct el_qemu_result {
	enum el_qemu_end end;
	int code;
	int64_t wall_ms;
	size_t out_bytes;      /* guest output delivered to the sink */
	struct el_buf err;     /* QEMU's stderr, first EL_QEMU_STDERR_MAX bytes */
};

/* Receives the guest's output (QEMU's stdout) as it arrives. */
typedef void (*el_qemu_sink)(void *ctx, const char *data, size_t len);

/* Run argv[0] (searched on PATH) with stdout and stderr captured; returns
 * when the child has been reaped. */
void el_qemu_run(char *const argv[], const struct el_qemu_limits *lim,
		 el_qemu_sink sink, void *ctx, struct el_qemu_result *res);

/* Called in the parent once QEMU's exec succeeded, before any output is
 * read (pid: QEMU's process and process group); the time limit runs on. */
typedef void (*el_qemu_started)(void *ctx, pid_t pid);
/* el_qemu_run with a start hook (started may be NULL). */
void el_qemu_run_hooked(char *const argv[], const struct el_qemu_limits *lim,
			el_qemu_sink sink, void *ctx, el_qemu_started started,
			void *started_ctx, struct el_qemu_result *res);
void el_qemu_result_free(struct el_qemu_result *res);

/* What the guest's ending means (table in include/entrylab/proto.h). */
enum el_guest_end {
	EL_GUEST_PASS,         /* status 33: run complete, every check passed */
	EL_GUEST_CHECK_FAILED, /* status 35: run complete, a check failed */
	EL_GUEST_PANIC,        /* status 37: panic or fatal exception */
	EL_GUEST_RESET,        /* status 0: reset or triple fault (-no-reboot) */
	EL_GUEST_QEMU_ERROR,   /* any other status: QEMU itself failed */
	EL_GUEST_KILLED,       /* QEMU died from a signal nobody here sent */
	EL_GUEST_HANG,
	EL_GUEST_FLOOD,
	EL_GUEST_INTERRUPTED,
	EL_GUEST_NO_QEMU,      /* QEMU could not be started at all */
};

enum el_guest_end el_qemu_decode(const struct el_qemu_result *r);
/* Short form for result files: "exit:33", "signal:9", "timeout", ... */
char *el_qemu_status_text(const struct el_qemu_result *r, char *dst, size_t size);
/* 1 if QEMU failed at start because it refused -sandbox (a build without
 * seccomp, or a kernel without it): the caller then retries without. */
int el_qemu_sandbox_refused(const struct el_qemu_result *r);

/* A boot's default time limit covers EL_TIMEOUT_SAMPLES samples per
 * benchmark (about 5 s of work under tcg-icount on a busy 2-cpu host);
 * for more samples it is multiplied by this factor, samples / 1000, so
 * --samples 100000 is not reported as a hung guest.  An explicit
 * --timeout is kept as given. */
#define EL_TIMEOUT_SAMPLES 1000
double el_timeout_scale(uint64_t samples);

/* For a QEMU that PATH does not hold: why, and what to do, in one phrase
 * ("not on PATH (installed as /usr/bin/...): add /usr/bin to PATH or pass
 * its path", or "not found on PATH: install qemu-system-x86"). */
void el_qemu_not_found_hint(char *dst, size_t size);

/* SIGINT, SIGTERM, SIGHUP and SIGPIPE set el_qemu_interrupted; a running
 * el_qemu_run then kills its child and returns EL_QEMU_INTERRUPTED.  (A
 * SIGKILLed runner cannot do that: its QEMU gets SIGKILL from the kernel,
 * proc.h.) */
extern volatile sig_atomic_t el_qemu_interrupted;
void el_qemu_catch_signals(void);

#endif
