/* Unit tests for the image reader (harness/image/symbols.c), the exec-log parser
 * and path finder (harness/image/trace.c) and the fast-path length
 * (harness/image/pathlen.c).  They read the real images in build/kernels (each
 * test skips, saying so, when an image is not built: run 'make' first) and
 * boot pcsa once under QEMU for a real exec log (skipped without QEMU). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <elf.h>

#include "entrylab/proto.h"
#include "core/exitcodes.h"
#include "image/pathlen.h"
#include "boot/qemu.h"
#include "image/symbols.h"
#include "image/trace.h"

#define KDIR "build/kernels/"

static bool have(const char *path)
{
	if (access(path, R_OK) == 0)
		return true;
	fprintf(stderr, "SKIP: %s not built: run 'make' (make test builds the kernels)\n", path);
	return false;
}

static void load(struct el_image *im, const char *path, bool disasm)
{
	char err[1024] = "";
	int rc = el_image_load(im, path, disasm, err, sizeof(err));

	if (rc)
		fprintf(stderr, "load %s: %s\n", path, err);
	assert_int_equal(rc, 0);
}

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* ------------------------------------------------------------ ELF reader */

/* Every defined symbol nm lists is found at the same address, and no more. */
static void test_symbols_match_nm(void **state)
{
	struct el_image im;
	char line[512], name[400], type;
	unsigned long long addr;
	size_t n = 0;
	FILE *p;

	(void)state;
	if (!have(KDIR "pcsa.elf"))
		skip();
	load(&im, KDIR "pcsa.elf", false);
	p = popen("nm --defined-only " KDIR "pcsa.elf", "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p)) {
		bool found = false;
		assert_int_equal(sscanf(line, "%llx %c %399s", &addr, &type, name), 3);
		for (size_t i = 0; i < im.nsym && !found; i++)
			found = im.sym[i].addr == addr && !strcmp(im.sym[i].name, name);
		if (!found)
			fprintf(stderr, "nm has %s at %llx, the reader does not\n", name, addr);
		assert_true(found);
		n++;
	}
	assert_int_equal(pclose(p), 0);
	assert_true(n > 100);
	assert_int_equal(im.nsym, n);
	assert_int_equal(im.user_start, EL_USER_BASE);
	el_image_free(&im);
}

static void expect_reject(const unsigned char *buf, size_t len)
{
	struct el_image im;
	char err[256] = "";

	memset(&im, 0, sizeof(im));
	assert_int_equal(el_elf_symbols(&im, buf, len, err, sizeof(err)), -1);
	assert_true(err[0] != '\0');
	assert_int_equal(im.nsym, 0);
}

/* Truncations and targeted corruptions are refused; random corruption of
 * the headers never crashes (this binary runs under ASan and UBSan). */
static void test_elf_malformed(void **state)
{
	static const size_t cuts[] = { 0, 1, 4, 63, 64, 4096 };
	size_t len, shoff;
	unsigned char *img, *buf;
	Elf64_Ehdr *eh;

	(void)state;
	if (!have(KDIR "pcsa.elf"))
		skip();
	img = slurp(KDIR "pcsa.elf", &len);
	buf = malloc(len);
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++)
		expect_reject(img, cuts[i]);
	expect_reject(img, len - 1);             /* section headers end the file */
	eh = (Elf64_Ehdr *)buf;
	memcpy(buf, img, len);
	eh->e_shoff = (uint64_t)len;
	expect_reject(buf, len);
	memcpy(buf, img, len);
	eh->e_shentsize = 32;
	expect_reject(buf, len);
	memcpy(buf, img, len);
	eh->e_ident[EI_CLASS] = ELFCLASS32;
	expect_reject(buf, len);
	for (uint16_t s = 0; s < ((Elf64_Ehdr *)img)->e_shnum; s++) {
		memcpy(buf, img, len);
		Elf64_Shdr *sh = (Elf64_Shdr *)(buf + eh->e_shoff) + s;
		if (sh->sh_type != SHT_SYMTAB)
			continue;
		sh->sh_link = 0xffff;
		expect_reject(buf, len);
		memcpy(buf, img, len);
		sh->sh_size = (uint64_t)-8;
		expect_reject(buf, len);
		memcpy(buf, img, len);
		for (Elf64_Sym *sym = (Elf64_Sym *)(buf + sh->sh_offset) + 1;; sym++)
			if (ELF64_ST_TYPE(sym->st_info) == STT_FUNC) {
				sym->st_name = 0x7fffffff;   /* a name the reader must read */
				break;
			}
		expect_reject(buf, len);
	}
	memcpy(buf, img, len);
	shoff = ((Elf64_Ehdr *)img)->e_shoff;   /* buf's own header gets mutated */
	srand(7);
	for (int round = 0; round < 3000; round++) {
		struct el_image im;
		char err[256];
		size_t where[4];

		for (int k = 0; k < 4; k++) {
			where[k] = rand() % 2 ? (size_t)rand() % sizeof(Elf64_Ehdr) :
				   shoff + (size_t)rand() % (len - shoff);
			buf[where[k]] = (unsigned char)rand();
		}
		memset(&im, 0, sizeof(im));
		if (el_elf_symbols(&im, buf, len, err, sizeof(err)) == 0)
			el_image_free(&im);
		for (int k = 0; k < 4; k++)
			buf[where[k]] = img[where[k]];
	}
	free(buf);
	free(img);
}

/* ------------------------------------------------------------ lookups */

static void test_lookup_and_rings(void **state)
{
	struct el_image im;
	const struct el_sym *entry, *ret;
	char s[128], want[128];

	(void)state;
	if (!have(KDIR "pcsa.elf"))
		skip();
	load(&im, KDIR "pcsa.elf", false);
	entry = el_sym_find(&im, "entry_SYSCALL_64");
	ret = el_sym_find(&im, "syscall_sysret_insn");
	assert_non_null(entry);
	assert_non_null(ret);
	assert_true(ret->addr > entry->addr && ret->addr < entry->addr + entry->size);
	assert_ptr_equal(el_sym_lookup(&im, entry->addr), entry);
	assert_ptr_equal(el_sym_lookup(&im, entry->addr + 3), entry);
	assert_string_equal(el_sym_format(&im, entry->addr + 3, s, sizeof(s)), "entry_SYSCALL_64+0x3");
	assert_string_equal(el_sym_format(&im, ret->addr, s, sizeof(s)), "syscall_sysret_insn+0x0");
	snprintf(want, sizeof(want), "syscall_sysret_insn+0x%llx",
		 (unsigned long long)(entry->addr + entry->size - 1 - ret->addr));
	assert_string_equal(el_sym_format(&im, entry->addr + entry->size - 1, s, sizeof(s)), want);
	assert_null(el_sym_lookup(&im, 0x50));
	assert_string_equal(el_sym_format(&im, 0x50, s, sizeof(s)), "0x50");
	assert_true(el_sym_lookup(&im, EL_USER_BASE)->code);
	assert_ptr_equal(el_sym_at(&im, entry->addr), entry);
	assert_null(el_sym_at(&im, entry->addr + 1));
	assert_int_equal(el_image_ring(&im, entry->addr), EL_RING0);
	assert_int_equal(el_image_ring(&im, EL_USER_BASE), EL_RING3);
	assert_int_equal(el_image_ring(&im, im.user_end - 1), EL_RING3);
	assert_int_equal(el_image_ring(&im, im.user_end), EL_RING_UNKNOWN);
	assert_int_equal(el_image_ring(&im, 0x1000), EL_RING_UNKNOWN);
	el_image_free(&im);
}

/* A made-up fragment in objdump's layout: labels and blank lines keep a
 * run of instructions, a section header or "..." ends it. */
static void test_disasm_parse(void **state)
{
	static const char text[] =
		"\nimg.elf:     file format elf64-x86-64\n\n\nDisassembly of section .text:\n\n"
		"0000000000100000 <a>:\n  100000:\tswapgs \n  100003:\tmov    %rsp,%gs:0x10\n"
		"\n000000000010000c <b>:\n  10000c:\tret    \n\t...\n"
		"  100020:\tnop\n\nDisassembly of section .user.text:\n\n"
		"0000000000400000 <u>:\n  400000:\tsyscall \n  400002:\t(bad)\n"
		"junk line\n  zz:\tnot an address\n  400003:";
	struct el_image im;

	(void)state;
	memset(&im, 0, sizeof(im));
	assert_int_equal(el_disasm_parse(&im, text, strlen(text)), 6);
	assert_string_equal(im.insn[0].text, "swapgs");
	assert_int_equal(im.insn[0].len, 3);
	assert_string_equal(im.insn[1].text, "mov %rsp,%gs:0x10");
	assert_int_equal(im.insn[1].len, 9);
	assert_int_equal(im.insn[2].len, 0);      /* "..." follows */
	assert_int_equal(im.insn[3].len, 0);      /* section ends */
	assert_int_equal(im.insn[4].len, 2);
	assert_int_equal(im.insn[5].len, 0);
	assert_string_equal(el_insn_at(&im, 0x400000)->text, "syscall");
	assert_null(el_insn_at(&im, 0x400001));
	assert_int_equal(el_insn_index(&im, 0x100004), 2);
	assert_int_equal(el_disasm_parse(&im, "", 0), 0);
	el_image_free(&im);
}

/* ------------------------------------------------------------ pathlen */

static bool measure(const char *name, struct el_pathlen *p)
{
	char path[256], err[1024] = "";
	struct el_image im;
	int rc;

	snprintf(path, sizeof(path), KDIR "%s.elf", name);
	if (!have(path))
		return false;
	load(&im, path, true);
	rc = el_pathlen_image(&im, !strcmp(name, "floor"), p, err, sizeof(err));
	if (rc)
		fprintf(stderr, "%s\n", err);
	assert_int_equal(rc, 0);
	el_image_free(&im);
	return true;
}

/* The differences follow kernels/entry_variant.h:
 *   ptregs=full: PUSH_EXTRA_REGS and POP_EXTRA_REGS are 6 pushes (rbx, rbp:
 *     1 byte; r12-r15: 2 bytes) and 6 pops instead of one 4-byte subq and
 *     one 4-byte addq: +10 instructions, +2 * (10 - 4) = +12 bytes.
 *   rsp=stored: PUSH_TOP_OF_STACK is 5 pushes instead of subq + push (+3),
 *     PUSH_RCX_SLOT one push instead of one subq (+0), SYSRET_LOAD_TOP 3
 *     movs instead of 2 (+1): +4 instructions.
 *   regs and exit: off the fast path, which must stay byte-identical. */
static void test_pathlen_axes(void **state)
{
	struct el_pathlen pcsa, fcsa, pssa, pcaa, pcsc, flo;
	int insns = 0, bytes = 0;
	char err[1024];

	(void)state;
	if (!measure("pcsa", &pcsa) || !measure("fcsa", &fcsa) || !measure("pssa", &pssa) ||
	    !measure("pcaa", &pcaa) || !measure("pcsc", &pcsc) || !measure("floor", &flo))
		skip();
	assert_int_equal(fcsa.insns - pcsa.insns, 10);
	assert_int_equal(fcsa.bytes - pcsa.bytes, 12);
	assert_int_equal(pssa.insns - pcsa.insns, 4);
	assert_int_equal(pcaa.insns, pcsa.insns);
	assert_int_equal(pcaa.bytes, pcsa.bytes);
	assert_int_equal(pcsc.insns, pcsa.insns);
	assert_int_equal(pcsc.bytes, pcsa.bytes);
	assert_true(flo.insns > 5 && flo.insns < pcsa.insns);
	assert_int_equal(pcsa.jcc, 3);    /* tracing, nr bound, exit work */
	assert_int_equal(flo.jcc, 1);     /* nr bound */
	assert_int_equal(pathlen_measure(KDIR "pcsa.elf", "pcsa", &insns, &bytes, err,
					 sizeof(err)), EL_EX_OK);
	assert_int_equal(insns, pcsa.insns);
	assert_int_equal(bytes, pcsa.bytes);
	assert_int_equal(pathlen_measure(KDIR "nosuch.elf", "nosuch", &insns, &bytes, err,
					 sizeof(err)), EL_EX_USAGE);
	assert_non_null(strstr(err, "nosuch.elf"));
	/* pcsa has no floor entry (the floor image links both entries) */
	assert_int_equal(pathlen_measure(KDIR "pcsa.elf", "floor", &insns, &bytes, err,
					 sizeof(err)), EL_EX_USAGE);
}

/* The table call reads a different address in each image; the alignment
 * key names the table instead, so the two compare equal. */
static void test_align_key(void **state)
{
	struct el_image a, b;
	char ka[512], kb[512];
	size_t ia, ib;

	(void)state;
	if (!have(KDIR "pcsa.elf") || !have(KDIR "fcsa.elf"))
		skip();
	load(&a, KDIR "pcsa.elf", true);
	load(&b, KDIR "fcsa.elf", true);
	ia = el_insn_index(&a, el_sym_find(&a, "entry_SYSCALL_64")->addr);
	ib = el_insn_index(&b, el_sym_find(&b, "entry_SYSCALL_64")->addr);
	while (strncmp(a.insn[ia].text, "call", 4))
		ia++;
	while (strncmp(b.insn[ib].text, "call", 4))
		ib++;
	el_image_insn_key(&a, a.insn[ia].addr, ka, sizeof(ka));
	el_image_insn_key(&b, b.insn[ib].addr, kb, sizeof(kb));
	assert_string_equal(ka, kb);
	assert_non_null(strstr(ka, "sys_call_table"));
	el_image_free(&a);
	el_image_free(&b);
}

/* ------------------------------------------------------------ log lines */

static void test_log_line(void **state)
{
	uint64_t pc = 0;

	(void)state;
	assert_int_equal(el_log_line("Trace 0: 0x7f9a340c4ec0 [0000000000000000/0000000000400ec0/"
				     "0040c2b3/ff020201] ", &pc), EL_LOG_EXEC);
	assert_int_equal(pc, 0x400ec0);
	assert_int_equal(el_log_line("Trace 0: 0x7f0 [00000000ffff0000/00000000fffffff0/00000040/"
				     "ff020201] sym", &pc), EL_LOG_EXEC);
	assert_int_equal(pc, 0xfffffff0);
	assert_int_equal(el_log_line("Stopped execution of TB chain before 0x7f9a340c4ec0 "
				     "[00000000001025c0] ", &pc), EL_LOG_STOPPED);
	assert_int_equal(pc, 0x1025c0);
	assert_int_equal(el_log_line("Trace 0: 0x7f0 [0000/", &pc), EL_LOG_BAD);
	assert_int_equal(el_log_line("Trace 0: 0x7f0 [0000/zz/", &pc), EL_LOG_BAD);
	assert_int_equal(el_log_line("Trace 0: 0x7f0 [0/11112222333344445/0/0]", &pc), EL_LOG_BAD);
	assert_int_equal(el_log_line("Trace 0: no bracket", &pc), EL_LOG_BAD);
	assert_int_equal(el_log_line("Stopped execution of TB chain before 0x1 [12", &pc), EL_LOG_BAD);
	assert_int_equal(el_log_line("", &pc), EL_LOG_OTHER);
	assert_int_equal(el_log_line("IN: ", &pc), EL_LOG_OTHER);
}

static void feed_lines(struct el_trace_log *t, char **lines, size_t n)
{
	for (size_t i = 0; i < n; i++)
		el_trace_log_feed(t, lines[i]);
}

static char exec_line[128], stop_line[128];

static const char *exec_at(uint64_t pc)
{
	snprintf(exec_line, sizeof(exec_line), "Trace 0: 0x7f0000 [0000000000000000/%016llx/"
		 "0040c2b3/ff020201] ", (unsigned long long)pc);
	return exec_line;
}

static const char *stopped_at(uint64_t pc)
{
	snprintf(stop_line, sizeof(stop_line), "Stopped execution of TB chain before 0x7f0000 "
		 "[%016llx] ", (unsigned long long)pc);
	return stop_line;
}

/* Windows from synthetic lines: a block entered and not run ("Stopped")
 * is taken back, also when it was the end marker. */
static void test_windows_synthetic(void **state)
{
	struct el_trace_log t;
	const uint64_t B = 0x400ec0, E = 0x400ed0;

	(void)state;
	el_trace_log_init(&t, B, E);
	el_trace_log_feed(&t, exec_at(0x1000));
	el_trace_log_feed(&t, exec_at(B));
	el_trace_log_feed(&t, exec_at(0x400001));
	el_trace_log_feed(&t, stopped_at(0x400001));   /* not run ... */
	el_trace_log_feed(&t, exec_at(0x400001));      /* ... run now */
	el_trace_log_feed(&t, "Trace 0: garbage");
	el_trace_log_feed(&t, exec_at(E));
	el_trace_log_feed(&t, stopped_at(E));          /* end marker not run yet */
	el_trace_log_feed(&t, exec_at(E));
	assert_int_equal(t.nwin, 1);
	assert_int_equal(t.n[0], 2);
	assert_int_equal(t.bad_lines, 1);
	el_trace_log_feed(&t, exec_at(B));
	el_trace_log_feed(&t, stopped_at(B));          /* window 2 not opened */
	assert_false(t.open);
	el_trace_log_feed(&t, exec_at(B));
	el_trace_log_feed(&t, exec_at(E));
	el_trace_log_feed(&t, exec_at(B));             /* a third window is ignored */
	el_trace_log_feed(&t, exec_at(0x400002));
	assert_int_equal(t.nwin, 2);
	assert_int_equal(t.n[1], 1);
	assert_int_equal(t.stopped_lines, 3);
	el_trace_log_free(&t);
}

/* ------------------------------------------------------------ a real run */

static void sink(void *ctx, const char *data, size_t len)
{
	el_buf_append(ctx, data, len);
}

static int boot(char **argv, struct el_buf *out)
{
	struct el_qemu_limits lim = { 60000, 1 << 20 };
	struct el_qemu_result q;
	int code;

	el_qemu_run(argv, &lim, sink, out, &q);
	code = q.end == EL_QEMU_EXITED ? q.code : -1;
	el_qemu_result_free(&q);
	return code;
}

/* The matrix figure of getpid from a normal benchmark boot: (ticks - empty)
 * / iters of its one sample; -1 when QEMU is missing. */
static long long matrix_getpid(const char *image)
{
	struct el_qemu_config c = { .image = image, .name = "pcsa", .mode = EL_MODE_TCG_ICOUNT,
		.cmdline = "el.mode=tcg-icount el.run=bench el.bench=getpid el.samples=1" };
	unsigned long long iters, ticks, empty;
	struct el_buf out = { 0 };
	struct el_argv a;
	const char *d;
	int code;

	el_qemu_argv(&c, &a);
	code = boot(a.v, &out);
	el_argv_free(&a);
	d = out.data ? strstr(out.data, "@D bench=getpid sample=0 ") : NULL;
	if (code != EL_QEMU_STATUS(EL_EXIT_PASS) || !d ||
	    sscanf(d, "@D bench=getpid sample=0 iters=%llu ticks=%llu empty=%llu", &iters, &ticks,
		   &empty) != 3 || !iters) {
		el_buf_free(&out);
		return -1;
	}
	el_buf_free(&out);
	assert_int_equal((ticks - empty) % iters, 0);   /* exact: every iteration the same */
	return (long long)((ticks - empty) / iters);
}

static char **read_lines(const char *path, size_t *n)
{
	char **lines = NULL, *line = NULL;
	size_t cap = 0, nlines_cap = 0;
	ssize_t len;
	FILE *f = fopen(path, "r");

	assert_non_null(f);
	*n = 0;
	while ((len = getline(&line, &cap, f)) > 0) {
		line[len - 1] = line[len - 1] == '\n' ? '\0' : line[len - 1];
		if (*n == nlines_cap) {
			nlines_cap = nlines_cap ? nlines_cap * 2 : 4096;
			lines = realloc(lines, nlines_cap * sizeof(*lines));
			assert_non_null(lines);
		}
		lines[(*n)++] = strdup(line);
	}
	free(line);
	fclose(f);
	return lines;
}

/* The fragment of the log from the first begin marker to the second end
 * marker, as QEMU wrote it. */
static void fragment(char **lines, size_t n, uint64_t b, uint64_t e, size_t *from, size_t *to)
{
	int seen_end = 0;
	uint64_t pc;

	*from = *to = n;
	for (size_t i = 0; i < n; i++) {
		if (el_log_line(lines[i], &pc) != EL_LOG_EXEC)
			continue;
		if (pc == b && *from == n)
			*from = i;
		if (pc == e && ++seen_end == 2) {
			*to = i + 1;
			break;
		}
	}
	assert_true(*from < *to && *to <= n);
}

/* Boot pcsa with el.run=trace; check the windows, the path and that the
 * loop window minus the empty window is the matrix figure of a normal run;
 * then re-parse a fragment of that log, intact and damaged. */
static void check_fragment(char **lines, size_t from, size_t to, const struct el_trace_log *whole)
{
	struct el_trace_log t;

	el_trace_log_init(&t, whole->begin, whole->end);
	feed_lines(&t, lines + from, to - from);
	assert_int_equal(t.nwin, 2);
	assert_int_equal(t.n[0], whole->n[0]);
	assert_int_equal(t.n[1], whole->n[1]);
	assert_memory_equal(t.pc[0], whole->pc[0], t.n[0] * sizeof(uint64_t));
	el_trace_log_free(&t);
	el_trace_log_init(&t, whole->begin, whole->end);
	feed_lines(&t, lines + from, to - from - 1);    /* cut before the last end marker */
	assert_int_equal(t.nwin, 1);
	assert_true(t.open);
	el_trace_log_free(&t);
}

static void test_real_trace(void **state)
{
	char logpath[] = "/tmp/entrylab-test-trace-XXXXXX", err[512] = "";
	struct el_image im;
	struct el_trace_log t;
	struct el_path p;
	struct el_pathlen pl;
	struct el_buf out = { 0 };
	struct el_argv a;
	size_t n, from, to, fast = 0;
	char **lines;
	long long matrix;
	int fd;
	FILE *f;

	(void)state;
	if (!have(KDIR "pcsa.elf"))
		skip();
	matrix = matrix_getpid(KDIR "pcsa.elf");
	if (matrix < 0) {
		fprintf(stderr, "SKIP: cannot boot pcsa under " EL_QEMU_DEFAULT "\n");
		skip();
	}
	load(&im, KDIR "pcsa.elf", true);
	fd = mkstemp(logpath);
	assert_true(fd >= 0);
	close(fd);
	el_trace_qemu_argv(NULL, KDIR "pcsa.elf", "pcsa", "getpid", logpath, false, true, &a);
	assert_int_equal(boot(a.v, &out), EL_QEMU_STATUS(EL_EXIT_PASS));
	el_argv_free(&a);
	el_buf_free(&out);
	el_trace_log_init(&t, el_sym_find(&im, "el_trace_begin")->addr,
			  el_sym_find(&im, "el_trace_end")->addr);
	f = fopen(logpath, "r");
	assert_int_equal(el_trace_log_read(&t, f), 0);
	fclose(f);
	assert_int_equal(t.nwin, 2);
	assert_int_equal(t.bad_lines, 0);
	assert_int_equal((long long)t.n[0] - (long long)t.n[1], matrix);
	assert_int_equal(el_trace_find_path(&im, t.pc[0], t.n[0], &p, err, sizeof(err)), 0);
	assert_int_equal((long long)p.len, matrix);
	assert_string_equal(el_insn_at(&im, p.syscall_pc)->text, "syscall");
	assert_int_equal(el_image_ring(&im, t.pc[0][p.start + 1]), EL_RING0);
	/* static vs dynamic: getpid runs each fast-path instruction once */
	assert_int_equal(el_pathlen_image(&im, false, &pl, err, sizeof(err)), 0);
	for (size_t i = p.start; i < p.start + p.len; i++)
		fast += t.pc[0][i] >= pl.entry && t.pc[0][i] <= pl.sysret;
	assert_int_equal(fast, (size_t)pl.insns);
	/* the empty window holds no syscall */
	assert_int_equal(el_trace_find_path(&im, t.pc[1], t.n[1], &p, err, sizeof(err)), -1);

	lines = read_lines(logpath, &n);
	unlink(logpath);
	fragment(lines, n, t.begin, t.end, &from, &to);
	check_fragment(lines, from, to, &t);
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
	el_trace_log_free(&t);
	el_image_free(&im);
}

static void test_qemu_argv(void **state)
{
	struct el_argv a;
	bool singlestep = false, exec = false, logfile = false, append = false, accel = false;
	bool sandbox = false;

	(void)state;
	el_trace_qemu_argv(NULL, "img.elf", "pcsa", "iopl", "/tmp/x.log", false, true, &a);
	for (size_t i = 0; i + 1 < a.n; i++) {
		sandbox |= !strcmp(a.v[i], "-sandbox");
		singlestep |= !strcmp(a.v[i], "-singlestep");
		exec |= !strcmp(a.v[i], "-d") && !strcmp(a.v[i + 1], "exec,nochain");
		logfile |= !strcmp(a.v[i], "-D") && !strcmp(a.v[i + 1], "/tmp/x.log");
		append |= !strcmp(a.v[i], "-append") && strstr(a.v[i + 1], "el.run=trace el.bench=iopl");
		accel |= !strcmp(a.v[i], "-icount") && !strcmp(a.v[i + 1], "shift=0");
	}
	assert_true(singlestep && exec && logfile && append && accel && sandbox);
	assert_null(a.v[a.n]);
	el_argv_free(&a);
	el_trace_qemu_argv(NULL, "img.elf", "pcsa", "iopl", "/tmp/x.log", true, false, &a);
	singlestep = accel = sandbox = false;
	for (size_t i = 0; i + 1 < a.n; i++) {
		sandbox |= !strcmp(a.v[i], "-sandbox");
		singlestep |= !strcmp(a.v[i], "-singlestep");
		accel |= !strcmp(a.v[i], "-accel") && !strcmp(a.v[i + 1], "tcg,one-insn-per-tb=on");
	}
	assert_true(accel && !singlestep && !sandbox);
	el_argv_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_symbols_match_nm),
		cmocka_unit_test(test_elf_malformed),
		cmocka_unit_test(test_lookup_and_rings),
		cmocka_unit_test(test_disasm_parse),
		cmocka_unit_test(test_pathlen_axes),
		cmocka_unit_test(test_align_key),
		cmocka_unit_test(test_log_line),
		cmocka_unit_test(test_windows_synthetic),
		cmocka_unit_test(test_real_trace),
		cmocka_unit_test(test_qemu_argv),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
