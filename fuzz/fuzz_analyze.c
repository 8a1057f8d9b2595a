/* libFuzzer target: the readers of `entrylab analyze` (harness/analysis/analyze.h):
 * <short>.result, <short>.samples.csv, <short>.console and meta.json of a
 * run directory, then the whole analysis (statistics, summary.csv/.json,
 * report.md) without plots.
 *
 * Input: an optional first line, the --baseline selector (empty: the
 * default), then files, each introduced by a line "@@@ NAME": NAME is
 * written to DIR/raw/NAME, or to DIR/meta.json for "meta.json".  Names
 * outside [A-Za-z0-9_.-] are skipped.  Checked: no crash, no sanitizer
 * report, no leak; the exit status is 0, 1 or 2; a run that analysed
 * (0 or 1) has a summary.json that parses and a report.md without NUL. */
#include "fuzz.h"

#include <ftw.h>
#include <jansson.h>
#include <sys/stat.h>

#include "analysis/analyze.h"
#include "core/exitcodes.h"
#include "core/util.h"

#define MARK "@@@ "
#define MAX_FILES 24

static char dir[4096];

static void check(int cond)
{
	if (!cond)
		abort();
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	if (ftw->level > 0)
		remove(path);
	return 0;
}

static void clean(void)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void cleanup_at_exit(void)
{
	el_remove_tree(dir);
}

static int init(void)
{
	const char *tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/entrylab-fuzz-analyze.XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
	if (!mkdtemp(dir))
		abort();
	atexit(cleanup_at_exit);
	return 0;
}

static int safe_name(const uint8_t *p, size_t n)
{
	if (n == 0 || n > 48 || p[0] == '.')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z') ||
		      (p[i] >= '0' && p[i] <= '9') || p[i] == '_' || p[i] == '.' || p[i] == '-'))
			return 0;
	return 1;
}

static void put(const uint8_t *name, size_t nlen, const uint8_t *body, size_t blen)
{
	char path[4200];
	FILE *f;

	if (!safe_name(name, nlen))
		return;
	if (nlen == 9 && !memcmp(name, "meta.json", 9))
		snprintf(path, sizeof(path), "%s/meta.json", dir);
	else
		snprintf(path, sizeof(path), "%s/raw/%.*s", dir, (int)nlen, (const char *)name);
	if (!(f = fopen(path, "w")))
		abort();
	if (blen)
		fwrite(body, 1, blen, f);
	fclose(f);
}

/* Write the files; returns the baseline selector (malloc'd) or NULL. */
static char *unpack(const uint8_t *data, size_t size)
{
	struct fz_part part[MAX_FILES + 1];
	char raw[4200], *baseline = NULL;
	size_t n = fz_split(data, size, "\n" MARK, part, MAX_FILES + 1);

	snprintf(raw, sizeof(raw), "%s/raw", dir);
	mkdir(raw, 0755);
	/* part 0: the baseline line, or a first file if the input starts with the mark */
	if (part[0].n >= 4 && !memcmp(part[0].p, MARK, 4)) {
		part[0].p += 4;
		part[0].n -= 4;
	} else {
		const uint8_t *nl = memchr(part[0].p, '\n', part[0].n);
		size_t len = nl ? (size_t)(nl - part[0].p) : part[0].n;
		if (len && !memchr(part[0].p, '\0', len))
			baseline = fz_string(part[0].p, len);
		part[0].n = 0;
	}
	for (size_t i = 0; i < n; i++) {
		const uint8_t *nl = memchr(part[i].p, '\n', part[i].n);
		size_t nlen = nl ? (size_t)(nl - part[i].p) : part[i].n;
		if (part[i].n)
			put(part[i].p, nlen, nl ? nl + 1 : part[i].p + nlen,
			    nl ? part[i].n - nlen - 1 : 0);
	}
	return baseline;
}

static void check_outputs(void)
{
	char path[4200], buf[4096];
	json_error_t jerr;
	json_t *j;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/summary.json", dir);
	j = json_load_file(path, 0, &jerr);
	check(j != NULL);
	json_decref(j);
	snprintf(path, sizeof(path), "%s/report.md", dir);
	check((f = fopen(path, "r")) != NULL);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		check(!memchr(buf, '\0', n));
	fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int inited;
	char *argv[8], *baseline;
	int argc = 0, rc;

	if (!inited)
		inited = !init();
	clean();
	baseline = unpack(data, size);
	argv[argc++] = (char *)"analyze";
	argv[argc++] = dir;
	argv[argc++] = (char *)"--no-plots";
	argv[argc++] = (char *)"--root";
	argv[argc++] = (char *)fz_repo_root();
	if (baseline) {
		argv[argc++] = (char *)"--baseline";
		argv[argc++] = baseline;
	}
	argv[argc] = NULL;
	rc = cmd_analyze(argc, argv);
	check(rc == EL_EX_OK || rc == EL_EX_FAIL || rc == EL_EX_USAGE);
	if (rc != EL_EX_USAGE)
		check_outputs();
	free(baseline);
	return 0;
}
