/* entrylab harness exit statuses — documented in `entrylab --help`,
 * `run.sh --help` and README.md.  Keep the three in step. */
#ifndef ENTRYLAB_EXITCODES_H
#define ENTRYLAB_EXITCODES_H

enum el_exit {
	EL_EX_OK           = 0,   /* everything ran and passed */
	EL_EX_FAIL         = 1,   /* a check failed, a variant failed, or a regression */
	EL_EX_USAGE        = 2,   /* usage or environment error (bad option, missing tool/image) */
	EL_EX_INCONCLUSIVE = 3,   /* gate: an interval straddles a threshold */
	EL_EX_HANG         = 4,   /* guest hit the time limit and was killed */
	EL_EX_CRASH        = 5,   /* guest exception, panic, triple fault or unexpected QEMU exit */
	EL_EX_PROTOCOL     = 6,   /* truncated or malformed record stream, count mismatch */
	EL_EX_INTERRUPTED  = 130, /* SIGINT, SIGTERM, SIGHUP, SIGPIPE: children killed, nothing published */
};

#endif
