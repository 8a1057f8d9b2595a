/* Unit tests for the record parser (harness/boot/records.c, records_fields.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "boot/records.h"

#define HDR HDR_LINE "\n"
#define HDR_LINE "@H proto=2 variant=ptregs=partial,rsp=cached,regs=stub,exit=asm short=pcsa " \
	"ptregs=partial rsp=cached regs=stub exit=asm build=0123abcd cpu=GenuineIntel/6/85/4 " \
	"hv=TCGTCGTCGTCG mode=tcg-icount unit=instructions"

static const char good_stream[] =
	HDR
	"@K booted in 12345 ticks\n"
	"@B bench=getpid iters=1000 samples=2 warmup=10\n"
	"@D bench=getpid sample=0 iters=1000 ticks=53000 empty=3000\n"
	"@D bench=getpid sample=1 iters=1000 ticks=53500 empty=3000\n"
	"@N bench=clone reason=no_threads\n"
	"@B bench=sig iters=3 samples=1 warmup=0 events=2\n"
	"@D bench=sig sample=0 iters=3 ticks=10 empty=0 pmu0=7 pmu1=8\n"
	"@T 1..3\n"
	"@T ok 1 - getpid returns the pid\n"
	"@T not ok 2 - rbx survives\n"
	"@T # a comment\n"
	"@T ok 3 - tracing # SKIP floor has no tracing\n"
	"@P ok=0 cpl_at_entry=3 reason=syscall_in_ring3\n"
	"@X vector=14 name=PF err=0x6 rip=0x401000 cs=0x33 rsp=7ffff000 cr2=0 mode=user fatal=0\n"
	"@E records=15 status=fail\n";

static int parse_len(struct el_stream *s, const char *text, size_t len)
{
	el_stream_init(s);
	el_stream_feed(s, text, len);
	return el_stream_finish(s);
}

static int parse_all(struct el_stream *s, const char *text)
{
	return parse_len(s, text, strlen(text));
}

/* Parse len bytes and check that the error contains want. */
static void expect_error_len(const char *text, size_t len, const char *want)
{
	struct el_stream s;

	assert_int_equal(parse_len(&s, text, len), -1);
	assert_non_null(el_stream_error(&s));
	if (!strstr(el_stream_error(&s), want))
		fail_msg("error '%s' lacks '%s'", el_stream_error(&s), want);
	el_stream_free(&s);
}

static void expect_error(const char *text, const char *want)
{
	expect_error_len(text, strlen(text), want);
}

/* @M (protocol 2): the guest's CPUID bits and live mitigations, once. */
static void test_mitigations(void **state)
{
	(void)state;
	static const char m[] = "@M pti=on pcid=1 invpcid=0 spec_ctrl=1 stibp=1 md_clear=1 "
		"arch_capabilities=1 arch_cap_msr=2a meltdown=0 mds=0 retbleed=0 spectre_v2=eibrs "
		"live=pti_cr3,eibrs,pti_pcid,rsb_ctxsw\n";
	struct el_stream s;
	char text[1024];
	snprintf(text, sizeof(text), HDR "%s@E records=2 status=pass\n", m);
	assert_int_equal(parse_all(&s, text), 0);
	assert_true(s.mitig.seen);
	assert_string_equal(s.mitig.pti, "on");
	assert_int_equal(s.mitig.pcid, 1);
	assert_int_equal(s.mitig.arch_cap_msr, 0x2a);
	assert_string_equal(s.mitig.spectre_v2, "eibrs");
	assert_string_equal(s.mitig.live, "pti_cr3,eibrs,pti_pcid,rsb_ctxsw");
	el_stream_free(&s);
	snprintf(text, sizeof(text), HDR "%s%s@E records=3 status=pass\n", m, m);
	expect_error(text, "line 3: second @M mitigations record");
	expect_error(HDR "@M pti=on\n@E records=2 status=pass\n", "line 2: @M: missing key 'pcid'");
}

static void test_good_stream(void **state)
{
	struct el_stream s;
	const struct el_bench *b;

	(void)state;
	assert_int_equal(parse_all(&s, good_stream), 0);
	assert_null(el_stream_error(&s));
	assert_string_equal(s.header.short_name, "pcsa");
	assert_string_equal(s.header.variant, "ptregs=partial,rsp=cached,regs=stub,exit=asm");
	assert_string_equal(s.header.unit, "instructions");
	assert_string_equal(s.header.cpu, "GenuineIntel/6/85/4");
	assert_int_equal(s.nbench, 2);
	b = el_stream_bench(&s, "getpid");
	assert_non_null(b);
	assert_int_equal(b->nsample, 2);
	assert_true(b->sample[0].exact);
	assert_true(b->sample[0].per_call == 50.0);
	assert_false(b->sample[1].exact);
	assert_true(b->sample[1].per_call == 50.5);
	b = el_stream_bench(&s, "sig");
	assert_non_null(b);
	assert_int_equal(b->sample[0].pmu_mask, 3);
	assert_int_equal(b->sample[0].pmu[1], 8);
	assert_int_equal(s.nunavail, 1);
	assert_string_equal(s.unavail[0].reason, "no_threads");
	assert_int_equal(s.tap_planned, 3);
	assert_int_equal(s.tap_pass, 1);
	assert_int_equal(s.tap_fail, 1);
	assert_int_equal(s.tap_skip, 1);
	assert_int_equal(s.ntap, 5);
	assert_string_equal(s.tap[1].text, "getpid returns the pid");
	assert_true(s.probe.seen);
	assert_false(s.probe.ok);
	assert_int_equal(s.probe.cpl_at_entry, 3);
	assert_int_equal(s.nexc, 1);
	assert_int_equal(s.exc[0].vector, 14);
	assert_int_equal(s.exc[0].rip, 0x401000);
	assert_int_equal(s.exc[0].rsp, 0x7ffff000);
	assert_true(s.exc[0].user_mode);
	assert_int_equal(s.nklog, 1);
	assert_true(s.final.seen);
	assert_string_equal(s.final.status, "fail");
	assert_int_equal(el_stream_tail_count(&s), 16);
	assert_string_equal(el_stream_tail_line(&s, 0), HDR_LINE);
	assert_string_equal(el_stream_tail_line(&s, 15), "@E records=15 status=fail");
	assert_null(el_stream_tail_line(&s, 16));
	el_stream_free(&s);
}

/* The same stream fed one byte at a time gives the same result. */
static void test_bytewise_feed(void **state)
{
	struct el_stream s;

	(void)state;
	el_stream_init(&s);
	for (size_t i = 0; good_stream[i]; i++)
		assert_int_equal(el_stream_feed(&s, &good_stream[i], 1), 0);
	assert_int_equal(el_stream_finish(&s), 0);
	assert_int_equal(el_stream_bench(&s, "getpid")->nsample, 2);
	assert_int_equal(s.line_no, 16);
	el_stream_free(&s);
}

static void test_truncated(void **state)
{
	(void)state;
	expect_error(HDR "@E records=1 status=pass", "line 2: truncated record stream: last line has no newline");
	expect_error(HDR "@B bench=getpid iters=1 samples=0 warmup=0\n",
		     "truncated record stream: no final @E record after line 2");
	expect_error("", "empty record stream");
}

static void test_garbage_line(void **state)
{
	(void)state;
	expect_error(HDR "hello world\n@E records=2 status=pass\n", "line 2: not a record");
	expect_error(HDR "@Z a=b\n@E records=2 status=pass\n", "line 2: unknown record tag '@Z'");
	expect_error(HDR "@D\x01 x\n@E records=2 status=pass\n", "line 2: control byte 0x01 at column 3");
	static const char nul[] = HDR "@K a\0b\n@E records=2 status=pass\n";
	expect_error_len(nul, sizeof(nul) - 1, "line 2: NUL byte");
	expect_error(HDR "@K caf\xc3\xa9\n@E records=2 status=pass\n", "line 2: non-ASCII byte 0xc3");
	expect_error(HDR "@B bench=x  iters=1 samples=0 warmup=0\n@E records=2 status=pass\n",
		     "line 2: @B: empty field");
	expect_error(HDR "@B bench=x iters samples=0 warmup=0\n@E records=2 status=pass\n",
		     "line 2: @B: field 'iters' is not key=value");
}

static void test_count_mismatch(void **state)
{
	(void)state;
	expect_error(HDR "@K x\n@E records=3 status=pass\n",
		     "line 3: @E: record count mismatch: final record says records=3 but 2 records");
	expect_error(HDR "@E records=1 status=pass\n@K late\n", "line 3: record after the final @E record");
	expect_error(HDR "@E records=1 status=maybe\n", "unknown status=maybe");
}

static void test_long_line(void **state)
{
	char buf[2048];
	struct el_stream s;
	size_t n;

	(void)state;
	n = (size_t)snprintf(buf, sizeof(buf), "%s@K ", HDR);
	memset(buf + n, 'a', 600);
	strcpy(buf + n + 600, "\n@E records=2 status=pass\n");
	expect_error(buf, "line 2: line longer than 512 bytes");

	/* exactly 511 bytes of content plus the newline is accepted */
	n = (size_t)snprintf(buf, sizeof(buf), "%s@K ", HDR);
	memset(buf + n, 'a', 511 - 3);
	strcpy(buf + n + 511 - 3, "\n@E records=2 status=pass\n");
	assert_int_equal(parse_all(&s, buf), 0);
	assert_int_equal(strlen(s.klog[0]), 511 - 3);
	el_stream_free(&s);
}

static void test_order(void **state)
{
	(void)state;
	expect_error("@K early\n" HDR "@E records=2 status=pass\n", "line 1: @K record before the @H header");
	expect_error(HDR HDR "@E records=2 status=pass\n", "line 2: second @H header");
	expect_error(HDR "@D bench=getpid sample=0 iters=1 ticks=2 empty=1\n@E records=2 status=pass\n",
		     "line 2: @D: sample for benchmark 'getpid' not announced by @B");
	expect_error(HDR "@B bench=g iters=1 samples=2 warmup=0\n"
		     "@D bench=g sample=1 iters=1 ticks=2 empty=1\n@E records=3 status=pass\n",
		     "line 3: @D: sample index out of order for 'g': expected 0, got 1");
	expect_error(HDR "@B bench=g iters=1 samples=2 warmup=0\n"
		     "@D bench=g sample=0 iters=1 ticks=2 empty=1\n@E records=3 status=pass\n",
		     "benchmark 'g' announced 2 samples but sent 1");
	expect_error(HDR "@B bench=g iters=1 samples=0 warmup=0\n@B bench=g iters=1 samples=0 warmup=0\n"
		     "@E records=3 status=pass\n", "line 3: @B: benchmark 'g' announced twice");
}

static void test_impossible_values(void **state)
{
	(void)state;
	expect_error(HDR "@B bench=g iters=1 samples=1 warmup=0\n"
		     "@D bench=g sample=0 iters=10 ticks=5 empty=6\n@E records=3 status=pass\n",
		     "line 3: @D: impossible value: ticks=5 < empty=6");
	expect_error(HDR "@B bench=g iters=1 samples=1 warmup=0\n"
		     "@D bench=g sample=0 iters=0 ticks=5 empty=1\n@E records=3 status=pass\n",
		     "impossible value: iters=0");
	expect_error(HDR "@B bench=g iters=1 samples=1 warmup=0\n"
		     "@D bench=g sample=0 iters=1 ticks=5 empty=1 pmu0=3\n@E records=3 status=pass\n",
		     "pmu0 sent but 'g' announced 0 events");
}

/* Under kvm (unit=tsc) a loop that took fewer ticks than its empty twin is
 * noise, not a malformed stream: kept, with a negative per-call value. */
static void test_tsc_noise_is_a_sample(void **state)
{
	static const char text[] =
		"@H proto=2 variant=v short=pcsa ptregs=partial rsp=cached regs=stub exit=asm "
		"build=0 cpu=x hv=KVMKVMKVM mode=kvm unit=tsc\n"
		"@B bench=g iters=10 samples=2 warmup=0\n"
		"@D bench=g sample=0 iters=10 ticks=5 empty=6\n"
		"@D bench=g sample=1 iters=10 ticks=906 empty=6\n"
		"@E records=4 status=pass\n";
	struct el_stream s;
	const struct el_bench *b;
	(void)state;

	assert_int_equal(parse_all(&s, text), 0);
	b = el_stream_bench(&s, "g");
	assert_non_null(b);
	assert_int_equal(b->nsample, 2);
	assert_true(b->sample[0].per_call == -0.1);
	assert_false(b->sample[0].exact);
	assert_true(b->sample[1].per_call == 90.0);
	assert_true(b->sample[1].exact);
	el_stream_free(&s);
}

/* A counter that reads 0 over thousands of iterations, loop and empty twin,
 * in every sample does not count: marked and its values dropped; so do two
 * or more counters that all read 0 over any loop.  One that counts, or a
 * lone zero over too few iterations to tell, is kept. */
static void test_zero_counters(void **state)
{
	static const char text[] =
		"@H proto=2 variant=v short=pcsa ptregs=partial rsp=cached regs=stub exit=asm "
		"build=0 cpu=x hv=KVMKVMKVM mode=kvm unit=tsc\n"
		"@B bench=getpid iters=1000 samples=2 warmup=0 events=3\n"
		"@D bench=getpid sample=0 iters=1000 ticks=90000 empty=3000 pmu0=0 epmu0=0 "
		"pmu1=59000 epmu1=4000 pmu2=0 epmu2=0\n"
		"@D bench=getpid sample=1 iters=1000 ticks=90000 empty=3000 pmu0=0 epmu0=0 "
		"pmu1=59000 epmu1=4000 pmu2=3 epmu2=0\n"
		"@B bench=iopl iters=8 samples=1 warmup=0 events=1\n"
		"@D bench=iopl sample=0 iters=8 ticks=900 empty=30 pmu0=0 epmu0=0\n"
		"@B bench=yield iters=64 samples=2 warmup=0 events=2\n"
		"@D bench=yield sample=0 iters=64 ticks=9000 empty=300 pmu0=0 epmu0=0 pmu1=0 epmu1=0\n"
		"@D bench=yield sample=1 iters=64 ticks=9000 empty=300 pmu0=0 epmu0=0 pmu1=0 epmu1=0\n"
		"@E records=9 status=pass\n";
	struct el_stream s;
	const struct el_bench *b;
	(void)state;

	assert_int_equal(parse_all(&s, text), 0);
	assert_int_equal(el_stream_zero_counters(&s), 3);
	b = el_stream_bench(&s, "getpid");
	assert_int_equal(b->pmu_zero, 1);
	for (int k = 0; k < 2; k++) {
		assert_int_equal(b->sample[k].pmu_mask, 6);
		assert_int_equal(b->sample[k].epmu_mask, 6);
	}
	b = el_stream_bench(&s, "iopl");   /* 8 iterations, one event: too few to tell */
	assert_int_equal(b->pmu_zero, 0);
	assert_int_equal(b->sample[0].pmu_mask, 1);
	/* 128 iterations, but both events silent: the PMU counts nothing (seen
	 * under nested KVM, whose guest calibrated 64 iterations a sample) */
	b = el_stream_bench(&s, "yield");
	assert_int_equal(b->pmu_zero, 3);
	assert_int_equal(b->sample[0].pmu_mask, 0);
	assert_int_equal(b->sample[1].epmu_mask, 0);
	el_stream_free(&s);
}

static void test_numbers(void **state)
{
	(void)state;
	expect_error(HDR "@B bench=g iters=18446744073709551616 samples=0 warmup=0\n@E records=2 status=pass\n",
		     "line 2: @B: value overflow: iters=18446744073709551616");
	expect_error(HDR "@B bench=g iters=12x samples=0 warmup=0\n@E records=2 status=pass\n",
		     "line 2: @B: iters=12x is not a decimal number");
	expect_error(HDR "@B bench=g iters=-1 samples=0 warmup=0\n@E records=2 status=pass\n",
		     "iters=-1 is not a decimal number");
	expect_error(HDR "@X vector=13 name=GP err=0 rip=0x1ffffffffffffffff cs=8 rsp=0 cr2=0 mode=kernel fatal=1\n"
		     "@E records=2 status=panic\n", "value overflow: rip=");
	expect_error(HDR "@X vector=13 name=GP err=0 rip=zz cs=8 rsp=0 cr2=0 mode=kernel fatal=1\n"
		     "@E records=2 status=panic\n", "rip=zz is not a hexadecimal number");
}

static void test_keys(void **state)
{
	(void)state;
	expect_error(HDR "@B bench=g iters=1 samples=0 warmup=0 colour=red\n@E records=2 status=pass\n",
		     "line 2: @B: unknown key 'colour' (accepted: bench, iters, samples, warmup, events)");
	expect_error(HDR "@B bench=g iters=1 iters=2 samples=0 warmup=0\n@E records=2 status=pass\n",
		     "line 2: @B: duplicate key 'iters'");
	expect_error(HDR "@B bench=g samples=0 warmup=0\n@E records=2 status=pass\n",
		     "line 2: @B: missing key 'iters'");
	expect_error("@H proto=3 variant=v short=s ptregs=a rsp=b regs=c exit=d build=0 cpu=x "
		     "hv=none mode=kvm unit=tsc\n@E records=1 status=pass\n",
		     "line 1: @H: unsupported protocol version proto=3");
	expect_error(HDR "@N bench=clone\n@E records=2 status=pass\n", "line 2: @N: missing key 'reason'");
}

static void test_tap(void **state)
{
	(void)state;
	expect_error(HDR "@T 1..3\n@T ok 1 - a\n@T ok 2 - b\n@E records=4 status=pass\n",
		     "TAP plan mismatch: planned 1..3 but 2 tests ran");
	expect_error(HDR "@T ok 1 - a\n@E records=2 status=pass\n", "TAP suite without a plan");
	expect_error(HDR "@T 1..2\n@T ok 1 - a\n@T ok 3 - b\n@E records=4 status=pass\n",
		     "line 4: @T: TAP test number out of order: expected 2, got 3");
	expect_error(HDR "@T 1..1\n@T ok 1 - a\n@T ok 2 - b\n@E records=4 status=pass\n",
		     "line 4: @T: TAP test 2 beyond the plan 1..1");
	expect_error(HDR "@T Bail out!\n@E records=2 status=pass\n", "line 2: @T: malformed TAP line");
	expect_error(HDR "@T ok x\n@E records=2 status=pass\n", "line 2: @T: malformed TAP result");
	expect_error(HDR "@T 1..1\n@T 1..1\n@E records=3 status=pass\n", "line 3: @T: second TAP plan");
}

/* The first error is kept; later records are still parsed best-effort. */
static void test_first_error_kept(void **state)
{
	struct el_stream s;

	(void)state;
	assert_int_equal(parse_all(&s, HDR "junk\n@Z\n"
				   "@X vector=13 name=GP err=0 rip=0 cs=8 rsp=0 cr2=0 mode=kernel fatal=1\n"
				   "@E records=4 status=panic\n"), -1);
	assert_string_equal(el_stream_error(&s),
			    "line 2: not a record (expected '@<tag> key=value ...')");
	assert_int_equal(s.nexc, 1);
	assert_true(s.final.seen);
	el_stream_free(&s);
}

/* Random corruption of a good stream: never a crash, and every failure is
 * reported as an error (a changed stream must not pass unnoticed unless
 * the change kept it valid). */
static void test_mutations(void **state)
{
	char buf[sizeof(good_stream)];
	unsigned seed = 12345;

	(void)state;
	for (int i = 0; i < 3000; i++) {
		struct el_stream s;
		int rc;

		memcpy(buf, good_stream, sizeof(buf));
		for (int k = 0; k < 1 + i % 3; k++) {
			seed = seed * 1103515245u + 12345u;
			size_t pos = (seed >> 8) % (sizeof(buf) - 1);
			seed = seed * 1103515245u + 12345u;
			buf[pos] = (char)(seed >> 16);
		}
		el_stream_init(&s);
		el_stream_feed(&s, buf, sizeof(buf) - 1);
		rc = el_stream_finish(&s);
		assert_true(rc == 0 ? el_stream_error(&s) == NULL : el_stream_error(&s) != NULL);
		if (rc == 0)
			assert_true(s.final.seen && s.header_seen);
		el_stream_free(&s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_stream),
		cmocka_unit_test(test_bytewise_feed),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_garbage_line),
		cmocka_unit_test(test_count_mismatch),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_impossible_values),
		cmocka_unit_test(test_tsc_noise_is_a_sample),
		cmocka_unit_test(test_zero_counters),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_tap),
		cmocka_unit_test(test_first_error_kept),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_mitigations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
