/*
 * entrylab merge: the results directories of several machines (or several
 * runs of one machine) in one report and one set of plots.
 *
 *   entrylab merge [--out DIR] [--labels L1,L2,...] [--no-plots] [--root REPO] RUN...
 *
 * Input: each RUN is a results directory of `entrylab matrix` (results/<id>,
 * or a link to one such as results/latest): its meta.json (run_id,
 * start_utc, host.cpu_model, host.microcode, host.kernel.release,
 * mode.mode, mode.unit) and summary.json (unit, benches, variants[].stats
 * <bench>.median, effects).  The raw samples are not read again: every
 * figure of the merged report is the run's own median.
 *
 * Refused with one line and status 2, before anything is written:
 *   - a RUN that is not a directory, or whose meta.json or summary.json is
 *     missing, not JSON, or lacks a field above or has it of the wrong type
 *     (the line names the file and the field);
 *   - two RUNs of the same run: the same directory, or the same run_id and
 *     start_utc (a copy of a run is the same run);
 *   - --out naming something that exists; a --labels list that does not
 *     give one distinct label ([A-Za-z0-9._-], 1..31) per RUN.
 *
 * Units: a run measures in instructions (tcg-icount) or TSC ticks (kvm).
 * Machines are grouped by unit; a table or plot shows the groups side by
 * side, and no figure (the per-variant range across machines, a plot's y
 * axis) is ever computed over two units.
 *
 * Output, in a new directory (default results/merge-<UTC time>-<pid>),
 * written as .<name>.partial beside it and renamed when complete, so a
 * failed merge leaves nothing half-written under the final name:
 *   machines.csv  label,dir,run_id,start_utc,cpu_model,microcode,kernel,
 *                 cpu_class,mode,unit,revision
 *   medians.csv   label,unit,variant,preset,bench,status,n,median
 *   effects.csv   label,unit,axis,from,to,bench,mean,min,max,pairs
 *   report.md     the machines table, per benchmark every variant on every
 *                 machine, the axis effects per machine
 *   plots/        fleet_<bench>_<unit>.png/.svg (plots/fleet.gp: a bar per
 *                 machine of that unit for every variant) and
 *                 effects_<label>.png/.svg (plots/effects.gp, per machine)
 * Plots are never fatal: a failure is a line in report.md and on stderr.
 *
 * Exit status: 0 merged; 1 merged, but a run had failed variants (named in
 * the report); 2 usage error or a refused input (nothing written).
 */
#ifndef ENTRYLAB_MERGE_H
#define ENTRYLAB_MERGE_H

#include <jansson.h>
#include <limits.h>
#include <stddef.h>

#define FL_WORD  64
#define FL_TEXT  256

struct fl_cell {
	int have;                  /* a median exists */
	double median;
	long n;
	char status[FL_WORD];      /* pass, FAILED, unavailable, absent */
};

struct fl_machine {
	char dir[PATH_MAX];        /* as given */
	char real[PATH_MAX];       /* realpath */
	char label[32];
	char run_id[FL_WORD * 2], start_utc[FL_WORD];
	char cpu_model[FL_TEXT], microcode[FL_WORD], kernel[FL_TEXT], cpu_class[FL_WORD];
	char mode[FL_WORD], unit[FL_WORD], revision[FL_WORD];
	int failed;                /* variants that did not pass */
	char failed_names[FL_TEXT];
	json_t *summary;           /* owned */
};

struct fl_merge {
	struct fl_machine *m;
	size_t nm;
	char **variant, **preset;  /* union over the runs, in first-seen order */
	size_t nvariant;
	char **bench;              /* union, first-seen order */
	size_t nbench;
	char **unit;               /* distinct units, first-seen order */
	size_t nunit;
	struct fl_cell *cell;      /* [machine][variant][bench] */
	char root[PATH_MAX];       /* the repository of the plots/ templates */
	int no_plots;
	char plot_note[FL_TEXT];   /* why plots are missing, "" if none */
	char **plot_file;
	size_t nplot_file;
};

static inline struct fl_cell *fl_cell_at(const struct fl_merge *g, size_t m, size_t v, size_t b)
{
	return &g->cell[(m * g->nvariant + v) * g->nbench + b];
}

int el_cmd_merge(int argc, char **argv);
extern const struct el_optcmd merge_optcmd;   /* core/opts.h */

/* merge_read.c: read and check one RUN into m (dir and label set by the
 * caller).  0, or EL_EX_USAGE with one line in err. */
int fl_read_run(struct fl_machine *m, char *err, size_t n);
/* The union of variants, benchmarks and units over g->m, and the cells.
 * Two runs of the same run: EL_EX_USAGE with err. */
int fl_collect(struct fl_merge *g, char *err, size_t n);
void fl_free(struct fl_merge *g);

/* merge_write.c: every output file into dir (the partial directory).
 * 0, or -1 with err (a write that failed). */
int fl_write_all(struct fl_merge *g, const char *dir, const char *final, char *err, size_t n);

#endif
