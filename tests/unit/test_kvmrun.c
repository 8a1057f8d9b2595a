/*
 * test_kvmrun — kvm mode in the runner (harness/host/kvmrun.c and
 * kvmrun_meta.c with run.c, qemu.c, records.c, analyze_read.c and meta.c):
 *   - the accelerator decision from a probe boot's files;
 *   - PMU events by name through the real libpfm4 (forced to Intel
 *     Skylake, "skl", before its first use in this process);
 *   - QEMU's argument vector in both modes;
 *   - a real QEMU (tcg-icount, paused at start) whose vCPU thread is bound
 *     to a chosen cpu, checked here in /proc while the guest runs;
 *   - the whole kvm-mode runner against a fake QEMU (Python: QMP socket, a
 *     thread named "CPU 0/KVM", PMU fields in @D) and a fake perf (control
 *     fifo handshake, CSV on SIGINT): events, pinning, the samples CSV's
 *     PMU columns, the perf verdicts;
 *   - the real perf on a tcg-icount run: recorded as unavailable;
 *   - analyze reading PMU columns; meta.json's accel, events, runs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "analysis/analyze.h"
#include "core/exitcodes.h"
#include "host/kvmrun.h"
#include "matrix/kvm_meta.h"
#include "cmd/run.h"

static char dir[] = "/tmp/entrylab-test-kvmrun-XXXXXX";
#include "testutil.h"

#define IMAGE "build/kernels/pcsa.elf"
#define HDR "@H proto=1 variant=ptregs=partial,rsp=cached,regs=stub,exit=asm short=pcsa " \
	"ptregs=partial rsp=cached regs=stub exit=asm build=ab cpu=GenuineIntel/6/85/4 " \
	"hv=KVMKVMKVM mode=kvm unit=tsc\n"
/* cycles (pmu0) total 10110, instructions (pmu1) total 7400 */
#define STREAM_PMU HDR "@B bench=getpid iters=100 samples=2 warmup=1 events=2\n" \
	"@D bench=getpid sample=0 iters=100 ticks=5000 empty=1000 pmu0=4100 epmu0=900 " \
	"pmu1=3000 epmu1=700\n" \
	"@D bench=getpid sample=1 iters=100 ticks=5200 empty=1000 pmu0=4200 epmu0=910 " \
	"pmu1=3000 epmu1=700\n@E records=4 status=pass\n"
#define PVM_STREAM HDR "@P ok=0 cpl_at_entry=3 reason=syscall_in_cpl3_pf_at_entry\n" \
	"@E records=2 status=fail\n"

/* The value of key= in file name, "" if absent. */
static const char *key(const char *name, const char *k)
{
	static char val[512];
	char *text = slurp(name), want[80];
	const char *p;

	val[0] = '\0';
	snprintf(want, sizeof(want), "\n%s=", k);
	if (text && !strncmp(text, want + 1, strlen(want + 1)))
		p = text - 1;
	else
		p = text ? strstr(text, want) : NULL;
	if (p)
		snprintf(val, sizeof(val), "%.*s", (int)strcspn(p + strlen(want), "\n"),
			 p + strlen(want));
	return val;
}

/* ------------------------------------------------------------ probe */

static void test_probe_pvm_falls_back(void **state)
{
	struct probe_result p = { .kvm_dev_checked = true, .kvm_dev_ok = true };
	struct accel_decision d;

	(void)state;
	put("pcsa.console", PVM_STREAM, 0644);
	put("pcsa.result", "status=fail\nexit=1\nerror=conformance failed\nprobe_ok=0\n", 0644);
	kvm_probe_load(dir, "pcsa", &p);
	assert_true(p.ran && p.have_p && !p.p_ok && !p.timed_out && !p.run_error[0]);
	assert_int_equal(p.p_cpl, 3);
	accel_decide(ACCEL_REQ_AUTO, &p, &d);
	assert_int_equal(d.mode, ACCEL_MODE_TCG_ICOUNT);
	assert_true(d.fell_back && d.probed && d.status == 0);
	assert_non_null(strstr(d.reason, "CPL 3"));
	assert_non_null(strstr(d.line, "falling back to tcg-icount"));
	accel_decide(ACCEL_REQ_KVM, &p, &d);
	assert_int_equal(d.status, EL_EX_USAGE);
	assert_non_null(strstr(d.line, "kvm mode unavailable: probe: user-mode SYSCALL"));
}

static void test_probe_hang_and_no_result(void **state)
{
	struct probe_result p = { .kvm_dev_checked = true, .kvm_dev_ok = true };
	struct accel_decision d;

	(void)state;
	put("hung.console", HDR, 0644);
	put("hung.result", "status=hang\nexit=4\n", 0644);
	kvm_probe_load(dir, "hung", &p);
	accel_decide(ACCEL_REQ_AUTO, &p, &d);
	assert_string_equal(d.reason, "probe: guest timed out");

	memset(&p, 0, sizeof(p));
	p.kvm_dev_checked = p.kvm_dev_ok = true;
	put("gone.log", "noise\nentrylab: no vCPU thread in QEMU: fix it\n", 0644);
	kvm_probe_load(dir, "gone", &p);
	assert_string_equal(p.run_error, "no vCPU thread in QEMU: fix it");
	accel_decide(ACCEL_REQ_AUTO, &p, &d);
	assert_string_equal(d.reason, "probe: no vCPU thread in QEMU: fix it");
}

/* ------------------------------------------------------------ events */

static void test_events_by_name(void **state)
{
	struct pmu_events ev;
	char hex[KVM_EVENTS_HEX], err[1024];

	(void)state;
	assert_int_equal(kvm_events_resolve("cycles,instructions", &ev, hex, sizeof(hex),
					    err, sizeof(err)), 0);
	assert_string_equal(hex, "43003c,4300c0");
	assert_int_equal(kvm_events_arg("instructions,INST_RETIRED:ANY_P:u", hex, sizeof(hex),
					err, sizeof(err)), 0);
	assert_string_equal(hex, "4300c0,4100c0");
	assert_int_equal(kvm_events_arg("0x43003c,4300C0", hex, sizeof(hex), err, sizeof(err)), 0);
	assert_string_equal(hex, "0x43003c,4300C0");            /* raw: kept as given */

	assert_int_equal(kvm_events_arg("cycles,nope", hex, sizeof(hex), err, sizeof(err)),
			 EL_EX_USAGE);
	assert_non_null(strstr(err, "unknown PMU event \"nope\""));
	assert_non_null(strstr(err, "cycles, instructions, branches"));   /* what exists */
	assert_non_null(strstr(err, ", e.g. "));
	assert_null(strchr(err, '\n'));
	assert_int_equal(kvm_events_resolve("cycles,instructions,branches,branch-misses,cycles:u,"
					    "cycles:k,instructions:u,instructions:k,branches:u",
					    &ev, hex, sizeof(hex), err, sizeof(err)), EL_EX_USAGE);
	assert_non_null(strstr(err, "has 8 general-purpose counters"));
	assert_int_equal(kvm_events_arg("cycles,,x", hex, sizeof(hex), err, sizeof(err)),
			 EL_EX_USAGE);
}

/* ------------------------------------------------------------ argv */

static int find(const struct el_argv *a, const char *opt, const char *val)
{
	for (size_t i = 0; i < a->n; i++)
		if (!strcmp(a->v[i], opt) && (!val || (i + 1 < a->n && !strcmp(a->v[i + 1], val))))
			return (int)i;
	return -1;
}

static void test_argv_both_modes(void **state)
{
	struct el_qemu_config c = { .image = IMAGE, .cmdline = "el.mode=kvm", .name = "pcsa",
				    .mode = EL_MODE_KVM, .pmu = true, .qmp = "/tmp/x/qmp.sock" };
	struct el_argv a;

	(void)state;
	el_qemu_argv(&c, &a);
	assert_true(find(&a, "-accel", "kvm") > 0);
	assert_true(find(&a, "-cpu", "host,-arch-capabilities,pmu=on") > 0);
	assert_true(find(&a, "-S", NULL) > 0);
	assert_true(find(&a, "-qmp", "unix:/tmp/x/qmp.sock,server=on,wait=off") > 0);
	assert_true(find(&a, "-name", "entrylab-pcsa,debug-threads=on") > 0);
	assert_int_equal(find(&a, "-icount", NULL), -1);
	el_argv_free(&a);
	c.mode = EL_MODE_TCG_ICOUNT;
	c.pmu = false;
	c.qmp = NULL;
	el_qemu_argv(&c, &a);
	assert_true(find(&a, "-accel", "tcg") > 0);
	assert_true(find(&a, "-icount", "shift=0") > 0);
	assert_int_equal(find(&a, "-S", NULL), -1);
	assert_int_equal(find(&a, "-qmp", NULL), -1);
	el_argv_free(&a);
}

/* ------------------------------------------------------------ real QEMU */

struct watch {                  /* what /proc shows right after the start */
	struct kvm_run *k;
	pid_t pid;
	int checked;
	char vcpu_cpus[128], other_cpus[128], vcpu_comm[64];
	int others;
};

static void discard(void *ctx, const char *data, size_t len)
{
	(void)ctx;
	(void)data;
	(void)len;
}

/* The start hook of the run: kvmrun's, then a look at every QEMU thread in
 * /proc while the guest (just released) runs. */
static void hook(void *ctx, pid_t pid)
{
	struct watch *w = ctx;
	char path[64], cpath[400], comm[64], cpus[128];
	struct dirent *de;
	DIR *d;

	w->pid = pid;
	kvm_run_started(w->k, pid);
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	assert_non_null(d = opendir(path));
	while ((de = readdir(d)))
		if (atoi(de->d_name) > 0 &&
		    kvm_thread_cpus(pid, atoi(de->d_name), cpus, sizeof(cpus)) == 0) {
			FILE *f;
			snprintf(cpath, sizeof(cpath), "%s/%s/comm", path, de->d_name);
			assert_non_null(f = fopen(cpath, "r"));
			assert_non_null(fgets(comm, sizeof(comm), f));
			fclose(f);
			comm[strcspn(comm, "\n")] = '\0';
			if (strstr(comm, "CPUs/TCG") || strstr(comm, "CPU 0/")) {
				snprintf(w->vcpu_comm, sizeof(w->vcpu_comm), "%s", comm);
				snprintf(w->vcpu_cpus, sizeof(w->vcpu_cpus), "%s", cpus);
			} else {
				w->others++;
				snprintf(w->other_cpus, sizeof(w->other_cpus), "%s", cpus);
			}
		}
	closedir(d);
	w->checked = 1;
}

static void test_real_qemu_pinned(void **state)
{
	struct kvm_run k;
	struct watch w = { .k = &k };
	struct el_qemu_config qc = { .image = IMAGE, .name = "pcsa", .mode = EL_MODE_TCG_ICOUNT,
				     .cmdline = "el.mode=tcg-icount" };
	struct el_qemu_limits lim = { 20000, 1 << 20 };
	struct kvm_run_cfg cfg = { .mode = EL_MODE_TCG_ICOUNT, .cpu = -1, .pin = true,
				   .out_dir = dir, .name = "pcsa" };
	struct el_qemu_result r;
	struct el_argv a;
	char err[512], want[128];

	(void)state;
	if (access(IMAGE, R_OK))
		skip();
	assert_int_equal(kvm_run_prepare(&k, &cfg, err, sizeof(err)), 0);
	kvm_run_qemu(&k, &qc);
	el_qemu_argv(&qc, &a);
	assert_non_null(kvm_run_hook(&k));
	el_qemu_run_hooked(a.v, &lim, discard, NULL, hook, &w, &r);
	assert_int_equal(r.end, EL_QEMU_EXITED);
	assert_int_equal(r.code, 33);
	assert_string_equal(k.error, "");
	assert_true(w.checked > 0);
	assert_string_equal(w.vcpu_comm, "ALL CPUs/TCG");        /* icount: one TCG thread */
	snprintf(want, sizeof(want), "%d", k.plan.cpu);
	assert_string_equal(w.vcpu_cpus, want);
	assert_string_equal(k.vcpu_cpus, want);
	assert_true(w.others >= 1);
	if (!hwloc_bitmap_iszero(k.plan.other_set)) {
		hwloc_bitmap_list_snprintf(want, sizeof(want), k.plan.other_set);
		assert_string_equal(w.other_cpus, want);
		assert_int_equal(k.other_threads, w.others);
	}
	el_qemu_result_free(&r);
	el_argv_free(&a);
	kvm_run_free(&k);
}

/* ------------------------------------------------------------ kvm runner, faked */

/* QEMU's part: the QMP socket, a "CPU 0/KVM" thread that query-cpus-fast
 * names, the stream after cont. */
static const char fake_qemu_py[] =
	"#!/usr/bin/env python3\n"
	"import os, socket, sys, threading, time\n"
	"a = sys.argv[1:]\n"
	"open(os.path.join(os.path.dirname(sys.argv[0]), 'qemu.args'), 'w').write('\\n'.join(a))\n"
	"path = a[a.index('-qmp') + 1].split(',')[0][len('unix:'):]\n"
	"tid = []\n"
	"def vcpu():\n"
	"    open('/proc/self/task/%d/comm' % threading.get_native_id(), 'w').write('CPU 0/KVM')\n"
	"    tid.append(threading.get_native_id())\n"
	"    time.sleep(60)\n"
	"threading.Thread(target=vcpu, daemon=True).start()\n"
	"while not tid: time.sleep(0.001)\n"
	"s = socket.socket(socket.AF_UNIX)\n"
	"s.bind(path)\n"
	"s.listen(1)\n"
	"c = s.accept()[0].makefile('rw')\n"
	"c.write('{\"QMP\": {\"version\": {}}}\\n'); c.flush()\n"
	"for line in c:\n"
	"    if 'query-cpus-fast' in line:\n"
	"        c.write('{\"return\": [{\"cpu-index\": 0, \"thread-id\": %d, \"target\": "
	"\"x86_64\"}]}\\n' % tid[0]); c.flush(); continue\n"
	"    if 'cont' in line:\n"
	"        c.write('{\"event\": \"RESUME\"}\\n{\"return\": {}}\\n'); c.flush(); break\n"
	"    c.write('{\"return\": {}}\\n'); c.flush()\n"
	"sys.stdout.write(open(os.path.join(os.path.dirname(sys.argv[0]), 'stream')).read())\n"
	"sys.stdout.flush()\n"
	"os._exit(33)\n";

/* perf's part: ack "enable" on the control fifo, write counts on SIGINT. */
static const char fake_perf_sh[] =
	"#!/bin/sh\n"
	"echo \"$@\" > \"$(dirname \"$0\")/perf.args\"\n"
	"while [ $# -gt 0 ]; do case \"$1\" in\n"
	"  -o) out=$2; shift ;;\n"
	"  --control) c=${2#fifo:}; ctl=${c%,*}; ack=${c#*,}; shift ;;\n"
	"esac; shift; done\n"
	"trap 'printf \"%s\\n\" \"# started\" \"\" \"$FAKE_CYC,,cycles:G,9,100.00,,\" "
	"\"$FAKE_INSN,,instructions:G,9,100.00,,\" \"2,,kvm:kvm_exit,9,100.00,,\" > \"$out\"; "
	"exit 0' INT\n"
	"read cmd < \"$ctl\"\n"
	"[ \"$cmd\" = enable ] && echo ack > \"$ack\"\n"
	"while :; do sleep 0.01; done\n";

/* entrylab run under the fake QEMU and perf; samples: what the run asks
 * for (the stream in "stream" must deliver as many). */
static int run_fake_kvm_n(const char *insn, const char *samples)
{
	char image[300], out[300], qemu[300], path[1200];
	char *argv[] = { "run", "--image", image, "--name", "pcsa", "--out", out, "--qemu", qemu,
			 "--mode", "kvm", "--events", "cycles,instructions", "--perf", "--bench",
			 "getpid", "--samples", (char *)samples, "--run", "bench", NULL };

	snprintf(image, sizeof(image), "%s/k.elf", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	snprintf(qemu, sizeof(qemu), "%s/qemu", dir);
	snprintf(path, sizeof(path), "%s:%s", dir, getenv("PATH"));
	setenv("FAKE_CYC", "20000", 1);
	setenv("FAKE_INSN", insn, 1);
	setenv("PATH", path, 1);
	int rc = el_cmd_run(20, argv);
	setenv("PATH", strchr(path, ':') + 1, 1);
	return rc;
}

static int run_fake_kvm(const char *insn)
{
	return run_fake_kvm_n(insn, "2");
}

static void test_fake_kvm_runner(void **state)
{
	const char *csv;

	(void)state;
	put("k.elf", "\177ELF fake kernel", 0644);
	put("stream", STREAM_PMU, 0644);
	put("qemu", fake_qemu_py, 0755);
	put("perf", fake_perf_sh, 0755);
	assert_int_equal(run_fake_kvm("8000"), EL_EX_OK);
	assert_non_null(strstr(slurp("qemu.args"), "\n-S\n-qmp\nunix:"));
	assert_non_null(strstr(slurp("perf.args"), "stat -D -1 --control fifo:"));
	assert_non_null(strstr(slurp("out/pcsa.result"), "el.events=43003c,4300c0"));
	assert_string_equal(key("out/pcsa.result", "pin_applied"), "yes");
	assert_string_equal(key("out/pcsa.result", "pin_vcpu_thread"), "CPU 0/KVM");
	assert_string_equal(key("out/pcsa.result", "pin_vcpu_cpus"), key("out/pcsa.result", "pin_cpu"));
	assert_string_equal(key("out/pcsa.result", "perf_error"), "");
	assert_string_equal(key("out/pcsa.result", "perf_guest_cycles"), "10110");
	assert_string_equal(key("out/pcsa.result", "perf_cycles"), "20000");
	assert_string_equal(key("out/pcsa.result", "perf_check_cycles"), "agree");
	assert_string_equal(key("out/pcsa.result", "perf_guest_instructions"), "7400");
	assert_string_equal(key("out/pcsa.result", "perf_check_instructions"), "agree");
	assert_string_equal(key("out/pcsa.result", "perf_ratio_instructions"), "0.9250");
	csv = slurp("out/pcsa.samples.csv");
	assert_non_null(strstr(csv, "per_call,unit,pmu0,pmu1,epmu0,epmu1\n"));
	assert_non_null(strstr(csv, ",getpid,1,100,5200,1000,42,tsc,4200,3000,910,700\n"));

	/* the guest claims more instructions than perf saw in guest mode */
	assert_int_equal(run_fake_kvm("7000"), EL_EX_OK);
	assert_string_equal(key("out/pcsa.result", "perf_check_instructions"), "disagree");
	assert_non_null(strstr(key("out/pcsa.result", "perf_note_instructions"),
			       "guest reported 7400 instructions but perf counted 7000"));
	if (perfx_kvm_exit_available("/"))
		assert_non_null(strstr(key("out/pcsa.result", "perf_exits_warning"),
				       "2 VM exits"));
}

#define STREAM_NOISY HDR "@B bench=getpid iters=1000 samples=6 warmup=1 events=2\n" \
	"@D bench=getpid sample=0 iters=1000 ticks=90000 empty=30000 pmu0=70000 epmu0=9000 " \
	"pmu1=0 epmu1=0\n" \
	"@D bench=getpid sample=1 iters=1000 ticks=90100 empty=30000 pmu0=70010 epmu0=9000 " \
	"pmu1=0 epmu1=0\n" \
	"@D bench=getpid sample=2 iters=1000 ticks=29000 empty=30000 pmu0=70020 epmu0=9000 " \
	"pmu1=0 epmu1=0\n" \
	"@D bench=getpid sample=3 iters=1000 ticks=89900 empty=30000 pmu0=70030 epmu0=9000 " \
	"pmu1=0 epmu1=0\n" \
	"@D bench=getpid sample=4 iters=1000 ticks=90050 empty=30000 pmu0=70040 epmu0=9000 " \
	"pmu1=0 epmu1=0\n" \
	"@D bench=getpid sample=5 iters=1000 ticks=90000 empty=30000 pmu0=70050 epmu0=9000 " \
	"pmu1=0 epmu1=0\n" \
	"@E records=8 status=pass\n"

/* Under kvm a stall in an empty loop (ticks < empty) is a sample, not a
 * malformed stream: the run passes, keeps it in the CSV and counts it as
 * rejected; a counter that reads 0 throughout is unavailable, not data. */
static void test_fake_kvm_noise_and_dead_counter(void **state)
{
	const char *csv;

	(void)state;
	put("k.elf", "\177ELF fake kernel", 0644);
	put("stream", STREAM_NOISY, 0644);
	put("qemu", fake_qemu_py, 0755);
	put("perf", fake_perf_sh, 0755);
	assert_int_equal(run_fake_kvm_n("8000", "6"), EL_EX_OK);
	assert_string_equal(key("out/pcsa.result", "status"), "pass");
	assert_string_equal(key("out/pcsa.result", "rejected"), "getpid:1");
	assert_string_equal(key("out/pcsa.result", "pmu_unavailable"),
			    "getpid/pmu1:counter_reads_zero");
	assert_string_equal(key("out/pcsa.result", "perf_check_instructions"), "unavailable");
	assert_non_null(strstr(key("out/pcsa.result", "perf_note_instructions"),
			       "counter_reads_zero"));
	csv = slurp("out/pcsa.samples.csv");
	assert_non_null(strstr(csv, ",getpid,2,1000,29000,30000,-1.0000,tsc,70020,,9000,\n"));
	assert_non_null(strstr(csv, ",getpid,0,1000,90000,30000,60,tsc,70000,,9000,\n"));
}

/* The real perf on a real tcg-icount run: recorded, never a failure. */
static void test_real_perf_tcg(void **state)
{
	char out[300];
	char *argv[] = { "run", "--image", IMAGE, "--name", "pcsa", "--out", out, "--bench",
			 "getpid", "--samples", "2", "--perf", NULL };

	(void)state;
	if (access(IMAGE, R_OK) || system("perf --version >/dev/null 2>&1"))
		skip();
	snprintf(out, sizeof(out), "%s/tcg", dir);
	assert_int_equal(el_cmd_run(12, argv), EL_EX_OK);
	assert_string_equal(key("tcg/pcsa.result", "perf"), "on");
	assert_string_equal(key("tcg/pcsa.result", "pin_applied"), "no");
	assert_string_equal(key("tcg/pcsa.result", "perf_check_instructions"), "unavailable");
	assert_string_equal(key("tcg/pcsa.result", "perf_check_cycles"), "unavailable");
	assert_true(atoi(key("tcg/pcsa.result", "perf_guest_instructions")) > 0);
	assert_string_equal(key("tcg/pcsa.result", "status"), "pass");
}

/* ------------------------------------------------------------ records, CSV */

static void test_records_epmu(void **state)
{
	static const char bad[] = HDR "@B bench=g iters=1 samples=1 warmup=0 events=1\n"
		"@D bench=g sample=0 iters=1 ticks=2 empty=1 epmu1=5\n";
	struct el_stream s;

	(void)state;
	el_stream_init(&s);
	el_stream_feed(&s, STREAM_PMU, strlen(STREAM_PMU));
	assert_int_equal(el_stream_finish(&s), 0);
	assert_int_equal(s.bench[0].sample[1].epmu[0], 910);
	assert_int_equal(s.bench[0].sample[1].epmu_mask, 3);
	assert_int_equal(s.bench[0].sample[1].pmu_mask, 3);
	el_stream_free(&s);
	el_stream_init(&s);
	el_stream_feed(&s, bad, strlen(bad));
	assert_non_null(strstr(el_stream_error(&s), "epmu1 sent but 'g' announced 1 events"));
	el_stream_free(&s);
}

static int analyze_dir(const char *sub)
{
	char d[300];
	char *argv[] = { "analyze", d, "--root", ".", "--no-plots", NULL };
	int saved = dup(1), rc;

	snprintf(d, sizeof(d), "%s/%s", dir, sub);
	fflush(stdout);
	dup2(open("/dev/null", O_WRONLY), 1);
	rc = cmd_analyze(5, argv);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	return rc;
}

static void test_analyze_pmu_columns(void **state)
{
	static const char csv[] = "variant,short,bench,sample,iters,ticks,empty,per_call,unit,"
		"pmu0,pmu1,epmu0,epmu1\n"
		"ptregs=full,rsp=stored,regs=annotated,exit=c,fsac,getpid,0,100,5000,1000,40,tsc,"
		"4100,3000,900,700\n"
		"ptregs=full,rsp=stored,regs=annotated,exit=c,fsac,getpid,1,100,5200,1000,42,tsc,"
		",,,\n";
	char bad[sizeof(csv)];

	(void)state;
	mkdir(at("an"), 0755);
	mkdir(at("an/raw"), 0755);
	put("an/raw/fsac.result", "status=pass\nexit=0\nerror=\n"
	    "variant=ptregs=full,rsp=stored,regs=annotated,exit=c\nshort=fsac\nmode=kvm\n"
	    "unit=tsc\n", 0644);
	put("an/raw/fsac.samples.csv", csv, 0644);
	assert_int_equal(analyze_dir("an"), EL_EX_OK);
	memcpy(bad, csv, sizeof(csv));
	*strstr(bad, "4100") = 'x';
	put("an/raw/fsac.samples.csv", bad, 0644);
	assert_int_equal(analyze_dir("an"), EL_EX_USAGE);
	put("an/raw/fsac.samples.csv", "variant,short,bench,sample,iters,ticks,empty,per_call,"
	    "unit,pmu0\n", 0644);                              /* pmu0 without epmu0 */
	assert_int_equal(analyze_dir("an"), EL_EX_USAGE);
}

/* ------------------------------------------------------------ meta.json */

static void test_meta_json(void **state)
{
	struct probe_result p = { .kvm_dev_checked = true, .kvm_dev_ok = true };
	struct accel_decision d;
	struct mx_variant v = { .short_name = "pcsa", .status = "pass", .exit = 0 };
	struct kvm_meta_in in = { .accel = &d, .probe = &p, .events = "cycles", .pinning = true,
				  .perf = true, .raw_dir = dir, .v = &v, .nv = 1 };
	struct mx_meta m = { .run_id = "r", .mode = "tcg-icount", .v = &v, .nv = 1 };
	json_t *j, *runs;

	(void)state;
	put("pcsa.console", PVM_STREAM, 0644);
	put("pcsa.result", "status=fail\nexit=1\npin_applied=yes\npin_vcpu_cpus=1\n"
	    "perf_check_instructions=unavailable\n"
	    "pmu_unavailable=getpid/pmu0:counter_reads_zero\n", 0644);
	kvm_probe_load(dir, "pcsa", &p);
	accel_decide(ACCEL_REQ_AUTO, &p, &d);
	m.extra = kvm_meta_json(&in);
	j = mx_meta_json(&m);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "accel"), "mode")),
			    "tcg-icount");
	assert_true(json_is_true(json_object_get(json_object_get(j, "accel"), "fell_back")));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(json_object_get(j,
			 "accel"), "probe"), "cpl_at_entry")), 3);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "events"),
			    "requested")), "cycles");
	runs = json_object_get(json_object_get(j, "runs"), "pcsa");
	assert_string_equal(json_string_value(json_object_get(runs, "pin_vcpu_cpus")), "1");
	assert_string_equal(json_string_value(json_object_get(runs, "perf_check_instructions")),
			    "unavailable");
	assert_string_equal(json_string_value(json_object_get(runs, "pmu_unavailable")),
			    "getpid/pmu0:counter_reads_zero");
	assert_null(json_object_get(runs, "status"));
	assert_true(json_is_true(json_object_get(json_object_get(j, "runner"), "pinning")));
	json_decref(j);
	json_decref(m.extra);
}

static int setup(void **state)
{
	(void)state;
	setenv("LIBPFM_FORCE_PMU", "skl", 1);    /* before libpfm4's first use */
	return mkdtemp(dir) ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe_pvm_falls_back),
		cmocka_unit_test(test_probe_hang_and_no_result),
		cmocka_unit_test(test_events_by_name),
		cmocka_unit_test(test_argv_both_modes),
		cmocka_unit_test(test_real_qemu_pinned),
		cmocka_unit_test(test_fake_kvm_runner),
		cmocka_unit_test(test_fake_kvm_noise_and_dead_counter),
		cmocka_unit_test(test_real_perf_tcg),
		cmocka_unit_test(test_records_epmu),
		cmocka_unit_test(test_analyze_pmu_columns),
		cmocka_unit_test(test_meta_json),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
