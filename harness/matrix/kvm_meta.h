/*
 * kvm_meta — kvm mode's part of a matrix run's meta.json and its perf
 * summary (matrix/kvm_meta.c), from the decisions of host/ and the
 * <short>.result files of the runs.
 */
#ifndef ENTRYLAB_KVM_META_H
#define ENTRYLAB_KVM_META_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "host/accel.h"
#include "host/pmu.h"
#include "matrix/meta.h"

/* What the matrix decided and asked for, for meta.json. */
struct kvm_meta_in {
	const struct accel_decision *accel;
	const struct probe_result *probe;
	const char *events;          /* --events names, or NULL */
	const struct pmu_events *ev; /* their encodings, or NULL */
	const char *events_hex;
	bool events_used;            /* passed to the guest (kvm) */
	bool pinning, perf, noise_printed;
	const char *raw_dir;         /* <run>/raw: pin_* and perf_* of each .result */
	const struct mx_variant *v;
	size_t nv;
	const char *cpu_model;       /* --cpu-model, or NULL (max; host under kvm) */
};

/* {"accel": ..., "events": ..., "perf": ..., "runs": {<short>: {pin_*, perf_*}},
 *  "guest_cpu": {"model": ..., "runs": {<short>: {cpuid_*, bug_*, mitig_*, ...}}}} */
json_t *kvm_meta_json(const struct kvm_meta_in *in);
/* One stderr line summing up the runs' perf verdicts, and one warning per
 * disagreement or VM-exit note. */
void kvm_perf_summary(const char *raw_dir, const struct mx_variant *v, size_t nv);

#endif
