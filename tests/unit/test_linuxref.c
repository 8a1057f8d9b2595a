/*
 * test_linuxref — the host side of the Linux reference rows without a
 * Linux boot (tests/integration/linuxref.sh boots one): the perf bench
 * parser on perf 6.1's real output, the initramfs byte for byte, ELF note
 * reading, unpacking a bzImage-shaped file with the real xz and gzip, the
 * QEMU arguments and kernel command lines of the rows, and the matrix
 * arguments of a row.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>

#include "linuxref/linuxref.h"
#include "matrix/linuxref_matrix.h"
#include "core/util.h"

static char dir[] = "/tmp/entrylab-test-linuxref-XXXXXX";
static char err[2048];

static void path_of(char *dst, size_t n, const char *name)
{
	snprintf(dst, n, "%s/%s", dir, name);
}

static void write_file(const char *name, const void *data, size_t len)
{
	char p[256];

	path_of(p, sizeof(p), name);
	assert_int_equal(el_write_atomic(p, data, len), 0);
}

static unsigned char *read_file(const char *name, size_t *len)
{
	char p[256];
	FILE *f;
	unsigned char *d = malloc(1 << 20);

	path_of(p, sizeof(p), name);
	assert_non_null(f = fopen(p, "rb"));
	*len = fread(d, 1, 1 << 20, f);
	fclose(f);
	return d;
}

/* ------------------------------------------------------------ perf bench */

/* `perf bench syscall basic` of linux-perf 6.1, as printed on this lab. */
static const char perf_out[] =
	"# Running 'syscall/basic' benchmark:\n"
	"# Executed 10000000 getppid() calls\n"
	"     Total time: 2.043 [sec]\n"
	"\n"
	"       0.204371 usecs/op\n"
	"        4893074 ops/sec\n";

static void perf_parses_real_output(void **state)
{
	struct lr_perf p;

	(void)state;
	assert_int_equal(lr_perf_parse(perf_out, &p), 0);
	assert_int_equal(p.calls, 10000000);
	assert_string_equal(p.syscall, "getppid");
	assert_true(fabs(p.usecs_per_op - 0.204371) < 1e-9);
	assert_true(fabs(p.ops_per_sec - 4893074) < 1e-6);
	assert_true(fabs(p.ns_per_call - 1e9 / 4893074) < 1e-6);
}

static void perf_refuses_output_without_rate(void **state)
{
	struct lr_perf p;

	(void)state;
	assert_int_equal(lr_perf_parse("# Running 'syscall/basic' benchmark:\n", &p), -1);
	assert_int_equal(lr_perf_parse("   0 ops/sec\n", &p), -1);
	assert_int_equal(lr_perf_parse("   x ops/sec\n", &p), -1);
	assert_int_equal(lr_perf_parse("", &p), -1);
	assert_true(isnan(p.ns_per_call));
}

/* ------------------------------------------------------------ initramfs */

struct entry {
	char name[64];
	unsigned mode, rmaj, rmin;
	size_t size, data;     /* data: offset in the archive */
};

static unsigned hex8(const unsigned char *p)
{
	char b[9];

	memcpy(b, p, 8);
	b[8] = 0;
	return (unsigned)strtoul(b, NULL, 16);
}

/* Walk a newc archive strictly; returns the number of entries. */
static int parse_newc(const unsigned char *a, size_t len, struct entry *e, int max)
{
	size_t off = 0;
	int n = 0;

	while (n < max) {
		assert_true(off + 110 <= len);
		assert_memory_equal(a + off, "070701", 6);
		unsigned namesz = hex8(a + off + 94);
		e[n].mode = hex8(a + off + 14);
		e[n].size = hex8(a + off + 54);
		e[n].rmaj = hex8(a + off + 78);
		e[n].rmin = hex8(a + off + 86);
		assert_true(namesz > 1 && namesz < sizeof(e[n].name));
		memcpy(e[n].name, a + off + 110, namesz);
		assert_int_equal(e[n].name[namesz - 1], 0);
		off = (off + 110 + namesz + 3) & ~(size_t)3;
		e[n].data = off;
		off = (off + e[n].size + 3) & ~(size_t)3;
		assert_true(off <= len);
		if (!strcmp(e[n++].name, "TRAILER!!!"))
			break;
	}
	assert_int_equal(off, len);
	return n;
}

static void initramfs_is_newc_and_reproducible(void **state)
{
	static const unsigned char init[] = "\177ELF pretend program bytes";
	char in[256], out[256];
	struct entry e[8];
	size_t len, len2;

	(void)state;
	write_file("init", init, sizeof(init));
	path_of(in, sizeof(in), "init");
	path_of(out, sizeof(out), "a.cpio");
	assert_int_equal(lr_initramfs(in, out, err, sizeof(err)), 0);
	unsigned char *a = read_file("a.cpio", &len);
	assert_int_equal(parse_newc(a, len, e, 8), 6);
	assert_string_equal(e[0].name, "dev");
	assert_int_equal(e[0].mode, 0040755);
	assert_string_equal(e[1].name, "dev/console");
	assert_int_equal(e[1].mode, 0020600);
	assert_int_equal(e[1].rmaj, 5);
	assert_int_equal(e[1].rmin, 1);
	assert_string_equal(e[2].name, "proc");
	assert_string_equal(e[3].name, "sys");
	assert_string_equal(e[4].name, "init");
	assert_int_equal(e[4].mode, 0100755);
	assert_int_equal(e[4].size, sizeof(init));
	assert_memory_equal(a + e[4].data, init, sizeof(init));

	path_of(out, sizeof(out), "b.cpio");
	assert_int_equal(lr_initramfs(in, out, err, sizeof(err)), 0);
	unsigned char *b = read_file("b.cpio", &len2);
	assert_int_equal(len, len2);
	assert_memory_equal(a, b, len);
	free(a);
	free(b);
}

static void initramfs_refuses_a_non_elf_init(void **state)
{
	char in[256], out[256];

	(void)state;
	write_file("script", "#!/bin/sh\n", 10);
	path_of(in, sizeof(in), "script");
	path_of(out, sizeof(out), "c.cpio");
	assert_int_equal(lr_initramfs(in, out, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not an ELF file"));
	assert_int_equal(access(out, F_OK), -1);
}

/* ------------------------------------------------------------ ELF notes, unpack */

static size_t put_note(unsigned char *p, const char *name, unsigned type, const void *desc,
		       unsigned descsz)
{
	unsigned namesz = (unsigned)strlen(name) + 1;
	size_t off = 12;

	memcpy(p, &namesz, 4);
	memcpy(p + 4, &descsz, 4);
	memcpy(p + 8, &type, 4);
	memcpy(p + off, name, namesz);
	off += (namesz + 3) & ~3u;
	memcpy(p + off, desc, descsz);
	return off + ((descsz + 3) & ~3u);
}

/* A minimal ELF64 file: header, one PT_NOTE program header, the notes. */
static size_t make_elf(unsigned char *f, int pvh)
{
	static const unsigned char id[4] = { 0xde, 0xad, 0xbe, 0xef };
	uint64_t entry = 0x1000000, phoff = 64, noff = 120, nsize;
	uint16_t phentsize = 56, phnum = 1;
	uint32_t pt_note = 4;

	memset(f, 0, 512);
	memcpy(f, "\177ELF\2\1\1", 7);
	memcpy(f + 0x20, &phoff, 8);
	memcpy(f + 0x36, &phentsize, 2);
	memcpy(f + 0x38, &phnum, 2);
	nsize = put_note(f + noff, "GNU", 3, id, 4);
	if (pvh)
		nsize += put_note(f + noff + nsize, "Xen", 18, &entry, 8);
	memcpy(f + 64, &pt_note, 4);
	memcpy(f + 64 + 8, &noff, 8);
	memcpy(f + 64 + 32, &nsize, 8);
	return noff + nsize;
}

static void elf_notes_give_build_id_and_pvh(void **state)
{
	unsigned char f[512];
	char p[256], id[96];
	int pvh;

	(void)state;
	write_file("pvh.elf", f, make_elf(f, 1));
	path_of(p, sizeof(p), "pvh.elf");
	assert_int_equal(lr_elf_notes(p, id, sizeof(id), &pvh), 0);
	assert_string_equal(id, "deadbeef");
	assert_int_equal(pvh, 1);
	write_file("nopvh.elf", f, make_elf(f, 0));
	path_of(p, sizeof(p), "nopvh.elf");
	assert_int_equal(lr_elf_notes(p, id, sizeof(id), &pvh), 0);
	assert_int_equal(pvh, 0);
	write_file("text", "hello", 5);
	path_of(p, sizeof(p), "text");
	assert_int_equal(lr_elf_notes(p, id, sizeof(id), &pvh), -1);
}

/* A bzImage-shaped file: boot sector and setup (1 sector), "HdrS" 2.15,
 * the payload at payload_offset from the protected-mode start, the
 * compressed ELF with the 4-byte length the kernel build appends. */
static void make_bzimage(const char *name, const char *tool, int pvh, int append_size)
{
	unsigned char elf[512], bz[4096] = { 0 }, pay[2048];
	char cmd[600], ep[256], cp[256];
	size_t elen = make_elf(elf, pvh), plen;
	FILE *f;

	write_file("payload.elf", elf, elen);
	path_of(ep, sizeof(ep), "payload.elf");
	path_of(cp, sizeof(cp), "payload.z");
	snprintf(cmd, sizeof(cmd), "%s -c %s > %s", tool, ep, cp);
	assert_int_equal(system(cmd), 0);
	assert_non_null(f = fopen(cp, "rb"));
	plen = fread(pay, 1, sizeof(pay) - 4, f);
	fclose(f);
	if (append_size) {
		uint32_t n = (uint32_t)elen;
		memcpy(pay + plen, &n, 4);
		plen += 4;
	}
	uint32_t off = 0x40, len32 = (uint32_t)plen;
	uint16_t version = 0x020f;
	bz[0x1f1] = 1;
	memcpy(bz + 0x202, "HdrS", 4);
	memcpy(bz + 0x206, &version, 2);
	memcpy(bz + 0x248, &off, 4);
	memcpy(bz + 0x24c, &len32, 4);
	memcpy(bz + 2 * 512 + off, pay, plen);
	write_file(name, bz, 2 * 512 + off + plen);
}

static void unpack_xz_and_gzip_kernels(void **state)
{
	unsigned char want[512];
	size_t wlen = make_elf(want, 1), got;
	char bz[256], out[256];

	(void)state;
	make_bzimage("vmlinuz-xz", "xz --check=crc32", 1, 1);
	path_of(bz, sizeof(bz), "vmlinuz-xz");
	path_of(out, sizeof(out), "vmlinux-xz");
	assert_int_equal(lr_unpack(bz, out, err, sizeof(err)), 0);
	unsigned char *x = read_file("vmlinux-xz", &got);
	assert_int_equal(got, wlen);
	assert_memory_equal(x, want, wlen);
	free(x);

	make_bzimage("vmlinuz-gz", "gzip -n", 1, 0);
	path_of(bz, sizeof(bz), "vmlinuz-gz");
	path_of(out, sizeof(out), "vmlinux-gz");
	assert_int_equal(lr_unpack(bz, out, err, sizeof(err)), 0);
	x = read_file("vmlinux-gz", &got);
	assert_int_equal(got, wlen);
	free(x);
}

static void unpack_refuses_what_cannot_boot(void **state)
{
	char bz[256], out[256];

	(void)state;
	make_bzimage("vmlinuz-nopvh", "xz --check=crc32", 0, 1);
	path_of(bz, sizeof(bz), "vmlinuz-nopvh");
	path_of(out, sizeof(out), "vmlinux-nopvh");
	assert_int_equal(lr_unpack(bz, out, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "CONFIG_PVH"));
	assert_int_equal(access(out, F_OK), -1);

	write_file("vmlinuz-text", "not a kernel at all", 19);
	path_of(bz, sizeof(bz), "vmlinuz-text");
	assert_int_equal(lr_unpack(bz, out, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a bzImage"));

	path_of(bz, sizeof(bz), "no-such-vmlinuz");
	assert_int_equal(lr_unpack(bz, out, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot read the kernel"));
}

/* ------------------------------------------------------------ rows */

static void rows_and_qemu_arguments(void **state)
{
	struct lr_qemu_extra x;
	char line[512];
	const char *const *a = lr_qemu_extra(&x, "build/linuxref/initramfs.cpio", NULL, NULL);
	const char *want[] = { "-initrd", "build/linuxref/initramfs.cpio", "-M", "rtc=on",
			       "-m", LR_MEMORY, NULL };
	const char *traced[] = { "-initrd", "i", "-M", "rtc=on", "-m", LR_MEMORY, "-cpu",
				 "EPYC-Milan", "-device", "pvpanic", "-action", "panic=pause",
				 "-D", "log", NULL };

	(void)state;
	for (int i = 0; want[i]; i++)
		assert_string_equal(a[i], want[i]);
	assert_null(a[6]);
	a = lr_qemu_extra(&x, "i", "EPYC-Milan", "log");
	for (int i = 0; traced[i]; i++)
		assert_string_equal(a[i], traced[i]);
	assert_null(a[14]);
	assert_int_equal(lr_nrows, 2);
	lr_row_append(&lr_rows[0], "linux", line, sizeof(line));
	assert_string_equal(line, LR_CMDLINE " el.short=linux");
	lr_row_append(&lr_rows[1], "linux-nomit.epyc-milan", line, sizeof(line));
	assert_string_equal(line, LR_CMDLINE " el.short=linux-nomit.epyc-milan mitigations=off");
	assert_string_equal(lr_reference("linux-nomit.epyc-milan"), "reference");
	assert_null(lr_reference("host.x"));
	assert_null(lr_reference("linux-5.10"));
	assert_string_equal(lr_reference("linux"), "reference");
	assert_string_equal(lr_reference("linux-nomit"), "reference");
	assert_string_equal(lr_reference("host"), "reference");
	assert_null(lr_reference("pcsa"));
	assert_null(lr_reference("floor"));
}

static void matrix_arguments_of_a_row(void **state)
{
	struct lr_matrix lm;
	char append[512] = "el.selftest=1";
	const char *args[16] = { "entrylab", "run", "--append", append, NULL };

	(void)state;
	memset(&lm, 0, sizeof(lm));
	strcpy(lm.k.initrd, "build/linuxref/initramfs.cpio");
	lm.nmodels = 1;
	strcpy(lm.models[0], "Icelake-Server");
	lm.nrow = 1;
	strcpy(lm.row[0].short_name, "linux-nomit");
	lm.row[0].kind = &lr_rows[1];
	strcpy(lm.k.release, "6.1.0-57-amd64");
	struct mx_variant v;
	memset(&v, 0, sizeof(v));
	strcpy(v.short_name, "linux-nomit");
	strcpy(v.canonical, "linux-debian-6.1.0-57-amd64,mitigations=off,cpu=Icelake-Server");
	lr_matrix_args(&lm, &v, 0, "getpid", args, 16, append, sizeof(append));
	assert_string_equal(v.short_name, "linux-nomit");
	assert_string_equal(v.canonical, "linux-debian-6.1.0-57-amd64,mitigations=off,cpu=Icelake-Server");
	assert_string_equal(append, LR_CMDLINE " el.short=linux-nomit mitigations=off el.selftest=1");
	assert_string_equal(args[4], "--initrd");
	assert_string_equal(args[5], "build/linuxref/initramfs.cpio");
	assert_string_equal(args[6], "--linux-cpu");
	assert_string_equal(args[7], "Icelake-Server");
	assert_string_equal(args[8], "--linux-trace");
	assert_string_equal(args[9], "getpid");
	assert_null(args[10]);
	/* under kvm without --linux-cpu: -cpu host (no model), and no trace */
	const char *kvm[16] = { "entrylab", "run", NULL };
	lr_matrix_args(&lm, &v, 1, NULL, kvm, 16, append, sizeof(append));
	assert_string_equal(kvm[2], "--initrd");
	assert_null(kvm[4]);
	/* planned on the model, named by what it runs on: -cpu host */
	assert_string_equal(v.short_name, "linux-nomit");
	assert_string_equal(v.canonical, "linux-debian-6.1.0-57-amd64,mitigations=off,cpu=host");
}

static void plan_not_wanted_adds_nothing(void **state)
{
	struct lr_matrix lm;
	struct mx_variant *v = NULL;
	size_t nv = 0;

	(void)state;
	assert_int_equal(lr_matrix_plan(&lm, LR_WANT_OFF, 1, ".", NULL, NULL, &v, &nv), 0);
	assert_int_equal(nv, 0);
	assert_int_equal(lm.wanted, 0);
	assert_int_equal(lr_matrix_plan(&lm, LR_WANT_AUTO, 0, ".", NULL, NULL, &v, &nv), 0);
	assert_int_equal(nv, 0);
	assert_int_equal(lm.rows, 0);
	/* wanted but no initramfs under this root: an error only when required */
	assert_int_equal(lr_matrix_plan(&lm, LR_WANT_AUTO, 1, dir, NULL, NULL, &v, &nv), 0);
	assert_int_equal(nv, 0);
	assert_true(lm.wanted && lm.skipped[0]);
	assert_int_equal(lr_matrix_plan(&lm, LR_WANT_ON, 1, dir, NULL, NULL, &v, &nv), -1);
	/* --linux-kernel wants the rows even for a selection: a kernel that
	 * cannot be had is then an error, not a skip */
	assert_int_equal(lr_matrix_plan(&lm, LR_WANT_AUTO, 0, ".", NULL, "/nonexistent/vmlinuz-0",
					 &v, &nv), -1);
	assert_int_equal(nv, 0);
	free(v);
}

static json_t *meta_after(const struct lr_kernel *k, const char *skipped,
			  const struct lr_host *h, const char *host_skipped)
{
	char p[256];
	json_error_t je;

	write_file("meta.json", "{\"run_id\": \"x\"}", 15);
	json_t *extra = k ? json_pack("{s:[{s:s},{s:s}]}", "rows", "short", "linux", "short",
				      "linux-nomit") : NULL;
	assert_int_equal(lr_meta_add(dir, k, extra, skipped, h, host_skipped, err, sizeof(err)), 0);
	path_of(p, sizeof(p), "meta.json");
	json_t *j = json_load_file(p, 0, &je);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "run_id")), "x");
	return j;
}

static void meta_gets_rows_and_host_row(void **state)
{
	struct lr_kernel k;
	struct lr_host h;
	json_t *j;

	(void)state;
	memset(&k, 0, sizeof(k));
	strcpy(k.release, "6.1.0-56-amd64");
	strcpy(k.build_id, "deadbeef");
	memset(&h, 0, sizeof(h));
	h.cpu = 1;
	h.ticks_per_call = 300;
	h.tsc_hz = 3e9;
	h.ns_per_call = 100;
	h.perf_ok = 1;
	h.perf.ns_per_call = 120;
	h.perf_ns_median = NAN;
	h.ratio = 100.0 / 120.0;
	strcpy(h.perf.syscall, "getppid");
	j = meta_after(&k, NULL, &h, NULL);
	json_t *lr = json_object_get(j, "linuxref"), *host = json_object_get(j, "host_row");
	assert_string_equal(json_string_value(json_object_get(lr, "build_id")), "deadbeef");
	assert_true(json_is_null(json_object_get(lr, "skipped")));
	assert_int_equal(json_array_size(json_object_get(lr, "rows")), 2);
	assert_true(json_real_value(json_object_get(host, "ns_per_call")) == 100.0);
	assert_true(json_is_null(json_object_get(host, "perf_ns_per_call_median_of_runs")));
	assert_string_equal(json_string_value(json_object_get(json_object_get(host, "perf_bench"),
							      "syscall")), "getppid");
	json_decref(j);

	j = meta_after(NULL, "no Debian kernel", NULL, "perf missing");
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "linuxref"),
							      "skipped")), "no Debian kernel");
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "host_row"),
							      "skipped")), "perf missing");
	json_decref(j);

	j = meta_after(NULL, NULL, NULL, NULL);
	assert_null(json_object_get(j, "linuxref"));
	assert_null(json_object_get(j, "host_row"));
	json_decref(j);
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(perf_parses_real_output),
		cmocka_unit_test(perf_refuses_output_without_rate),
		cmocka_unit_test(initramfs_is_newc_and_reproducible),
		cmocka_unit_test(initramfs_refuses_a_non_elf_init),
		cmocka_unit_test(elf_notes_give_build_id_and_pvh),
		cmocka_unit_test(unpack_xz_and_gzip_kernels),
		cmocka_unit_test(unpack_refuses_what_cannot_boot),
		cmocka_unit_test(rows_and_qemu_arguments),
		cmocka_unit_test(matrix_arguments_of_a_row),
		cmocka_unit_test(plan_not_wanted_adds_nothing),
		cmocka_unit_test(meta_gets_rows_and_host_row),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
