/* meta.json of `entrylab matrix` and the facts that go in it: the host
 * (/proc/cpuinfo, uname, the versions of QEMU and the compiler, the git
 * state), each image's GNU build-id, and the JSON document itself, encoded
 * so that no byte a user typed can make it unwritable.  Contracts in
 * meta.h; the run directory it is written to is resultsdir.c's. */
#include "matrix/meta.h"
#include "core/exitcodes.h"
#include "boot/qemu.h"
#include "core/json.h"
#include "core/util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#define TOOL_TIMEOUT_MS 5000
#define TOOL_MAX_OUTPUT (64 * 1024)

/* ------------------------------------------------------------ host facts */

static void trim(char *s)
{
	size_t n = strlen(s);

	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	for (char *c = s; *c; c++)
		if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
			*c = '?';
}

/* The value of a "key<tabs> : value" line, or NULL. */
static const char *cpuinfo_value(const char *line, const char *key)
{
	size_t k = strlen(key);
	const char *p = line + k;

	if (strncmp(line, key, k))
		return NULL;
	p += strspn(p, " \t");
	if (*p != ':')
		return NULL;
	return p + 1 + strspn(p + 1, " \t");
}

int mx_cpuinfo(const char *path, char *model, size_t model_n, char *micro, size_t micro_n)
{
	FILE *f = fopen(path, "r");
	char line[512];
	const char *v;

	el_strlcpy(model, "unknown", model_n);
	el_strlcpy(micro, "unknown", micro_n);
	if (!f)
		return -1;
	int have_model = 0, have_micro = 0;
	while ((!have_model || !have_micro) && fgets(line, sizeof(line), f)) {
		if (!have_model && (v = cpuinfo_value(line, "model name"))) {
			el_strlcpy(model, v, model_n);
			trim(model);
			have_model = model[0] != '\0';
		} else if (!have_micro && (v = cpuinfo_value(line, "microcode"))) {
			el_strlcpy(micro, v, micro_n);
			trim(micro);
			have_micro = micro[0] != '\0';
		}
	}
	fclose(f);
	if (!model[0])
		el_strlcpy(model, "unknown", model_n);
	if (!micro[0])
		el_strlcpy(micro, "unknown", micro_n);
	return 0;
}

static void append_sink(void *ctx, const char *data, size_t len)
{
	el_buf_append(ctx, data, len);
}

/* Run argv; its stdout in out.  0 when it exited 0; else -1 and a reason. */
static int capture(char *const argv[], int64_t timeout_ms, struct el_buf *out,
		   char *why, size_t n)
{
	struct el_qemu_limits lim = { timeout_ms, TOOL_MAX_OUTPUT };
	struct el_qemu_result r;
	int rc = -1;

	el_qemu_run(argv, &lim, append_sink, out, &r);
	if (r.end == EL_QEMU_EXITED && r.code == 0)
		rc = 0;
	else if (r.end == EL_QEMU_EXITED)
		el_fmt(why, n, "%s exited with status %d", argv[0], r.code);
	else if (r.end == EL_QEMU_NOT_FOUND)
		el_fmt(why, n, "%s not found", argv[0]);
	else if (r.end == EL_QEMU_TIMEOUT)
		el_fmt(why, n, "%s timed out", argv[0]);
	else if (r.end == EL_QEMU_FLOOD)
		el_fmt(why, n, "%s wrote more than %d bytes", argv[0], TOOL_MAX_OUTPUT);
	else
		el_fmt(why, n, "%s failed to run", argv[0]);
	el_qemu_result_free(&r);
	return rc;
}

int mx_tool_line(char *const argv[], int64_t timeout_ms, char *dst, size_t n)
{
	struct el_buf out = { 0 };
	int rc = capture(argv, timeout_ms, &out, dst, n);

	if (rc == 0) {
		size_t len = out.data ? strcspn(out.data, "\n") : 0;
		if (len == 0) {
			el_fmt(dst, n, "%s printed nothing", argv[0]);
			rc = -1;
		} else {
			out.data[len] = '\0';
			el_strlcpy(dst, out.data, n);
			trim(dst);
		}
	}
	el_buf_free(&out);
	return rc;
}

static void git_facts(struct mx_host *h, const char *root)
{
	char *rev[] = { "git", "-C", (char *)root, "rev-parse", "HEAD", NULL };
	char *status[] = { "git", "-C", (char *)root, "status", "--porcelain", NULL };
	struct el_buf out = { 0 };
	char why[MX_LINE];

	h->git_dirty = -1;
	if (mx_tool_line(rev, TOOL_TIMEOUT_MS, h->git_rev, sizeof(h->git_rev)) < 0)
		h->git_rev[0] = '\0';
	else if (capture(status, TOOL_TIMEOUT_MS, &out, why, sizeof(why)) == 0)
		h->git_dirty = out.len > 0;
	else if (out.len > 0)     /* more than the cap: certainly dirty */
		h->git_dirty = 1;
	el_buf_free(&out);
}

const char *mx_cpu_class(const char *path, char *note, size_t n)
{
	char line[4096], model[MX_LINE] = "";
	const char *v;
	int hv = 0, have_flags = 0;
	FILE *f = fopen(path, "r");

	note[0] = '\0';
	while (f && (!model[0] || !have_flags) && fgets(line, sizeof(line), f)) {
		if (!model[0] && (v = cpuinfo_value(line, "model name"))) {
			el_strlcpy(model, v, sizeof(model));
			trim(model);
		} else if (!have_flags && (v = cpuinfo_value(line, "flags"))) {
			have_flags = 1;
			hv = strstr(v, " hypervisor ") || !strncmp(v, "hypervisor ", 11);
		}
	}
	if (f)
		fclose(f);
	if (!strncmp(model, "QEMU TCG CPU", 12)) {
		el_fmt(note, n, "this host's CPU is emulated by QEMU's TCG (model name '%s'): KVM "
		       "runs nested under an emulated CPU, so its ticks are evidence that kvm mode "
		       "works, never performance figures", model);
		return "emulated";
	}
	if (hv) {
		el_fmt(note, n, "this host is itself a virtual machine (CPUID hypervisor bit, model "
		       "name '%s'): KVM runs nested, so its ticks include the outer hypervisor's "
		       "work and are not bare-metal figures", model[0] ? model : "unknown");
		return "virtual";
	}
	return "bare-metal";
}

void mx_host_collect(struct mx_host *h, const char *root, const char *qemu_version)
{
	char *qemu[] = { EL_QEMU_DEFAULT, "--version", NULL };
	char *cc[] = { "cc", "--version", NULL };
	struct utsname u;

	memset(h, 0, sizeof(*h));
	mx_cpuinfo("/proc/cpuinfo", h->cpu_model, sizeof(h->cpu_model),
		   h->microcode, sizeof(h->microcode));
	el_strlcpy(h->cpu_class, mx_cpu_class("/proc/cpuinfo", h->cpu_class_note,
					      sizeof(h->cpu_class_note)), sizeof(h->cpu_class));
	if (uname(&u) == 0) {
		el_strlcpy(h->sysname, u.sysname, sizeof(h->sysname));
		el_strlcpy(h->release, u.release, sizeof(h->release));
		el_strlcpy(h->version, u.version, sizeof(h->version));
		el_strlcpy(h->machine, u.machine, sizeof(h->machine));
	}
	h->online_cpus = sysconf(_SC_NPROCESSORS_ONLN);
	if (qemu_version)
		el_strlcpy(h->qemu, qemu_version, sizeof(h->qemu));
	else if (mx_tool_line(qemu, TOOL_TIMEOUT_MS, h->qemu, sizeof(h->qemu)) < 0)
		el_strlcpy(h->qemu, "unknown", sizeof(h->qemu));
	if (mx_tool_line(cc, TOOL_TIMEOUT_MS, h->compiler, sizeof(h->compiler)) < 0)
		el_strlcpy(h->compiler, "unknown", sizeof(h->compiler));
	git_facts(h, root);
}

/* ------------------------------------------------------------ build notes */

void mx_image_note(struct mx_variant *v)
{
	char path[MX_PATH_MAX + 8], line[256], id[96] = "", rev[64] = "", src[48] = "";
	size_t len = strlen(v->image);
	int dirty = -1;
	FILE *f;

	v->built_rev[0] = '\0';
	v->built_sources[0] = '\0';
	v->built_dirty = -1;
	if (len < 4 || strcmp(v->image + len - 4, ".elf"))
		return;
	el_fmt(path, sizeof(path), "%.*s.rev", (int)(len - 4), v->image);
	if (!(f = fopen(path, "r")))
		return;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "build_id=", 9))
			el_strlcpy(id, line + 9, sizeof(id));
		else if (!strncmp(line, "revision=", 9))
			el_strlcpy(rev, line + 9, sizeof(rev));
		else if (!strncmp(line, "dirty=", 6))
			dirty = line[6] == '1';
		else if (!strncmp(line, "sources=", 8))
			el_strlcpy(src, line + 8, sizeof(src));
	}
	fclose(f);
	if (!id[0] || strcmp(id, v->build_id) || !rev[0])
		return;
	el_strlcpy(v->built_rev, rev, sizeof(v->built_rev));
	el_strlcpy(v->built_sources, src, sizeof(v->built_sources));
	v->built_dirty = dirty;
}

/* The digest of the tree's guest inputs as they are now, by the script that
 * wrote the build notes; "" when it cannot be had. */
static void tree_sources(const char *root, char *dst, size_t n)
{
	char script[MX_PATH_MAX + 32];
	char *argv[] = { "sh", script, "--sources", NULL };

	el_fmt(script, sizeof(script), "%s/kernels/build_note.sh", root);
	if (mx_tool_line(argv, TOOL_TIMEOUT_MS, dst, n) < 0 || strlen(dst) != 40)
		dst[0] = '\0';
}

/* 1 if every input of the guest build is the same tree object at a and b
 * (a commit that touched only the harness changes no image). */
static int same_guest_sources(const char *root, const char *a, const char *b)
{
	static const char *const inputs[] = { "kernels", "bench", "lib", "include", "variants",
					      "linuxref", "Makefile", NULL };
	char spec[2][160], id[2][96];

	for (size_t i = 0; inputs[i]; i++) {
		for (int k = 0; k < 2; k++) {
			char *argv[] = { "git", "-C", (char *)root, "rev-parse", "--verify", "--quiet",
					 spec[k], NULL };
			el_fmt(spec[k], sizeof(spec[k]), "%s:%s", k ? b : a, inputs[i]);
			if (mx_tool_line(argv, TOOL_TIMEOUT_MS, id[k], sizeof(id[k])) < 0)
				return 0;
		}
		if (strcmp(id[0], id[1]))
			return 0;
	}
	return 1;
}

size_t mx_images_check_revision(const struct mx_variant *v, size_t nv, const char *root,
				const char *tree_rev)
{
	size_t other = 0, unknown = 0, first_other = 0, first_unknown = 0;
	char now[64] = "";
	int have_now = 0;

	if (!tree_rev[0])
		return 0;
	for (size_t i = 0; i < nv; i++) {
		int ours = strstr(v[i].image, "/build/kernels/") ||
			   !strncmp(v[i].image, "build/kernels/", 14);
		if (!ours)
			continue;   /* a Linux reference row */
		if (!v[i].built_rev[0])
			first_unknown = unknown++ ? first_unknown : i;
		else if (v[i].built_sources[0]) {
			/* the digest of what was on disk: exact, dirty trees included */
			if (!have_now++)
				tree_sources(root, now, sizeof(now));
			if (now[0] && strcmp(now, v[i].built_sources))
				first_other = other++ ? first_other : i;
		} else if (strcmp(v[i].built_rev, tree_rev) &&
			   !same_guest_sources(root, v[i].built_rev, tree_rev))
			first_other = other++ ? first_other : i;
	}
	if (other)
		el_err("warning: %s%s was built from other guest sources (revision %.12s), the "
		       "tree is at %.12s: the figures are those of the image; run 'make' to rebuild",
		       v[first_other].image, other > 1 ? " (and more images)" : "",
		       v[first_other].built_rev, tree_rev);
	if (unknown)
		el_err("warning: %s%s has no build note naming its build-id: its revision is "
		       "unknown; run 'make' to relink", v[first_unknown].image,
		       unknown > 1 ? " (and more images)" : "");
	return other + unknown;
}

/* ------------------------------------------------------------ meta.json */

static void utc(time_t t, char *dst, size_t n)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(dst, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* key=value lines (pin_render, noise_render) as one object of strings,
 * plus "warnings": nwarn strings, stride bytes apart from warn. */
static json_t *kv_object(void (*render)(const void *, FILE *), const void *what,
			 const char *warn, int nwarn, size_t stride)
{
	char *text = NULL, *save = NULL;
	size_t size = 0;
	json_t *o = json_object(), *w = json_array();
	FILE *f = open_memstream(&text, &size);

	if (f) {
		render(what, f);
		fclose(f);
	}
	for (char *line = text ? strtok_r(text, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '=');
		if (eq && eq != line) {
			*eq = '\0';
			json_object_set_new(o, line, el_json_str(eq + 1));
		}
	}
	free(text);
	for (int i = 0; i < nwarn; i++)
		json_array_append_new(w, el_json_str(warn + (size_t)i * stride));
	json_object_set_new(o, "warnings", w);
	return o;
}

static void render_pin(const void *p, FILE *f) { pin_render(p, f); }
static void render_noise(const void *r, FILE *f) { noise_render(r, f); }

static json_t *host_json(const struct mx_host *h)
{
	return json_pack("{s:o,s:o,s:o,s:o,s:{s:o,s:o,s:o,s:o},s:I,s:o,s:o,s:{s:o,s:o}}",
		"cpu_model", el_json_str(h->cpu_model), "microcode", el_json_str(h->microcode),
		"cpu_class", el_json_str(h->cpu_class), "cpu_class_note", el_json_str_or_null(h->cpu_class_note),
		"kernel", "sysname", el_json_str(h->sysname), "release", el_json_str(h->release),
		"version", el_json_str(h->version), "machine", el_json_str(h->machine),
		"online_cpus", (json_int_t)h->online_cpus,
		"qemu", el_json_str(h->qemu), "compiler", el_json_str(h->compiler),
		"git", "revision", el_json_str_or_null(h->git_rev),
		"dirty", h->git_dirty < 0 ? json_null() : json_boolean(h->git_dirty));
}

static json_t *variant_json(const struct mx_variant *v)
{
	return json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:f}",
		"short", el_json_str(v->short_name), "canonical", el_json_str(v->canonical),
		"flags", el_json_str(v->flags), "image", el_json_str(v->image),
		"build_id", el_json_str_or_null(v->build_id),
		"built_revision", el_json_str_or_null(v->built_rev),
		"built_dirty", v->built_dirty < 0 ? json_null() : json_boolean(v->built_dirty),
		"status", el_json_str_or_null(v->status),
		"exit", v->exit < 0 ? json_null() : json_integer(v->exit),
		"error", el_json_str_or_null(v->error), "elapsed_s", v->elapsed_s);
}

static json_t *pin_json(const struct mx_meta *m)
{
	json_t *o;

	if (!m->pin)
		return json_pack("{s:o,s:o}", "error", el_json_str_or_null(m->pin_error),
				 "applied", el_json_str_or_null(m->pin_applied));
	o = kv_object(render_pin, m->pin, m->pin->warn[0], m->pin->nwarn, PIN_WARN_LEN);
	json_object_set_new(o, "applied", el_json_str_or_null(m->pin_applied));
	return o;
}

static json_t *noise_json(const struct noise_report *r)
{
	return r ? kv_object(render_noise, r, r->warn[0], r->nwarn, NOISE_WARN_LEN) : json_null();
}

json_t *mx_meta_json(const struct mx_meta *m)
{
	char start[32], end[32];
	json_t *cmd = json_array(), *vars = json_array(), *noise_warn = json_array();
	size_t failed = 0;

	utc(m->start, start, sizeof(start));
	utc(m->end, end, sizeof(end));
	for (int i = 0; i < m->argc; i++)
		json_array_append_new(cmd, el_json_str(m->argv[i]));
	for (size_t i = 0; i < m->nv; i++) {
		json_array_append_new(vars, variant_json(&m->v[i]));
		failed += strcmp(m->v[i].status, "pass") != 0;
	}
	for (int i = 0; m->noise && i < m->noise->nwarn; i++)
		json_array_append_new(noise_warn, el_json_str(m->noise->warn[i]));
	json_t *o = json_pack("{s:i,s:o,s:s,s:s,s:f,s:o,s:{s:o,s:o,s:o,s:o},"
			 "s:{s:I,s:o,s:f,s:i,s:o},s:o,s:o,s:o,s:o,s:o,s:I}",
		"schema", 1, "run_id", el_json_str(m->run_id), "start_utc", start, "end_utc", end,
		"elapsed_s", m->elapsed_s, "command", cmd,
		"mode", "requested", el_json_str(m->mode_requested), "mode", el_json_str(m->mode),
		"unit", el_json_str(m->unit), "reason", el_json_str(m->mode_reason),
		"options", "samples", (json_int_t)m->samples, "bench", el_json_str(m->bench),
		"timeout_s", m->timeout_s, "jobs", (int)m->jobs,
		"baseline", el_json_str_or_null(m->baseline),
		"host", m->host ? host_json(m->host) : json_null(),
		"pinning", pin_json(m), "noise", noise_json(m->noise),
		"noise_warnings", noise_warn, "variants", vars,
		"variants_failed", (json_int_t)failed);
	if (o && m->extra)
		json_object_update(o, m->extra);
	return o;
}

int mx_meta_write(const char *dir, const struct mx_meta *m, char *err, size_t n)
{
	char path[MX_PATH_MAX + 16];
	json_t *j = mx_meta_json(m);
	int rc = 0;

	el_fmt(path, sizeof(path), "%s/meta.json", dir);
	if (!j) {
		el_fmt(err, n, "cannot encode meta.json: %s: report this as a bug", dir);
		rc = EL_EX_USAGE;
	} else if (el_json_write(path, j, 2, 0) < 0) {
		el_fmt(err, n, "cannot write %s: %s: check free space and permissions",
		       path, strerror(errno));
		rc = EL_EX_USAGE;
	}
	json_decref(j);
	return rc;
}
