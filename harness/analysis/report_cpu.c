/*
 * report_cpu.c — the "guest CPU and mitigations" section of report.md:
 * the CPU model QEMU gave the guests (--cpu-model) and, per variant, what
 * its kernel read from CPUID and which page-table isolation and
 * speculation-mitigation sequences it patched in at boot (the @M record,
 * kept in raw/<short>.result as cpu_model, cpuid_*, arch_cap_msr, bug_*
 * and mitig_*).  Nothing is printed for a run whose guests sent no @M
 * (older images, the Linux rows).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/model.h"
#include "analysis/report.h"
#include "core/util.h"

static void get(const char *text, const char *key, char *dst, size_t n)
{
	if (!text || el_kv_get(text, key, dst, n))
		el_strlcpy(dst, "-", n);
}

void an_md_guest_cpu(struct el_buf *b, const struct an_run *run)
{
	char path[sizeof(run->dir) + 2 * AN_WORD], model[AN_NAME], v1[AN_NAME];
	bool header = false;

	for (size_t i = 0; i < run->nv; i++) {
		const struct an_variant *v = &run->v[i];
		el_fmt(path, sizeof(path), "%s/raw/%s.result", run->dir, v->short_name);
		char *text = el_read_text(path, 1u << 16);
		if (!text || el_kv_get(text, "mitig_live", v1, sizeof(v1))) {
			free(text);
			continue;
		}
		if (!header) {
			get(text, "cpu_model", model, sizeof(model));
			el_buf_printf(b, "## Guest CPU and mitigations\n\nQEMU CPU model **%s** "
				      "(`--cpu-model`).  What each kernel read from CPUID and "
				      "IA32_ARCH_CAPABILITIES, which bugs Linux 6.1's rules call the "
				      "CPU affected by, and the mitigation sequences it patched in at "
				      "boot (`live`; the pti and spec axes, kernels/pti.h and "
				      "kernels/spec.h).\n\n"
				      "| variant | model | pcid | invpcid | spec_ctrl | stibp | md_clear "
				      "| arch_cap | meltdown | mds | retbleed | pti | spectre_v2 | live |\n"
				      "|---|---|--:|--:|--:|--:|--:|---|--:|--:|--:|---|---|---|\n", model);
			header = true;
		}
		static const char *const keys[] = {
			"cpu_model", "cpuid_pcid", "cpuid_invpcid", "cpuid_spec_ctrl", "cpuid_stibp",
			"cpuid_md_clear", "arch_cap_msr", "bug_meltdown", "bug_mds", "bug_retbleed",
			"mitig_pti", "mitig_spectre_v2", "mitig_live",
		};
		el_buf_printf(b, "| %s |", v->short_name);
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			get(text, keys[k], v1, sizeof(v1));
			el_buf_printf(b, " %s |", v1);
		}
		el_buf_puts(b, "\n");
		free(text);
	}
	if (header)
		el_buf_puts(b, "\n");
}
