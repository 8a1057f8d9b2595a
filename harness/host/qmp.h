/* A QMP client (QEMU's machine protocol), as libvirt's QEMU driver speaks
 * it: each message is one JSON object per line, parsed with jansson; a
 * command's reply is its "return" (or "error"), events in between are
 * skipped.  The vCPU thread is the thread-id that query-cpus-fast gives
 * for cpu 0, not a thread found by its name. */
#ifndef ENTRYLAB_QMP_H
#define ENTRYLAB_QMP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/util.h"

struct el_qmp {
	int fd;
	struct el_buf in;    /* bytes read and not yet a whole line */
	int timeout_ms;      /* per command */
};

/* Connect to the socket at path (QEMU creates it while it starts: retried
 * while alive(ctx) says QEMU lives, up to timeout_ms), read the greeting
 * and leave capabilities negotiation.  0, or -1 with err. */
int el_qmp_open(struct el_qmp *q, const char *path, int timeout_ms,
		bool (*alive)(void *ctx), void *ctx, char *err, size_t n);
void el_qmp_close(struct el_qmp *q);

/* Run command (no arguments) and wait for its reply.  0 with *ret its
 * "return" (owned by the caller; ret may be NULL), or -1 with err. */
int el_qmp_exec(struct el_qmp *q, const char *command, json_t **ret, char *err, size_t n);
/* The same with arguments (an object, stolen; NULL for none): e.g.
 * human-monitor-command {"command-line": "log exec"} (the Linux trace
 * boot, linuxref/lr_trace.c). */
int el_qmp_exec_args(struct el_qmp *q, const char *command, json_t *args, json_t **ret,
		     char *err, size_t n);

/* The vCPU thread of cpu 0: query-cpus-fast's thread-id.  0, or -1 with
 * err. */
int el_qmp_vcpu_thread(struct el_qmp *q, pid_t *tid, char *err, size_t n);

/* The parsers, for the tests.  One message: EL_QMP_RETURN with *ret
 * (owned), EL_QMP_OTHER for an event or the greeting (skipped), or
 * EL_QMP_ERROR with the reason (QEMU's "desc", or why the line is no QMP
 * message) in err. */
enum { EL_QMP_ERROR = -1, EL_QMP_OTHER = 0, EL_QMP_RETURN = 1, EL_QMP_GREETING = 2 };
int el_qmp_parse(const char *line, json_t **ret, char *err, size_t n);
/* thread-id of cpu-index 0 in a query-cpus-fast return: 0, or -1 with err. */
int el_qmp_cpus_thread(const json_t *ret, pid_t *tid, char *err, size_t n);

#endif
