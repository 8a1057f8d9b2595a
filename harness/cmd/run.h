/* The `run` command: boot one variant kernel once under QEMU, parse and
 * check its record stream, write SHORT.{console,samples.csv,tap,result}
 * into the output directory and print a per-benchmark summary. */
#ifndef ENTRYLAB_RUN_H
#define ENTRYLAB_RUN_H

#include "boot/qemu.h"
#include "core/opts.h"
#include "boot/records.h"

struct el_run_verdict {
	int exit;               /* an el_exit status */
	const char *status;     /* pass | fail | hang | crash | protocol | usage | interrupted */
	char error[1024];       /* one line without "entrylab: ", "" on pass */
};

/* What the harness asked the guest for: a boot that ends in "pass" without
 * delivering all of it (an el.run= or el.bench= in --append that skips
 * work, a guest that stops early) is a protocol failure, never a pass. */
struct el_run_want {
	bool conform;           /* a TAP plan, every planned check reported */
	bool bench;             /* every benchmark of bench_list: @B with samples, or @N */
	bool probe;             /* the @P record */
	const char *bench_list; /* comma list; NULL: every benchmark of benches.def */
	uint64_t samples;       /* per benchmark */
};

/* Decide the outcome of one boot from how QEMU ended and what the guest
 * sent.  qemu_path is what --qemu named (NULL for the default); max_output
 * is the cap that was applied; want (NULL: nothing checked) what was asked. */
void el_run_classify(const struct el_qemu_result *q, const struct el_stream *s,
		     const char *name, enum el_mode mode, const char *qemu_path,
		     size_t max_output, const struct el_run_want *want,
		     struct el_run_verdict *v);

int el_cmd_run(int argc, char **argv);
extern const struct el_optcmd run_optcmd;   /* core/opts.h */

#endif
