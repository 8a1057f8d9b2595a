/* The gate's temporary directory and what dead gates left: each gate owns
 * TMPDIR/entrylab-gate.XXXXXX through a flock'ed file "owner" (its pid)
 * held for the life of the process, so that the kernel releases it
 * however the gate ends, SIGKILL included.  A later gate removes the git
 * worktrees and temporary directories whose owner lock is free.  A
 * directory without an owner file is never touched.  Contracts in gate.h. */
#include "gate/gate.h"
#include "boot/qemu.h"
#include "core/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#define OWNER     "owner"
#define TMP_STEM  "entrylab-gate."
#define GIT_MS    (5 * 60 * 1000)

int gate_tmp_create(const char *tmpdir, char *dst, size_t n)
{
	char tmp[GATE_PATH + 16], owner[GATE_PATH + 16];
	int fd;

	el_fmt(dst, n, "%s/" TMP_STEM "XXXXXX", tmpdir && tmpdir[0] ? tmpdir : "/tmp");
	if (!mkdtemp(dst)) {
		el_err("cannot create a temporary directory: %s: %s: set TMPDIR", dst, strerror(errno));
		dst[0] = '\0';
		return -1;
	}
	/* locked before it takes its name: no one sees an unlocked owner */
	el_fmt(tmp, sizeof(tmp), "%s/" OWNER ".new", dst);
	el_fmt(owner, sizeof(owner), "%s/" OWNER, dst);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0 || dprintf(fd, "%ld\n", (long)getpid()) < 0 ||
	    rename(tmp, owner) < 0) {
		el_err("cannot create %s: %s: check TMPDIR", owner, strerror(errno));
		if (fd >= 0)
			close(fd);
		el_remove_tree(dst);
		dst[0] = '\0';
		return -1;
	}
	return 0;   /* fd stays open: the lock lives as long as this gate */
}

/* 1 if dir has an owner file whose lock is free (its gate died); *pid gets
 * the pid it names. */
static int dead_gate(const char *dir, long *pid)
{
	char path[GATE_PATH + 16], text[32] = "";
	int fd, dead;
	ssize_t len;

	el_fmt(path, sizeof(path), "%s/" OWNER, dir);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	dead = flock(fd, LOCK_EX | LOCK_NB) == 0;
	len = read(fd, text, sizeof(text) - 1);
	text[len > 0 ? len : 0] = '\0';
	*pid = strtol(text, NULL, 10);
	close(fd);
	return dead;
}

static void to_buf(void *ctx, const char *data, size_t len)
{
	el_buf_append(ctx, data, len);
}

/* The worktree paths `git worktree list --porcelain` names (one per line). */
static int list_worktrees(const char *root, struct el_buf *out)
{
	char *argv[] = { "git", "-C", (char *)root, "worktree", "list", "--porcelain", NULL };
	struct el_qemu_limits lim = { GIT_MS, 1u << 20 };
	struct el_qemu_result r;
	int ok;

	el_qemu_run(argv, &lim, to_buf, out, &r);
	ok = r.end == EL_QEMU_EXITED && r.code == 0;
	el_qemu_result_free(&r);
	return ok ? 0 : -1;
}

/* Worktrees of root's repository under a dead gate's directory. */
static void remove_dead_worktrees(const char *root, const char *log)
{
	struct el_buf list = { 0 };
	char *line, *save = NULL, dir[GATE_PATH];
	long pid;

	if (list_worktrees(root, &list) < 0 || !list.data) {
		el_buf_free(&list);
		return;
	}
	for (line = strtok_r(list.data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *wt = line + 9, *slash;
		if (strncmp(line, "worktree ", 9) || !strstr(wt, "/" TMP_STEM) ||
		    !(slash = strrchr(wt, '/')) || (strcmp(slash, "/base") && strcmp(slash, "/head")))
			continue;
		el_fmt(dir, sizeof(dir), "%.*s", (int)(slash - wt), wt);
		if (!dead_gate(dir, &pid))
			continue;
		char *argv[] = { "git", "-C", (char *)root, "worktree", "remove", "--force",
				 (char *)wt, NULL };
		if (gate_child("git", argv, log, GIT_MS, 0) != 0)
			el_remove_tree(wt);
		fprintf(stderr, "gate: removed worktree %s of gate %ld, which died\n", wt, pid);
	}
	el_buf_free(&list);
}

void gate_recover(const char *root, const char *tmpdir)
{
	char *prune[] = { "git", "-C", (char *)root, "worktree", "prune", NULL };
	char dir[GATE_PATH];
	struct dirent *e;
	DIR *d;
	long pid;

	tmpdir = tmpdir && tmpdir[0] ? tmpdir : "/tmp";
	remove_dead_worktrees(root, "/dev/null");
	if ((d = opendir(tmpdir))) {
		while ((e = readdir(d)))
			if (!strncmp(e->d_name, TMP_STEM, strlen(TMP_STEM))) {
				el_fmt(dir, sizeof(dir), "%s/%s", tmpdir, e->d_name);
				if (!dead_gate(dir, &pid))
					continue;
				el_remove_tree(dir);
				fprintf(stderr, "gate: removed %s, the temporary directory of gate "
					"%ld, which died\n", dir, pid);
			}
		closedir(d);
	}
	gate_child("git", prune, "/dev/null", GIT_MS, 0);
}
