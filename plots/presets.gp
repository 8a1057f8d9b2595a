# entrylab: the named presets in history order (linux-3.13 ... linux-5.x),
# one line per benchmark: left the median per call (log scale, so that every
# benchmark fits), right the change from the first preset in percent (the
# one key, on the right, names the benchmarks of both panels).
#
# Run by `entrylab analyze` (harness/analysis/plot.c):
#   gnuplot -e "datafile='...'; outpng='...'; outsvg='...'; ptitle='...';
#               ylab='...'; firstpreset='...'; benches='b1 b2 ...'" presets.gp
# Data (DIR/plots/presets.dat): 1 x  2 "preset", then per benchmark (in the
# order of `benches`) two columns: median, percent change from the first
# preset; NaN where the preset's variant did not run or failed.

nb = words(benches)
median_col(b) = 1 + 2 * b
pct_col(b) = 2 + 2 * b

set grid lc rgb "#dddddd"
set xtics nomirror
set ytics nomirror
set key outside right top vertical
set offsets 0.3, 0.3, graph 0.06, graph 0.06
set autoscale yfix
# readable on white, distinct for up to 8 benchmarks
set linetype 1 lc rgb "#1f77b4"
set linetype 2 lc rgb "#d62728"
set linetype 3 lc rgb "#2ca02c"
set linetype 4 lc rgb "#ff7f0e"
set linetype 5 lc rgb "#9467bd"
set linetype 6 lc rgb "#8c564b"
set linetype 7 lc rgb "#e377c2"
set linetype 8 lc rgb "#17becf"
set linetype cycle 8
set style data linespoints
set xlabel "preset (history order)"

do for [term = 1:2] {
    if (term == 1) {
        set terminal pngcairo noenhanced size 1300, 560 font "sans,11"
        set output outpng
    } else {
        set terminal svg noenhanced size 1300, 560 font "sans,11"
        set output outsvg
    }
    set multiplot layout 1, 2 title ptitle
    set title "median per call (log scale)"
    set ylabel ylab
    set logscale y
    set key off
    plot for [b = 1:nb] datafile using 1:(column(median_col(b))):xtic(2) lw 2 pt 7 lt b
    unset logscale y
    set key on
    set title "change from " . firstpreset
    set ylabel "% of the " . firstpreset . " median"
    plot for [b = 1:nb] datafile using 1:(column(pct_col(b))):xtic(2) \
         lw 2 pt 7 lt b title word(benches, b), 0 with lines lc rgb "#333333" dt 2 notitle
    unset multiplot
}
