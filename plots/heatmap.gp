# entrylab: variant x benchmark heat map of the change of the median against
# the baseline variant, coloured by percent, labelled in percent and units.
#
# Run by `entrylab analyze` (harness/analysis/plot.c):
#   gnuplot -e "datafile='...'; unitsfile='...'; outpng='...'; outsvg='...';
#               ptitle='...'; ylab='...'; failednote='...'" heatmap.gp
# Data (DIR/plots/delta_percent.dat, delta_units.dat): a matrix with a header
# row of benchmark names and a leading column of "<short> [preset]"; NaN
# where there is no delta (benchmark unavailable).

stats datafile matrix rowheaders columnheaders using 3 nooutput
span = (abs(STATS_min) > abs(STATS_max)) ? abs(STATS_min) : abs(STATS_max)
span = (span > 0) ? span : 1
nvariants = STATS_size_y
nbenches = STATS_size_x

set title ptitle
set xlabel "benchmark" . failednote
set ylabel "variant (short name, preset)"
set cblabel "change of the median vs baseline (% of the baseline median)"
set cbrange [-span:span]
set palette defined (0 "#2166ac", 0.5 "#f7f7f7", 1 "#b2182b")
set xrange [-0.5:nbenches - 0.5]
set yrange [nvariants - 0.5:-0.5]
set xtics nomirror
set ytics nomirror
set tics scale 0
set key off

label_pct(v) = (v == v) ? sprintf("%+.1f%%", v) : "n/a"
label_abs(v) = (v == v) ? ((v == int(v) || abs(v) >= 1000) ? sprintf("%+.0f", v) : sprintf("%+.1f", v)) : ""

width = 300 + 150 * nbenches
width = (width < 700) ? 700 : width
height = 200 + 50 * nvariants
height = (height < 400) ? 400 : height
set terminal pngcairo noenhanced size width, height font "sans,11"
set output outpng
plot datafile matrix rowheaders columnheaders using 1:2:(0.5):(0.5):3 with boxxyerror fs solid 1.0 noborder fc palette, \
     '' matrix rowheaders columnheaders using 1:2:(label_pct($3)) with labels offset 0,0.45 font "sans,10", \
     unitsfile matrix rowheaders columnheaders using 1:2:(label_abs($3)) with labels offset 0,-0.45 font "sans,8" tc rgb "#333333"

set terminal svg noenhanced size width, height font "sans,11"
set output outsvg
replot
