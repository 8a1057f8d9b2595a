/*
 * pin — choose the measurement PU and bind QEMU's threads (hwloc).
 * Contract in pin.h.
 */
#include "host/pin.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/exitcodes.h"
#include "core/util.h"

/* QEMU's name for its first vCPU thread: "CPU 0/KVM", "CPU 0/TCG", or
 * "ALL CPUs/TCG" under -icount (one thread runs every vCPU). */

static void warn(struct pin_plan *plan, const char *fmt, ...)
{
	va_list ap;

	if (plan->nwarn >= PIN_MAX_WARN)
		return;
	va_start(ap, fmt);
	vsnprintf(plan->warn[plan->nwarn++], PIN_WARN_LEN, fmt, ap);
	va_end(ap);
}

/* "0-3,8" or "none" for an empty set. */
static const char *setstr(hwloc_const_bitmap_t set, char *buf, size_t n)
{
	if (hwloc_bitmap_iszero(set))
		snprintf(buf, n, "none");
	else
		hwloc_bitmap_list_snprintf(buf, n, set);
	return buf;
}

static void summarize(struct pin_plan *plan)
{
	hwloc_topology_t t = plan->topo;
	hwloc_obj_t pkg = hwloc_get_obj_by_type(t, HWLOC_OBJ_PACKAGE, 0);
	const char *model = pkg ? hwloc_obj_get_info_by_name(pkg, "CPUModel") : NULL;
	int i;

	plan->packages = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_PACKAGE);
	plan->cores = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_CORE);
	plan->pus = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_PU);
	plan->pus_per_core = plan->cores > 0 ? 0 : 1;
	for (i = 0; i < plan->cores; i++) {
		hwloc_obj_t core = hwloc_get_obj_by_type(t, HWLOC_OBJ_CORE, (unsigned)i);
		int w = hwloc_bitmap_weight(core->cpuset);

		if (w > plan->pus_per_core)
			plan->pus_per_core = w;
	}
	snprintf(plan->cpu_model, sizeof(plan->cpu_model), "%s", model ? model : "unknown");
}

/* The kernel's isolated cpus (isolcpus=), empty when unknown. */
static hwloc_bitmap_t isolated_cpus(void)
{
	hwloc_bitmap_t set = hwloc_bitmap_alloc();
	char line[256] = "";
	FILE *f = fopen("/sys/devices/system/cpu/isolated", "r");

	if (f) {
		if (fgets(line, sizeof(line), f))
			line[strcspn(line, "\n")] = '\0';
		fclose(f);
	}
	if (!line[0] || hwloc_bitmap_list_sscanf(set, line) != 0)
		hwloc_bitmap_zero(set);
	return set;
}

/* The first isolated PU of the last fully allowed core holding one, or -1. */
static int isolated_cpu(struct pin_plan *plan)
{
	hwloc_bitmap_t iso = isolated_cpus(), both = hwloc_bitmap_alloc();
	int i, cpu = -1;

	for (i = plan->cores - 1; i >= 0 && cpu < 0; i--) {
		hwloc_obj_t core = hwloc_get_obj_by_type(plan->topo, HWLOC_OBJ_CORE,
							 (unsigned)i);

		if (!hwloc_bitmap_isincluded(core->cpuset, plan->allowed))
			continue;
		hwloc_bitmap_and(both, core->cpuset, iso);
		cpu = hwloc_bitmap_first(both);
	}
	hwloc_bitmap_free(both);
	hwloc_bitmap_free(iso);
	return cpu;
}

/* The default core: the last fully allowed core holding an isolated cpu,
 * else the last fully allowed core that does not hold cpu 0, else any core
 * with an allowed PU.  Returns its first allowed PU's OS index, or -1. */
static int default_cpu(struct pin_plan *plan)
{
	hwloc_topology_t t = plan->topo;
	int i, fallback = isolated_cpu(plan);

	if (fallback >= 0)
		return fallback;
	for (i = plan->cores - 1; i >= 0; i--) {
		hwloc_obj_t core = hwloc_get_obj_by_type(t, HWLOC_OBJ_CORE, (unsigned)i);
		hwloc_bitmap_t usable = hwloc_bitmap_alloc();
		int first;

		hwloc_bitmap_and(usable, core->cpuset, plan->allowed);
		first = hwloc_bitmap_first(usable);
		hwloc_bitmap_free(usable);
		if (first < 0)
			continue;
		if (!hwloc_bitmap_isset(core->cpuset, 0) &&
		    hwloc_bitmap_isincluded(core->cpuset, plan->allowed))
			return first;
		if (fallback < 0 || !hwloc_bitmap_isset(core->cpuset, 0))
			fallback = first;
	}
	if (fallback < 0)           /* no core objects: last allowed PU */
		fallback = hwloc_bitmap_last(plan->allowed);
	if (fallback >= 0)
		warn(plan, "no core apart from cpu 0's core has all its PUs allowed: "
		     "measuring on cpu %d, which shares its core with busy PUs or "
		     "cpu 0's housekeeping; use --cpu N or widen the allowed set",
		     fallback);
	return fallback;
}

static int check_requested(struct pin_plan *plan, int cpu, char *err, size_t n)
{
	char all[128], ok[128];

	if (hwloc_get_pu_obj_by_os_index(plan->topo, (unsigned)cpu) == NULL) {
		el_fmt(err, n, "cpu %d does not exist or is offline: --cpu: choose one "
		       "of %s", cpu, setstr(hwloc_topology_get_topology_cpuset(plan->topo),
					    all, sizeof(all)));
		return EL_EX_USAGE;
	}
	if (!hwloc_bitmap_isset(plan->allowed, (unsigned)cpu)) {
		el_fmt(err, n, "cpu %d is not in this process's cgroup cpuset: --cpu: "
		       "choose one of %s", cpu,
		       setstr(plan->allowed, ok, sizeof(ok)));
		return EL_EX_USAGE;
	}
	return 0;
}

/* Fill vcpu_set, core_set and other_set for plan->cpu and add warnings. */
static void plan_sets(struct pin_plan *plan)
{
	hwloc_obj_t pu = hwloc_get_pu_obj_by_os_index(plan->topo, (unsigned)plan->cpu);
	hwloc_obj_t core = hwloc_get_ancestor_obj_by_type(plan->topo, HWLOC_OBJ_CORE, pu);
	char buf[128], buf2[128];
	hwloc_bitmap_t outside = hwloc_bitmap_alloc();

	hwloc_bitmap_only(plan->vcpu_set, (unsigned)plan->cpu);
	hwloc_bitmap_copy(plan->core_set, core ? core->cpuset : pu->cpuset);
	plan->core = core ? (int)core->logical_index : -1;
	hwloc_bitmap_andnot(plan->other_set, plan->allowed, plan->core_set);
	if (hwloc_bitmap_iszero(plan->other_set))
		warn(plan, "no allowed cpu outside core of cpu %d: QEMU's other threads "
		     "share it with the vCPU; measure on a machine with two or more "
		     "cores", plan->cpu);
	hwloc_bitmap_andnot(outside, plan->core_set, plan->allowed);
	if (!hwloc_bitmap_iszero(outside))
		warn(plan, "SMT sibling(s) %s of cpu %d are outside the allowed set "
		     "%s: they cannot be kept idle; choose a core whose PUs are all "
		     "allowed", setstr(outside, buf, sizeof(buf)), plan->cpu,
		     setstr(plan->allowed, buf2, sizeof(buf2)));
	hwloc_bitmap_free(outside);
}

int pin_choose(struct pin_plan *plan, int requested_cpu, char *err, size_t n)
{
	memset(plan, 0, sizeof(*plan));
	if (hwloc_topology_init(&plan->topo) != 0) {
		el_fmt(err, n, "cannot initialize hwloc: hwloc_topology_init: %s: "
		       "check the hwloc installation", strerror(errno));
		return EL_EX_USAGE;
	}
	hwloc_topology_set_flags(plan->topo, HWLOC_TOPOLOGY_FLAG_INCLUDE_DISALLOWED);
	if (hwloc_topology_load(plan->topo) != 0) {
		el_fmt(err, n, "cannot load the CPU topology: hwloc_topology_load: %s: "
		       "check that /sys and /proc are mounted", strerror(errno));
		hwloc_topology_destroy(plan->topo);
		memset(plan, 0, sizeof(*plan));
		return EL_EX_USAGE;
	}
	plan->allowed = hwloc_bitmap_dup(hwloc_topology_get_allowed_cpuset(plan->topo));
	plan->vcpu_set = hwloc_bitmap_alloc();
	plan->core_set = hwloc_bitmap_alloc();
	plan->other_set = hwloc_bitmap_alloc();
	summarize(plan);
	if (requested_cpu >= 0) {
		int rc = check_requested(plan, requested_cpu, err, n);

		if (rc) {
			pin_free(plan);
			return rc;
		}
		plan->cpu = requested_cpu;
	} else {
		plan->cpu = default_cpu(plan);
		if (plan->cpu < 0) {
			el_fmt(err, n, "no allowed cpu in the topology: hwloc: run "
			       "without a cpuset restriction");
			pin_free(plan);
			return EL_EX_USAGE;
		}
	}
	plan_sets(plan);
	return 0;
}

void pin_free(struct pin_plan *plan)
{
	hwloc_bitmap_free(plan->vcpu_set);
	hwloc_bitmap_free(plan->core_set);
	hwloc_bitmap_free(plan->other_set);
	hwloc_bitmap_free(plan->allowed);
	if (plan->topo)
		hwloc_topology_destroy(plan->topo);
	memset(plan, 0, sizeof(*plan));
}

int pin_thread(hwloc_topology_t topo, pid_t tid, hwloc_const_cpuset_t cpuset,
	       char *err, size_t n)
{
	char buf[128];

	if (tid <= 0 || hwloc_bitmap_iszero(cpuset)) {
		el_fmt(err, n, "cannot bind thread %d to cpus %s: pin_thread: pass a "
		       "thread id and a non-empty cpu set", (int)tid,
		       setstr(cpuset, buf, sizeof(buf)));
		return EL_EX_USAGE;
	}
	/* On Linux, a tid with HWLOC_CPUBIND_THREAD binds that one thread. */
	if (hwloc_set_proc_cpubind(topo, tid, cpuset, HWLOC_CPUBIND_THREAD) != 0) {
		el_fmt(err, n, "cannot bind thread %d to cpus %s: sched_setaffinity: %s: "
		       "check the thread still exists and the cpus are allowed",
		       (int)tid, setstr(cpuset, buf, sizeof(buf)), strerror(errno));
		return EL_EX_USAGE;
	}
	return 0;
}

void pin_render(const struct pin_plan *plan, FILE *out)
{
	char buf[128];
	hwloc_bitmap_t idle = hwloc_bitmap_alloc();

	hwloc_bitmap_andnot(idle, plan->core_set, plan->vcpu_set);
	fprintf(out, "topo_cpu_model=%s\n", plan->cpu_model);
	fprintf(out, "topo_packages=%d\n", plan->packages);
	fprintf(out, "topo_cores=%d\n", plan->cores);
	fprintf(out, "topo_pus=%d\n", plan->pus);
	fprintf(out, "topo_pus_per_core=%d\n", plan->pus_per_core);
	fprintf(out, "topo_allowed=%s\n", setstr(plan->allowed, buf, sizeof(buf)));
	fprintf(out, "pin_cpu=%d\n", plan->cpu);
	fprintf(out, "pin_core=%d\n", plan->core);
	fprintf(out, "pin_core_cpus=%s\n", setstr(plan->core_set, buf, sizeof(buf)));
	fprintf(out, "pin_idle_siblings=%s\n", setstr(idle, buf, sizeof(buf)));
	fprintf(out, "pin_other=%s\n", setstr(plan->other_set, buf, sizeof(buf)));
	hwloc_bitmap_free(idle);
}
