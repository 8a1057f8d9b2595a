/* libFuzzer target: the gate's baseline file (harness/gate/gate.h, written by
 * `entrylab baseline save`, read by `entrylab gate --baseline-file FILE`), read
 * and compared with a fixed run directory against the repository's
 * variants/thresholds.conf, then the verdict written (gate_against_baseline).
 *
 * Input: the baseline JSON.  Checked: no crash, no sanitizer report, no
 * leak; the status is one the gate documents (0 pass, 1 regression,
 * 2 usage, 3 inconclusive); a verdict is written exactly when the status is
 * not 2, under a final name, with no partial directory left. */
#include "fuzz.h"

#include <dirent.h>
#include <sys/stat.h>

#include "core/exitcodes.h"
#include "gate/gate.h"
#include "core/util.h"

static char dir[4096], run[4200], results[4200];

static void check(int cond)
{
	if (!cond)
		abort();
}

static void cleanup_at_exit(void)
{
	el_remove_tree(dir);
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) < 0 || fclose(f))
		abort();
}

/* The head: a run directory as `entrylab run` writes it (two variants). */
static void init(void)
{
	const char *tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	char path[4300];

	snprintf(dir, sizeof(dir), "%s/entrylab-fuzz-baseline.XXXXXX", tmp);
	if (!mkdtemp(dir))
		abort();
	atexit(cleanup_at_exit);
	snprintf(run, sizeof(run), "%s/run", dir);
	snprintf(results, sizeof(results), "%s/results", dir);
	snprintf(path, sizeof(path), "%s/raw", run);
	if (mkdir(run, 0755) || mkdir(path, 0755))
		abort();
	snprintf(path, sizeof(path), "%s/raw/pcsa.result", run);
	put(path, "status=pass\nexit=0\nerror=\nvariant=ptregs=partial,rsp=cached,regs=stub,exit=asm\n"
	    "short=pcsa\nmode=tcg-icount\nunit=instructions\ntap_pass=59\ntap_fail=0\ntap_skip=0\n"
	    "unavailable=\n");
	snprintf(path, sizeof(path), "%s/raw/pcsa.samples.csv", run);
	put(path, "variant,short,bench,sample,iters,ticks,empty,per_call,unit\n"
	    "\"ptregs=partial,rsp=cached,regs=stub,exit=asm\",pcsa,getpid,0,10,460,10,45,instructions\n"
	    "\"ptregs=partial,rsp=cached,regs=stub,exit=asm\",pcsa,getpid,1,10,460,10,45,instructions\n"
	    "\"ptregs=partial,rsp=cached,regs=stub,exit=asm\",pcsa,clone,0,1,3159,10,3149,instructions\n");
	snprintf(path, sizeof(path), "%s/raw/floor.result", run);
	put(path, "status=crash\nexit=5\nerror=guest reset\nvariant=floor\nshort=floor\n"
	    "mode=tcg-icount\nunit=instructions\nunavailable=\n");
}

/* Entries of results/: returns how many are gate-* directories, and
 * whether a .partial is left. */
static int verdicts(int *partial)
{
	DIR *d = opendir(results);
	struct dirent *e;
	int n = 0;

	*partial = 0;
	while (d && (e = readdir(d))) {
		n += !strncmp(e->d_name, "gate-", 5);
		*partial |= strstr(e->d_name, ".partial") != NULL;
	}
	if (d)
		closedir(d);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int inited;
	struct gate_baseline_opts o = { 0 };
	char path[64];
	int fd, rc, partial;

	if (!inited++)
		init();
	el_remove_tree(results);
	if ((fd = fz_memfile(data, size, path, sizeof(path))) < 0)
		abort();
	o.baseline = path;
	o.run_dir = run;
	o.results_dir = results;
	rc = gate_against_baseline(&o);
	check(rc == EL_EX_OK || rc == EL_EX_FAIL || rc == EL_EX_USAGE || rc == EL_EX_INCONCLUSIVE);
	check(verdicts(&partial) == (rc != EL_EX_USAGE) && !partial);
	close(fd);
	return 0;
}
