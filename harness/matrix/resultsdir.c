/* The run directory of `entrylab matrix`: its id, and its creation,
 * staging, publishing and abandonment in RESULTS (lifecycle in
 * resultsdir.h).  Each step is one mkdir, symlink or rename, so that a
 * reader of RESULTS never sees a half-made run under its final name. */
#include "matrix/resultsdir.h"
#include "core/exitcodes.h"
#include "core/util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------ run id */

void mx_run_id_default(time_t t, pid_t pid, char *dst, size_t n)
{
	struct tm tm;
	char stamp[32];

	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	el_fmt(dst, n, "%s-%ld", stamp, (long)pid);
}

int mx_run_id_valid(const char *id)
{
	size_t len = strlen(id);

	if (len == 0 || len >= MX_ID_MAX || id[0] == '.' || id[0] == '-')
		return 0;
	if (!strcmp(id, "latest") || !strncmp(id, "latest.", 7))
		return 0;
	for (; *id; id++)
		if (!isalnum((unsigned char)*id) && !strchr("_.-", *id))
			return 0;
	return 1;
}

/* ------------------------------------------------------------ dead runs */

int mx_dir_lock(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* 1 if the partial directory results/name is owned by no live process
 * (unlocked, or gone), 0 if a live run holds it. */
static int dead_partial(const char *results, const char *name)
{
	char path[MX_PATH_MAX + MX_ID_MAX + 16];
	int fd;

	el_fmt(path, sizeof(path), "%s/%s", results, name);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		close(fd);
		return 0;
	}
	close(fd);
	return 1;
}

/* A staging symlink: name -> .name.partial. */
static int staging_link(const char *results, const char *name, char *target, size_t n)
{
	char path[MX_PATH_MAX + MX_ID_MAX + 16], want[MX_ID_MAX + 16];
	ssize_t len;

	el_fmt(path, sizeof(path), "%s/%s", results, name);
	len = readlink(path, target, n - 1);
	if (len < 0)
		return 0;
	target[len] = '\0';
	el_fmt(want, sizeof(want), ".%s.partial", name);
	return !strcmp(target, want);
}

#define MAX_STALE_LINES 5

void mx_results_recover(const char *results)
{
	DIR *d = opendir(results);
	struct dirent *e;
	char target[MX_ID_MAX + 16], path[MX_PATH_MAX + MX_ID_MAX + 16];
	unsigned stale = 0;
	size_t len;

	while (d && (e = readdir(d))) {
		len = strlen(e->d_name);
		if (e->d_name[0] != '.' && staging_link(results, e->d_name, target, sizeof(target)) &&
		    dead_partial(results, target)) {
			el_fmt(path, sizeof(path), "%s/%s", results, e->d_name);
			if (unlink(path) == 0)
				fprintf(stderr, "results: removed %s -> %s: the staging link of a run "
					"that died before publishing\n", path, target);
		} else if (e->d_name[0] == '.' && len > 9 && !strcmp(e->d_name + len - 8, ".partial") &&
			   e->d_type == DT_DIR && dead_partial(results, e->d_name)) {
			if (++stale <= MAX_STALE_LINES)
				fprintf(stderr, "results: %s/%s: left by a run that ended without "
					"publishing (interrupted, killed or out of space): inspect or "
					"remove it\n", results, e->d_name);
		}
	}
	if (stale > MAX_STALE_LINES)
		fprintf(stderr, "results: %u more such directories in %s\n", stale - MAX_STALE_LINES,
			results);
	if (d)
		closedir(d);
}

/* ------------------------------------------------------------ run directory */

/* 0 created, 1 the id is taken, -1 error (errno). */
static int try_id(struct mx_rundir *d, const char *id)
{
	struct stat st;

	el_strlcpy(d->id, id, sizeof(d->id));
	el_fmt(d->partial, sizeof(d->partial), "%s/.%s.partial", d->results, id);
	el_fmt(d->final, sizeof(d->final), "%s/%s", d->results, id);
	if (lstat(d->final, &st) == 0)
		return 1;
	if (mkdir(d->partial, 0755) < 0)
		return errno == EEXIST ? 1 : -1;
	if (lstat(d->final, &st) == 0) {   /* appeared meanwhile: not ours */
		rmdir(d->partial);
		return 1;
	}
	if ((d->lock_fd = mx_dir_lock(d->partial)) < 0) {
		int e = errno;
		rmdir(d->partial);
		errno = e;
		return -1;
	}
	return 0;
}

int mx_rundir_create(struct mx_rundir *d, const char *results, const char *id,
		     char *err, size_t n)
{
	char base[MX_ID_MAX], cand[MX_ID_MAX + 8];
	int rc = 1;

	memset(d, 0, sizeof(*d));
	d->lock_fd = -1;
	if (!results[0] || strlen(results) + 2 * MX_ID_MAX + 16 > sizeof(d->partial)) {
		el_fmt(err, n, "results directory path empty or too long: --results-dir: "
		       "give a shorter path");
		return EL_EX_USAGE;
	}
	el_strlcpy(d->results, results, sizeof(d->results));
	if (el_mkdir_p(results) < 0) {
		el_fmt(err, n, "cannot create results directory: %s: %s: check --results-dir",
		       results, strerror(errno));
		return EL_EX_USAGE;
	}
	mx_results_recover(results);
	if (id) {
		rc = try_id(d, id);
		if (rc == 1)
			el_fmt(err, n, "run id '%s' is already used: %s: choose another --run-id",
			       id, results);
	} else {
		mx_run_id_default(time(NULL), getpid(), base, sizeof(base));
		for (int k = 1; rc == 1 && k <= 100; k++) {
			el_fmt(cand, sizeof(cand), k == 1 ? "%s" : "%s-%d", base, k);
			rc = try_id(d, cand);
		}
		if (rc == 1)
			el_fmt(err, n, "no free run id near %s: %s: remove old runs or give --run-id",
			       base, results);
	}
	if (rc < 0)
		el_fmt(err, n, "cannot create run directory %s: %s: check permissions of "
		       "--results-dir", d->partial, strerror(errno));
	return rc ? EL_EX_USAGE : 0;
}

static int our_symlink(const struct mx_rundir *d)
{
	char target[MX_PATH_MAX], want[MX_ID_MAX + 16];
	ssize_t len = readlink(d->final, target, sizeof(target) - 1);

	if (len < 0)
		return 0;
	target[len] = '\0';
	el_fmt(want, sizeof(want), ".%s.partial", d->id);
	return !strcmp(target, want);
}

int mx_rundir_stage(struct mx_rundir *d, char *err, size_t n)
{
	char target[MX_ID_MAX + 16];

	el_fmt(target, sizeof(target), ".%s.partial", d->id);
	if (symlink(target, d->final) < 0) {
		if (errno == EEXIST)
			el_fmt(err, n, "cannot create %s: %s: another process used run id %s; "
			       "re-run", d->final, strerror(errno), d->id);
		else
			el_fmt(err, n, "cannot create %s: %s: check --results-dir", d->final,
			       strerror(errno));
		return EL_EX_USAGE;
	}
	d->staged = 1;
	return 0;
}

static void fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/* The partial directory becomes d->final. */
static int make_final(struct mx_rundir *d)
{
	if (d->staged && our_symlink(d)) {
		if (renameat2(AT_FDCWD, d->partial, AT_FDCWD, d->final, RENAME_EXCHANGE) == 0) {
			unlink(d->partial);    /* now the symlink */
			d->staged = 0;
			return 0;
		}
		if (errno != EINVAL && errno != ENOSYS)
			return -1;
		unlink(d->final);          /* no exchange here: remove, then rename */
	} else if (d->staged) {
		errno = EEXIST;
		return -1;
	}
	d->staged = 0;
	return el_rename_noreplace(d->partial, d->final);
}

int mx_rundir_publish(struct mx_rundir *d, char *err, size_t n)
{
	char tmp[MX_PATH_MAX + 32], latest[MX_PATH_MAX + 16];

	if (make_final(d) < 0) {
		el_fmt(err, n, "cannot rename %s to %s: %s: the run is left in the partial "
		       "directory; move it by hand", d->partial, d->final, strerror(errno));
		return EL_EX_USAGE;
	}
	el_fmt(tmp, sizeof(tmp), "%s/latest.tmp.%ld", d->results, (long)getpid());
	el_fmt(latest, sizeof(latest), "%s/latest", d->results);
	unlink(tmp);
	if (symlink(d->id, tmp) < 0 || rename(tmp, latest) < 0) {
		el_fmt(err, n, "cannot point %s at %s: %s: the run is complete; remove or rename "
		       "%s", latest, d->id, strerror(errno), latest);
		unlink(tmp);
		return EL_EX_USAGE;
	}
	fsync_dir(d->results);
	return 0;
}

void mx_rundir_abandon(struct mx_rundir *d)
{
	if (d->staged && our_symlink(d))
		unlink(d->final);
	d->staged = 0;
}

void mx_rundir_remove(struct mx_rundir *d)
{
	mx_rundir_abandon(d);
	el_remove_tree(d->partial);
}
