/*
 * noise — host conditions that make cycle figures noisy.
 * Contract in noise.h.
 */
#include "host/noise.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <hwloc.h>

#define CPU_DIR "sys/devices/system/cpu"

static void warn(struct noise_report *r, const char *fmt, ...)
{
	va_list ap;

	if (r->nwarn >= NOISE_MAX_WARN)
		return;
	va_start(ap, fmt);
	vsnprintf(r->warn[r->nwarn++], NOISE_WARN_LEN, fmt, ap);
	va_end(ap);
}

/* First line of <root><rel> into buf, trailing white space removed.  Returns
 * 0, or -1 when the file cannot be read or holds a control character or
 * does not fit (a value nobody should trust). */
static int read_line(const char *root, const char *rel, char *buf, size_t n)
{
	char path[512], line[256];
	size_t len, i;
	FILE *f;

	snprintf(path, sizeof(path), "%s%s%s", root,
		 root[0] && root[strlen(root) - 1] == '/' ? "" : "/", rel);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	if (strlen(line) == sizeof(line) - 1 && line[sizeof(line) - 2] != '\n') {
		fclose(f);
		return -1;              /* longer than any value we read */
	}
	if (ferror(f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	len = strlen(line);
	while (len > 0 && isspace((unsigned char)line[len - 1]))
		line[--len] = '\0';
	for (i = 0; i < len; i++)
		if (iscntrl((unsigned char)line[i]) || !isprint((unsigned char)line[i]))
			return -1;
	if (len >= n)
		return -1;
	memcpy(buf, line, len + 1);
	return 0;
}

/* A one-word value (no blanks) or "unknown". */
static void read_word(const char *root, const char *rel, char *buf, size_t n)
{
	if (read_line(root, rel, buf, n) != 0 || !buf[0] || strchr(buf, ' '))
		snprintf(buf, n, "unknown");
}

#define NOISE_MAX_CPU 65535     /* bigger numbers in a cpu list are garbage */

/* Parse a cpu list ("0-3,8"; "" is empty) into set.  Only digits, ',' and
 * '-' with numbers up to NOISE_MAX_CPU are accepted, so a corrupt file cannot
 * make the bitmap huge.  Returns 0 or -1. */
static int parse_list(const char *text, hwloc_bitmap_t set)
{
	const char *p = text;

	hwloc_bitmap_zero(set);
	if (!text[0])
		return 0;
	while (*p) {
		char *end;
		unsigned long v;

		if (!isdigit((unsigned char)*p))
			return -1;
		v = strtoul(p, &end, 10);
		if (v > NOISE_MAX_CPU || (*end && *end != ',' && *end != '-'))
			return -1;
		p = *end ? end + 1 : end;
		if (*end && !*p)
			return -1;              /* trailing ',' or '-' */
	}
	if (hwloc_bitmap_list_sscanf(set, text) != 0 || hwloc_bitmap_weight(set) < 0)
		return -1;
	return 0;
}

static void check_governor(const char *root, struct noise_report *r)
{
	char rel[128];

	snprintf(rel, sizeof(rel), CPU_DIR "/cpu%d/cpufreq/scaling_governor", r->cpu);
	read_word(root, rel, r->governor, sizeof(r->governor));
	if (strcmp(r->governor, "unknown") != 0 && strcmp(r->governor, "performance") != 0)
		warn(r, "cpu %d frequency governor is %s, not performance: the clock "
		     "changes under load; fix: cpupower -c %d frequency-set -g performance",
		     r->cpu, r->governor, r->cpu);
}

static void check_boost(const char *root, struct noise_report *r)
{
	char v[16];

	snprintf(r->boost, sizeof(r->boost), "unknown");
	snprintf(r->boost_source, sizeof(r->boost_source), "none");
	if (read_line(root, CPU_DIR "/cpufreq/boost", v, sizeof(v)) == 0) {
		snprintf(r->boost_source, sizeof(r->boost_source), "cpufreq");
		if (!strcmp(v, "0") || !strcmp(v, "1"))
			snprintf(r->boost, sizeof(r->boost), "%s", v[0] == '1' ? "on" : "off");
	} else if (read_line(root, CPU_DIR "/intel_pstate/no_turbo", v, sizeof(v)) == 0) {
		snprintf(r->boost_source, sizeof(r->boost_source), "intel_pstate");
		if (!strcmp(v, "0") || !strcmp(v, "1"))
			snprintf(r->boost, sizeof(r->boost), "%s", v[0] == '0' ? "on" : "off");
	}
	if (strcmp(r->boost, "on") != 0)
		return;
	if (!strcmp(r->boost_source, "cpufreq"))
		warn(r, "frequency boost is on: the clock follows temperature and load; "
		     "fix: echo 0 > /sys/devices/system/cpu/cpufreq/boost");
	else
		warn(r, "turbo is on (intel_pstate): the clock follows temperature and "
		     "load; fix: echo 1 > /sys/devices/system/cpu/intel_pstate/no_turbo");
}

/* Online siblings of r->cpu into online (a cpu without an online file, such
 * as cpu 0, is online). */
static void online_siblings(const char *root, struct noise_report *r,
			    hwloc_const_bitmap_t siblings, hwloc_bitmap_t online)
{
	unsigned m;

	hwloc_bitmap_zero(online);
	hwloc_bitmap_foreach_begin(m, siblings) {
		char rel[96], v[8];

		if ((int)m == r->cpu)
			continue;
		snprintf(rel, sizeof(rel), CPU_DIR "/cpu%u/online", m);
		if (read_line(root, rel, v, sizeof(v)) != 0 || strcmp(v, "0") != 0)
			hwloc_bitmap_set(online, m);
	} hwloc_bitmap_foreach_end();
}

static void check_smt(const char *root, struct noise_report *r)
{
	hwloc_bitmap_t sib = hwloc_bitmap_alloc(), online = hwloc_bitmap_alloc();
	char rel[128];

	read_word(root, CPU_DIR "/smt/control", r->smt_control, sizeof(r->smt_control));
	snprintf(rel, sizeof(rel), CPU_DIR "/cpu%d/topology/thread_siblings_list", r->cpu);
	snprintf(r->siblings_online, sizeof(r->siblings_online), "unknown");
	if (read_line(root, rel, r->siblings, sizeof(r->siblings)) != 0 ||
	    !r->siblings[0] || parse_list(r->siblings, sib) != 0) {
		snprintf(r->siblings, sizeof(r->siblings), "unknown");
		goto out;
	}
	online_siblings(root, r, sib, online);
	if (hwloc_bitmap_iszero(online)) {
		snprintf(r->siblings_online, sizeof(r->siblings_online), "none");
		goto out;
	}
	hwloc_bitmap_list_snprintf(r->siblings_online, sizeof(r->siblings_online), online);
	warn(r, "cpu %d shares its core with online SMT sibling(s) %s: the harness "
	     "keeps QEMU off them but other tasks may run there; fix: echo 0 > "
	     "/sys/devices/system/cpu/cpu%d/online (each sibling) or boot with nosmt",
	     r->cpu, r->siblings_online, hwloc_bitmap_first(online));
out:
	hwloc_bitmap_free(sib);
	hwloc_bitmap_free(online);
}

/* Read a cpu list file into list (or "none"/"unknown") and say whether
 * r->cpu is in it ("yes"/"no"/"unknown").  Returns 1 when cpu is known to
 * be outside the list. */
static int check_list(const char *root, const char *rel, int cpu, char *list,
		      size_t n, char *member, size_t mn)
{
	hwloc_bitmap_t set = hwloc_bitmap_alloc();
	int outside = 0;

	snprintf(member, mn, "unknown");
	if (read_line(root, rel, list, n) != 0 || parse_list(list, set) != 0) {
		snprintf(list, n, "unknown");
	} else {
		outside = !hwloc_bitmap_isset(set, (unsigned)cpu);
		snprintf(member, mn, "%s", outside ? "no" : "yes");
		if (!list[0])
			snprintf(list, n, "none");
	}
	hwloc_bitmap_free(set);
	return outside;
}

static void check_isolation(const char *root, struct noise_report *r)
{
	if (check_list(root, CPU_DIR "/isolated", r->cpu, r->isolated,
		       sizeof(r->isolated), r->cpu_isolated, sizeof(r->cpu_isolated)))
		warn(r, "cpu %d is not isolated: the scheduler may run other tasks on "
		     "it; fix: boot with isolcpus=%d (kernel command line)", r->cpu, r->cpu);
	if (check_list(root, CPU_DIR "/nohz_full", r->cpu, r->nohz_full,
		       sizeof(r->nohz_full), r->cpu_nohz_full, sizeof(r->cpu_nohz_full)))
		warn(r, "cpu %d takes the periodic scheduler tick: fix: boot with "
		     "nohz_full=%d rcu_nocbs=%d (kernel command line)", r->cpu, r->cpu, r->cpu);
}

static void check_load(const char *root, struct noise_report *r)
{
	char line[128];
	double l1, l5, l15;
	char end;

	r->load1 = -1.0;
	snprintf(r->loadavg, sizeof(r->loadavg), "unknown");
	if (read_line(root, "proc/loadavg", line, sizeof(line)) != 0 ||
	    sscanf(line, "%lf %lf %lf%c", &l1, &l5, &l15, &end) != 4 || end != ' ' ||
	    !(l1 >= 0 && l1 < 1e6 && l5 >= 0 && l5 < 1e6 && l15 >= 0 && l15 < 1e6))
		return;
	r->load1 = l1;
	snprintf(r->loadavg, sizeof(r->loadavg), "%.2f/%.2f/%.2f", l1, l5, l15);
	if (l1 >= NOISE_LOAD_LIMIT)
		warn(r, "load average %.2f over the last minute: other work competes "
		     "for cpus and caches; fix: stop other workloads (see top) before "
		     "measuring", l1);
}

int noise_check(const char *root, int cpu, struct noise_report *r)
{
	memset(r, 0, sizeof(*r));
	r->cpu = cpu < 0 ? 0 : cpu;
	if (!root || !root[0])
		root = "/";
	check_governor(root, r);
	check_boost(root, r);
	check_smt(root, r);
	check_isolation(root, r);
	check_load(root, r);
	return r->nwarn;
}

void noise_render(const struct noise_report *r, FILE *out)
{
	fprintf(out, "noise_cpu=%d\n", r->cpu);
	fprintf(out, "noise_governor=%s\n", r->governor);
	fprintf(out, "noise_boost=%s\n", r->boost);
	fprintf(out, "noise_boost_source=%s\n", r->boost_source);
	fprintf(out, "noise_smt_control=%s\n", r->smt_control);
	fprintf(out, "noise_smt_siblings=%s\n", r->siblings);
	fprintf(out, "noise_smt_siblings_online=%s\n", r->siblings_online);
	fprintf(out, "noise_isolated=%s\n", r->isolated);
	fprintf(out, "noise_cpu_isolated=%s\n", r->cpu_isolated);
	fprintf(out, "noise_nohz_full=%s\n", r->nohz_full);
	fprintf(out, "noise_cpu_nohz_full=%s\n", r->cpu_nohz_full);
	fprintf(out, "noise_loadavg=%s\n", r->loadavg);
	fprintf(out, "noise_warnings=%d\n", r->nwarn);
}
