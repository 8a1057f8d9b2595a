# entrylab: one benchmark, every variant's median per call with its 95% CI.
#
# Run by `entrylab analyze` (harness/analysis/plot.c), never edited per run:
#   gnuplot -e "datafile='...'; outpng='...'; outsvg='...'; ptitle='...';
#               ylab='...'; hasfloor=0|1" medians.gp
# Data columns (DIR/plots/median_<bench>.dat):
#   1 x   2 label   3 median   4 ci95_lo   5 ci95_hi   6 floor median (NaN: no floor)
#   7 note ("FAILED", "unavailable" or "-"; rows with a note have NaN values)

stats datafile using 1 nooutput
nrows = STATS_records
floor_median = NaN
if (hasfloor) {
    stats datafile using 6 nooutput
    floor_median = STATS_min
}

set title ptitle
set ylabel ylab
set xlabel "variant (short name, preset)"
set xtics rotate by 35 right nomirror
set ytics nomirror
set yrange [0:*]
set xrange [-0.6:nrows - 0.4]
set grid ytics lc rgb "#dddddd"
set key below horizontal
set style fill solid 0.75 border rgb "#333333"
set boxwidth 0.7
set offsets 0, 0, graph 0.08, 0

fmtv(v) = (v == int(v) || abs(v) >= 1000) ? sprintf("%.0f", v) : sprintf("%.4g", v)
floor_title = hasfloor ? "floor median (" . fmtv(floor_median) . ")" : ""

# 1200 px up to 40 bars, then 28 px a bar: the 88-variant product stays
# legible (its value labels and rotated names do not overlap)
width = (nrows > 40) ? 80 + 28 * nrows : 1200
set terminal pngcairo noenhanced size width,650 font "sans,11"
set output outpng
plot datafile using 1:3:xtic(2) with boxes lc rgb "#6a8caf" title "median", \
     '' using ($5 > $4 ? $1 : NaN):3:4:5:3 with candlesticks whiskerbars 0.5 fs empty \
        lc rgb "black" lw 1.5 title "95% CI (bootstrap)", \
     '' using 1:5:(fmtv($3)) with labels offset 0,0.8 font "sans,9" notitle, \
     '' using 1:(0):(strcol(7) eq "-" ? "" : strcol(7)) with labels rotate by 90 left offset 0,0.5 tc rgb "#c0392b" notitle, \
     floor_median with lines dt 2 lw 2 lc rgb "#c0392b" title floor_title

set terminal svg noenhanced size width,650 font "sans,11"
set output outsvg
replot
