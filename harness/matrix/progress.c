/* What a matrix says while its variants run (matrix_run.h):
 *  - stderr: one line per finished variant ("[k/n] short canonical pass
 *    0.11s"); on a terminal the last line also gives the time elapsed and
 *    an estimate of the time left (elapsed / finished x still to run, so
 *    it counts the --jobs at once), rewritten in place.
 *  - --tap: stdout carries one TAP stream (version 13) with every
 *    variant's conformance TAP as a subtest (indented, as TAP 14 writes
 *    subtests and version-13 readers skip them) and each variant a test
 *    point, streamed as variants finish; everything the matrix prints on
 *    stdout otherwise (the table, the paths) goes to stderr. */
#include "matrix/matrix_run.h"
#include "core/exitcodes.h"
#include "core/util.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

void mx_progress_begin(struct matrix *m)
{
	int fd;

	m->tty = isatty(STDERR_FILENO);
	if (!m->o->tap)
		return;
	fflush(stdout);
	if ((fd = dup(STDOUT_FILENO)) < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0 ||
	    !(m->tap = fdopen(fd, "w"))) {
		el_err("cannot keep stdout for --tap: the TAP stream is not written");
		return;
	}
	setvbuf(m->tap, NULL, _IOLBF, 0);
	fprintf(m->tap, "TAP version 13\n1..%zu\n", m->p->nv);
}

/* The variant's own TAP, indented as a subtest; the number of its lines. */
static size_t tap_subtest(struct matrix *m, const struct mx_variant *v)
{
	char path[MX_PATH_MAX + 64], *text, *line, *save = NULL;
	size_t n = 0;

	el_fmt(path, sizeof(path), "%s/raw/%s.tap", m->d.partial, v->short_name);
	if (!(text = el_read_text(path, 1u << 20)))
		return 0;
	fprintf(m->tap, "# Subtest: %s\n", v->short_name);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save), n++)
		fprintf(m->tap, "    %s\n", line);
	free(text);
	return n;
}

static void tap_point(struct matrix *m, const struct mx_variant *v)
{
	int pass = !strcmp(v->status, "pass");
	size_t lines = tap_subtest(m, v);

	fprintf(m->tap, "%sok %zu - %s %s", pass ? "" : "not ", m->finished, v->short_name,
		v->canonical);
	if (!pass)
		fprintf(m->tap, " # %s: %.200s", v->status, v->error);
	else if (!lines)
		fprintf(m->tap, " # SKIP no conformance suite (%s)", v->code == LR_CODE ?
			"a Linux reference row" : "the guest ran none");
	fputc('\n', m->tap);
}

void mx_progress_variant(struct matrix *m, const struct mx_variant *v)
{
	int pass = !strcmp(v->status, "pass");
	double elapsed = (double)(el_now_ms() - m->t0) / 1000.0;
	size_t n = m->p->nv;

	m->finished++;
	if (m->tap)
		tap_point(m, v);
	if (m->tty)
		fputs("\r\033[K", stderr);
	if (pass)
		fprintf(stderr, "[%zu/%zu] %s %s pass %.2fs", m->finished, n, v->short_name,
			v->canonical, v->elapsed_s);
	else
		fprintf(stderr, "[%zu/%zu] %s %s FAILED (%s: %.200s) %.2fs", m->finished, n,
			v->short_name, v->canonical, v->status, v->error, v->elapsed_s);
	if (!m->tty || !pass || m->finished == n) {
		fputc('\n', stderr);
		if (!m->tty || m->finished == n)
			return;
	}
	/* a terminal: the status line stays until the next variant */
	fprintf(stderr, "%s[%zu/%zu] %.1f s elapsed, about %.1f s left", pass ? " | " : "",
		m->finished, n, elapsed, elapsed / (double)m->finished * (double)(n - m->finished));
	fflush(stderr);
}

void mx_progress_end(struct matrix *m, int rc)
{
	if (m->tty && m->finished && m->finished < m->p->nv)
		fputc('\n', stderr);
	if (!m->tap)
		return;
	if (rc != EL_EX_OK && rc != EL_EX_FAIL)
		fprintf(m->tap, "Bail out! %s\n", rc == EL_EX_INTERRUPTED ? "interrupted" :
			"the matrix stopped (see stderr)");
	fclose(m->tap);
	m->tap = NULL;
}
