/*
 * accel — which accelerator measures: kvm or tcg-icount (DESIGN.md 2).
 *
 * kvm is used only if /dev/kvm opens and answers KVM_GET_API_VERSION with
 * 12 AND the probe kernel shows a user-mode SYSCALL reaching ring 0 and
 * returning by SYSRET (@P ok=1).  A software hypervisor ("PVM") delivers the
 * SYSCALL at LSTAR still in CPL 3: the probe then reports ok=0
 * cpl_at_entry=3, or its first privileged instruction (swapgs) raises #GP,
 * which arrives as an @X record with vector 13 at the entry point.
 *
 *   requested  kvm usable   result
 *   tcg        (not asked)  tcg-icount, no probe
 *   auto       yes          kvm
 *   auto       no           tcg-icount, one line saying why
 *   kvm        yes          kvm
 *   kvm        no           error with the reason, exit status 2
 *
 * Also here: `entrylab hostinfo`, everything the harness knows about the
 * host before it boots a guest (pinning, noise, PMU, /dev/kvm).
 */
#ifndef ENTRYLAB_ACCEL_H
#define ENTRYLAB_ACCEL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "boot/records.h"
#include "core/opts.h"

#define ACCEL_KVM_API_VERSION 12

enum accel_request { ACCEL_REQ_AUTO, ACCEL_REQ_KVM, ACCEL_REQ_TCG };
enum accel_mode { ACCEL_MODE_TCG_ICOUNT, ACCEL_MODE_KVM };

/* What is known about KVM on this host; zero-initialize, then fill with
 * accel_check_kvm_dev and (if the device is usable) from the probe boot. */
struct probe_result {
	bool kvm_dev_checked, kvm_dev_ok;
	char kvm_dev_reason[160];     /* why the device is unusable */
	bool ran;                     /* the probe kernel was booted */
	bool timed_out;               /* ... and killed at its time limit */
	char run_error[160];          /* QEMU failed, protocol error...; "" if none */
	bool have_p, p_ok;            /* @P seen, and its ok= */
	uint64_t p_cpl;               /* @P cpl_at_entry= */
	char p_reason[EL_REC_WORD];   /* @P reason= */
	bool gp_at_entry;             /* @X #GP (13) at the SYSCALL entry point */
	bool have_x;                  /* another @X exception */
	uint64_t x_vector, x_rip;
	char x_name[EL_REC_WORD];
};

struct accel_decision {
	enum accel_request requested;
	enum accel_mode mode;
	int status;                   /* 0, or EL_EX_USAGE (kvm requested, unusable) */
	bool probed;                  /* the decision used a probe result */
	bool fell_back;               /* auto chose tcg-icount */
	char reason[256];             /* why this mode (or why not kvm) */
	char line[320];               /* one line for stderr: fallback note or error */
};

/* "auto" | "kvm" | "tcg" (also "tcg-icount"); returns 0 or -1. */
int accel_parse_request(const char *s, enum accel_request *req);
const char *accel_request_name(enum accel_request req);
const char *accel_mode_name(enum accel_mode mode);

/* Open path (NULL: "/dev/kvm") read-write and ask KVM_GET_API_VERSION; sets
 * p->kvm_dev_checked, kvm_dev_ok and kvm_dev_reason ("/dev/kvm missing",
 * "/dev/kvm not accessible: <errno text>", ...).  Returns kvm_dev_ok. */
bool accel_check_kvm_dev(const char *path, struct probe_result *p);

/* Fill the probe fields of p from the probe boot's parsed record stream:
 * @P, and @X exceptions (vector 13 at entry_rip, or - entry_rip 0, unknown -
 * raised in user mode, counts as gp_at_entry).  Sets p->ran. */
void accel_probe_from_stream(const struct el_stream *s, uint64_t entry_rip,
			     struct probe_result *p);

/* The decision table above.  probe may be NULL (nothing known: "/dev/kvm
 * not checked").  Never fails; out->status says whether to go on. */
void accel_decide(enum accel_request req, const struct probe_result *probe,
		  struct accel_decision *out);

/* key=value lines: accel_requested, accel_mode, accel_probed, accel_reason. */
void accel_render(const struct accel_decision *d, FILE *out);

/* entrylab hostinfo [--cpu N] [--events LIST] */
int cmd_hostinfo(int argc, char **argv);
extern const struct el_optcmd hostinfo_optcmd;   /* core/opts.h */

#endif
