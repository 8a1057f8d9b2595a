/*
 * qemu_cpu.c — the guest CPU model (--cpu-model): checked against the
 * models `qemu-system-x86_64 -cpu help` lists (lines "x86 <name> ...")
 * before anything boots.
 */
#include "boot/qemu.h"
#include "core/proc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* 1 if `qemu -cpu help` lists model, 0 if not, -1 if QEMU could not say. */
static int listed(const char *qemu, const char *model)
{
	FILE *out = tmpfile();
	if (!out)
		return -1;
	char *argv[] = { (char *)qemu, "-cpu", "help", NULL };
	struct el_spawn sp = { .argv = argv, .in = -1, .out = fileno(out), .err = -1 };
	pid_t pid = el_spawn(&sp);
	int found = -1;
	if (pid > 0) {
		int st = el_proc_wait(pid, false, 10000, 0, NULL, NULL);
		if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
			char line[512], name[256];
			found = 0;
			rewind(out);
			while (!found && fgets(line, sizeof(line), out))
				if (sscanf(line, "x86 %255s", name) == 1 && !strcmp(name, model))
					found = 1;
		}
	}
	fclose(out);
	return found;
}

int el_qemu_cpu_model_check(const char *qemu, const char *model, char *err, size_t errlen)
{
	const char *bin = qemu ? qemu : EL_QEMU_DEFAULT;
	bool plain = *model && strspn(model, "abcdefghijklmnopqrstuvwxyz"
				      "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") == strlen(model);
	int r = plain ? listed(bin, model) : 0;
	if (r == 1)
		return 0;
	if (r < 0)
		snprintf(err, errlen, "--cpu-model %s: '%s -cpu help' did not run: install QEMU "
			 "or give --qemu PATH", model, bin);
	else
		snprintf(err, errlen, "--cpu-model %s: QEMU does not know this CPU model: see "
			 "'%s -cpu help' for the models it offers", model, bin);
	return -1;
}
