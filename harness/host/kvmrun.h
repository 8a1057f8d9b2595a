/*
 * kvmrun — what kvm mode adds to `entrylab run` and `entrylab matrix`
 * (DESIGN.md 2 and 7): the accelerator decision from the probe boot,
 * PMU events by name, the binding of QEMU's threads, the perf cross-check,
 * and the records of each (keys of <short>.result, objects of meta.json).
 * kvmrun.c holds the paused boot (/proc, QMP, pinning, perf); kvmrun_meta.c
 * the events, the probe, the cross-check, the records and meta.json.
 *
 * One boot with pinning or perf (run side):
 *   kvm_run_prepare   choose the pin plan (pin.h), make a private temporary
 *                     directory for the QMP socket and perf's control fifos
 *   el_qemu_argv      QEMU starts paused (-S) with a QMP socket (qemu.h)
 *   kvm_run_started   el_qemu_run's start hook, QEMU still paused: find the
 *                     vCPU thread (QMP query-cpus-fast), bind it to the chosen cpu and
 *                     every other QEMU thread to the other cpus, read both
 *                     back from /proc, start `perf stat -t <vCPU>` with its
 *                     counters disabled, enable them and wait for perf's
 *                     ack, then QMP "cont".  So the guest runs not one
 *                     instruction unpinned or uncounted.  A failed step
 *                     kills QEMU; k->error says why (an environment error).
 *   kvm_run_finish    after QEMU: wait for perf (it ends with the thread),
 *                     parse its CSV, compare with the guest's own totals
 *   kvm_run_result    pin_* and perf_* lines for <short>.result
 *
 * The vCPU thread is "CPU 0/KVM" under kvm, "ALL CPUs/TCG" under
 * tcg-icount (icount runs every vCPU on one thread); both are found.
 *
 * Guest totals compared with perf (guest-mode counts of the vCPU thread,
 * boot included, so guest <= perf):
 *   instructions  kvm: the sum of pmuN + epmuN for the event that encodes
 *                 as "instructions"; tcg-icount: the sum of ticks + empty
 *                 (recorded; the verdict is "unavailable": perf's :G
 *                 counts see KVM guests only)
 *   cycles        kvm: the same for "cycles"; none under tcg-icount (TSC
 *                 ticks are not core cycles)
 */
#ifndef ENTRYLAB_KVMRUN_H
#define ENTRYLAB_KVMRUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#include "host/accel.h"
#include "host/perfx.h"
#include "host/pin.h"
#include "host/pmu.h"
#include "boot/qemu.h"
#include "boot/records.h"
#include "core/util.h"

#define KVM_FIND_MS   30000   /* QMP socket and vCPU thread must appear within (a loaded
				 * or nested host took over 3 s to start QEMU) */
#define KVM_PERF_MS   5000    /* perf's ack, and perf's end after QEMU's */
#define KVM_EVENTS_HEX (PMU_MAX_EVENTS * 20)
#define KVM_NMETRICS 2

/* The metrics of the perf cross-check: "instructions", "cycles". */
extern const char *const kvm_metrics[KVM_NMETRICS];

/* ------------------------------------------------------------ events */

/* Names (pmu.h) to the guest's list "43003c,4300c0".  Returns 0, or
 * EL_EX_USAGE with one line in err (unknown name: lists what the PMU has;
 * more events than counters). */
int kvm_events_resolve(const char *names, struct pmu_events *ev, char *hex, size_t n,
		       char *err, size_t errn);
/* --events of `entrylab run`: raw hex encodings (each token [0x]hex) are
 * kept as given, anything else is resolved as names. */
int kvm_events_arg(const char *arg, char *hex, size_t n, char *err, size_t errn);

/* ------------------------------------------------------------ probe */

/* Fill p (after accel_check_kvm_dev) from the probe boot that `entrylab
 * run --run probe --out dir` left: dir/<short>.console (the records) and
 * dir/<short>.result (how it ended). */
void kvm_probe_load(const char *dir, const char *short_name, struct probe_result *p);

/* ------------------------------------------------------------ one boot */

struct kvm_run_cfg {
	enum el_mode mode;
	int cpu;                    /* --cpu N; -1: pin.h's default */
	bool pin;                   /* bind QEMU's threads (always under kvm) */
	bool perf;                  /* perf stat cross-check */
	const char *events_hex;     /* what el.events= carries, or NULL */
	const char *out_dir, *name; /* perf's CSV: <out_dir>/<name>.perf.csv */
};

struct kvm_check {              /* one metric of the perf cross-check */
	const char *metric;         /* "instructions", "cycles" */
	bool have_guest;
	double guest;
	struct perfx_check c;
};

struct kvm_run {
	struct kvm_run_cfg cfg;
	bool active;                /* QEMU starts paused; kvm_run_started releases it */
	bool pinning;
	struct pin_plan plan;
	bool have_plan;
	char tmp[256], qmp[108], ctl[300], ack[300], perf_csv[1100], perf_log[300];
	/* what happened at the last start */
	pid_t qemu_pid, vcpu_tid, perf_pid;
	char vcpu_comm[64];
	bool pinned;
	char vcpu_cpus[128], other_cpus[128];
	int other_threads;
	char error[512];            /* a start step failed and QEMU was killed */
	char perf_error[256];       /* perf did not count: cross-check unavailable */
	struct perfx_result perf;
	int perf_exits;             /* kvm:kvm_exit asked for */
	struct kvm_check chk[KVM_NMETRICS];
};

/* Returns 0, or EL_EX_USAGE with one line in err (bad --cpu, no
 * temporary directory).  kvm_run_free afterwards in either case. */
int kvm_run_prepare(struct kvm_run *k, const struct kvm_run_cfg *cfg, char *err, size_t n);
/* Point qc at the QMP socket when this boot must start paused. */
void kvm_run_qemu(const struct kvm_run *k, struct el_qemu_config *qc);
/* The start hook for el_qemu_run_hooked (ctx: struct kvm_run), or NULL
 * when this boot needs none. */
el_qemu_started kvm_run_hook(const struct kvm_run *k);
/* The start hook; safe to call again for a retry. */
void kvm_run_started(void *ctx, pid_t qemu_pid);
void kvm_run_finish(struct kvm_run *k, const struct el_stream *s);
/* The comparison part of kvm_run_finish, on k->perf or k->perf_error.
 * Under tcg-icount the verdict is always "unavailable": perf's guest-mode
 * counts see KVM guests only. */
void kvm_run_compare(struct kvm_run *k, const struct el_stream *s);
void kvm_run_result(const struct kvm_run *k, struct el_buf *b);
/* Lines for people: pinning and perf verdicts (stdout), warnings (stderr). */
void kvm_run_print(const struct kvm_run *k);
void kvm_run_free(struct kvm_run *k);

/* Read back the cpus a thread may run on: /proc/<pid>/task/<tid>/status
 * Cpus_allowed_list.  Returns 0, or -1 (no such thread). */
int kvm_thread_cpus(pid_t pid, pid_t tid, char *dst, size_t n);

#endif
