/*
 * pmu — PMU events by name, encoded on the host with libpfm4 for the guest.
 *
 * Under kvm mode the guest programs its (virtual) PMU itself: it writes one
 * raw value per general-purpose counter into IA32_PERFEVTSELx (Intel) or
 * PerfEvtSeln (AMD).  The user names events on the host; this module turns
 * each name into that raw value for the host's core PMU (the vPMU KVM
 * exposes mirrors the host model).
 *
 * Names, comma separated, case-insensitive:
 *   generic   cycles, instructions, branches, branch-misses, ref-cycles,
 *             cache-references, cache-misses (mapped to the PMU's own event;
 *             a modifier suffix is kept: "cycles:u")
 *   native    the PMU's own event strings, e.g. INST_RETIRED:ANY_P or
 *             RETIRED_INSTRUCTIONS:u (see `man libpfm` for the syntax)
 * Privilege levels default to user + kernel (both guest rings).
 *
 * Raw value layout (same bit positions on Intel and AMD): event select in
 * bits 7:0 (AMD: plus 35:32), unit mask 15:8, USR 16, OS 17, EDGE 18,
 * INT 20, EN 22, INV 23, CMASK 31:24.  The INT bit is cleared: the guest
 * reads counters, it does not take overflow interrupts.
 *
 * The core PMU is the first present libpfm4 PMU of type "core".  For tests
 * and for encoding on another machine, libpfm4 honours LIBPFM_FORCE_PMU=<pmu
 * name> (e.g. skl, amd64_fam17h_zen2) at its first initialization in a
 * process.
 */
#ifndef ENTRYLAB_PMU_H
#define ENTRYLAB_PMU_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define PMU_MAX_EVENTS 8        /* upper bound; the PMU's counters are the real limit */
#define PMU_NAME_MAX 128        /* one event name as written, NUL included */

#define PMU_RAW_INT_BIT (1ULL << 20)

struct pmu_event {
	char name[PMU_NAME_MAX];    /* as the user wrote it */
	char native[192];           /* libpfm4's fully qualified string */
	uint64_t raw;               /* value for IA32_PERFEVTSELx / PerfEvtSeln */
};

struct pmu_events {
	char pmu[32];               /* libpfm4 PMU name, e.g. "skl" */
	char pmu_desc[96];          /* e.g. "Intel Skylake" */
	int num_counters;           /* general-purpose counters */
	int num_fixed;              /* fixed counters (not used by the guest) */
	int n;                      /* events in ev[] */
	struct pmu_event ev[PMU_MAX_EVENTS];
};

/* Find the host's core PMU; fill pmu, pmu_desc, num_counters, num_fixed and
 * set n = 0.  Returns 0, or EL_EX_USAGE with a one-line message in err
 * ("<what>: <where>: <what to do>", no program prefix, no newline). */
int pmu_detect(struct pmu_events *out, char *err, size_t n);

/* Detect the PMU and resolve the comma-separated list into out->ev[].
 * Errors (EL_EX_USAGE, message in err): no core PMU detected, empty list or
 * empty name, unknown name (the message lists some of the PMU's events),
 * more events than general-purpose counters, an event needing extra
 * registers (e.g. offcore response). */
int pmu_resolve(const char *list, struct pmu_events *out, char *err, size_t n);

/* "el.events=<hex>,<hex>" for the guest command line ("" when n == 0).
 * Returns 0, or -1 if buf is too small. */
int pmu_format_cmdline(const struct pmu_events *ev, char *buf, size_t n);

/* Whether the host itself can count hardware events: opens (and closes) a
 * user-mode cycles counter on the calling thread with perf_event_open.
 * Returns 1, or 0 with the reason ("perf_event_open(cycles): <errno text>")
 * in why.  libpfm4 encodes events for a model it recognizes from CPUID even
 * where no counter can be opened (software hypervisors). */
int pmu_host_counts(char *why, size_t n);

/* key=value lines for the run metadata: pmu, pmu_counters, pmu_fixed and,
 * per event i, pmu_event<i>=<name> pmu_event<i>_raw=<hex> and
 * pmu_event<i>_native=<libpfm4 string>. */
void pmu_render(const struct pmu_events *ev, FILE *out);

#endif
