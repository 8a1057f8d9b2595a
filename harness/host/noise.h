/*
 * noise — host conditions that make cycle figures noisy, read from sysfs
 * and procfs for the measurement cpu, each with the command that fixes it.
 *
 * Files read, all under a root prefix ("/" for the real system; tests pass
 * a fake tree):
 *   sys/devices/system/cpu/cpuN/cpufreq/scaling_governor   governor
 *   sys/devices/system/cpu/cpufreq/boost                   1 = boost on
 *   sys/devices/system/cpu/intel_pstate/no_turbo           0 = turbo on
 *   sys/devices/system/cpu/cpuN/topology/thread_siblings_list
 *   sys/devices/system/cpu/cpuM/online                     per sibling M
 *   sys/devices/system/cpu/smt/control
 *   sys/devices/system/cpu/isolated                        isolcpus= list
 *   sys/devices/system/cpu/nohz_full                       nohz_full= list
 *   proc/loadavg
 * A missing or unreadable file records "unknown" and raises no warning;
 * nothing read can crash the harness.
 */
#ifndef ENTRYLAB_NOISE_H
#define ENTRYLAB_NOISE_H

#include <stdio.h>

#define NOISE_MAX_WARN 8
#define NOISE_WARN_LEN 320
#define NOISE_LOAD_LIMIT 1.0    /* 1-minute load average that earns a warning */

struct noise_report {
	int cpu;
	char governor[32];          /* e.g. "performance", or "unknown" */
	char boost[8];              /* "on", "off", "unknown" */
	char boost_source[16];      /* "cpufreq", "intel_pstate", "none" */
	char siblings[128];         /* thread_siblings_list, or "unknown" */
	char siblings_online[128];  /* online siblings but cpu, "none", "unknown" */
	char smt_control[16];       /* "on", "off", "notsupported", ... "unknown" */
	char isolated[128];         /* isolated list, "none", or "unknown" */
	char cpu_isolated[8];       /* "yes", "no", "unknown" */
	char nohz_full[128];        /* nohz_full list, "none", or "unknown" */
	char cpu_nohz_full[8];      /* "yes", "no", "unknown" */
	char loadavg[48];           /* "0.20/0.13/0.05", or "unknown" */
	double load1;               /* < 0 when unknown */
	int nwarn;
	char warn[NOISE_MAX_WARN][NOISE_WARN_LEN];
};

/* Fill r for cpu (an OS index; a negative one is taken as 0) from the files
 * under root (NULL or "" means "/").  Never fails; returns the number of
 * warnings. */
int noise_check(const char *root, int cpu, struct noise_report *r);

/* key=value lines noise_* for the run metadata (warnings not included:
 * noise_warnings=<count>; the texts are in r->warn). */
void noise_render(const struct noise_report *r, FILE *out);

#endif
