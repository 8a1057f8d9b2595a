/*
 * accel — kvm or tcg-icount, and the hostinfo command.  Contract in accel.h.
 */
#include "host/accel.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "core/exitcodes.h"
#include "host/noise.h"
#include "host/perfx.h"
#include "host/pin.h"
#include "host/pmu.h"
#include "core/opts.h"
#include "core/util.h"

/* The guest names the fault it took at LSTAR in its @P reason
 * (syscall_in_cpl3_pf_at_entry: the ring-3 fetch of the supervisor-only
 * entry page, as measured on the PVM dev machines; or ..._gp_at_swapgs). */
#define PVM_REASON_FMT "probe: user-mode SYSCALL arrived at LSTAR in CPL 3 (%s): " \
		       "software hypervisor (PVM?)"

int accel_parse_request(const char *s, enum accel_request *req)
{
	if (!s)
		return -1;
	if (!strcmp(s, "auto"))
		*req = ACCEL_REQ_AUTO;
	else if (!strcmp(s, "kvm"))
		*req = ACCEL_REQ_KVM;
	else if (!strcmp(s, "tcg") || !strcmp(s, "tcg-icount"))
		*req = ACCEL_REQ_TCG;
	else
		return -1;
	return 0;
}

const char *accel_request_name(enum accel_request req)
{
	return req == ACCEL_REQ_KVM ? "kvm" : req == ACCEL_REQ_TCG ? "tcg" : "auto";
}

const char *accel_mode_name(enum accel_mode mode)
{
	return mode == ACCEL_MODE_KVM ? "kvm" : "tcg-icount";
}

bool accel_check_kvm_dev(const char *path, struct probe_result *p)
{
	int fd, version;

	if (!path)
		path = "/dev/kvm";
	p->kvm_dev_checked = true;
	p->kvm_dev_ok = false;
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			snprintf(p->kvm_dev_reason, sizeof(p->kvm_dev_reason), "%.100s missing",
				 path);
		else
			snprintf(p->kvm_dev_reason, sizeof(p->kvm_dev_reason),
				 "%.100s not accessible: %s", path, strerror(errno));
		return false;
	}
	version = ioctl(fd, KVM_GET_API_VERSION, 0);
	if (version < 0)
		snprintf(p->kvm_dev_reason, sizeof(p->kvm_dev_reason),
			 "%.100s: KVM_GET_API_VERSION failed: %s", path, strerror(errno));
	else if (version != ACCEL_KVM_API_VERSION)
		snprintf(p->kvm_dev_reason, sizeof(p->kvm_dev_reason),
			 "%.100s: KVM API version %d, expected %d", path, version,
			 ACCEL_KVM_API_VERSION);
	else
		p->kvm_dev_ok = true;
	close(fd);
	if (p->kvm_dev_ok)
		p->kvm_dev_reason[0] = '\0';
	return p->kvm_dev_ok;
}

void accel_probe_from_stream(const struct el_stream *s, uint64_t entry_rip,
			     struct probe_result *p)
{
	size_t i;

	p->ran = true;
	if (s->probe.seen) {
		p->have_p = true;
		p->p_ok = s->probe.ok;
		p->p_cpl = s->probe.cpl_at_entry;
		snprintf(p->p_reason, sizeof(p->p_reason), "%s", s->probe.reason);
	}
	for (i = 0; i < s->nexc; i++) {
		const struct el_exception *x = &s->exc[i];
		bool at_entry = entry_rip ? x->rip == entry_rip : x->user_mode;

		if (x->vector == 13 && at_entry) {
			p->gp_at_entry = true;
		} else if (!p->have_x) {
			p->have_x = true;
			p->x_vector = x->vector;
			p->x_rip = x->rip;
			snprintf(p->x_name, sizeof(p->x_name), "%s", x->name);
		}
	}
}

/* Why kvm cannot be used, or NULL when it can. */
static const char *kvm_unusable(const struct probe_result *p, char *buf, size_t n)
{
	if (!p || !p->kvm_dev_checked)
		return "/dev/kvm not checked";
	if (!p->kvm_dev_ok)
		return p->kvm_dev_reason[0] ? p->kvm_dev_reason : "/dev/kvm unusable";
	if (!p->ran)
		return "probe: not run";
	if (p->gp_at_entry || (p->have_p && !p->p_ok && p->p_cpl == 3)) {
		const char *how = !strcmp(p->p_reason, "syscall_in_cpl3_pf_at_entry")
					  ? "#PF fetching the entry"
				  : !strcmp(p->p_reason, "syscall_in_cpl3_gp_at_swapgs") || p->gp_at_entry
					  ? "#GP at swapgs"
					  : "fault at the entry";
		snprintf(buf, n, PVM_REASON_FMT, how);
		return buf;
	}
	if (p->have_p && !p->p_ok) {
		snprintf(buf, n, "probe: failed: %s (SYSCALL arrived in CPL %" PRIu64 ")",
			 p->p_reason[0] ? p->p_reason : "no reason given", p->p_cpl);
		return buf;
	}
	if (p->have_x) {
		snprintf(buf, n, "probe: guest exception %s (vector %" PRIu64 ") at rip "
			 "0x%" PRIx64, p->x_name[0] ? p->x_name : "?", p->x_vector, p->x_rip);
		return buf;
	}
	if (p->timed_out)
		return "probe: guest timed out";
	if (p->run_error[0]) {
		snprintf(buf, n, "probe: %s", p->run_error);
		return buf;
	}
	if (!p->have_p)
		return "probe: no result record (@P) from the guest";
	return NULL;
}

void accel_decide(enum accel_request req, const struct probe_result *probe,
		  struct accel_decision *out)
{
	char buf[200];
	const char *why;

	memset(out, 0, sizeof(*out));
	out->requested = req;
	out->mode = ACCEL_MODE_TCG_ICOUNT;
	if (req == ACCEL_REQ_TCG) {
		snprintf(out->reason, sizeof(out->reason), "tcg-icount requested: no probe");
		return;
	}
	out->probed = probe && probe->ran;
	why = kvm_unusable(probe, buf, sizeof(buf));
	if (!why) {
		out->mode = ACCEL_MODE_KVM;
		snprintf(out->reason, sizeof(out->reason), "probe passed: a user-mode "
			 "SYSCALL reached ring 0 and returned by SYSRET");
		return;
	}
	snprintf(out->reason, sizeof(out->reason), "%s", why);
	if (req == ACCEL_REQ_AUTO) {
		out->fell_back = true;
		snprintf(out->line, sizeof(out->line), "falling back to tcg-icount: %s", why);
		return;
	}
	out->status = EL_EX_USAGE;
	snprintf(out->line, sizeof(out->line), "kvm mode unavailable: %s: run on a "
		 "bare-metal host with working KVM, or use --accel auto or tcg", why);
}

void accel_render(const struct accel_decision *d, FILE *out)
{
	fprintf(out, "accel_requested=%s\n", accel_request_name(d->requested));
	fprintf(out, "accel_mode=%s\n", accel_mode_name(d->mode));
	fprintf(out, "accel_probed=%d\n", d->probed ? 1 : 0);
	fprintf(out, "accel_reason=%s\n", d->reason);
}

/* ---- entrylab hostinfo ---- */

static int hostinfo_usage(const char *what, const char *arg)
{
	el_err("%s '%s': hostinfo: usage: entrylab hostinfo [--cpu N] [--events LIST]",
	       what, arg ? arg : "");
	return EL_EX_USAGE;
}

static int parse_cpu(const char *s, int *cpu)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < 0 || v > INT_MAX || s[0] == '+' || s[0] == ' ')
		return -1;
	*cpu = (int)v;
	return 0;
}

static void print_warnings(const struct pin_plan *plan, const struct noise_report *nr,
			   const char *pmu_warn, const char *count_warn)
{
	int i;

	for (i = 0; i < plan->nwarn; i++)
		printf("warning: %s\n", plan->warn[i]);
	for (i = 0; i < nr->nwarn; i++)
		printf("warning: %s\n", nr->warn[i]);
	if (pmu_warn[0])
		printf("warning: %s\n", pmu_warn);
	if (count_warn[0])
		printf("warning: %s\n", count_warn);
}

static int hostinfo_report(int cpu, const char *events)
{
	struct pin_plan plan;
	struct noise_report nr;
	struct pmu_events ev;
	struct probe_result kvm = { 0 };
	char err[768], why[160], line[256], pmu_warn[400] = "", count_warn[320] = "";
	int rc, counts;

	rc = pin_choose(&plan, cpu, err, sizeof(err));
	if (rc) {
		el_err("%s", err);
		return rc;
	}
	rc = events ? pmu_resolve(events, &ev, err, sizeof(err))
		    : pmu_detect(&ev, pmu_warn, sizeof(pmu_warn));
	if (rc && events) {
		el_err("%s", err);
		pin_free(&plan);
		return rc;
	}
	counts = pmu_host_counts(why, sizeof(why));
	if (!counts)
		snprintf(count_warn, sizeof(count_warn), "the host cannot count hardware events "
			 "(%s): vPMU events and the perf cross-check need a host with a PMU",
			 why);
	noise_check(NULL, plan.cpu, &nr);
	accel_check_kvm_dev(NULL, &kvm);
	pin_render(&plan, stdout);
	noise_render(&nr, stdout);
	pmu_render(&ev, stdout);
	printf("pmu_host_counting=%s\n", counts ? "yes" : "no");
	if (events && pmu_format_cmdline(&ev, line, sizeof(line)) == 0)
		printf("guest_cmdline=%s\n", line);
	printf("kvm_dev=%s\n", kvm.kvm_dev_ok ? "ok" : kvm.kvm_dev_reason);
	printf("perf_kvm_exit=%s\n", perfx_kvm_exit_available("/") ? "yes" : "no");
	print_warnings(&plan, &nr, pmu_warn, count_warn);
	pin_free(&plan);
	return EL_EX_OK;
}

static const struct el_opt hostinfo_options[] = {
	{ "cpu", 'c', "N", "the measurement cpu (default: pin.h's choice)" },
	{ "events", 'e', "LIST", "PMU events by name (cycles,instructions,... or the PMU's own)" },
	{ 0 }
};

const struct el_optcmd hostinfo_optcmd = {
	"hostinfo", "[--cpu N] [--events LIST]",
	"key=value lines (pinning plan, topology, noise, PMU events, /dev/kvm), then\n"
	"warnings.",
	hostinfo_options, "exit status: 0, or 2 on a bad option, cpu or event name", NULL,
};

struct hostinfo_args {
	const char *events;
	int cpu;
};

static int hostinfo_opt(void *ctx, int key, const char *arg)
{
	struct hostinfo_args *a = ctx;

	if (key == 'e')
		a->events = arg;
	else if (parse_cpu(arg, &a->cpu) != 0)
		return hostinfo_usage("bad --cpu value", arg);
	return 0;
}

int cmd_hostinfo(int argc, char **argv)
{
	struct hostinfo_args a = { NULL, -1 };
	int rc = el_opts_parse(&hostinfo_optcmd, argc, argv, hostinfo_opt, &a, NULL);

	if (rc != EL_OPTS_GO)
		return rc == EL_OPTS_HELP ? EL_EX_OK : EL_EX_USAGE;
	return hostinfo_report(a.cpu, a.events);
}
