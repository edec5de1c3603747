#!/usr/bin/env bash
# Market regimes from a CSV of ticks: USD/CHF quotes every 30 minutes, 1998 to March 2001 (Rmetrics'
# timeSeries package, GPL-2 or later; see README.md here), made into daily bars by the service's tick stage
# (realised volatility and return per bar) and scored by a 2-state online HMM, as the service does for
# ticks on its ticks topic. Prints each year's share of days in the volatile regime and each regime's
# mean daily volatility. Run from the repository's root after `mvn -B -q package -DskipTests`.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-target/usdchf-regimes.csv}
java -jar target/online-em.jar score --input examples/market-regimes/usdchf-30min.csv --ticks --columns USDCHF \
    --time-column time --model hmm --k 2 -D ticks.bar.ms=86400000 -D ticks.features=volatility,return --out "$out"
# columns: bar_start,bar_end,ticks,volatility,return,anomalyScore,anomaly,logDensity,pValue,cluster,regime,p_regime_0,p_regime_1
awk -F, 'NR > 1 && $11 != "" {
    y = substr($1, 1, 4); days[y]++; if ($11 == 1) volatile[y]++
    n[$11]++; vol[$11] += $4
    if (NR > 2 && prev != "" && prev != $11) switches++
    prev = $11
  }
  END {
    print "year  days  volatile regime"
    for (y in days) printf "%s  %4d  %5.1f%%\n", y, days[y], 100 * volatile[y] / days[y] | "sort"
    close("sort")
    for (r = 0; r < 2; r++) printf "regime %d: %d days, mean daily volatility %.3f%%\n", r, n[r], 100 * vol[r] / n[r]
    printf "regime switches: %d (mean stay %.1f days)\n", switches, (n[0] + n[1]) / (switches + 1)
  }' "$out"
