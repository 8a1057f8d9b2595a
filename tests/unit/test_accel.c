/*
 * test_accel — the kvm / tcg-icount decision table on constructed probe
 * results and on real parsed record streams, the real /dev/kvm check, and
 * `entrylab hostinfo` run in a child with its output captured.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "host/accel.h"
#include "core/exitcodes.h"

#define PVM_WITH(how) "probe: user-mode SYSCALL arrived at LSTAR in CPL 3 (" how "): " \
	    "software hypervisor (PVM?)"
#define PVM PVM_WITH("fault at the entry")
#define PVM_GP PVM_WITH("#GP at swapgs")
#define PVM_PF PVM_WITH("#PF fetching the entry")

#define HDR "@H proto=2 variant=ptregs=partial,rsp=cached,regs=stub,exit=asm short=pcsa " \
	"ptregs=partial rsp=cached regs=stub exit=asm build=0123abcd cpu=AuthenticAMD/25/17/1 " \
	"hv=KVMKVMKVM mode=kvm unit=tsc\n"

/* /dev/kvm usable and the probe booted; the caller adds what it reported. */
static struct probe_result booted(void)
{
	struct probe_result p;

	memset(&p, 0, sizeof(p));
	p.kvm_dev_checked = p.kvm_dev_ok = true;
	p.ran = true;
	return p;
}

static struct probe_result passed(void)
{
	struct probe_result p = booted();

	p.have_p = p.p_ok = true;
	snprintf(p.p_reason, sizeof(p.p_reason), "ok");
	return p;
}

static void expect(enum accel_request req, const struct probe_result *p,
		   enum accel_mode mode, int status, const char *reason)
{
	struct accel_decision d;

	accel_decide(req, p, &d);
	assert_int_equal(d.mode, mode);
	assert_int_equal(d.status, status);
	assert_string_equal(d.reason, reason);
	assert_null(strchr(d.line, '\n'));
	if (status)
		assert_non_null(strstr(d.line, reason));
}

static void test_tcg_needs_no_probe(void **state)
{
	struct probe_result p = passed();
	struct accel_decision d;

	(void)state;
	accel_decide(ACCEL_REQ_TCG, &p, &d);
	assert_int_equal(d.mode, ACCEL_MODE_TCG_ICOUNT);
	assert_int_equal(d.status, 0);
	assert_false(d.probed);
	assert_false(d.fell_back);
	accel_decide(ACCEL_REQ_TCG, NULL, &d);
	assert_int_equal(d.mode, ACCEL_MODE_TCG_ICOUNT);
	assert_string_equal(d.line, "");
}

static void test_kvm_when_probe_passes(void **state)
{
	struct probe_result p = passed();
	struct accel_decision d;

	(void)state;
	accel_decide(ACCEL_REQ_AUTO, &p, &d);
	assert_int_equal(d.mode, ACCEL_MODE_KVM);
	assert_true(d.probed);
	assert_false(d.fell_back);
	accel_decide(ACCEL_REQ_KVM, &p, &d);
	assert_int_equal(d.mode, ACCEL_MODE_KVM);
	assert_int_equal(d.status, 0);
}

static void test_auto_falls_back_with_reason(void **state)
{
	struct probe_result p;
	struct accel_decision d;

	(void)state;
	p = booted();                               /* PVM: @P says CPL 3 */
	p.have_p = true;
	p.p_cpl = 3;
	accel_decide(ACCEL_REQ_AUTO, &p, &d);
	assert_int_equal(d.mode, ACCEL_MODE_TCG_ICOUNT);
	assert_int_equal(d.status, 0);
	assert_true(d.fell_back);
	assert_string_equal(d.reason, PVM);
	assert_string_equal(d.line, "falling back to tcg-icount: " PVM);

	p = booted();                               /* PVM: #GP at the entry */
	p.gp_at_entry = true;
	expect(ACCEL_REQ_AUTO, &p, ACCEL_MODE_TCG_ICOUNT, 0, PVM_GP);
	p = booted();                               /* PVM as measured here: #PF */
	p.have_p = true;
	p.p_cpl = 3;
	snprintf(p.p_reason, sizeof(p.p_reason), "syscall_in_cpl3_pf_at_entry");
	expect(ACCEL_REQ_AUTO, &p, ACCEL_MODE_TCG_ICOUNT, 0, PVM_PF);
	p = passed();                               /* a pass that never ended */
	p.timed_out = true;
	expect(ACCEL_REQ_AUTO, &p, ACCEL_MODE_TCG_ICOUNT, 0, "probe: guest timed out");
	p = booted();
	snprintf(p.run_error, sizeof(p.run_error), "QEMU exited with status 1");
	expect(ACCEL_REQ_AUTO, &p, ACCEL_MODE_TCG_ICOUNT, 0, "probe: QEMU exited with status 1");
	p = booted();
	expect(ACCEL_REQ_AUTO, &p, ACCEL_MODE_TCG_ICOUNT, 0,
	       "probe: no result record (@P) from the guest");
	p = booted();
	p.have_p = true;
	snprintf(p.p_reason, sizeof(p.p_reason), "sysret_regs");
	expect(ACCEL_REQ_AUTO, &p, ACCEL_MODE_TCG_ICOUNT, 0,
	       "probe: failed: sysret_regs (SYSCALL arrived in CPL 0)");
	p = booted();
	p.have_x = true;
	p.x_vector = 14;
	p.x_rip = 0x401000;
	snprintf(p.x_name, sizeof(p.x_name), "PF");
	expect(ACCEL_REQ_AUTO, &p, ACCEL_MODE_TCG_ICOUNT, 0,
	       "probe: guest exception PF (vector 14) at rip 0x401000");
	p = booted();
	p.ran = false;
	expect(ACCEL_REQ_AUTO, &p, ACCEL_MODE_TCG_ICOUNT, 0, "probe: not run");
	expect(ACCEL_REQ_AUTO, NULL, ACCEL_MODE_TCG_ICOUNT, 0, "/dev/kvm not checked");
	memset(&p, 0, sizeof(p));
	p.kvm_dev_checked = true;
	snprintf(p.kvm_dev_reason, sizeof(p.kvm_dev_reason), "/dev/kvm missing");
	expect(ACCEL_REQ_AUTO, &p, ACCEL_MODE_TCG_ICOUNT, 0, "/dev/kvm missing");
}

static void test_kvm_requested_but_unusable_is_an_error(void **state)
{
	struct probe_result p = booted();
	struct accel_decision d;

	(void)state;
	p.gp_at_entry = true;
	accel_decide(ACCEL_REQ_KVM, &p, &d);
	assert_int_equal(d.status, EL_EX_USAGE);
	assert_false(d.fell_back);
	assert_non_null(strstr(d.line, "kvm mode unavailable: " PVM_GP));
	memset(&p, 0, sizeof(p));
	p.kvm_dev_checked = true;
	snprintf(p.kvm_dev_reason, sizeof(p.kvm_dev_reason),
		 "/dev/kvm not accessible: Permission denied");
	expect(ACCEL_REQ_KVM, &p, ACCEL_MODE_TCG_ICOUNT, EL_EX_USAGE,
	       "/dev/kvm not accessible: Permission denied");
	p = booted();
	p.timed_out = true;
	expect(ACCEL_REQ_KVM, &p, ACCEL_MODE_TCG_ICOUNT, EL_EX_USAGE, "probe: guest timed out");
	expect(ACCEL_REQ_KVM, NULL, ACCEL_MODE_TCG_ICOUNT, EL_EX_USAGE, "/dev/kvm not checked");
}

/* Parse a real record stream and turn it into a probe result. */
static struct probe_result from_stream(const char *text, uint64_t entry)
{
	struct probe_result p = booted();
	struct el_stream s;

	p.ran = false;
	el_stream_init(&s);
	el_stream_feed(&s, text, strlen(text));
	assert_int_equal(el_stream_finish(&s), 0);
	accel_probe_from_stream(&s, entry, &p);
	el_stream_free(&s);
	assert_true(p.ran);
	return p;
}

static void test_probe_from_records(void **state)
{
	struct probe_result p;
	struct accel_decision d;

	(void)state;
	p = from_stream(HDR "@P ok=1 cpl_at_entry=0 reason=ok\n@E records=2 status=pass\n", 0);
	accel_decide(ACCEL_REQ_AUTO, &p, &d);
	assert_int_equal(d.mode, ACCEL_MODE_KVM);

	p = from_stream(HDR "@P ok=0 cpl_at_entry=3 reason=syscall_in_ring3\n"
			"@E records=2 status=fail\n", 0);
	expect(ACCEL_REQ_AUTO, &p, ACCEL_MODE_TCG_ICOUNT, 0, PVM);

	/* #GP at the known entry point, whatever mode the frame shows */
	p = from_stream(HDR "@X vector=13 name=GP err=0 rip=0xffffffff81000000 cs=0x10 "
			"rsp=0 cr2=0 mode=kernel fatal=1\n@E records=2 status=panic\n",
			0xffffffff81000000ull);
	expect(ACCEL_REQ_KVM, &p, ACCEL_MODE_TCG_ICOUNT, EL_EX_USAGE, PVM_GP);
	/* entry unknown: a user-mode #GP in the probe counts */
	p = from_stream(HDR "@X vector=13 name=GP err=0 rip=0x1000 cs=0x33 rsp=0 cr2=0 "
			"mode=user fatal=1\n@E records=2 status=panic\n", 0);
	assert_true(p.gp_at_entry);
	/* a #GP elsewhere is just an exception */
	p = from_stream(HDR "@X vector=13 name=GP err=0 rip=0x2000 cs=0x10 rsp=0 cr2=0 "
			"mode=kernel fatal=1\n@E records=2 status=panic\n", 0x1000);
	assert_false(p.gp_at_entry);
	expect(ACCEL_REQ_AUTO, &p, ACCEL_MODE_TCG_ICOUNT, 0,
	       "probe: guest exception GP (vector 13) at rip 0x2000");
}

static void test_real_dev_kvm(void **state)
{
	char dir[] = "/tmp/entrylab-accel-XXXXXX";
	struct probe_result p;

	(void)state;
	memset(&p, 0, sizeof(p));
	if (accel_check_kvm_dev(NULL, &p)) {
		assert_string_equal(p.kvm_dev_reason, "");
	} else if (access("/dev/kvm", F_OK) != 0) {
		assert_string_equal(p.kvm_dev_reason, "/dev/kvm missing");
	} else {
		assert_true(strstr(p.kvm_dev_reason, "/dev/kvm not accessible: ") ||
			    strstr(p.kvm_dev_reason, "/dev/kvm: KVM"));
	}
	assert_true(p.kvm_dev_checked);
	assert_false(accel_check_kvm_dev("/nonexistent/kvm", &p));
	assert_string_equal(p.kvm_dev_reason, "/nonexistent/kvm missing");
	assert_non_null(mkdtemp(dir));
	assert_false(accel_check_kvm_dev(dir, &p));         /* EISDIR */
	assert_non_null(strstr(p.kvm_dev_reason, " not accessible: "));
	rmdir(dir);
	assert_false(accel_check_kvm_dev("/dev/null", &p)); /* not KVM: ENOTTY */
	assert_string_equal(p.kvm_dev_reason,
			    "/dev/null: KVM_GET_API_VERSION failed: Inappropriate ioctl for device");
}

static void test_request_names_and_render(void **state)
{
	static const char *bad[] = { "", "KVM", "tcg ", "hvf", "auto,kvm" };
	struct probe_result p = passed();
	struct accel_decision d;
	enum accel_request r;
	char *text = NULL;
	size_t len = 0, i;
	FILE *f;

	(void)state;
	assert_int_equal(accel_parse_request("auto", &r), 0);
	assert_int_equal(r, ACCEL_REQ_AUTO);
	assert_int_equal(accel_parse_request("kvm", &r), 0);
	assert_int_equal(r, ACCEL_REQ_KVM);
	assert_int_equal(accel_parse_request("tcg-icount", &r), 0);
	assert_int_equal(r, ACCEL_REQ_TCG);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(accel_parse_request(bad[i], &r), -1);
	assert_int_equal(accel_parse_request(NULL, &r), -1);
	accel_decide(ACCEL_REQ_AUTO, &p, &d);
	f = open_memstream(&text, &len);
	assert_non_null(f);
	accel_render(&d, f);
	fclose(f);
	assert_string_equal(text, "accel_requested=auto\naccel_mode=kvm\naccel_probed=1\n"
			    "accel_reason=probe passed: a user-mode SYSCALL reached ring 0 "
			    "and returned by SYSRET\n");
	free(text);
}

static char hostinfo_err[1024];   /* the last run's stderr */

static void read_back(int fd, char *out, size_t n)
{
	ssize_t got = pread(fd, out, n - 1, 0);

	out[got > 0 ? got : 0] = '\0';
	close(fd);
}

/* Run `entrylab hostinfo ARGS` in a child (libpfm4 forced to skl); its exit
 * status, with its stdout in out and its stderr in hostinfo_err. */
static int hostinfo(char *out, size_t n, int argc, char **argv)
{
	char opath[] = "/tmp/entrylab-hostinfo-XXXXXX", epath[] = "/tmp/entrylab-hostinfo-XXXXXX";
	int ofd = mkstemp(opath), efd = mkstemp(epath), status = -1;
	pid_t pid;

	assert_true(ofd >= 0 && efd >= 0);
	unlink(opath);
	unlink(epath);
	pid = fork();
	if (pid == 0) {
		setenv("LIBPFM_FORCE_PMU", "skl", 1);
		dup2(ofd, 1);
		dup2(efd, 2);
		status = cmd_hostinfo(argc, argv);
		fflush(stdout);
		_exit(status);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	read_back(ofd, out, n);
	read_back(efd, hostinfo_err, sizeof(hostinfo_err));
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/* A failed run: nothing on stdout, one "entrylab: " line on stderr. */
static void one_error_line(const char *out, const char *what)
{
	assert_string_equal(out, "");
	assert_int_equal(strncmp(hostinfo_err, "entrylab: ", 10), 0);
	assert_non_null(strstr(hostinfo_err, what));
	assert_ptr_equal(strchr(hostinfo_err, '\n'), hostinfo_err + strlen(hostinfo_err) - 1);
}

static void test_hostinfo_command(void **state)
{
	char *plain[] = { "hostinfo" };
	char *events[] = { "hostinfo", "--events", "cycles,instructions", "--cpu=0" };
	char *bad_cpu[] = { "hostinfo", "--cpu", "99999" };
	char *bad_event[] = { "hostinfo", "--events=nope" };
	char *bad_opt[] = { "hostinfo", "--frobnicate" };
	char *no_value[] = { "hostinfo", "--cpu" };
	char *junk_cpu[] = { "hostinfo", "--cpu", "1x" };
	static char out[16384];

	(void)state;
	assert_int_equal(hostinfo(out, sizeof(out), 1, plain), 0);
	assert_non_null(strstr(out, "\npin_cpu="));
	assert_non_null(strstr(out, "\nnoise_governor="));
	assert_non_null(strstr(out, "\npmu=skl\n"));
	assert_non_null(strstr(out, "\nkvm_dev="));
	assert_null(strstr(out, "guest_cmdline="));
	assert_int_equal(hostinfo(out, sizeof(out), 4, events), 0);
	assert_non_null(strstr(out, "\npin_cpu=0\n"));
	assert_non_null(strstr(out, "\nguest_cmdline=el.events=43003c,4300c0\n"));
	assert_non_null(strstr(out, "\npmu_event0_raw=0x43003c\n"));
	assert_int_equal(hostinfo(out, sizeof(out), 3, bad_cpu), EL_EX_USAGE);
	one_error_line(out, "cpu 99999 does not exist");
	assert_int_equal(hostinfo(out, sizeof(out), 2, bad_event), EL_EX_USAGE);
	one_error_line(out, "unknown PMU event \"nope\"");
	assert_int_equal(hostinfo(out, sizeof(out), 2, bad_opt), EL_EX_USAGE);
	one_error_line(out, "unknown option '--frobnicate'");
	assert_int_equal(hostinfo(out, sizeof(out), 2, no_value), EL_EX_USAGE);
	one_error_line(out, "missing value for '--cpu'");
	assert_int_equal(hostinfo(out, sizeof(out), 3, junk_cpu), EL_EX_USAGE);
	one_error_line(out, "bad --cpu value '1x'");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcg_needs_no_probe),
		cmocka_unit_test(test_kvm_when_probe_passes),
		cmocka_unit_test(test_auto_falls_back_with_reason),
		cmocka_unit_test(test_kvm_requested_but_unusable_is_an_error),
		cmocka_unit_test(test_probe_from_records),
		cmocka_unit_test(test_real_dev_kvm),
		cmocka_unit_test(test_request_names_and_render),
		cmocka_unit_test(test_hostinfo_command),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
