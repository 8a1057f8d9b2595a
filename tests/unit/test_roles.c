/* Unit tests for the tables of the Linux rows: the CPU model lookup
 * (harness/linuxref/lr_cpu.c over a variants/linux-cpus.conf-style file)
 * and the roles of a path's functions (harness/image/roles.c, the real
 * variants/roles.conf on a hand-made Linux-like path), and the
 * vulnerability lines of a console. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>

#include "core/util.h"
#include "image/roles.h"
#include "image/symbols.h"
#include "linuxref/linuxref.h"

static char conf[64];

static void write_conf(const char *text)
{
	FILE *f;

	strcpy(conf, "/tmp/el-test-cpus.XXXXXX");
	int fd = mkstemp(conf);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
}

static const char table[] =
	"# comment\n"
	"GenuineIntel 6 0xcf EmeraldRapids # new\n"
	"GenuineIntel 6 0xcf Icelake-Server # older\n"
	"AuthenticAMD 0x19 0x00-0x0f EPYC-Milan # Zen 3\n";

static void cpu_first_offered_wins(void **state)
{
	struct lr_host_cpu c = { "GenuineIntel", 6, 0xcf, 2 };
	struct el_buf offered = { 0 };
	char model[64], why[512];

	(void)state;
	write_conf(table);
	el_buf_puts(&offered, "max\nIcelake-Server\nEPYC-Milan\n");
	assert_int_equal(lr_cpu_match(conf, &c, &offered, model, sizeof(model), why, sizeof(why)), 0);
	assert_string_equal(model, "Icelake-Server");
	assert_non_null(strstr(why, "not offered by this QEMU: EmeraldRapids"));
	assert_non_null(strstr(why, ":3: older"));
	/* without a list of offered models the first matching line wins */
	assert_int_equal(lr_cpu_match(conf, &c, NULL, model, sizeof(model), why, sizeof(why)), 0);
	assert_string_equal(model, "EmeraldRapids");
	/* a range */
	struct lr_host_cpu amd = { "AuthenticAMD", 0x19, 0x01, 1 };
	assert_int_equal(lr_cpu_match(conf, &amd, &offered, model, sizeof(model), why, sizeof(why)), 0);
	assert_string_equal(model, "EPYC-Milan");
	unlink(conf);
	el_buf_free(&offered);
}

static void cpu_no_match_is_max(void **state)
{
	struct lr_host_cpu c = { "GenuineIntel", 6, 0x55, 7 };
	char model[64], why[512];

	(void)state;
	write_conf(table);
	assert_int_equal(lr_cpu_match(conf, &c, NULL, model, sizeof(model), why, sizeof(why)), 1);
	assert_string_equal(model, "max");
	assert_non_null(strstr(why, "no line of"));
	unlink(conf);
	write_conf("GenuineIntel six 0xcf Icelake-Server\n");
	assert_int_equal(lr_cpu_match(conf, &c, NULL, model, sizeof(model), why, sizeof(why)), -1);
	assert_non_null(strstr(why, ":1: malformed"));
	unlink(conf);
}

static void cpu_check_lists_models(void **state)
{
	struct el_buf offered = { 0 };
	char err[LR_MODELS_ERR];

	(void)state;
	el_buf_puts(&offered, "max\nIcelake-Server\nEPYC-Milan\n");
	assert_int_equal(lr_cpu_check(&offered, "EPYC-Milan,max", err, sizeof(err)), 0);
	assert_int_equal(lr_cpu_check(&offered, "EPYC-Milan,Nope", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "'Nope'"));
	assert_non_null(strstr(err, "max Icelake-Server EPYC-Milan"));
	el_buf_free(&offered);
}

static void vulnerabilities_from_console(void **state)
{
	json_t *v;

	(void)state;
	v = lr_vulnerabilities("@H proto=1\n@K vulnerability meltdown: Mitigation: PTI\n"
			       "@K vulnerability mds: Not affected\n@K other: x\n");
	assert_int_equal(json_object_size(v), 2);
	assert_string_equal(json_string_value(json_object_get(v, "meltdown")), "Mitigation: PTI");
	json_decref(v);
}

static void add(struct el_image *im, uint64_t addr, const char *name)
{
	im->sym = el_xrealloc(im->sym, (im->nsym + 1) * sizeof(*im->sym));
	im->sym[im->nsym++] = (struct el_sym){ addr, 0, el_xstrdup(name), true, true, true };
}

static void roles_of_a_linux_path(void **state)
{
	struct el_image im = { .linux_layout = true };
	struct el_roles r;
	char err[512];
	const uint64_t K = 0xffffffff81000000ull;
	/* syscall; entry asm; dispatcher; entry work; dispatcher; body; a
	 * helper (inherits body); a return thunk (inherits); dispatcher after
	 * the body (exit work); exit work; entry asm after the body (exit asm) */
	const uint64_t pc[] = { 0x401000, K + 0x100, K + 0x200, K + 0x300, K + 0x204, K + 0x400,
				K + 0x500, K + 0x600, K + 0x208, K + 0x700, K + 0x110 };
	const int want[] = { EL_ROLE_USER, EL_ROLE_ENTRY_ASM, EL_ROLE_DISPATCH, EL_ROLE_ENTRY_WORK,
			     EL_ROLE_DISPATCH, EL_ROLE_BODY, EL_ROLE_BODY, EL_ROLE_BODY,
			     EL_ROLE_EXIT_WORK, EL_ROLE_EXIT_WORK, EL_ROLE_EXIT_ASM };
	unsigned char role[11];

	(void)state;
	add(&im, 0x401000, "el_loop_syscall");
	add(&im, K + 0x100, "entry_SYSCALL_64");
	add(&im, K + 0x200, "do_syscall_64");
	add(&im, K + 0x300, "syscall_enter_from_user_mode");
	add(&im, K + 0x400, "__x64_sys_getpid");
	add(&im, K + 0x500, "__task_pid_nr_ns");
	add(&im, K + 0x600, "its_return_thunk");
	add(&im, K + 0x700, "syscall_exit_to_user_mode");
	el_image_sort(&im);
	if (access("variants/roles.conf", R_OK)) {
		fprintf(stderr, "SKIP: variants/roles.conf not found (run from the repository)\n");
		el_image_free(&im);
		return;
	}
	assert_int_equal(el_roles_load(&r, "variants/roles.conf", err, sizeof(err)), 0);
	el_roles_assign(&r, &im, pc, 11, role);
	for (int i = 0; i < 11; i++)
		assert_int_equal(role[i], want[i]);
	el_roles_free(&r);
	el_image_free(&im);
}

static void roles_table_errors(void **state)
{
	struct el_roles r;
	char err[512];

	(void)state;
	write_conf("entry_* entry-asm\n");
	assert_int_equal(el_roles_load(&r, conf, err, sizeof(err)), -1);
	assert_non_null(strstr(err, ":1: malformed line"));
	unlink(conf);
	write_conf("entry_* entry-asm nowhere\n");
	assert_int_equal(el_roles_load(&r, conf, err, sizeof(err)), -1);
	unlink(conf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cpu_first_offered_wins),
		cmocka_unit_test(cpu_no_match_is_max),
		cmocka_unit_test(cpu_check_lists_models),
		cmocka_unit_test(vulnerabilities_from_console),
		cmocka_unit_test(roles_of_a_linux_path),
		cmocka_unit_test(roles_table_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
