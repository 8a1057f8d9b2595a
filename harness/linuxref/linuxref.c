/* linuxref: Debian's kernel as reference rows — see linuxref.h. */
#include "linuxref/linuxref.h"
#include "core/exitcodes.h"
#include "core/proc.h"
#include "core/opts.h"
#include "core/util.h"
#include "image/elf.h"
#include "variants/variants.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define BZ_MAX_BYTES   (256u << 20)   /* a compressed kernel larger than this is not one */
#define PT_NOTE        4
#define NOTE_XEN_PVH   18             /* XEN_ELFNOTE_PHYS32_ENTRY */

const struct lr_row lr_rows[] = {
	{ "linux", "Debian kernel, default mitigations", "" },
	{ "linux-nomit", "Debian kernel, mitigations=off", "mitigations=off" },
};
const size_t lr_nrows = sizeof(lr_rows) / sizeof(lr_rows[0]);

const char *lr_reference(const char *short_name)
{
	return el_variant_reference_row(short_name) ? "reference" : NULL;
}

void lr_row_append(const struct lr_row *r, const char *short_name, char *dst, size_t n)
{
	el_fmt(dst, n, "%s el.short=%s%s%s", LR_CMDLINE, short_name, r->cmdline[0] ? " " : "",
	       r->cmdline);
}

const char *const *lr_qemu_extra(struct lr_qemu_extra *x, const char *initrd, const char *cpu,
				 const char *trace_log)
{
	const char *v[] = { "-initrd", initrd, "-M", "rtc=on", "-m", LR_MEMORY };
	size_t n = sizeof(v) / sizeof(v[0]);

	memcpy(x->argv, v, sizeof(v));
	if (cpu) {
		x->argv[n++] = "-cpu";
		x->argv[n++] = cpu;
	}
	if (trace_log) {
		const char *t[] = { "-device", "pvpanic", "-action", "panic=pause", "-D", trace_log };
		memcpy(x->argv + n, t, sizeof(t));
		n += sizeof(t) / sizeof(t[0]);
	}
	x->argv[n] = NULL;
	return x->argv;
}

/* ------------------------------------------------------------ files */

static int read_all(const char *path, unsigned char **data, size_t *len, size_t max)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	ssize_t r;

	*data = NULL;
	*len = 0;
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > max) {
		close(fd);
		errno = EFBIG;
		return -1;
	}
	*data = el_xrealloc(NULL, (size_t)st.st_size + 1);
	while (*len < (size_t)st.st_size && (r = read(fd, *data + *len, (size_t)st.st_size - *len)) > 0)
		*len += (size_t)r;
	close(fd);
	return *len == (size_t)st.st_size ? 0 : -1;
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* ------------------------------------------------------------ ELF notes */

struct notes_seen {
	char *id;
	size_t n;
	int *pvh;
};

static int note(void *ctx, const char *name, uint32_t type, const void *desc, size_t descsz)
{
	struct notes_seen *w = ctx;

	(void)desc;
	(void)descsz;
	if (!strcmp(name, "Xen") && type == NOTE_XEN_PVH)
		*w->pvh = 1;
	return 0;
}

int lr_elf_notes(const char *path, char *build_id, size_t n, int *has_pvh)
{
	struct notes_seen w = { build_id, n, has_pvh };
	struct el_elf x;
	char err[128];
	int rc = -1;

	if (n)
		build_id[0] = '\0';
	*has_pvh = 0;
	if (el_elf_open(&x, path, err, sizeof(err)) == 0) {
		el_elf_notes_each(&x, note, &w);
		el_elf_build_id_of(&x, build_id, n);
		rc = 0;
	}
	el_elf_end(&x);
	return rc;
}

/* ------------------------------------------------------------ kernel */

static int find_kernel(const char *dir, char *path, size_t n, char *err, size_t errn)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char best[256] = "";

	if (!d) {
		el_fmt(err, errn, "no Debian kernel: %s: %s: install linux-image-amd64 "
		       "(apt-get install linux-image-amd64)", dir, strerror(errno));
		return -1;
	}
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, "vmlinuz-", 8) && strlen(e->d_name) < sizeof(best) &&
		    (!best[0] || strverscmp(e->d_name, best) > 0))
			el_strlcpy(best, e->d_name, sizeof(best));
	closedir(d);
	if (!best[0]) {
		el_fmt(err, errn, "no Debian kernel: no %s/vmlinuz-*: install linux-image-amd64 "
		       "(apt-get install linux-image-amd64)", dir);
		return -1;
	}
	el_fmt(path, n, "%s/%s", dir, best);
	return 0;
}

/* Run argv with stdin fed from data and stdout into the file out.  Returns
 * the exit status, or -1 with errno (the tool could not run). */
static int filter(char *const argv[], const unsigned char *data, size_t len, const char *out)
{
	int in[2], fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644), st = 0;
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	struct el_spawn sp = { .argv = argv, .out = fd, .err = -1 };
	pid_t pid;

	if (fd < 0)
		return -1;
	if (pipe2(in, O_CLOEXEC) < 0) {
		close(fd);
		return -1;
	}
	sp.in = in[0];
	pid = el_spawn(&sp);
	close(in[0]);
	close(fd);
	if (pid < 0) {
		close(in[1]);
		return sp.exec_errno ? 127 : -1;
	}
	sigaction(SIGPIPE, &ign, &old);
	for (size_t done = 0; done < len;) {
		ssize_t w = write(in[1], data + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		done += (size_t)w;
	}
	close(in[1]);
	sigaction(SIGPIPE, &old, NULL);
	st = el_proc_wait(pid, false, -1, 0, NULL, NULL);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Which tool unpacks the payload, and how many bytes at its end are the
 * kernel build's appended length word rather than compressed data. */
struct method {
	const char *name, *magic;
	size_t magic_len, trailer;
	char *argv[5];
	int ok_status;              /* a second accepted exit status (gzip: 2 = warning) */
};

static const struct method methods[] = {
	{ "xz", "\xfd" "7zXZ\0", 6, 0, { "xz", "-dcq", "--single-stream", NULL }, 0 },
	{ "zstd", "\x28\xb5\x2f\xfd", 4, 4, { "zstd", "-dcq", NULL }, 0 },
	{ "gzip", "\x1f\x8b", 2, 0, { "gzip", "-dcq", NULL }, 2 },
};

static int payload(const unsigned char *bz, size_t len, const unsigned char **p, size_t *plen)
{
	if (len < 0x250 || memcmp(bz + 0x202, "HdrS", 4) || (bz[0x206] | bz[0x207] << 8) < 0x208)
		return -1;
	size_t setup = ((size_t)(bz[0x1f1] ? bz[0x1f1] : 4) + 1) * 512;
	size_t off = setup + le32(bz + 0x248), size = le32(bz + 0x24c);
	if (off >= len || size > len - off)
		return -1;
	*p = bz + off;
	*plen = size;
	return 0;
}

int lr_unpack(const char *bzimage, const char *out, char *err, size_t n)
{
	unsigned char *bz;
	const unsigned char *p;
	size_t len, plen, m;
	char tmp[LR_PATH + 32], id[96];
	int st, pvh, rc = -1;

	if (read_all(bzimage, &bz, &len, BZ_MAX_BYTES) < 0) {
		el_fmt(err, n, "cannot read the kernel: %s: %s: check the file (root may be needed)",
		       bzimage, strerror(errno));
		free(bz);
		return -1;
	}
	if (payload(bz, len, &p, &plen) < 0) {
		el_fmt(err, n, "not a bzImage (boot protocol 2.08 or later): %s: give a Debian "
		       "vmlinuz", bzimage);
		free(bz);
		return -1;
	}
	for (m = 0; m < sizeof(methods) / sizeof(methods[0]); m++)
		if (plen > methods[m].magic_len + methods[m].trailer &&
		    !memcmp(p, methods[m].magic, methods[m].magic_len))
			break;
	el_fmt(tmp, sizeof(tmp), "%s.tmp.%d", out, (int)getpid());
	if (m == sizeof(methods) / sizeof(methods[0])) {
		el_fmt(err, n, "kernel payload compressed with an unsupported method (magic "
		       "%02x %02x %02x %02x): %s: use an xz, zstd or gzip kernel", p[0], p[1], p[2],
		       p[3], bzimage);
	} else if ((st = filter(methods[m].argv, p, plen - methods[m].trailer, tmp)) < 0 ||
		   (st != 0 && st != methods[m].ok_status)) {
		el_fmt(err, n, "cannot unpack the kernel with %s (%s): %s: install %s",
		       methods[m].name, st < 0 ? strerror(errno) : st == 127 ? "not found" : "failed",
		       bzimage, !strcmp(methods[m].name, "xz") ? "xz-utils" : methods[m].name);
	} else if (lr_elf_notes(tmp, id, sizeof(id), &pvh) < 0) {
		el_fmt(err, n, "the unpacked kernel is not an ELF64 file: %s: give a Debian "
		       "x86-64 vmlinuz", bzimage);
	} else if (!pvh) {
		el_fmt(err, n, "the kernel has no PVH entry note (CONFIG_PVH): %s: use a kernel "
		       "built with CONFIG_PVH=y such as Debian's", bzimage);
	} else if (rename(tmp, out) < 0) {
		el_fmt(err, n, "cannot write %s: %s: check the build directory", out, strerror(errno));
	} else {
		rc = 0;
	}
	if (rc)
		unlink(tmp);
	free(bz);
	return rc;
}

static int newer(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
	       (sa.st_mtim.tv_sec > sb.st_mtim.tv_sec ||
		(sa.st_mtim.tv_sec == sb.st_mtim.tv_sec && sa.st_mtim.tv_nsec >= sb.st_mtim.tv_nsec));
}

int lr_prepare(const char *root, const char *kernel, struct lr_kernel *k, char *err, size_t n)
{
	const char *pre = root && strcmp(root, ".") ? root : "", *slash = pre[0] ? "/" : "";
	const char *base;
	char dir[LR_PATH];
	int pvh = 0;

	memset(k, 0, sizeof(*k));
	if (kernel)
		el_strlcpy(k->bzimage, kernel, sizeof(k->bzimage));
	else if (find_kernel(LR_BOOT_DIR, k->bzimage, sizeof(k->bzimage), err, n) < 0)
		return -1;
	base = strrchr(k->bzimage, '/') ? strrchr(k->bzimage, '/') + 1 : k->bzimage;
	el_strlcpy(k->release, strncmp(base, "vmlinuz-", 8) ? base : base + 8, sizeof(k->release));
	for (char *c = k->release; *c; c++)	/* it becomes part of a file name */
		if (*c == '/' || *c <= ' ' || *c > '~')
			*c = '_';
	el_fmt(dir, sizeof(dir), "%s%s%s", pre, slash, LR_IMAGE_DIR);
	el_fmt(k->image, sizeof(k->image), "%s/vmlinux-%s", dir, k->release);
	el_fmt(k->initrd, sizeof(k->initrd), "%s%s%s", pre, slash, LR_INITRD);
	if (access(k->initrd, R_OK) < 0) {
		el_fmt(err, n, "no initramfs: %s: %s: run 'make' (it builds linuxref)", k->initrd,
		       strerror(errno));
		return -1;
	}
	if (access(k->bzimage, R_OK) < 0) {
		el_fmt(err, n, "cannot read the kernel: %s: %s: install linux-image-amd64 or fix the "
		       "path given (--kernel, --linux-kernel)", k->bzimage, strerror(errno));
		return -1;
	}
	if (!newer(k->image, k->bzimage) || lr_elf_notes(k->image, k->build_id,
							 sizeof(k->build_id), &pvh) < 0 || !pvh) {
		mkdir(dir, 0755);
		if (lr_unpack(k->bzimage, k->image, err, n) < 0)
			return -1;
		k->unpacked = 1;
		lr_elf_notes(k->image, k->build_id, sizeof(k->build_id), &pvh);
	}
	return 0;
}

/* ------------------------------------------------------------ initramfs */

/* One "newc" entry: 110-byte header (magic 070701 and 13 eight-digit hex
 * fields), the name with its NUL, padding to 4, the data, padding to 4. */
static void cpio_entry(struct el_buf *b, const char *name, unsigned mode, unsigned rmaj,
		       unsigned rmin, const void *data, size_t len)
{
	static const char zero[4];

	el_buf_printf(b, "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		      mode ? (unsigned)(b->len + 1) : 0u, mode, 0u, 0u, (mode & 0170000) == 0040000 ? 2u : 1u, 0u,
		      (unsigned)len, 0u, 0u, rmaj, rmin, (unsigned)strlen(name) + 1, 0u);
	el_buf_append(b, name, strlen(name) + 1);
	el_buf_append(b, zero, (4 - b->len % 4) % 4);
	if (len)
		el_buf_append(b, data, len);
	el_buf_append(b, zero, (4 - b->len % 4) % 4);
}

int lr_initramfs(const char *init, const char *out, char *err, size_t n)
{
	struct el_buf b = { 0 };
	unsigned char *data;
	size_t len;
	int rc = 0;

	if (read_all(init, &data, &len, 64u << 20) < 0 || len < 4 || memcmp(data, "\177ELF", 4)) {
		el_fmt(err, n, "cannot read the init program: %s: %s: run 'make'", init,
		       errno ? strerror(errno) : "not an ELF file");
		free(data);
		return -1;
	}
	cpio_entry(&b, "dev", 0040755, 0, 0, NULL, 0);
	cpio_entry(&b, "dev/console", 0020600, 5, 1, NULL, 0);
	cpio_entry(&b, "proc", 0040555, 0, 0, NULL, 0);
	cpio_entry(&b, "sys", 0040555, 0, 0, NULL, 0);
	cpio_entry(&b, "init", 0100755, 0, 0, data, len);
	cpio_entry(&b, "TRAILER!!!", 0, 0, 0, NULL, 0);
	if (el_write_atomic(out, b.data, b.len) < 0) {
		el_fmt(err, n, "cannot write %s: %s: check the build directory", out, strerror(errno));
		rc = -1;
	}
	free(data);
	el_buf_free(&b);
	return rc;
}

/* ------------------------------------------------------------ command */

static const struct el_opt prepare_options[] = {
	{ "kernel", 'k', "PATH", "the kernel (default: newest /boot/vmlinuz-*)", "@file" },
	{ "root", 'r', "DIR", "the repository (build/linuxref/ goes there)", "@dir" },
	{ 0 }
};
static const struct el_opt initramfs_options[] = {
	{ "init", 'i', "PATH", "the init program", "@file" },
	{ "out", 'o', "PATH", "the initramfs written", "@file" },
	{ 0 }
};
static const struct el_opt host_options[] = {
	{ "cpu", 'c', "N", "the cpu it runs on, pinned (default: pin.h's choice)" },
	{ "samples", 's', "N", "samples (default 15)" },
	{ "out", 'o', "DIR", "where its files go", "@dir" },
	{ "program", 'p', "PATH", "the loop program (default build/linuxref/init)", "@file" },
	{ 0 }
};

#define LR_EXITS "exit status: 0 done, 2 usage or environment error"
const struct el_optcmd lr_optcmds[3] = {
	{ "linuxref prepare", "[--kernel PATH] [--root DIR]",
	  "Find the kernel, unpack it to build/linuxref/vmlinux-<release> and print\n"
	  "key=value facts.", prepare_options, LR_EXITS, NULL },
	{ "linuxref initramfs", "--init PATH --out PATH",
	  "Write the cpio newc initramfs holding the init program.", initramfs_options,
	  LR_EXITS, NULL },
	{ "linuxref host", "[--cpu N] [--samples N] [--out DIR] [--program PATH]",
	  "Run the getpid loop natively (pinned) and `perf bench syscall basic` on the\n"
	  "same cpu and compare them (the host row of a kvm matrix).", host_options,
	  LR_EXITS, NULL },
};

static void usage(FILE *f)
{
	for (int i = 0; i < 3; i++) {
		el_opts_help(&lr_optcmds[i], f);
		fputs(i < 2 ? "\n" : "", f);
	}
}

/* The subcommand's options by key ('k' --kernel, ...): NULL when absent. */
struct lr_args {
	const char *v[128];
};

static int lr_opt(void *ctx, int key, const char *arg)
{
	((struct lr_args *)ctx)->v[key & 127] = arg;
	return 0;
}

/* 0 to go on; else the command's status (help printed, or a usage error). */
static int parse(const struct el_optcmd *c, int argc, char **argv, struct lr_args *a)
{
	int rc;

	memset(a, 0, sizeof(*a));
	rc = el_opts_parse(c, argc - 1, argv + 1, lr_opt, a, NULL);
	return rc == EL_OPTS_GO ? -1 : rc == EL_OPTS_HELP ? EL_EX_OK : EL_EX_USAGE;
}

static int cmd_prepare(int argc, char **argv)
{
	struct lr_kernel k;
	struct lr_args a;
	int rc;
	char err[LR_PATH * 2];

	if ((rc = parse(&lr_optcmds[0], argc, argv, &a)) >= 0)
		return rc;
	if (lr_prepare(a.v['r'], a.v['k'], &k, err, sizeof(err)) < 0) {
		el_err("%s", err);
		return EL_EX_USAGE;
	}
	printf("kernel=%s\nrelease=%s\nimage=%s\ninitrd=%s\nbuild_id=%s\nunpacked=%d\n",
	       k.bzimage, k.release, k.image, k.initrd, k.build_id, k.unpacked);
	for (size_t i = 0; i < lr_nrows; i++) {
		char append[512];
		lr_row_append(&lr_rows[i], lr_rows[i].short_name, append, sizeof(append));
		printf("row=%s cmdline=%s\n", lr_rows[i].short_name, append);
	}
	return EL_EX_OK;
}

static int cmd_initramfs(int argc, char **argv)
{
	struct lr_args a;
	int rc;
	char err[LR_PATH * 2];

	if ((rc = parse(&lr_optcmds[1], argc, argv, &a)) >= 0)
		return rc;
	const char *init = a.v['i'], *out = a.v['o'];
	if (!init || !out) {
		el_err("missing %s: entrylab linuxref initramfs: give --init PATH --out PATH",
		       init ? "--out" : "--init");
		return EL_EX_USAGE;
	}
	if (lr_initramfs(init, out, err, sizeof(err)) < 0) {
		el_err("%s", err);
		return EL_EX_USAGE;
	}
	return EL_EX_OK;
}

static int cmd_host(int argc, char **argv)
{
	struct lr_args a;
	int rc;
	uint64_t c = 0, s = 15;
	struct lr_host h;
	char err[LR_PATH * 2];

	if ((rc = parse(&lr_optcmds[2], argc, argv, &a)) >= 0)
		return rc;
	const char *cpu = a.v['c'], *samples = a.v['s'], *program = a.v['p'], *out = a.v['o'];
	if ((cpu && (el_parse_u64(cpu, &c) || c > 65535)) ||
	    (samples && (el_parse_u64(samples, &s) || !s || s > 100000))) {
		el_err("bad value for %s: entrylab linuxref host: give a whole number",
		       cpu && (el_parse_u64(cpu, &c) || c > 65535) ? "--cpu" : "--samples");
		return EL_EX_USAGE;
	}
	if (out && mkdir(out, 0755) < 0 && errno != EEXIST) {
		el_err("cannot create %s: %s: check --out", out, strerror(errno));
		return EL_EX_USAGE;
	}
	if (lr_host_row(program ? program : LR_INIT, cpu ? (int)c : -1, s, "host", out, &h,
			err, sizeof(err)) < 0) {
		el_err("%s", err);
		return EL_EX_USAGE;
	}
	printf("cpu=%d\nsamples=%llu\niters=%llu\nticks_per_call=%.2f\nticks_min=%.2f\n"
	       "ticks_max=%.2f\ntsc_hz=%.0f\nns_per_call=%.2f\n", h.cpu,
	       (unsigned long long)h.samples, (unsigned long long)h.iters, h.ticks_per_call,
	       h.ticks_min, h.ticks_max, h.tsc_hz, h.ns_per_call);
	if (h.perf_ok)
		printf("perf_cmd=%s\nperf_syscall=%s\nperf_calls=%llu\nperf_ops_per_sec=%.0f\n"
		       "perf_ns_per_call=%.2f\nperf_ns_per_call_median=%.2f\nratio=%.3f\n",
		       h.perf_cmd, h.perf.syscall, (unsigned long long)h.perf.calls,
		       h.perf.ops_per_sec, h.perf.ns_per_call, h.perf_ns_median, h.ratio);
	else
		printf("perf_error=%s\n", h.perf_error);
	return EL_EX_OK;
}

int el_cmd_linuxref(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EL_EX_USAGE : EL_EX_OK;
	}
	if (!strcmp(argv[1], "prepare"))
		return cmd_prepare(argc, argv);
	if (!strcmp(argv[1], "initramfs"))
		return cmd_initramfs(argc, argv);
	if (!strcmp(argv[1], "host"))
		return cmd_host(argc, argv);
	el_err("unknown subcommand '%.64s': entrylab linuxref: use prepare, initramfs or host",
	       argv[1]);
	return EL_EX_USAGE;
}
