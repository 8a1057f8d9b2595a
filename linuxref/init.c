/*
 * init.c — the Linux reference program: the timed loops of bench/loops.S
 * run on a real Linux kernel and reported with the record protocol of
 * include/entrylab/proto.h, so the harness reads a Linux row exactly like a
 * variant row.  One static program (gcc -nostdlib, no libc), two ways to run:
 *
 *   guest  /init (pid 1) of the initramfs that harness/linuxref/linuxref.c builds:
 *          mounts /proc and /sys, reads the el.* words from /proc/cmdline,
 *          writes the records to the debug console (port 0xe9, taken with
 *          ioperm between benchmarks only: see flush) and leaves through
 *          isa-debug-exit (port 0xf4), like our guests.
 *   host   any other pid (the host row of a kvm matrix): the el.* words are
 *          its arguments, records go to stdout, exit status 0.
 *
 * Benchmarks are those of include/entrylab/benches.def, each either timed
 * (when Linux runs the same call with the same meaning) or answered with
 * @N and a reason (see bench_setup).  No conformance suite: that is a
 * check of our kernels, not of Linux; one TAP comment says so.
 */
#include "user.h"
#include "fmt.h"
#include "cpuid.h"

#include <stdarg.h>

#define MAX_ITERS (1ull << 20)
#define LR_SIGUSR1 10                 /* Linux's number (asm/signal.h) */
#define LR_SA_RESTORER 0x04000000ul   /* sa_flags: sa_restorer is valid */
#define LR_MAX_VALUE 300              /* longest fact quoted in a @K record */

/* rt_sigaction's struct on x86-64 (the kernel's, not libc's). */
struct lr_sigaction {
	void (*handler)(void);
	unsigned long flags;
	void (*restorer)(void);
	unsigned long mask;
};

/* uname(2)'s struct new_utsname. */
struct lr_utsname {
	char sysname[65], nodename[65], release[65], version[65], machine[65], domain[65];
};

static bool guest;                    /* pid 1: ports, not stdout */
static u64 nrecords;                  /* records sent, @H included */
static char cmdline[1024];            /* the el.* words */
static char pending[1 << 16];         /* records not yet written out */
static size_t npending;

/* ------------------------------------------------------------ records */

/*
 * Records are kept in memory and written out between benchmarks, never
 * during one.  In the guest the port is ours only while we write: a task
 * that holds an I/O bitmap (ioperm) makes Linux update the TSS bitmap on
 * every return to user mode (TIF_IO_BITMAP), which would add that work to
 * every timed syscall.  ioperm(..., 0) of the last port drops the bitmap.
 */
static void flush(void)
{
	const char *p = pending;
	size_t n = npending;

	if (guest && n) {
		if (sys3(SYS_ioperm, EL_DEBUGCON_PORT, 1, 1))
			sys1(SYS_exit_group, 2);	/* nothing can be reported: see guest_setup */
		__asm__ volatile("rep outsb" : "+S"(p), "+c"(n) : "d"((uint16_t)EL_DEBUGCON_PORT)
				 : "memory");
		sys3(SYS_ioperm, EL_DEBUGCON_PORT, 1, 0);
	}
	while (!guest && n > 0) {
		long w = sys3(SYS_write, 1, p, n);
		if (w <= 0)
			break;
		p += w;
		n -= (size_t)w;
	}
	npending = 0;
}

static void out_bytes(const char *p, size_t n)
{
	if (npending + n > sizeof(pending))
		flush();
	memcpy(pending + npending, p, n);
	npending += n;
}

/* user.h's record function: one line, cut to EL_MAX_LINE like bench/. */
void rec(const char *fmt, ...)
{
	char buf[EL_MAX_LINE];
	va_list ap;

	va_start(ap, fmt);
	int n = el_vformat_line(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (buf[0] == '@' && buf[1] != 'E')
		nrecords++;
	out_bytes(buf, (size_t)n);
}

int streq(const char *a, const char *b)
{
	return strlen(a) == strlen(b) && !memcmp(a, b, strlen(a));
}

static __attribute__((noreturn)) void leave(unsigned code)
{
	flush();
	if (guest && sys3(SYS_ioperm, EL_EXIT_PORT, 4, 1) == 0)
		__asm__ volatile("outl %0, %w1" :: "a"(code), "Nd"((uint16_t)EL_EXIT_PORT));
	for (;;)
		sys1(SYS_exit_group, code == EL_EXIT_PASS ? 0 : 1);
}

/* ------------------------------------------------------------ facts */

/* The first n - 1 bytes of path, NUL-terminated, trailing newline and
 * anything unprintable replaced; -1 if unreadable. */
static long read_text(const char *path, char *buf, size_t n)
{
	long fd = sys2(SYS_open, path, 0), len = 0, r;

	if (fd < 0)
		return -1;
	while ((size_t)len + 1 < n && (r = sys3(SYS_read, fd, buf + len, n - 1 - (size_t)len)) > 0)
		len += r;
	sys1(SYS_close, fd);
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		len--;
	buf[len] = 0;
	for (long i = 0; i < len; i++)
		if (buf[i] < 0x20 || buf[i] > 0x7e)
			buf[i] = buf[i] == '\n' ? ' ' : '?';
	return len;
}


/* The running kernel's GNU build-id, from the ELF notes in /sys/kernel/notes,
 * as hex; "unknown" when sysfs or the note is missing. */
static void kernel_build_id(char *out, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	static unsigned char notes[8192];
	long fd = sys2(SYS_open, "/sys/kernel/notes", 0), len = 0, r;

	el_snprintf(out, n, "unknown");
	if (fd < 0)
		return;
	while ((size_t)len < sizeof(notes) && (r = sys3(SYS_read, fd, notes + len, sizeof(notes) - (size_t)len)) > 0)
		len += r;
	sys1(SYS_close, fd);
	for (long off = 0; off + 12 <= len;) {
		u32 namesz, descsz, type;
		memcpy(&namesz, notes + off, 4);
		memcpy(&descsz, notes + off + 4, 4);
		memcpy(&type, notes + off + 8, 4);
		long name = off + 12, desc = name + ((namesz + 3) & ~3u);
		off = desc + ((descsz + 3) & ~3u);
		if (off > len)
			return;
		if (type == 3 && namesz == 4 && !memcmp(notes + name, "GNU", 4) && 2 * descsz < n) {
			for (u32 i = 0; i < descsz; i++) {
				out[2 * i] = hex[notes[desc + i] >> 4];
				out[2 * i + 1] = hex[notes[desc + i] & 15];
			}
			out[2 * descsz] = 0;
			return;
		}
	}
}

/* The value of an el.* word (or of mitigations=), or dflt. */
static const char *arg(const char *key, const char *dflt)
{
	static char value[4][256];
	static unsigned next;
	char *v = value[next++ % 4];

	return el_cmdline_value(cmdline, key, v, sizeof(value[0])) ? v : dflt;
}

static u64 arg_u64(const char *key, u64 dflt)
{
	const char *s = arg(key, NULL);
	u64 v = 0;

	if (!s || !*s)
		return dflt;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return dflt;
		v = v * 10 + (u64)(*s - '0');
	}
	return v;
}

static void send_header(const struct lr_utsname *u)
{
	char cpu[128], build[80], variant[200];
	const char *mode = arg("el.mode", guest ? "tcg-icount" : "host");
	const char *mit = arg("mitigations", NULL);
	bool debian = false;

	for (const char *p = u->version; *p && !debian; p++)
		debian = !memcmp(p, "Debian", 6);
	el_snprintf(variant, sizeof(variant), "%s%s%s%s%s", guest ? "linux-" : "host-",
		    debian ? "debian-" : "", u->release, mit ? ",mitigations=" : "", mit ? mit : "");
	for (char *p = variant; *p; p++)	/* a record value has no spaces */
		if (*p <= ' ' || *p > '~')
			*p = '_';
	el_cpu_header_fields(cpu, sizeof(cpu));
	kernel_build_id(build, sizeof(build));
	rec("@H proto=%d variant=%s short=%s ptregs=linux rsp=linux regs=linux exit=linux "
	    "build=%s %s mode=%s unit=%s\n", EL_PROTO_VERSION, variant,
	    arg("el.short", guest ? "linux" : "host"), build, cpu, mode,
	    guest && !streq(mode, "kvm") ? "instructions" : "tsc");
}

/* uname -v, the command line and every line of the kernel's own
 * vulnerability report, as @K facts for the reader of the console log. */
static void send_facts(const struct lr_utsname *u)
{
	static char dents[4096];
	char path[160], text[LR_MAX_VALUE + 1];
	long fd, n;

	rec("@K linux %s %s\n", u->release, u->version);
	if (guest && read_text("/proc/cmdline", text, sizeof(text)) >= 0)
		rec("@K cmdline %s\n", text);
	fd = sys2(SYS_open, "/sys/devices/system/cpu/vulnerabilities", 0x10000 /* O_DIRECTORY */);
	while (fd >= 0 && (n = sys3(SYS_getdents64, fd, dents, sizeof(dents))) > 0)
		for (long off = 0; off < n;) {
			unsigned short reclen;
			const char *name = dents + off + 19;   /* d_ino, d_off, d_reclen, d_type */
			memcpy(&reclen, dents + off + 16, 2);
			off += reclen;
			if (name[0] == '.')
				continue;
			el_snprintf(path, sizeof(path), "/sys/devices/system/cpu/vulnerabilities/%s", name);
			if (read_text(path, text, sizeof(text)) >= 0)
				rec("@K vulnerability %s: %s\n", name, text);
		}
	if (fd >= 0)
		sys1(SYS_close, fd);
}

/* ------------------------------------------------------------ benchmarks */

/* Loop arguments for a benchmark Linux runs with the same meaning as our
 * kernels, or the reason it does not (an @N word). */
static const char *bench_setup(const char *name, struct loop_args *a)
{
	*a = (struct loop_args){ SYS_getpid, 0, 0, 0 };
	if (streq(name, "getpid"))
		return NULL;
	if (streq(name, "getpid_traced"))	/* Linux traces from another process */
		return "linux_traces_by_ptrace_from_a_second_process";
	if (streq(name, "notify"))
		return "el_notify_is_an_entrylab_syscall";
	if (streq(name, "yield")) {		/* the only runnable task: straight back */
		a->nr = SYS_sched_yield;
		return NULL;
	}
	if (streq(name, "iopl")) {		/* iopl(0) at level 0: succeeds, changes nothing */
		*a = (struct loop_args){ SYS_iopl, 0, 0, 0 };
		return NULL;
	}
	if (streq(name, "signal")) {		/* kill(self), handler, rt_sigreturn */
		struct lr_sigaction sa = { el_sig_handler_ret, LR_SA_RESTORER, el_sig_restorer, 0 };
		*a = (struct loop_args){ SYS_kill, (u64)sys0(SYS_getpid), LR_SIGUSR1, 0 };
		return sys4(SYS_rt_sigaction, LR_SIGUSR1, &sa, 0, sizeof(sa.mask)) ? "setup_failed" : NULL;
	}
	if (streq(name, "clone"))		/* the parent goes on; exited threads pile up */
		return "linux_runs_the_new_thread_later";
	return "unknown_benchmark";
}

static void bench_teardown(void)
{
	struct lr_sigaction dfl = { 0, LR_SA_RESTORER, el_sig_restorer, 0 };

	sys4(SYS_rt_sigaction, LR_SIGUSR1, &dfl, 0, sizeof(dfl.mask));
}

/* Warm up, calibrate the iteration count to the tick budget, then send
 * every sample of the loop and its empty twin: bench/bench.c's method. */
static void run_one(const char *name, u64 samples, u64 budget)
{
	struct loop_args a;
	const char *why = bench_setup(name, &a);
	u64 iters = 1;

	if (why) {
		bench_teardown();
		rec("@N bench=%s reason=%s\n", name, why);
		return;
	}
	el_loop_syscall(&a, iters);			/* warm-up */
	while (iters < MAX_ITERS && el_loop_syscall(&a, iters) < budget)
		iters *= 2;
	el_loop_syscall(&a, iters);			/* warm-up at size */
	el_loop_empty(&a, iters);
	rec("@B bench=%s iters=%lu samples=%lu warmup=2\n", name, iters, samples);
	for (u64 s = 0; s < samples; s++) {
		u64 t = el_loop_syscall(&a, iters);
		u64 e = el_loop_empty(&a, iters);
		rec("@D bench=%s sample=%lu iters=%lu ticks=%lu empty=%lu\n", name, s, iters, t, e);
	}
	bench_teardown();
	flush();
}

static const char *const benches[] = {
#define EL_BENCH(n, f, d) #n,
#include "entrylab/benches.def"
#undef EL_BENCH
};

/* ------------------------------------------------------------ trace */

/* Stop the machine until the host has done what the record names
 * (linuxref/README.md, "Trace"): the record goes out first, then a write
 * to the pvpanic port, which QEMU (-action panic=pause) answers by pausing
 * right after the out instruction; the host acts on its QMP socket and
 * lets the guest go on.  Without a pvpanic device the write is ignored. */
static void pause_host(const char *what)
{
	rec("@K pause %s\n", what);
	flush();
	if (sys3(SYS_ioperm, EL_PAUSE_PORT, 1, 1) == 0) {
		__asm__ volatile("outb %b0, %w1" :: "a"((uint8_t)1), "Nd"((uint16_t)EL_PAUSE_PORT));
		sys3(SYS_ioperm, EL_PAUSE_PORT, 1, 0);   /* no I/O bitmap on the traced path */
	}
}

/* One marker window around one iteration of loop.  Both windows run this
 * same code (the loop is chosen outside it), so that loop window - empty
 * window is exactly the call, as in the matrix. */
static __attribute__((noinline)) void trace_window(u64 (*loop)(const struct loop_args *, u64),
						   const struct loop_args *a)
{
	el_trace_begin();
	loop(a, 1);
	el_trace_end();
}

/* bench/bench.c run_trace's windows: the loop once, its empty twin once,
 * each between el_trace_begin and el_trace_end, with QEMU's exec log on. */
static void trace_bench(const char *name)
{
	struct loop_args a;
	const char *why = bench_setup(name, &a);

	if (why) {
		bench_teardown();
		rec("@N bench=%s reason=%s\n", name, why);
		return;
	}
	el_loop_syscall(&a, 4);			/* warm-up: first-touch work stays out */
	pause_host("trace-on");
	trace_window(el_loop_syscall, &a);
	trace_window(el_loop_empty, &a);
	pause_host("trace-off");
	bench_teardown();
	rec("@K traced bench %s\n", name);
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* One line of /proc/kallsyms, "ffffffff81000000 T _stext": a text symbol
 * goes out as "@K s DELTA NAME" (hex distance from the previous one; the
 * file is in address order).  Lines of modules ("[mod]") are skipped. */
static void kallsyms_line(const char *l, size_t n, u64 *prev, u64 *count, u64 *zero)
{
	u64 addr = 0;
	size_t i = 0;
	char type, name[128];

	while (i < n && is_hex(l[i]))
		addr = addr << 4 | (u64)(l[i] <= '9' ? l[i] - '0' : l[i] - 'a' + 10), i++;
	if (i != 16 || i + 3 >= n || l[i] != ' ' || l[i + 2] != ' ')
		return;
	type = l[i + 1];
	if (type != 't' && type != 'T' && type != 'w' && type != 'W')
		return;
	size_t len = n - (i + 3);
	if (len == 0 || len >= sizeof(name))
		return;
	for (size_t k = i + 3; k < n; k++)
		if (l[k] == ' ' || l[k] == '\t')
			return;		/* "name\t[module]" */
	memcpy(name, l + i + 3, len);
	name[len] = 0;
	if (!addr) {
		(*zero)++;
		return;
	}
	if (!*count)
		rec("@K ksyms base=%lx\n", addr);
	else if (addr < *prev)
		return;			/* not in order: the host could not place it */
	rec("@K s %lx %s\n", addr - (*count ? *prev : addr), name);
	*prev = addr;
	(*count)++;
}

/* The kernel's text symbols for the host's trace, or why there are none
 * (@K ksyms unavailable: ...).  el.kptr_restrict=N first writes N to
 * /proc/sys/kernel/kptr_restrict (2 hides every address even from root). */
static void send_kallsyms(void)
{
	static char buf[1 << 16];
	const char *kr = arg("el.kptr_restrict", NULL);
	u64 prev = 0, count = 0, zero = 0;
	size_t have = 0;
	long fd, r;

	if (kr) {
		fd = sys2(SYS_open, "/proc/sys/kernel/kptr_restrict", 1 /* O_WRONLY */);
		if (fd < 0 || sys3(SYS_write, fd, kr, strlen(kr)) != (long)strlen(kr))
			rec("@K kptr_restrict not set: %ld\n", fd < 0 ? fd : -1L);
		if (fd >= 0)
			sys1(SYS_close, fd);
	}
	fd = sys2(SYS_open, "/proc/kallsyms", 0);
	if (fd < 0) {
		rec("@K ksyms unavailable: cannot open /proc/kallsyms (errno %ld)\n", -fd);
		return;
	}
	while ((r = sys3(SYS_read, fd, buf + have, sizeof(buf) - have)) > 0) {
		size_t end = have + (size_t)r, start = 0;
		for (size_t i = 0; i < end; i++)
			if (buf[i] == '\n') {
				kallsyms_line(buf + start, i - start, &prev, &count, &zero);
				start = i + 1;
			}
		have = end - start;
		for (size_t k = 0; k < have; k++)
			buf[k] = buf[start + k];
		if (have == sizeof(buf))
			have = 0;		/* a line longer than the buffer: drop it */
	}
	sys1(SYS_close, fd);
	if (count)
		rec("@K ksyms count=%lu\n", count);
	else if (zero)
		rec("@K ksyms unavailable: every address reads 0 (kptr_restrict=%s)\n", kr ? kr : "as booted");
	else
		rec("@K ksyms unavailable: no text symbol in /proc/kallsyms\n");
}

/* ------------------------------------------------------------ set-up */

/* Guest: /proc and /sys, and the command line.  The ports come later, for
 * each write (flush).  Without them nothing can be reported: exiting makes
 * the kernel panic, and panic=-1 ends QEMU, which the harness reports as a
 * guest reset. */
static void guest_setup(void)
{
	sys2(SYS_mkdir, "/proc", 0555);
	sys2(SYS_mkdir, "/sys", 0555);
	sys6(SYS_mount, (long)"proc", (long)"/proc", (long)"proc", 0, 0, 0);
	sys6(SYS_mount, (long)"sysfs", (long)"/sys", (long)"sysfs", 0, 0, 0);
	if (read_text("/proc/cmdline", cmdline, sizeof(cmdline)) < 0)
		cmdline[0] = 0;
}

/* Host: the arguments are the command line. */
static void host_setup(int argc, char **argv)
{
	size_t used = 0;

	for (int i = 1; i < argc; i++) {
		size_t n = strlen(argv[i]);
		if (used + n + 2 > sizeof(cmdline))
			break;
		if (used)
			cmdline[used++] = ' ';
		memcpy(cmdline + used, argv[i], n);
		used += n;
	}
	cmdline[used] = 0;
}

int lr_main(int argc, char **argv)
{
	struct lr_utsname u;
	char which[256];

	guest = sys0(SYS_getpid) == 1;
	if (guest)
		guest_setup();
	else
		host_setup(argc, argv);
	memset(&u, 0, sizeof(u));
	sys1(SYS_uname, &u);
	send_header(&u);
	send_facts(&u);
	rec("@T # no conformance suite: Linux is a reference, not an entrylab variant\n");
	flush();
	el_snprintf(which, sizeof(which), "%s", arg("el.bench", ""));
	u64 samples = arg_u64("el.samples", EL_DEFAULT_SAMPLES), budget = arg_u64("el.budget", 50000);
	bool trace = guest && streq(arg("el.run", ""), "trace");
	for (size_t i = 0; i < sizeof(benches) / sizeof(benches[0]); i++)
		if (!which[0] || el_csv_has(which, benches[i])) {
			if (trace)
				trace_bench(benches[i]);
			else
				run_one(benches[i], samples, budget);
		}
	if (!trace && guest && arg("el.trace", NULL)) {	/* after the benchmarks: one traced call */
		char traced[64];
		el_snprintf(traced, sizeof(traced), "%s", arg("el.trace", ""));
		trace_bench(traced);
		trace = true;
	}
	if (trace)
		send_kallsyms();
	rec("@E records=%lu status=pass\n", nrecords);
	leave(EL_EXIT_PASS);
}
