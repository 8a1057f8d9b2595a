/* `entrylab trace --diff A B BENCH`: two traced paths aligned, then the
 * instructions of each by role (variants/roles.conf) and by symbol.  Two
 * of our kernels are aligned as one sequence (symbol and instruction);
 * when a Linux row is one side the functions are named differently, so
 * the paths are aligned role by role: the entry assembler of A against
 * that of B, and so on, by symbol and instruction inside each role. */
#include "cmd/trace_cmd.h"
#include "core/exitcodes.h"
#include "core/util.h"
#include "image/roles.h"

#include <stdlib.h>
#include <string.h>

#define DIFF_MAX_CELLS   (32u << 20)   /* alignment table, bytes */
#define DIFF_SYM_MAX     512           /* distinct symbols in the by-symbol table */


enum { OP_BOTH, OP_A, OP_B };
struct op {
	unsigned char kind;
	size_t ia, ib;   /* path positions (the one not in use is ignored) */
};

static char **path_keys(const struct trace_run *r)
{
	char **k = el_xrealloc(NULL, (r->path.len + 1) * sizeof(*k)), buf[512];

	for (size_t i = 0; i < r->path.len; i++)
		k[i] = el_xstrdup(el_image_insn_key(&r->im, r->log.pc[0][r->path.start + i],
						     buf, sizeof(buf)));
	return k;
}

/* Longest common subsequence of the middle a[0..na) x b[0..nb), appended
 * to ops from offsets oa, ob; one direction byte per cell. */
static void lcs(char **a, size_t na, char **b, size_t nb, size_t oa, size_t ob,
		struct op *ops, size_t *nops)
{
	uint32_t *next = el_xrealloc(NULL, (nb + 1) * sizeof(uint32_t));
	uint32_t *cur = el_xrealloc(NULL, (nb + 1) * sizeof(uint32_t)), *t;
	unsigned char *dir = el_xrealloc(NULL, na * nb + 1);
	size_t i = na, j;

	memset(next, 0, (nb + 1) * sizeof(uint32_t));
	while (i-- > 0) {
		cur[nb] = 0;
		for (j = nb; j-- > 0;) {
			unsigned char *d = &dir[i * nb + j];
			if (!strcmp(a[i], b[j]))
				cur[j] = next[j + 1] + 1, *d = OP_BOTH;
			else if (next[j] >= cur[j + 1])
				cur[j] = next[j], *d = OP_A;
			else
				cur[j] = cur[j + 1], *d = OP_B;
		}
		t = next, next = cur, cur = t;
	}
	for (i = 0, j = 0; i < na || j < nb;) {
		int k = i == na ? OP_B : j == nb ? OP_A : dir[i * nb + j];
		ops[(*nops)++] = (struct op){ (unsigned char)k, oa + i, ob + j };
		i += k != OP_B;
		j += k != OP_A;
	}
	free(dir);
	free(cur);
	free(next);
}

/* Align the two paths: common prefix and suffix, LCS in between (or, past
 * DIFF_MAX_CELLS, all of A's middle then all of B's). */
static size_t align_paths(char **a, size_t na, char **b, size_t nb, struct op *ops)
{
	size_t pre = 0, suf = 0, n = 0, ma, mb;

	while (pre < na && pre < nb && !strcmp(a[pre], b[pre]))
		ops[n++] = (struct op){ OP_BOTH, pre, pre }, pre++;
	while (suf < na - pre && suf < nb - pre && !strcmp(a[na - 1 - suf], b[nb - 1 - suf]))
		suf++;
	ma = na - pre - suf;
	mb = nb - pre - suf;
	if (ma && mb && ma <= DIFF_MAX_CELLS / mb) {
		lcs(a + pre, ma, b + pre, mb, pre, pre, ops, &n);
	} else {
		for (size_t i = 0; i < ma; i++)
			ops[n++] = (struct op){ OP_A, pre + i, 0 };
		for (size_t j = 0; j < mb; j++)
			ops[n++] = (struct op){ OP_B, 0, pre + j };
	}
	for (size_t k = 0; k < suf; k++)
		ops[n++] = (struct op){ OP_BOTH, na - suf + k, nb - suf + k };
	return n;
}

static void diff_row(const struct trace_run *ra, const struct trace_run *rb, const struct op *op)
{
	static const char marks[] = { ' ', '-', '+' };
	const struct trace_run *r = op->kind == OP_B ? rb : ra;
	uint64_t pa = ra->log.pc[0][ra->path.start + (op->kind == OP_B ? 0 : op->ia)];
	uint64_t pb = rb->log.pc[0][rb->path.start + (op->kind == OP_A ? 0 : op->ib)];
	uint64_t pc = op->kind == OP_B ? pb : pa;
	char la[256] = "", lb[256] = "";

	if (op->kind != OP_B)
		el_sym_format(&ra->im, pa, la, sizeof(la));
	if (op->kind != OP_A)
		el_sym_format(&rb->im, pb, lb, sizeof(lb));
	printf("%c %-5s  %-34s  %-34s  %s\n", marks[op->kind], tr_ring_name(&r->im, pc),
	       la[0] ? la : ".", lb[0] ? lb : ".", tr_insn_text(&r->im, pc));
}

/* Align the instructions of one role (index lists ia, ib into the paths);
 * ops get path positions. */
static size_t align_role(char **ka, const size_t *ia, size_t na, char **kb, const size_t *ib,
			 size_t nb, struct op *ops)
{
	char **sa = el_xrealloc(NULL, (na + 1) * sizeof(*sa)), **sb = el_xrealloc(NULL, (nb + 1) * sizeof(*sb));
	size_t n;

	for (size_t i = 0; i < na; i++)
		sa[i] = ka[ia[i]];
	for (size_t j = 0; j < nb; j++)
		sb[j] = kb[ib[j]];
	n = align_paths(sa, na, sb, nb, ops);
	for (size_t k = 0; k < n; k++) {
		if (ops[k].kind != OP_B)
			ops[k].ia = ia[ops[k].ia];
		if (ops[k].kind != OP_A)
			ops[k].ib = ib[ops[k].ib];
	}
	free(sa);
	free(sb);
	return n;
}

static unsigned char *path_roles(const struct el_roles *rt, const struct trace_run *r)
{
	unsigned char *role = el_xrealloc(NULL, r->path.len + 1);

	el_roles_assign(rt, &r->im, r->log.pc[0] + r->path.start, r->path.len, role);
	return role;
}

struct symcount {
	char name[128];
	size_t n[2];
};

static void count_syms(const struct trace_run *r, int side, struct symcount *sc, size_t *nsc)
{
	for (size_t i = 0; i < r->path.len; i++) {
		const struct el_sym *s = el_sym_lookup(&r->im, r->log.pc[0][r->path.start + i]);
		const char *name = s ? s->name : "(no symbol)";
		size_t k = 0;
		while (k < *nsc && strcmp(sc[k].name, name))
			k++;
		if (k == *nsc) {
			if (*nsc == DIFF_SYM_MAX)
				continue;
			memset(&sc[k], 0, sizeof(sc[k]));
			el_strlcpy(sc[k].name, name, sizeof(sc[k].name));
			(*nsc)++;
		}
		sc[k].n[side]++;
	}
}

/* A no-operation: what a patched-out site leaves (an alternative or
 * static key not taken, an ftrace call site, a paravirt pad).  objdump
 * writes the two-byte 66 90 as xchg %ax,%ax; QEMU's log writes nop. */
static bool insn_is_nop(const char *text)
{
	while (*text == ' ')
		text++;
	if (!strncmp(text, "xchg %ax,%ax", 12) || !strncmp(text, "xchg %ax, %ax", 13))
		return true;
	size_t n = strcspn(text, " ");   /* the mnemonic: nop, nopl, nopw */
	return (n == 3 || n == 4) && !strncmp(text, "nop", 3);
}

/* The ring-0 NOPs of one path outside the body. */
static size_t path_nops(const struct trace_run *r, const unsigned char *ro)
{
	size_t n = 0;

	for (size_t i = 0; i < r->path.len; i++) {
		const struct el_insn *in = el_insn_at(&r->im, r->log.pc[0][r->path.start + i]);
		if (ro[i] != EL_ROLE_USER && ro[i] != EL_ROLE_BODY && in && insn_is_nop(in->text))
			n++;
	}
	return n;
}

static void summaries(const struct trace_run *ra, const struct trace_run *rb,
		      const unsigned char *roa, const unsigned char *rob, const char *roles_path)
{
	size_t ca[EL_ROLE_COUNT] = { 0 }, cb[EL_ROLE_COUNT] = { 0 }, nsc = 0;
	struct symcount *sc = el_xrealloc(NULL, DIFF_SYM_MAX * sizeof(*sc));

	for (size_t i = 0; i < ra->path.len; i++)
		ca[roa[i]]++;
	for (size_t j = 0; j < rb->path.len; j++)
		cb[rob[j]]++;
	printf("by role (%s):\n  %-11s %6s %6s %6s\n", roles_path, "role", "A", "B", "B-A");
	for (int k = 0; k < EL_ROLE_COUNT; k++)
		printf("  %-11s %6zu %6zu %+6lld\n", el_role_name(k), ca[k], cb[k],
		       (long long)cb[k] - (long long)ca[k]);
	size_t na = path_nops(ra, roa), nb = path_nops(rb, rob);
	size_t wa = ra->path.len - ca[EL_ROLE_USER] - ca[EL_ROLE_BODY];
	size_t wb = rb->path.len - cb[EL_ROLE_USER] - cb[EL_ROLE_BODY];
	printf("ring 0 outside the body: A %zu, B %zu (B-A %+lld); of them NOPs (patched-out sites): "
	       "A %zu, B %zu; without the NOPs: A %zu, B %zu (B-A %+lld)\n", wa, wb,
	       (long long)wb - (long long)wa, na, nb, wa - na, wb - nb,
	       (long long)(wb - nb) - (long long)(wa - na));
	count_syms(ra, 0, sc, &nsc);
	count_syms(rb, 1, sc, &nsc);
	printf("by symbol, where A and B differ (a symbol in one path only is code the other "
	       "does not run):\n  %6s %6s %6s  %s\n", "A", "B", "B-A", "symbol");
	for (size_t k = 0; k < nsc; k++)
		if (sc[k].n[0] != sc[k].n[1])
			printf("  %6zu %6zu %+6lld  %s%s\n", sc[k].n[0], sc[k].n[1],
			       (long long)sc[k].n[1] - (long long)sc[k].n[0], sc[k].name,
			       !sc[k].n[0] ? "  (only in B)" : !sc[k].n[1] ? "  (only in A)" : "");
	free(sc);
}

int tr_print_diff(const struct trace_opts *o, const struct trace_run *ra,
		  const struct trace_run *rb, const char *bench)
{
	char **ka = path_keys(ra), **kb = path_keys(rb), path[4096], err[1024];
	struct op *ops = el_xrealloc(NULL, (ra->path.len + rb->path.len + 1) * sizeof(*ops));
	size_t count[3] = { 0 };
	struct el_roles rt;
	unsigned char *roa, *rob;
	bool by_role = ra->linux_row || rb->linux_row, ok;

	el_fmt(path, sizeof(path), "%s/%s", o->variants_dir, EL_ROLES_FILE);
	if (el_roles_load(&rt, path, err, sizeof(err))) {
		el_err("%s", err);
		return EL_EX_USAGE;
	}
	roa = path_roles(&rt, ra);
	rob = path_roles(&rt, rb);
	printf("trace --diff %s %s %s\n  A = %s: %s\n  B = %s: %s\n", ra->k.short_name,
	       rb->k.short_name, bench, ra->k.short_name, ra->k.canonical, rb->k.short_name,
	       rb->k.canonical);
	for (int s = 0; s < 2; s++) {
		const struct trace_run *r = s ? rb : ra;
		if (r->linux_row)
			printf("  %c: kernel symbols %s%s\n", 'A' + s, r->nosyms[0] ? "none: " :
			       "from /proc/kallsyms", r->nosyms);
	}
	printf("(' ' in both, '-' only in A, '+' only in B; aligned by %s)\n", by_role ?
	       "role (variants/roles.conf), then by symbol and instruction inside each role" :
	       "symbol and instruction");
	printf("  %-5s  %-34s  %-34s  %s\n", "ring", "A: symbol+offset", "B: symbol+offset",
	       "instruction");
	if (!by_role) {
		size_t n = align_paths(ka, ra->path.len, kb, rb->path.len, ops);
		for (size_t i = 0; i < n; i++) {
			diff_row(ra, rb, &ops[i]);
			count[ops[i].kind]++;
		}
	}
	for (int role = 0; by_role && role < EL_ROLE_COUNT; role++) {
		size_t *ia = el_xrealloc(NULL, (ra->path.len + 1) * sizeof(size_t));
		size_t *ib = el_xrealloc(NULL, (rb->path.len + 1) * sizeof(size_t)), na = 0, nb = 0;
		for (size_t i = 0; i < ra->path.len; i++)
			if (roa[i] == role)
				ia[na++] = i;
		for (size_t j = 0; j < rb->path.len; j++)
			if (rob[j] == role)
				ib[nb++] = j;
		if (na || nb) {
			size_t n = align_role(ka, ia, na, kb, ib, nb, ops);
			printf("-- %s: A %zu, B %zu (%+lld)\n", el_role_name(role), na, nb,
			       (long long)nb - (long long)na);
			for (size_t i = 0; i < n; i++) {
				diff_row(ra, rb, &ops[i]);
				count[ops[i].kind]++;
			}
		}
		free(ia);
		free(ib);
	}
	ok = tr_verify(ra, bench, "A: ");
	ok = tr_verify(rb, bench, "B: ") && ok;
	printf("difference B - A = %+lld instructions (in both %zu, only in A %zu, only in B %zu)\n",
	       (long long)rb->path.len - (long long)ra->path.len, count[OP_BOTH], count[OP_A],
	       count[OP_B]);
	summaries(ra, rb, roa, rob, path);
	for (size_t i = 0; i < ra->path.len; i++)
		free(ka[i]);
	for (size_t i = 0; i < rb->path.len; i++)
		free(kb[i]);
	free(ka);
	free(kb);
	free(ops);
	free(roa);
	free(rob);
	el_roles_free(&rt);
	return ok ? EL_EX_OK : EL_EX_FAIL;
}
