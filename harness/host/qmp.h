/*
 * qmp — a small client of QEMU's QMP socket (JSON lines): connect and
 * negotiate, run one command and wait for its answer, wait for a run
 * state.  Used by the paused kvm boot (kvmrun.c: "cont" after pinning) and
 * the Linux trace boot (linuxref/lr_trace.c: the exec log switched on and
 * off while the guest waits).
 */
#ifndef ENTRYLAB_QMP_H
#define ENTRYLAB_QMP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Sleep ms milliseconds. */
void el_nap_ms(int ms);
/* QEMU's process pid exists and is not a zombie. */
bool el_qemu_alive(pid_t pid);

/* Connect to the QMP socket at path (QEMU, pid, creates it while it
 * starts; timeout_ms for it to appear and greet) and leave capabilities
 * negotiation.  Returns the socket, or -1 with err. */
int el_qmp_open(const char *path, pid_t pid, int timeout_ms, char *err, size_t n);

/* Run one command: a bare name ("cont") or a whole JSON object; wait for
 * its "return" line (events in between are skipped), copied into reply
 * when reply is not NULL.  0, or -1 with err. */
int el_qmp_call(int fd, const char *cmd, char *reply, size_t rn, char *err, size_t n);
int el_qmp_exec(int fd, const char *cmd, char *err, size_t n);

/* An HMP command through QMP's human-monitor-command ("log exec",
 * "singlestep on"); an answer that is not empty counts as a refusal.  0, or
 * -1 with err. */
int el_qmp_hmp(int fd, const char *line, char *err, size_t n);

/* Poll query-status until the run state is status ("guest-panicked",
 * "paused", ...), at most timeout_ms.  0, or -1 with err. */
int el_qmp_wait_status(int fd, const char *status, int timeout_ms, char *err, size_t n);

#endif
