/*
 * kvm_meta — what kvm mode adds to a matrix run's meta.json (the accel,
 * events, perf, runner and runs objects) and the one-line summary of the
 * runs' perf cross-checks, read back from each <short>.result that
 * host/kvmrun_meta.c wrote.  Contract in kvm_meta.h.
 */
#include "matrix/kvm_meta.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/util.h"
#include "host/kvmrun.h"

static json_t *accel_json(const struct accel_decision *d, const struct probe_result *p)
{
	json_t *probe = json_pack("{s:b,s:b,s:o,s:b,s:b,s:I,s:o,s:b}", "ran", p->ran,
		"timed_out", p->timed_out, "run_error", el_json_text(p->run_error), "record_seen", p->have_p,
		"ok", p->p_ok, "cpl_at_entry", (json_int_t)p->p_cpl, "reason", el_json_text(p->p_reason),
		"gp_at_entry", p->gp_at_entry);
	char rip[32];

	el_fmt(rip, sizeof(rip), "0x%llx", (unsigned long long)p->x_rip);
	json_object_set_new(probe, "exception", p->have_x ? json_pack("{s:I,s:s,s:o}", "vector",
		(json_int_t)p->x_vector, "rip", rip, "name", el_json_text(p->x_name)) : json_null());
	return json_pack("{s:s,s:s,s:b,s:b,s:o,s:o,s:o,s:o}",
		"requested", accel_request_name(d->requested), "mode", accel_mode_name(d->mode),
		"probed", d->probed, "fell_back", d->fell_back, "reason", el_json_text(d->reason),
		"line", el_json_text(d->line), "kvm_dev", !p->kvm_dev_checked ? json_null() :
		el_json_text(p->kvm_dev_ok ? "ok" : p->kvm_dev_reason), "probe", probe);
}

static json_t *events_json(const struct kvm_meta_in *in)
{
	json_t *enc = json_array();
	char raw[24];

	for (int i = 0; in->ev && i < in->ev->n; i++) {
		el_fmt(raw, sizeof(raw), "%llx", (unsigned long long)in->ev->ev[i].raw);
		json_array_append_new(enc, json_pack("{s:o,s:o,s:s}", "name",
			el_json_text(in->ev->ev[i].name), "native", el_json_text(in->ev->ev[i].native), "raw", raw));
	}
	return json_pack("{s:o,s:b,s:o,s:o,s:o}", "requested",
		in->events ? el_json_text(in->events) : json_null(), "passed_to_guest", in->events_used,
		"pmu", in->ev ? el_json_text(in->ev->pmu) : json_null(), "encodings", enc,
		"guest_list", in->events_used ? el_json_text(in->events_hex) : json_null());
}

/* pin_*, perf_* and pmu_* of one .result as an object of strings. */
static json_t *result_facts(const char *path)
{
	char *text = el_read_text(path, 1u << 16), *save = NULL;
	json_t *o = json_object();

	for (char *l = text ? strtok_r(text, "\n", &save) : NULL; l; l = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(l, '=');
		if (eq && (!strncmp(l, "pin_", 4) || !strncmp(l, "perf", 4) ||
			   !strncmp(l, "pmu_", 4))) {
			*eq = '\0';
			json_object_set_new(o, l, el_json_text(eq + 1));
		}
	}
	free(text);
	return o;
}

json_t *kvm_meta_json(const struct kvm_meta_in *in)
{
	json_t *runs = json_object();
	char path[MX_PATH_MAX + 96];

	for (size_t i = 0; (in->pinning || in->perf) && i < in->nv; i++) {
		el_fmt(path, sizeof(path), "%s/%s.result", in->raw_dir, in->v[i].short_name);
		json_object_set_new(runs, in->v[i].short_name, result_facts(path));
	}
	return json_pack("{s:o,s:o,s:{s:b,s:s},s:{s:b,s:b},s:o}",
		"accel", accel_json(in->accel, in->probe), "events", events_json(in),
		"perf", "requested", in->perf, "command", "perf stat -x, -D -1 --control "
		"fifo:CTL,ACK -e cycles:G,instructions:G[,kvm:kvm_exit] -t <vCPU thread>",
		"runner", "pinning", in->pinning, "noise_printed", in->noise_printed,
		"runs", runs);
}

void kvm_perf_summary(const char *raw_dir, const struct mx_variant *v, size_t nv)
{
	size_t count[3] = { 0 };
	char path[MX_PATH_MAX + 96], key[40], val[300];

	for (size_t i = 0; i < nv; i++) {
		char *text;
		el_fmt(path, sizeof(path), "%s/%s.result", raw_dir, v[i].short_name);
		if (!(text = el_read_text(path, 1u << 16)))
			continue;
		for (int m = 0; m < 2; m++) {
			el_fmt(key, sizeof(key), "perf_check_%s", kvm_metrics[m]);
			el_kv_get(text, key, val, sizeof(val));
			count[!strcmp(val, "agree") ? 0 : !strcmp(val, "disagree") ? 1 : 2]++;
			el_fmt(key, sizeof(key), "perf_note_%s", kvm_metrics[m]);
			if (!strcmp(val, "disagree") && el_kv_get(text, key, val, sizeof(val)) == 0)
				el_err("warning: perf cross-check: %s: %s", v[i].short_name, val);
		}
		if (el_kv_get(text, "perf_exits_warning", val, sizeof(val)) == 0 && val[0])
			el_err("warning: %s: %s", v[i].short_name, val);
		free(text);
	}
	fprintf(stderr, "perf cross-check (instructions and cycles of %zu runs): %zu agree, "
		"%zu disagree, %zu unavailable (meta.json runs.<short>.perf_*)\n", nv,
		count[0], count[1], count[2]);
}
