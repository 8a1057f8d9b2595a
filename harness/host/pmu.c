/*
 * pmu — PMU event names to raw event-select values with libpfm4.
 * Contract in pmu.h.
 */
#include "host/pmu.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <errno.h>
#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <perfmon/pfmlib.h>

#include "core/exitcodes.h"
#include "core/util.h"

/* Generic (perf-style) names and the PMU event strings that implement them,
 * tried in order on the detected PMU: Intel architectural names first, then
 * AMD names, then model-specific fall-backs. */
static const struct generic_event {
	const char *name;
	const char *native[3];
} generic_events[] = {
	{ "cycles",           { "UNHALTED_CORE_CYCLES", "CYCLES_NOT_IN_HALT", NULL } },
	{ "cpu-cycles",       { "UNHALTED_CORE_CYCLES", "CYCLES_NOT_IN_HALT", NULL } },
	{ "instructions",     { "INSTRUCTION_RETIRED", "RETIRED_INSTRUCTIONS", NULL } },
	{ "branches",         { "BRANCH_INSTRUCTIONS_RETIRED",
				"RETIRED_BRANCH_INSTRUCTIONS", NULL } },
	{ "branch-instructions", { "BRANCH_INSTRUCTIONS_RETIRED",
				"RETIRED_BRANCH_INSTRUCTIONS", NULL } },
	{ "branch-misses",    { "MISPREDICTED_BRANCH_RETIRED",
				"RETIRED_BRANCH_INSTRUCTIONS_MISPREDICTED", NULL } },
	{ "ref-cycles",       { "UNHALTED_REFERENCE_CYCLES", NULL, NULL } },
	{ "cache-references", { "LLC_REFERENCES", "LONGEST_LAT_CACHE:REFERENCE", NULL } },
	{ "cache-misses",     { "LLC_MISSES", "LONGEST_LAT_CACHE:MISS", NULL } },
};
#define N_GENERIC (sizeof(generic_events) / sizeof(generic_events[0]))

static int pfm_ready(char *err, size_t n)
{
	static int state;           /* 0 not tried, 1 ok, -1 failed */
	static int init_rc;

	if (state == 0) {
		init_rc = pfm_initialize();
		state = init_rc == PFM_SUCCESS ? 1 : -1;
	}
	if (state < 0) {
		el_fmt(err, n, "libpfm4 initialization failed: pfm_initialize: %s: "
		       "check the libpfm4 installation (LIBPFM_VERBOSE=1 shows details)",
		       pfm_strerror(init_rc));
		return EL_EX_USAGE;
	}
	return 0;
}

static int find_core_pmu(pfm_pmu_info_t *info)
{
	pfm_pmu_t p;

	pfm_for_all_pmus(p) {
		memset(info, 0, sizeof(*info));
		info->size = sizeof(*info);
		if (pfm_get_pmu_info(p, info) != PFM_SUCCESS)
			continue;
		if (info->is_present && info->type == PFM_PMU_TYPE_CORE)
			return 0;
	}
	return -1;
}

int pmu_detect(struct pmu_events *out, char *err, size_t n)
{
	pfm_pmu_info_t info;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = pfm_ready(err, n);
	if (rc)
		return rc;
	if (find_core_pmu(&info) != 0) {
		el_fmt(err, n, "no hardware PMU detected by libpfm4 (only perf software "
		       "events): this host: run kvm mode on a host with a core PMU, or set "
		       "LIBPFM_FORCE_PMU=<model> (e.g. skl) to encode for a known model");
		return EL_EX_USAGE;
	}
	snprintf(out->pmu, sizeof(out->pmu), "%s", info.name ? info.name : "?");
	snprintf(out->pmu_desc, sizeof(out->pmu_desc), "%s", info.desc ? info.desc : "?");
	out->num_counters = info.num_cntrs;
	out->num_fixed = info.num_fixed_cntrs;
	return 0;
}

/* Append up to max of the PMU's event names to buf, comma separated. */
static void list_some_events(const char *pmu, char *buf, size_t n, int max)
{
	pfm_pmu_info_t info;
	size_t len = 0;
	int idx, shown = 0;

	buf[0] = '\0';
	if (find_core_pmu(&info) != 0 || strcmp(info.name, pmu) != 0)
		return;
	for (idx = info.first_event; idx != -1 && shown < max;
	     idx = pfm_get_event_next(idx)) {
		pfm_event_info_t ei;
		int w;

		memset(&ei, 0, sizeof(ei));
		ei.size = sizeof(ei);
		if (pfm_get_event_info(idx, PFM_OS_NONE, &ei) != PFM_SUCCESS)
			continue;
		w = snprintf(buf + len, n - len, "%s%s", shown ? ", " : "", ei.name);
		if (w < 0 || (size_t)w >= n - len)
			break;
		len += (size_t)w;
		shown++;
	}
}

static void unknown_event_error(const struct pmu_events *out, const char *name,
				char *err, size_t n)
{
	char some[512];

	list_some_events(out->pmu, some, sizeof(some), 8);
	el_fmt(err, n, "unknown PMU event \"%s\": --events (PMU %s): use a generic "
	       "name (cycles, instructions, branches, branch-misses, ref-cycles, "
	       "cache-references, cache-misses) or one of the PMU's events, e.g. %s, ...",
	       name, out->pmu, some[0] ? some : "(none listed)");
}

static int valid_name(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_:.=+-", *s))
			return 0;
	return 1;
}

/* Encode "<pmu>::<native>" into raw.  Returns PFM_SUCCESS or a libpfm error;
 * PFM_ERR_TOOMANY when the event needs more than one register. */
static int encode(const char *pmu, const char *native, struct pmu_event *ev)
{
	char full[PMU_NAME_MAX + 64];
	uint64_t codes[8];
	char *fstr = NULL;
	pfm_pmu_encode_arg_t arg;
	int rc;

	snprintf(full, sizeof(full), "%s::%s", pmu, native);
	memset(&arg, 0, sizeof(arg));
	arg.size = sizeof(arg);
	arg.codes = codes;
	arg.count = (int)(sizeof(codes) / sizeof(codes[0]));
	arg.fstr = &fstr;
	rc = pfm_get_os_event_encoding(full, PFM_PLM0 | PFM_PLM3, PFM_OS_NONE, &arg);
	if (rc == PFM_SUCCESS && arg.count != 1)
		rc = PFM_ERR_TOOMANY;
	if (rc == PFM_SUCCESS) {
		ev->raw = codes[0] & ~PMU_RAW_INT_BIT;
		snprintf(ev->native, sizeof(ev->native), "%s", fstr ? fstr : full);
	}
	free(fstr);
	return rc;
}

static const struct generic_event *find_generic(const char *name, size_t base)
{
	size_t g;

	for (g = 0; g < N_GENERIC; g++)
		if (strlen(generic_events[g].name) == base &&
		    strncasecmp(generic_events[g].name, name, base) == 0)
			return &generic_events[g];
	return NULL;
}

static int is_generic(const char *name)
{
	const char *colon = strchr(name, ':');

	return find_generic(name, colon ? (size_t)(colon - name) : strlen(name)) != NULL;
}

/* Resolve one name: generic alias (with an optional ":modifier" suffix kept)
 * or a native event string. */
static int resolve_one(const char *pmu, const char *name, struct pmu_event *ev)
{
	const char *colon = strchr(name, ':');
	size_t base = colon ? (size_t)(colon - name) : strlen(name);
	const struct generic_event *ge = find_generic(name, base);
	int rc = PFM_ERR_NOTFOUND;

	if (strncasecmp(name, pmu, strlen(pmu)) == 0 &&
	    strncmp(name + strlen(pmu), "::", 2) == 0)
		return encode(pmu, name + strlen(pmu) + 2, ev);
	if (ge) {
		int i;

		for (i = 0; i < 3 && ge->native[i]; i++) {
			char native[PMU_NAME_MAX + 64];

			snprintf(native, sizeof(native), "%s%s", ge->native[i],
				 colon ? colon : "");
			rc = encode(pmu, native, ev);
			if (rc != PFM_ERR_NOTFOUND)
				return rc;
		}
		return rc;
	}
	if (strstr(name, "::"))
		return PFM_ERR_NOTFOUND;    /* another PMU's event */
	return encode(pmu, name, ev);
}

static int add_event(struct pmu_events *out, const char *name, char *err, size_t n)
{
	struct pmu_event *ev;
	int rc;

	if (!valid_name(name)) {
		el_fmt(err, n, "invalid PMU event name \"%.*s\": --events: use "
		       "comma-separated names of letters, digits and _ : . = + -",
		       PMU_NAME_MAX, name);
		return EL_EX_USAGE;
	}
	if (out->n >= out->num_counters || out->n >= PMU_MAX_EVENTS) {
		int limit = out->num_counters < PMU_MAX_EVENTS ? out->num_counters
							       : PMU_MAX_EVENTS;
		el_fmt(err, n, "too many PMU events: --events: PMU %s has %d "
		       "general-purpose counters (fixed counters aside); name at most %d",
		       out->pmu, out->num_counters, limit);
		return EL_EX_USAGE;
	}
	ev = &out->ev[out->n];
	memset(ev, 0, sizeof(*ev));
	snprintf(ev->name, sizeof(ev->name), "%s", name);
	rc = resolve_one(out->pmu, name, ev);
	if (rc == PFM_ERR_NOTFOUND && is_generic(name)) {
		el_fmt(err, n, "generic PMU event \"%s\" has no equivalent on PMU %s: "
		       "--events: name one of the PMU's own events instead", name, out->pmu);
		return EL_EX_USAGE;
	}
	if (rc == PFM_ERR_NOTFOUND) {
		unknown_event_error(out, name, err, n);
		return EL_EX_USAGE;
	}
	if (rc == PFM_ERR_TOOMANY) {
		el_fmt(err, n, "PMU event \"%s\" needs extra registers: --events: "
		       "choose an event that uses only an event-select register", name);
		return EL_EX_USAGE;
	}
	if (rc != PFM_SUCCESS) {
		el_fmt(err, n, "cannot encode PMU event \"%s\": %s: check the unit masks "
		       "and modifiers (see man libpfm)", name, pfm_strerror(rc));
		return EL_EX_USAGE;
	}
	out->n++;
	return 0;
}

int pmu_resolve(const char *list, struct pmu_events *out, char *err, size_t n)
{
	const char *p = list ? list : "";
	int rc = pmu_detect(out, err, n);

	if (rc)
		return rc;
	if (!*p) {
		el_fmt(err, n, "empty event list: --events: name at least one event, "
		       "e.g. --events cycles,instructions");
		return EL_EX_USAGE;
	}
	for (;;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		char name[PMU_NAME_MAX];

		if (len == 0 || len >= sizeof(name)) {
			el_fmt(err, n, "%s event name in \"%.200s\": --events: use "
			       "comma-separated names of at most %d characters",
			       len ? "too long an" : "empty", list, PMU_NAME_MAX - 1);
			return EL_EX_USAGE;
		}
		memcpy(name, p, len);
		name[len] = '\0';
		rc = add_event(out, name, err, n);
		if (rc)
			return rc;
		if (!end)
			return 0;
		p = end + 1;
	}
}

int pmu_format_cmdline(const struct pmu_events *ev, char *buf, size_t n)
{
	size_t len = 0;
	int i;

	if (n == 0)
		return -1;
	buf[0] = '\0';
	for (i = 0; i < ev->n; i++) {
		int w = snprintf(buf + len, n - len, "%s%" PRIx64,
				 i ? "," : "el.events=", ev->ev[i].raw);
		if (w < 0 || (size_t)w >= n - len) {
			buf[0] = '\0';
			return -1;
		}
		len += (size_t)w;
	}
	return 0;
}

void pmu_render(const struct pmu_events *ev, FILE *out)
{
	int i;

	fprintf(out, "pmu=%s\n", ev->pmu[0] ? ev->pmu : "none");
	fprintf(out, "pmu_desc=%s\n", ev->pmu_desc[0] ? ev->pmu_desc : "none");
	fprintf(out, "pmu_counters=%d\n", ev->num_counters);
	fprintf(out, "pmu_fixed=%d\n", ev->num_fixed);
	for (i = 0; i < ev->n; i++) {
		fprintf(out, "pmu_event%d=%s\n", i, ev->ev[i].name);
		fprintf(out, "pmu_event%d_raw=0x%" PRIx64 "\n", i, ev->ev[i].raw);
		fprintf(out, "pmu_event%d_native=%s\n", i, ev->ev[i].native);
	}
}

int pmu_host_counts(char *why, size_t n)
{
	struct perf_event_attr attr;
	long fd;

	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = PERF_TYPE_HARDWARE;
	attr.config = PERF_COUNT_HW_CPU_CYCLES;
	attr.disabled = 1;
	attr.exclude_kernel = 1;
	attr.exclude_hv = 1;
	fd = syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0L);
	if (fd < 0) {
		el_fmt(why, n, "perf_event_open(cycles): %s", strerror(errno));
		return 0;
	}
	close((int)fd);
	el_fmt(why, n, "ok");
	return 1;
}
