/* linuxref: the CPU model of the Linux rows — the host's CPUID matched
 * against variants/linux-cpus.conf, and the models this QEMU offers.  See
 * linuxref.h (lr_cpu_*). */
#include "linuxref/linuxref.h"
#include "boot/qemu.h"
#include "core/util.h"

#include <cpuid.h>
#include <dirent.h>
#include <jansson.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CPU_HELP_TIMEOUT_MS 30000
#define CPU_HELP_MAX (1u << 20)

void lr_host_cpu(struct lr_host_cpu *c)
{
	unsigned a, b, cx, d;

	memset(c, 0, sizeof(*c));
	if (!__get_cpuid(0, &a, &b, &cx, &d))
		return;
	memcpy(c->vendor, &b, 4);
	memcpy(c->vendor + 4, &d, 4);
	memcpy(c->vendor + 8, &cx, 4);
	c->vendor[12] = '\0';
	if (!__get_cpuid(1, &a, &b, &cx, &d))
		return;
	c->family = (a >> 8) & 0xf;
	c->model = (a >> 4) & 0xf;
	if (c->family == 0xf)
		c->family += (a >> 20) & 0xff;
	if (c->family == 6 || c->family >= 0xf)
		c->model |= ((a >> 16) & 0xf) << 4;
	c->stepping = a & 0xf;
}

static void sink(void *ctx, const char *data, size_t len)
{
	el_buf_append(ctx, data, len);
}

int lr_cpu_models(const char *qemu, struct el_buf *names, char *err, size_t n)
{
	char *argv[] = { (char *)(qemu ? qemu : EL_QEMU_DEFAULT), "-cpu", "help", NULL };
	struct el_qemu_limits lim = { CPU_HELP_TIMEOUT_MS, CPU_HELP_MAX };
	struct el_qemu_result r;
	struct el_buf out = { 0 };
	int rc = -1;

	names->len = 0;
	el_qemu_run(argv, &lim, sink, &out, &r);
	if (r.end != EL_QEMU_EXITED || r.code != 0 || !out.data) {
		el_fmt(err, n, "cannot list QEMU's CPU models (%s -cpu help failed): install "
		       "qemu-system-x86", argv[0]);
	} else {
		/* "x86 NAME   description": the names, one line each */
		for (char *l = out.data, *nl; l && *l; l = nl ? nl + 1 : NULL) {
			char name[128];
			nl = strchr(l, '\n');
			if (sscanf(l, "x86 %127s", name) == 1)
				el_buf_printf(names, "%s\n", name);
		}
		rc = names->len ? 0 : -1;
		if (rc)
			el_fmt(err, n, "%s -cpu help listed no x86 model: install qemu-system-x86",
			       argv[0]);
	}
	el_qemu_result_free(&r);
	el_buf_free(&out);
	return rc;
}

int lr_cpu_offered(const struct el_buf *names, const char *model)
{
	size_t len = strlen(model);

	for (const char *p = names->data; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, model, len) && p[len] == '\n')
			return 1;
	return 0;
}

/* "6", "0xcf" or "0x10-0x1f" into [lo, hi]; -1 if malformed. */
static int range(const char *s, unsigned *lo, unsigned *hi)
{
	char *end;

	errno = 0;
	*lo = (unsigned)strtoul(s, &end, 0);
	*hi = *lo;
	if (*end == '-')
		*hi = (unsigned)strtoul(end + 1, &end, 0);
	return errno || *end || end == s || *hi < *lo ? -1 : 0;
}

int lr_cpu_match(const char *conf, const struct lr_host_cpu *c, const struct el_buf *offered,
		 char *model, size_t mn, char *why, size_t wn)
{
	FILE *f = fopen(conf, "r");
	char line[512], skipped[256] = "";
	int lineno = 0;

	el_strlcpy(model, "max", mn);
	if (!f) {
		el_fmt(why, wn, "cannot read %s (%s): QEMU's max", conf, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char vendor[32], fam[32], mod[32], name[96], *note = strchr(line, '#');
		unsigned flo, fhi, mlo, mhi;

		lineno++;
		if (note)
			*note++ = '\0';
		if (sscanf(line, "%31s %31s %31s %95s", vendor, fam, mod, name) != 4)
			continue;
		if (range(fam, &flo, &fhi) || range(mod, &mlo, &mhi)) {
			el_fmt(why, wn, "%s:%d: malformed family or model: fix the file", conf, lineno);
			fclose(f);
			return -1;
		}
		if (strcmp(vendor, c->vendor) || c->family < flo || c->family > fhi ||
		    c->model < mlo || c->model > mhi)
			continue;
		if (offered && !lr_cpu_offered(offered, name)) {
			size_t used = strlen(skipped);
			el_fmt(skipped + used, sizeof(skipped) - used, "%s%s", used ? ", " : "", name);
			continue;
		}
		el_strlcpy(model, name, mn);
		while (note && (*note == ' ' || *note == '\t'))
			note++;
		if (note)
			note[strcspn(note, "\n")] = '\0';
		el_fmt(why, wn, "host %s family %u model 0x%x: %s (%s:%d%s%s%s%s)", c->vendor,
		       c->family, c->model, name, conf, lineno, note && *note ? ": " : "",
		       note ? note : "", skipped[0] ? "; not offered by this QEMU: " : "", skipped);
		fclose(f);
		return 0;
	}
	fclose(f);
	el_fmt(why, wn, "host %s family %u model 0x%x: no line of %s matches%s%s: QEMU's max "
	       "(Linux sees an unaffected CPU)", c->vendor, c->family, c->model, conf,
	       skipped[0] ? " a model this QEMU offers; not offered: " : "", skipped);
	return 1;
}

int lr_cpu_check(const struct el_buf *offered, const char *list, char *err, size_t n)
{
	char buf[LR_PATH], *save = NULL;

	el_strlcpy(buf, list, sizeof(buf));
	for (char *m = strtok_r(buf, ",", &save); m; m = strtok_r(NULL, ",", &save)) {
		if (lr_cpu_offered(offered, m))
			continue;
		struct el_buf all = { 0 };
		for (const char *p = offered->data; p && *p;) {
			size_t len = strcspn(p, "\n");
			el_buf_printf(&all, "%s%.*s", all.len ? " " : "", (int)len, p);
			p += len + (p[len] == '\n');
		}
		el_fmt(err, n, "unknown CPU model '%.64s' for --linux-cpu: QEMU offers: %s: pick "
		       "one of them", m, all.data ? all.data : "");
		el_buf_free(&all);
		return -1;
	}
	return 0;
}

json_t *lr_vulnerabilities(const char *console)
{
	static const char tag[] = "@K vulnerability ";
	json_t *o = json_object();

	for (const char *p = console; p && (p = strstr(p, tag)); p++) {
		if (p != console && p[-1] != '\n')
			continue;
		const char *name = p + sizeof(tag) - 1, *colon = strstr(name, ": ");
		size_t eol = strcspn(name, "\n");
		if (!colon || colon > name + eol || colon - name > 63)
			continue;
		char key[64], text[512];
		el_fmt(key, sizeof(key), "%.*s", (int)(colon - name), name);
		el_fmt(text, sizeof(text), "%.*s", (int)(name + eol - colon - 2), colon + 2);
		json_object_set_new(o, key, json_string(text));
	}
	return o;
}

json_t *lr_host_vulnerabilities(void)
{
	DIR *d = opendir(LR_VULN_DIR);
	json_t *o = json_object();
	struct dirent *e;

	while (d && (e = readdir(d))) {
		char path[512], *text;
		if (e->d_name[0] == '.')
			continue;
		el_fmt(path, sizeof(path), "%s/%s", LR_VULN_DIR, e->d_name);
		if (!(text = el_read_text(path, 4096)))
			continue;
		text[strcspn(text, "\n")] = '\0';
		json_object_set_new(o, e->d_name, json_string(text));
		free(text);
	}
	if (d)
		closedir(d);
	return o;
}
