/*
 * pin — where the vCPU thread runs (hwloc).
 *
 * kvm mode measures real cycles, so the vCPU thread gets one PU (hardware
 * thread) to itself: the other PUs of the same core (SMT siblings) are left
 * idle and QEMU's other threads (main loop, I/O, RCU) run on the remaining
 * allowed PUs.  QEMU must be started with "-name <x>,debug-threads=on" so
 * that its vCPU thread is called "CPU 0/KVM" (or "CPU 0/TCG"; "ALL CPUs/TCG"
 * under -icount, where one thread runs every vCPU) in
 * /proc/<pid>/task/<tid>/comm.
 *
 * The default core is the last core whose PUs are all allowed to us and
 * which holds a cpu the kernel isolates (isolcpus=), else the last such core
 * that is not the core of cpu 0 (the usual home of housekeeping work and
 * unpinned interrupts); its lowest-numbered PU runs the vCPU.
 */
#ifndef ENTRYLAB_PIN_H
#define ENTRYLAB_PIN_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include <hwloc.h>

#define PIN_MAX_WARN 4
#define PIN_WARN_LEN 256

struct pin_plan {
	hwloc_topology_t topo;
	int cpu;                    /* OS index of the measurement PU */
	int core;                   /* logical index of its core (-1: no core objects) */
	hwloc_bitmap_t vcpu_set;    /* { cpu } */
	hwloc_bitmap_t core_set;    /* every PU of the core: cpu + SMT siblings */
	hwloc_bitmap_t other_set;   /* allowed PUs minus core_set: QEMU's other threads */
	hwloc_bitmap_t allowed;     /* PUs this process may use (cgroup cpuset) */
	int packages, cores, pus;   /* in the whole topology */
	int pus_per_core;           /* largest PU count of a core (SMT width) */
	char cpu_model[96];         /* "unknown" when hwloc has none */
	int nwarn;
	char warn[PIN_MAX_WARN][PIN_WARN_LEN];
};

/* Load the topology and choose the measurement PU: requested_cpu (an OS
 * index, as in --cpu N) or, when requested_cpu < 0, the default above.
 * Returns 0 (pin_free the plan later), or EL_EX_USAGE with one line in err
 * ("<what>: <where>: <what to do>", no program prefix); on error nothing is
 * left to free.  Warnings (no PU left for QEMU's other threads, a sibling
 * outside the allowed set, a one-core machine) go to plan->warn[]. */
int pin_choose(struct pin_plan *plan, int requested_cpu, char *err, size_t n);
void pin_free(struct pin_plan *plan);

/* Bind one thread (any process's; tid as in /proc/<pid>/task/<tid>) to
 * cpuset.  Returns 0, or EL_EX_USAGE with a message in err. */
int pin_thread(hwloc_topology_t topo, pid_t tid, hwloc_const_cpuset_t cpuset,
	       char *err, size_t n);

/* key=value lines for the run metadata: topo_* (summary) and pin_*
 * (choice); warnings are not included (see plan->warn). */
void pin_render(const struct pin_plan *plan, FILE *out);

#endif
