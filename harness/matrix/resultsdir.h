/*
 * resultsdir — the run directory of `entrylab matrix` (resultsdir.c).
 *
 * Lifecycle of a run directory under RESULTS (results/ by default):
 *   1. mx_rundir_create: reserve a run id by mkdir of RESULTS/.<id>.partial
 *      (mkdir is the lock: EEXIST means the id is taken).  Every file of
 *      the run is written in there.
 *   2. mx_rundir_stage: just before the analysis, RESULTS/<id> becomes a
 *      symlink to .<id>.partial, so that the report and summary name the
 *      final path.  Nothing else ever creates RESULTS/<id>.
 *   3. mx_rundir_publish: the directory takes the name RESULTS/<id>
 *      (renameat2 RENAME_EXCHANGE with the symlink, then the symlink is
 *      removed; without staging, RENAME_NOREPLACE), then RESULTS/latest is
 *      repointed atomically: symlink latest.tmp.<pid> -> <id>, renamed over
 *      latest.
 *   An interrupted or failed run calls mx_rundir_abandon: the staging
 *   symlink goes, .<id>.partial stays for inspection, latest is not moved.
 * The partial directory is flock'ed by the run that made it for as long as
 * that process lives (the kernel drops the lock even after SIGKILL), so a
 * later run tells a live run's directory from a dead one's: before making
 * its own, mx_rundir_create removes staging symlinks whose partial
 * directory is unlocked or gone, and reports unlocked partial directories,
 * one line each on stderr.
 */
#ifndef ENTRYLAB_RESULTSDIR_H
#define ENTRYLAB_RESULTSDIR_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#define MX_ID_MAX   64
#define MX_PATH_MAX 1024

/* ------------------------------------------------------------ run id */

/* "YYYYmmdd-HHMMSS-<pid>" in UTC. */
void mx_run_id_default(time_t t, pid_t pid, char *dst, size_t n);
/* 1 if id may name a run: 1..63 of [A-Za-z0-9_.-], not starting with '.'
 * or '-', not "latest" nor "latest.*". */
int mx_run_id_valid(const char *id);

/* ------------------------------------------------------------ run directory */

struct mx_rundir {
	char results[MX_PATH_MAX];   /* as given, e.g. "results" */
	char id[MX_ID_MAX];
	char partial[MX_PATH_MAX];   /* results/.<id>.partial */
	char final[MX_PATH_MAX];     /* results/<id> */
	int staged;                  /* final is our symlink to the partial dir */
	int lock_fd;                 /* the partial dir, flock'ed; -1 none */
};

/* Open dir and flock it (close-on-exec) for the life of the process; the
 * descriptor, or -1. */
int mx_dir_lock(const char *dir);
/* What dead runs left in results (see above): stale staging symlinks
 * removed, unlocked partial directories reported; one line each. */
void mx_results_recover(const char *results);

/* Create results (and its parents) if missing, then the partial directory.
 * id NULL: the default id for now, with "-2", "-3", ... appended while one
 * is taken; id given: taken is an error.  Returns 0, or EL_EX_USAGE with one
 * line in err ("<what>: <where>: <what to do>"); on error nothing new is
 * left behind except missing parents of results. */
int mx_rundir_create(struct mx_rundir *d, const char *results, const char *id,
		     char *err, size_t n);
int mx_rundir_stage(struct mx_rundir *d, char *err, size_t n);
/* 0, or EL_EX_USAGE with err (the directory may then already be final:
 * err says which step failed). */
int mx_rundir_publish(struct mx_rundir *d, char *err, size_t n);
void mx_rundir_abandon(struct mx_rundir *d);
/* Remove the partial directory and everything in it (environment errors
 * found after it was created: nothing worth keeping). */
void mx_rundir_remove(struct mx_rundir *d);

#endif
