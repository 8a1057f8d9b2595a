/*
 * init.c — /init of the first-level guest of the nested-KVM test
 * (tests/integration/kvm-nested.sh, README "KVM mode tested under nested
 * KVM").  Debian's kernel boots it under TCG; it loads the modules listed
 * in /modules.9p (the 9p file system over virtio, in dependency order,
 * chosen by the host from modules.dep), mounts the host's root read-only
 * over virtio-9p (tag "hostroot") and the host's result directory
 * read-write (tag "out"), loads /modules.kvm (kvm, kvm_amd and theirs),
 * chroots into the host's tree and runs
 * ELN_SCRIPT (relative to it) with bash in ELN_LAB, the lab's own checkout
 * (bound to /mnt first when it lies under /tmp or /run, which get a file
 * system of their own here).  Then it powers
 * the machine off.
 *
 * Every step leaves one line "init: STEP: ..." on the console and, once
 * the result directory is mounted, in OUT/init.log; a step that fails
 * names itself and the errno, writes OUT/init.status = "fail STEP: why"
 * (or "skip STEP: why" where this host cannot run KVM: kvm_amd refused,
 * no /dev/kvm) when it can, and powers off (the host reports the step).
 * At the end OUT/init.status is "exit N", N being the script's status.  ELN_* come from
 * the kernel command line (Linux passes unknown name=value words to init's
 * environment).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define OUT "/tmp/out"    /* inside the chroot */
#define HOST_OUT "/host" OUT

static FILE *logf;

static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("init: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	if (logf) {
		va_start(ap, fmt);
		vfprintf(logf, fmt, ap);
		fputc('\n', logf);
		fflush(logf);
		va_end(ap);
	}
}

static void power_off(void)
{
	sync();
	reboot(RB_POWER_OFF);
	for (;;)
		pause();
}

static const char *status_path = "/nowhere";

static void status(const char *what)
{
	FILE *f = fopen(status_path, "w");

	if (f) {
		fprintf(f, "%s\n", what);
		fclose(f);
	}
}

/* verdict "fail" (the test fails) or "skip" (this host cannot do it) */
static void stop(const char *verdict, const char *step, const char *fmt, ...)
{
	char what[512], line[640];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(line, sizeof(line), "%s %s: %s", verdict, step, what);
	say("%s", line);
	status(line);
	power_off();
}

static void do_mount(const char *src, const char *dst, const char *type, unsigned long flags,
		     const char *data)
{
	mkdir(dst, 0755);
	if (mount(src, dst, type, flags, data) < 0)
		stop("fail", "mount", "%s on %s (%s): %s", src, dst, type, strerror(errno));
}

/* finit_module for every path in list; "already loaded" is fine.  A
 * module that refuses to load is a skip when skip_on_refusal (kvm_amd
 * without SVM), else a failure. */
static void load_modules(const char *list, int skip_on_refusal)
{
	char path[512];
	FILE *f = fopen(list, "r");
	int n = 0;

	if (!f)
		stop("fail", "modules", "%s: %s", list, strerror(errno));
	while (fgets(path, sizeof(path), f)) {
		path[strcspn(path, "\n")] = '\0';
		if (!path[0])
			continue;
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			stop("fail", "modules", "%s: %s", path, strerror(errno));
		if (syscall(SYS_finit_module, fd, "", 0) < 0 && errno != EEXIST)
			stop(skip_on_refusal ? "skip" : "fail", "modules", "%s refused to load: %s "
			     "(console.log has the kernel's reason)", strrchr(path, '/') + 1,
			     strerror(errno));
		close(fd);
		n++;
	}
	fclose(f);
	say("modules: %s: %d loaded", list, n);
}

/* Is path at or under a directory that gets a file system of its own in
 * the chroot? */
static int shadowed(const char *path)
{
	static const char *const dirs[] = { "/tmp", "/run", "/dev", "/proc", "/sys", "/mnt" };

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		size_t n = strlen(dirs[i]);
		if (!strncmp(path, dirs[i], n) && (path[n] == '/' || path[n] == '\0'))
			return 1;
	}
	return 0;
}

int main(void)
{
	const char *lab = getenv("ELN_LAB"), *script = getenv("ELN_SCRIPT");
	const char *arg = getenv("ELN_ARG");
	const char *opts9p = "trans=virtio,version=9p2000.L,msize=1048576,cache=loose";
	char st[64];
	int wst;
	pid_t pid;

	do_mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	do_mount("proc", "/proc", "proc", 0, NULL);
	do_mount("sysfs", "/sys", "sysfs", 0, NULL);
	if (!lab || !script)
		stop("fail", "cmdline", "ELN_LAB and ELN_SCRIPT must be on the kernel command line");
	load_modules("/modules.9p", 0);
	do_mount("hostroot", "/host", "9p", MS_RDONLY, opts9p);
	/* a checkout under a directory this guest mounts its own file system
	 * on (/tmp, /run: a CI's clean clone often is) is bound to /mnt first,
	 * or the new mount would hide it */
	if (shadowed(lab)) {
		char src[4096];
		snprintf(src, sizeof(src), "/host%s", lab);
		if (mount(src, "/host/mnt", NULL, MS_BIND, NULL) < 0)
			stop("fail", "mount", "bind %s on /mnt (the checkout is under a directory "
			     "this guest mounts over): %s", lab, strerror(errno));
		lab = "/mnt";
	}
	do_mount("tmpfs", "/host/tmp", "tmpfs", 0, "mode=1777");
	do_mount("out", HOST_OUT, "9p", 0, "trans=virtio,version=9p2000.L,msize=1048576");
	status_path = HOST_OUT "/init.status";
	logf = fopen(HOST_OUT "/init.log", "w");
	say("mounted: the host's root read-only at /host, results read-write at " OUT);
	load_modules("/modules.kvm", 1);
	if (access("/dev/kvm", R_OK | W_OK) < 0)
		stop("skip", "kvm", "/dev/kvm: %s after kvm_amd loaded", strerror(errno));
	if (chroot("/host") < 0 || chdir("/") < 0)
		stop("fail", "chroot", "/host: %s", strerror(errno));
	status_path = OUT "/init.status";
	do_mount("proc", "/proc", "proc", 0, NULL);
	do_mount("sysfs", "/sys", "sysfs", 0, NULL);
	do_mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	do_mount("tmpfs", "/run", "tmpfs", 0, "mode=755");
	if (chdir(lab) < 0)
		stop("fail", "chdir", "%s: %s", lab, strerror(errno));
	pid = fork();
	if (pid < 0)
		stop("fail", "fork", "%s", strerror(errno));
	if (pid == 0) {
		setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 1);
		setenv("HOME", "/tmp", 1);
		setenv("TMPDIR", "/tmp", 1);
		execl("/bin/bash", "bash", script, OUT, arg ? arg : "", (char *)NULL);
		fprintf(stderr, "init: exec /bin/bash %s: %s\n", script, strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &wst, 0) < 0 && errno == EINTR)
		;
	snprintf(st, sizeof(st), "exit %d", WIFEXITED(wst) ? WEXITSTATUS(wst) : 128 + WTERMSIG(wst));
	say("script: %s", st);
	status(st);
	if (logf)
		fclose(logf);
	power_off();
	return 0;
}
