/* What each finished `entrylab run` child of `entrylab matrix` came to:
 * its raw/<short>.result when it wrote one; otherwise a status and a
 * one-line reason from how it ended and the last error in its log, written
 * as a fallback .result so that the analysis and the report see the
 * failure too.  A child that failed for its environment stops the others.
 * Then the progress line on stderr. */
#include "matrix/matrix_run.h"
#include "core/exitcodes.h"
#include "core/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <sys/wait.h>

/* The keys of a .result file this driver reads. */
struct result {
	char status[16], error[MX_LINE * 2];
	int exit;
};

static int read_result(const char *path, struct result *r)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	memset(r, 0, sizeof(*r));
	r->exit = -1;
	if (!f)
		return -1;
	while ((len = getline(&line, &cap, f)) > 0) {
		char *eq = strchr(line, '=');
		line[strcspn(line, "\n")] = '\0';
		if (!eq)
			continue;
		*eq++ = '\0';
		if (!strcmp(line, "status"))
			el_strlcpy(r->status, eq, sizeof(r->status));
		else if (!strcmp(line, "error"))
			el_strlcpy(r->error, eq, sizeof(r->error));
		else if (!strcmp(line, "exit"))
			r->exit = atoi(eq);
	}
	free(line);
	fclose(f);
	return r->status[0] ? 0 : -1;
}

/* The last "entrylab: ..." line a child wrote to its log. */
static void last_error(const char *log, char *dst, size_t n)
{
	FILE *f = fopen(log, "r");
	char line[1024];

	dst[0] = '\0';
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "entrylab: ", 10)) {
			line[strcspn(line, "\n")] = '\0';
			el_strlcpy(dst, line + 10, n);
		}
	if (f)
		fclose(f);
}

static const char *status_of_exit(int code)
{
	switch (code) {
	case EL_EX_FAIL: return "fail";
	case EL_EX_USAGE: return "usage";
	case EL_EX_HANG: return "hang";
	case EL_EX_INTERRUPTED: return "interrupted";
	case EL_EX_OK: case EL_EX_PROTOCOL: return "protocol";
	default: return "crash";
	}
}

/* A child that wrote no .result: say why, from how it ended and its log. */
static void outcome_without_result(const struct mx_job *j, struct mx_variant *v)
{
	char why[MX_LINE * 2];
	int code = WIFEXITED(j->wstatus) ? WEXITSTATUS(j->wstatus) : -1;

	last_error(j->log, why, sizeof(why));
	v->exit = code >= 0 ? code : EL_EX_CRASH;
	el_strlcpy(v->status, j->guard_killed ? "hang" : code >= 0 ? status_of_exit(code) : "crash",
		   sizeof(v->status));
	if (j->guard_killed)
		el_fmt(v->error, sizeof(v->error), "entrylab run still running %.0f s after its "
		       "time limit: killed: variant %s", MX_GUARD_EXTRA_MS / 1000.0, v->short_name);
	else if (code < 0)
		el_fmt(v->error, sizeof(v->error), "entrylab run died from signal %d (%s): variant %s",
		       WTERMSIG(j->wstatus), strsignal(WTERMSIG(j->wstatus)), v->short_name);
	else if (why[0])
		el_strlcpy(v->error, why, sizeof(v->error));
	else
		el_fmt(v->error, sizeof(v->error), "entrylab run exited with status %d and wrote no "
		       "result: variant %s", code, v->short_name);
}

/* So that the analysis and the report see the failure too. */
static void write_fallback_result(struct matrix *m, const struct mx_variant *v)
{
	char path[MX_PATH_MAX + 64];
	struct el_buf b = { 0 };

	el_buf_printf(&b, "status=%s\nexit=%d\nerror=", v->status, v->exit);
	for (const char *c = v->error; *c; c++)
		el_buf_append(&b, (unsigned char)*c < 0x20 ? "?" : c, 1);
	el_buf_printf(&b, "\nvariant=%s\nshort=%s\nmode=%s\nunit=%s\nimage=%s\n", v->canonical,
		      v->short_name, el_mode_name(m->mode), el_mode_unit(m->mode), v->image);
	el_fmt(path, sizeof(path), "%s/raw/%s.result", m->d.partial, v->short_name);
	if (el_write_atomic(path, b.data, b.len) < 0 && !m->env_error[0]) {
		/* the report would miss this variant: stop, publish nothing */
		el_fmt(m->env_error, sizeof(m->env_error), "cannot write %s: %s: free space "
		       "there and re-run; earlier runs are untouched", path, strerror(errno));
		m->ch.stop = 1;
	}
	el_buf_free(&b);
}

/* A run that failed for its environment (status 2: the results cannot be
 * written, QEMU is missing, ...) would fail alike for every variant: stop
 * the others and say why once.  A full disk may have swallowed the run's
 * own message, so free space is checked here. */
static void environment_failure(struct matrix *m, const struct mx_job *j,
				const struct mx_variant *v)
{
	struct statvfs fs;
	char why[MX_LINE * 2];

	m->ch.stop = 1;
	if (m->env_error[0])
		return;
	last_error(j->log, why, sizeof(why));
	char *child_opt = strstr(why, ": check --out");   /* the child's option, not ours */
	if (child_opt)
		el_strlcpy(child_opt, ": check --results-dir (free space, permissions)",
			   sizeof(why) - (size_t)(child_opt - why));
	if (why[0])
		el_strlcpy(m->env_error, why, sizeof(m->env_error));
	else if (statvfs(m->d.partial, &fs) == 0 && fs.f_bavail == 0)
		el_fmt(m->env_error, sizeof(m->env_error), "no space left on device: %s: free "
		       "space there and re-run; earlier runs are untouched", m->d.results);
	else
		el_strlcpy(m->env_error, v->error, sizeof(m->env_error));
}

void mx_variant_done(void *ctx, struct mx_job *j)
{
	struct matrix *m = ctx;
	struct mx_variant *v = &m->p->v[j - m->jobs];
	char path[MX_PATH_MAX + 64];
	struct result r;

	v->elapsed_s = (double)(j->end_ms - j->start_ms) / 1000.0;
	el_fmt(path, sizeof(path), "%s/raw/%s.result", m->d.partial, v->short_name);
	if (read_result(path, &r) == 0) {
		el_strlcpy(v->status, r.status, sizeof(v->status));
		el_strlcpy(v->error, r.error, sizeof(v->error));
		v->exit = r.exit;
	} else {
		outcome_without_result(j, v);
		if (v->exit == EL_EX_USAGE && !m->ch.interrupted)
			environment_failure(m, j, v);
		if (m->ch.interrupted || m->ch.stop)
			return;
		write_fallback_result(m, v);
	}
	m->failed += strcmp(v->status, "pass") != 0;
	mx_progress_variant(m, v);
}
