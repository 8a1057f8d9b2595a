/* libFuzzer target: command-line options, where they can be parsed without
 * side effects: `entrylab matrix` (mx_parse_opts, then the --bench list
 * and every selector against the repository's variants/), `entrylab
 * resolve` and `entrylab list` (read-only), and the value parsers the
 * commands share (util.h numbers, run ids, modes, accelerator requests).
 *
 * Input: the first byte picks the command, the rest is argv split at
 * 0x01 bytes.  Checked: no crash, no sanitizer report, no leak; statuses are
 * EL_EX_OK or EL_EX_USAGE; the number parsers agree with strtoull on what
 * they accept. */
#include "fuzz.h"

#include <errno.h>

#include "host/accel.h"
#include "cmd/commands.h"
#include "core/exitcodes.h"
#include "matrix/matrix.h"
#include "matrix/meta.h"
#include "boot/qemu.h"
#include "core/util.h"
#include "variants/variants.h"

#define MAX_ARGS 24

static void check(int cond)
{
	if (!cond)
		abort();
}

static struct el_variants vs;

static void load_variants(void)
{
	static int done;
	char dir[4200], err[EL_VARIANT_ERR];

	if (done++)
		return;
	snprintf(dir, sizeof(dir), "%s/variants", fz_repo_root());
	if (el_variants_load(&vs, dir, err, sizeof(err)))
		abort();
}

static void numbers(const char *a)
{
	uint64_t v, w;
	char *end;

	if (el_parse_u64(a, &v) == 0) {
		check(a[0] >= '0' && a[0] <= '9');
		errno = 0;
		w = strtoull(a, &end, 10);
		check(!errno && !*end && v == w);
	}
	if (el_parse_hex64(a, &v) == 0) {
		errno = 0;
		w = strtoull(a, &end, 16);
		check(!errno && !*end && v == w && a[0] != '-' && a[0] != '+' && a[0] != ' ');
	}
}

static void values(const char *a)
{
	char bench[MX_BENCH_LIST], err[512];
	int codes[EL_MAX_VARIANTS + 1];
	size_t n = 0;
	enum el_mode mode;
	enum accel_request req;

	numbers(a);
	mx_run_id_valid(a);
	el_mode_parse(a, &mode);
	accel_parse_request(a, &req);
	/* errors quote the input; el_err prints them on one line */
	if (mx_bench_list(a, bench, sizeof(bench), err, sizeof(err)))
		check(err[0] != '\0');
	if (el_variants_resolve(&vs, a, codes, sizeof(codes) / sizeof(codes[0]), &n, err,
				sizeof(err)))
		check(err[0] != '\0');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_part part[MAX_ARGS];
	char *argv[MAX_ARGS + 2], *owned[MAX_ARGS];
	struct mx_opts o;
	int argc = 1, rc;
	size_t n;

	if (!size)
		return 0;
	load_variants();
	n = fz_split(data + 1, size - 1, "\001", part, MAX_ARGS);
	for (size_t i = 0; i < n; i++)
		argv[argc++] = owned[i] = fz_string(part[i].p, part[i].n);
	argv[argc] = NULL;

	for (int i = 1; i < argc; i++)
		values(argv[i]);
	switch (data[0] % 3) {
	case 0:
		argv[0] = (char *)"matrix";
		rc = mx_parse_opts(argc, argv, &o);
		if (rc == EL_EX_OK && o.bench)
			values(o.bench);
		if (rc == EL_EX_OK && o.variants)
			values(o.variants);
		mx_opts_free(&o);
		break;
	case 1:
		argv[0] = (char *)"resolve";
		rc = el_cmd_resolve(argc, argv);
		break;
	default:
		argv[0] = (char *)"list";
		rc = el_cmd_list(argc, argv);
		break;
	}
	check(rc == EL_EX_OK || rc == EL_EX_USAGE);
	for (size_t i = 0; i < n; i++)   /* the commands reorder argv */
		free(owned[i]);
	return 0;
}
