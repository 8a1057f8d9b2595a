# entrylab: one benchmark, every variant's median per call on every machine
# of one unit (a bar per machine).  Machines measured in another unit get a
# plot of their own: one y axis never holds two units.
#
# Run by `entrylab merge` (harness/fleet/merge_write.c):
#   gnuplot -e "datafile='...'; outpng='...'; outsvg='...'; ptitle='...';
#               ylab='...'; machines='m1 m2 ...'" fleet.gp
# Data (OUT/plots/fleet_<bench>_<unit>.dat): 1 x  2 variant label  then one
# column per machine, in the order of `machines` (NaN: no figure there).

nm = words(machines)
stats datafile using 1 nooutput
nrows = STATS_records
bw = 0.8 / nm

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
set boxwidth bw
set offsets 0, 0, graph 0.08, 0

fmtv(v) = (v != v) ? "" : (v == int(v) || abs(v) >= 1000) ? sprintf("%.0f", v) : sprintf("%.4g", v)
xpos(i) = column(1) - 0.4 + bw * (i - 0.5)

do for [term = 1:2] {
    if (term == 1) {
        set terminal pngcairo noenhanced size 1200,650 font "sans,11"
        set output outpng
    } else {
        set terminal svg noenhanced size 1200,650 font "sans,11"
        set output outsvg
    }
    plot datafile using 1:(NaN):xtic(2) with points notitle, \
         for [i = 1:nm] '' using (xpos(i)):(column(i + 2)) with boxes title word(machines, i), \
         for [i = 1:nm] '' using (xpos(i)):(column(i + 2)):(fmtv(column(i + 2))) with labels \
            offset 0,0.6 font "sans,8" notitle
}
