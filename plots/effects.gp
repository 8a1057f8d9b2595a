# entrylab: per-axis main effects, one panel per benchmark.  A bar is the mean
# over the pairs of variants that differ only in that axis of (median at the
# axis's second value - median at its first); whiskers are the smallest and
# largest of those pair differences.
#
# Run by `entrylab analyze` (harness/analysis/plot.c):
#   gnuplot -e "datafile='...'; outpng='...'; outsvg='...'; ptitle='...';
#               ylab='...'; flips='...'; benches='b1 b2 ...'" effects.gp
# Data (DIR/plots/effects.dat): one block per benchmark, in the order of
# `benches`, separated by two blank lines; rows: 1 "axis" 2 mean 3 min 4 max
# 5 pairs (NaN / 0 when no pair was complete).

nb = words(benches)
ncols = (nb < 3) ? nb : 3
nrows = int((nb + ncols - 1) / ncols)
fmtv(v) = (v != v) ? "" : (v == int(v) || abs(v) >= 1000) ? sprintf("%+.0f", v) : sprintf("%+.1f", v)

set style fill solid 0.75 border rgb "#333333"
set boxwidth 0.6
set xzeroaxis lt 1 lc rgb "#333333"
set grid ytics lc rgb "#dddddd"
set xtics nomirror
set ytics nomirror
set key off
set offsets 0.5, 0.5, graph 0.12, graph 0.05

do for [term = 1:2] {
    if (term == 1) {
        set terminal pngcairo noenhanced size 1300, 360 * nrows + 80 font "sans,11"
        set output outpng
    } else {
        set terminal svg noenhanced size 1300, 360 * nrows + 80 font "sans,11"
        set output outsvg
    }
    set multiplot layout nrows, ncols title ptitle . "\n" . flips
    do for [b = 1:nb] {
        set title word(benches, b)
        set ylabel ylab
        plot datafile index (b - 1) using 0:($2 >= 0 ? $2 : NaN):xtic(1) with boxes lc rgb "#c0392b", \
             '' index (b - 1) using 0:($2 < 0 ? $2 : NaN) with boxes lc rgb "#2e86c1", \
             '' index (b - 1) using ($4 > $3 ? $0 : NaN):2:3:4:2 with candlesticks \
                whiskerbars 0.5 fs empty lc rgb "black" lw 1.2, \
             '' index (b - 1) using 0:($4 > 0 ? $4 : 0):(fmtv($2)) with labels offset 0,0.8 font "sans,9"
    }
    unset multiplot
}
