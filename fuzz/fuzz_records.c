/* libFuzzer target: the guest record stream (harness/boot/records.h).
 *
 * Input: the first byte chooses how the rest is cut into chunks (the
 * serial line delivers any split), the rest is the raw console output.
 * After the end of the stream the verdict of `entrylab run`
 * (el_run_classify) and the KVM probe reading (accel_probe_from_stream)
 * are computed from the parsed stream, as the harness does with a real
 * guest.  Checked: no crash, no sanitizer report, no leak, and the
 * invariants records.h promises (an error is one located line; every
 * kept sample has iters > 0 and ticks >= empty; the tail holds at most
 * EL_REC_TAIL lines). */
#include "fuzz.h"

#include "host/accel.h"
#include "boot/records.h"
#include "cmd/run.h"

static void check(int cond)
{
	if (!cond)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct el_stream s;   /* large: not on the stack */
	struct el_qemu_result q = { .end = EL_QEMU_EXITED, .code = 33 };
	struct el_run_verdict v;
	/* what a matrix boot asks for: every check and every benchmark */
	const struct el_run_want want = { .conform = true, .bench = true, .samples = 10 };
	struct probe_result probe = { 0 };
	size_t chunk = size ? (size_t)data[0] % 97 + 1 : 1, off = size ? 1 : 0;

	el_stream_init(&s);
	while (off < size) {
		size_t n = size - off < chunk ? size - off : chunk;
		el_stream_feed(&s, (const char *)data + off, n);
		off += n;
	}
	el_stream_finish(&s);

	const char *err = el_stream_error(&s);
	check(!err || (err[0] && !strchr(err, '\n')));
	check(el_stream_tail_count(&s) <= EL_REC_TAIL);
	for (unsigned i = 0; i < el_stream_tail_count(&s); i++)
		check(strlen(el_stream_tail_line(&s, i)) <= EL_MAX_LINE);
	for (size_t b = 0; b < s.nbench; b++) {
		const struct el_bench *bn = &s.bench[b];
		check(el_stream_bench(&s, bn->name) == bn);
		check(bn->nsample <= bn->samples);
		for (size_t k = 0; k < bn->nsample; k++)
			check(bn->sample[k].iters > 0 && bn->sample[k].index == k &&
			      /* exact counts never go below the empty loop; TSC ticks may */
			      (bn->sample[k].ticks >= bn->sample[k].empty ||
			       strcmp(s.header.unit, "instructions")));
	}

	el_run_classify(&q, &s, "pcsa", EL_MODE_TCG_ICOUNT, NULL, 1 << 20, &want, &v);
	check(v.status && !strchr(v.error, '\n'));
	q.code = 37;
	el_run_classify(&q, &s, "pcsa", EL_MODE_KVM, NULL, 1 << 20, &want, &v);
	check(v.status && v.exit != 0);
	accel_probe_from_stream(&s, 0x101000, &probe);
	el_stream_free(&s);
	return 0;
}
