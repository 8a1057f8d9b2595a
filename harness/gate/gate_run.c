/* The merge gate's boots: children with a time limit and SIGINT/SIGTERM
 * handling, the accelerator, the interleaved runs of both sides, loading
 * their raw files and the per-symbol explanation of a regressed path from
 * `entrylab trace`.  Contracts in gate.h. */
#include "gate/gate.h"
#include "host/accel.h"
#include "core/exitcodes.h"
#include "host/kvmrun.h"
#include "core/proc.h"
#include "core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_EXPLAIN 8   /* regressions traced per gate */

const char *const gate_role[2] = { "base", "head" };

/* ------------------------------------------------------------ children */

volatile sig_atomic_t gate_signal;

int gate_child(const char *path, char *const argv[], const char *log, int64_t timeout_ms,
	       int interruptible)
{
	int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644), st;
	struct el_spawn sp = { .argv = argv, .path = path, .in = -1, .out = fd, .err = fd,
			       .own_group = true, .no_make_env = true };
	pid_t pid = el_spawn(&sp);

	if (pid < 0 && sp.exec_errno && fd >= 0)
		dprintf(fd, "entrylab: cannot execute %s: %s: install it\n", path,
			strerror(sp.exec_errno));
	if (fd >= 0)
		close(fd);
	if (pid < 0)
		return sp.exec_errno ? 127 : -1;
	st = el_proc_wait(pid, true, timeout_ms, 2000, interruptible ? &gate_signal : NULL, NULL);
	if (interruptible && gate_signal)
		return EL_EX_INTERRUPTED;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

void gate_log_last_error(const char *log, char *dst, size_t n)
{
	FILE *f = fopen(log, "r");
	char line[1024];
	int from_el = 0;

	el_strlcpy(dst, "no output", n);
	while (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		int el = !strncmp(line, "entrylab: ", 10);
		if (el || (line[0] && !from_el))
			el_strlcpy(dst, el ? line + 10 : line, n);
		from_el |= el;
	}
	if (f)
		fclose(f);
}

void gate_log_tail(const char *log, int lines)
{
	char *ring[32] = { 0 }, line[512];
	FILE *f = fopen(log, "r");
	int n = 0;

	lines = lines > 32 ? 32 : lines;
	while (f && fgets(line, sizeof(line), f)) {
		free(ring[n % lines]);
		ring[n++ % lines] = el_xstrdup(line);
	}
	for (int i = n > lines ? n - lines : 0; i < n; i++)
		fprintf(stderr, "  | %s", ring[i % lines]);
	for (int i = 0; i < lines; i++)
		free(ring[i]);
	if (f)
		fclose(f);
}

/* ------------------------------------------------------------ mode */

/* The value of key in a key=value file, or "" . */
static void read_key(const char *path, const char *key, char *dst, size_t n)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	size_t len = strlen(key);

	dst[0] = '\0';
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, len) && line[len] == '=') {
			line[strcspn(line, "\n")] = '\0';
			el_strlcpy(dst, line + len + 1, n);
		}
	if (f)
		fclose(f);
}

/* tcg-icount, or kvm when asked or when auto and the probe passes: the
 * decision of accel.h from /dev/kvm and a probe boot of the first head
 * image (kvmrun.h reads what the boot left). */
int gate_decide_mode(struct gate *g)
{
	static const enum accel_request req[] = { ACCEL_REQ_AUTO, ACCEL_REQ_TCG, ACCEL_REQ_KVM };
	const char *s = g->shorts[0];
	char img[GATE_PATH + 64], out[GATE_PATH + 16], log[GATE_PATH + 16];
	char *argv[] = { "entrylab", "run", "--image", img, "--name", (char *)s, "--out", out,
			 "--accel", "kvm", "--run", "probe", "--timeout", "10", NULL };
	struct probe_result probe;
	struct accel_decision d;

	memset(&probe, 0, sizeof(probe));
	if (g->o->mode != 1 && accel_check_kvm_dev(NULL, &probe)) {
		el_fmt(img, sizeof(img), "%s/build/kernels/%s.elf", g->tree[GATE_HEAD].dir, s);
		el_fmt(out, sizeof(out), "%s/probe", g->tmp);
		el_fmt(log, sizeof(log), "%s/probe.log", g->tmp);
		if (gate_child(GATE_SELF, argv, log, 10000 + GATE_GUARD_MS, 1) == EL_EX_INTERRUPTED)
			return EL_EX_INTERRUPTED;
		kvm_probe_load(out, s, &probe);
	}
	accel_decide(req[g->o->mode], &probe, &d);
	if (d.status) {
		el_err("%s", d.line);
		return d.status;
	}
	if (d.line[0])
		fprintf(stderr, "gate: %s\n", d.line);
	g->mode = d.mode == ACCEL_MODE_KVM ? EL_MODE_KVM : EL_MODE_TCG_ICOUNT;
	return 0;
}

/* ------------------------------------------------------------ runs */

static int listed(char **list, const char *name)
{
	for (; list && *list; list++)
		if (!strcmp(*list, name))
			return 1;
	return 0;
}

static int file_has(const char *path, const char *needle)
{
	struct el_buf b = { 0 };
	char chunk[4096];
	FILE *f = fopen(path, "r");
	size_t n;
	int found;

	while (f && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		el_buf_append(&b, chunk, n);
	if (f)
		fclose(f);
	found = b.data && strstr(b.data, needle);
	el_buf_free(&b);
	return found;
}

/* A run child that left no .result: record why, so the verdict shows it. */
static void fallback_result(const char *path, const char *s, int rc, const char *log)
{
	char why[512], text[1024];

	gate_log_last_error(log, why, sizeof(why));
	for (char *c = why; *c; c++)
		*c = (unsigned char)*c < 0x20 ? '?' : *c;
	el_fmt(text, sizeof(text), "status=crash\nexit=%d\nerror=entrylab run ended with status %d "
	       "and no result: %s\nshort=%s\n", rc, rc, why, s);
	el_write_atomic(path, text, strlen(text));
}

static int run_one(struct gate *g, int k, const char *s, uint64_t round)
{
	char out[GATE_PATH + 64], img[GATE_PATH + 64], log[GATE_PATH + 128], res[GATE_PATH + 128];
	char timeout[32], samples[32], status[64], why[512];
	char *argv[] = { "entrylab", "run", "--image", img, "--name", (char *)s, "--out", out,
			 "--accel", (char *)el_mode_name(g->mode), "--timeout", timeout,
			 "--samples", samples, "--bench", g->bench, NULL };
	int64_t t0 = el_now_ms();
	int rc;

	el_fmt(out, sizeof(out), "%s/%s/round-%llu/raw", g->partial, gate_role[k], (unsigned long long)round);
	el_fmt(img, sizeof(img), "%s/build/kernels/%s.elf", g->tree[k].dir, s);
	el_fmt(log, sizeof(log), "%s/logs/%s-%s-round-%llu.log", g->partial, gate_role[k], s,
	       (unsigned long long)round);
	el_fmt(res, sizeof(res), "%s/%s.result", out, s);
	el_fmt(timeout, sizeof(timeout), "%g", g->o->timeout_s);
	el_fmt(samples, sizeof(samples), "%llu", (unsigned long long)g->o->samples);
	rc = gate_child(GATE_SELF, argv, log, (int64_t)(g->o->timeout_s * 1000) + GATE_GUARD_MS, 1);
	if (rc == EL_EX_INTERRUPTED && gate_signal)
		return rc;
	if (rc < 0 || rc == EL_EX_USAGE ||
	    (rc == EL_EX_PROTOCOL && file_has(log, "unsupported protocol version"))) {
		gate_log_last_error(log, why, sizeof(why));
		el_err("cannot run the %s image of %s: %s: see %s", gate_role[k], s, why, log);
		return EL_EX_USAGE;
	}
	if (access(res, F_OK) < 0)
		fallback_result(res, s, rc, log);
	read_key(res, "status", status, sizeof(status));
	g->runs[k]++;
	fprintf(stderr, "gate: round %llu %s %s: %s (%.2f s)\n", (unsigned long long)round, gate_role[k],
		s, status, (double)(el_now_ms() - t0) / 1000.0);
	return 0;
}

/* Round r: for each variant base then head (odd r) or head then base. */
int gate_run_rounds(struct gate *g)
{
	int rc = 0;

	for (uint64_t r = 1; r <= g->rounds && !rc; r++)
		for (size_t i = 0; g->shorts[i] && !rc; i++)
			for (int j = 0; j < 2 && !rc; j++) {
				int k = r % 2 ? j : 1 - j;
				if (listed(g->tree[k].known, g->shorts[i]))
					rc = run_one(g, k, g->shorts[i], r);
			}
	return rc;
}

int gate_load_sides(struct gate *g)
{
	char dir[GATE_PATH + 64], raw[GATE_PATH + 80];
	struct stat st;

	for (int k = 0; k < 2; k++)
		for (uint64_t r = 1; r <= g->rounds; r++) {
			el_fmt(dir, sizeof(dir), "%s/%s/round-%llu", g->partial, gate_role[k],
			       (unsigned long long)r);
			el_fmt(raw, sizeof(raw), "%s/raw", dir);
			if (stat(raw, &st) == 0 && gate_load_run(dir, &g->side[k], NULL))
				return -1;
		}
	return 0;
}

/* ------------------------------------------------------------ explanation */

static long trace_symbols(struct gate *g, int k, const struct gl_row *w, struct gl_symcount **sc,
			  char *why, size_t n)
{
	char log[GATE_PATH + 160], kdir[GATE_PATH + 16], vdir[GATE_PATH + 16];
	char *argv[] = { "entrylab", "trace", (char *)w->short_name, (char *)w->bench, "--kernels",
			 kdir, "--variants-dir", vdir, NULL };
	struct el_buf b = { 0 };
	char chunk[4096];
	long count = -1;
	size_t got;
	FILE *f;

	el_fmt(log, sizeof(log), "%s/logs/trace-%s-%s-%s.txt", g->partial, gate_role[k], w->short_name,
	       w->bench);
	el_fmt(kdir, sizeof(kdir), "%s/build/kernels", g->tree[k].dir);
	el_fmt(vdir, sizeof(vdir), "%s/variants", g->tree[k].dir);
	if (gate_child(GATE_SELF, argv, log, 120000, 1) == 0 && (f = fopen(log, "r"))) {
		while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
			el_buf_append(&b, chunk, got);
		fclose(f);
		count = gl_trace_symbols(b.data ? b.data : "", sc);
	}
	if (count < 0) {
		gate_log_last_error(log, why, n);
		*sc = NULL;
	}
	el_buf_free(&b);
	return count;
}

/* Where the extra instructions of a regressed path are, per symbol. */
static void explain(struct gate *g, struct gl_row *w)
{
	struct gl_symcount *sc[2];
	char why[2][512];
	long n[2];
	struct el_buf b = { 0 };

	for (int k = 0; k < 2; k++)
		n[k] = trace_symbols(g, k, w, &sc[k], why[k], sizeof(why[k]));
	if (n[GATE_BASE] < 0 || n[GATE_HEAD] < 0)
		el_buf_printf(&b, "per-symbol explanation unavailable: trace of the %s image: %s\n",
			      n[GATE_BASE] < 0 ? "base" : "head", n[GATE_BASE] < 0 ? why[GATE_BASE] : why[GATE_HEAD]);
	else if (!gl_trace_diff(sc[GATE_BASE], (size_t)n[GATE_BASE], sc[GATE_HEAD], (size_t)n[GATE_HEAD], &b))
		el_buf_puts(&b, "the traced calls execute as many instructions per symbol on both "
			    "sides\n");
	el_buf_printf(&b, "\n(instructions per symbol along one call, from `entrylab trace %s %s` "
		      "of each image: logs/trace-{base,head}-%s-%s.txt)\n", w->short_name, w->bench,
		      w->short_name, w->bench);
	w->explain = b.data;
	free(sc[GATE_BASE]);
	free(sc[GATE_HEAD]);
}

void gate_explain_regressions(struct gate *g, struct gl_result *r)
{
	int done = 0;

	if (g->mode != EL_MODE_TCG_ICOUNT)
		return;
	for (size_t i = 0; i < r->nrow && done < MAX_EXPLAIN && !gate_signal; i++)
		if (r->row[i].verdict == GL_REGRESSION && r->row[i].bench[0] != '*') {
			explain(g, &r->row[i]);
			done++;
		}
}

