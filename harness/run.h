/* The `run` command: boot one variant kernel once under QEMU, parse and
 * check its record stream, write SHORT.{console,samples.csv,tap,result}
 * into the output directory and print a per-benchmark summary. */
#ifndef ENTRYLAB_RUN_H
#define ENTRYLAB_RUN_H

#include "qemu.h"
#include "records.h"

struct el_run_verdict {
	int exit;               /* an el_exit status */
	const char *status;     /* pass | fail | hang | crash | protocol | usage | interrupted */
	char error[1024];       /* one line without "entrylab: ", "" on pass */
};

/* Decide the outcome of one boot from how QEMU ended and what the guest
 * sent.  qemu_path is what --qemu named (NULL for the default); max_output
 * is the cap that was applied. */
void el_run_classify(const struct el_qemu_result *q, const struct el_stream *s,
		     const char *name, enum el_mode mode, const char *qemu_path,
		     size_t max_output, struct el_run_verdict *v);

int el_cmd_run(int argc, char **argv);

#endif
