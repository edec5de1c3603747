#!/usr/bin/env bash
# An anomaly feed from a CSV file: an hourly temperature sensor of a machine room (NAB's
# realKnownCause/ambient_temperature_system_failure.csv, MIT licence, Numenta; see README.md here)
# replayed through exactly what the service runs per model, with its default settings, then the
# points it flagged. Run from the repository's root after `mvn -B -q package -DskipTests`.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-target/ambient-scores.csv}
java -jar target/online-em.jar score --input examples/anomaly-feed/ambient_temperature_system_failure.csv \
    --columns value --time-column timestamp --out "$out"
echo "flagged (time, value, anomalyScore):"
awk -F, 'NR > 1 && $4 == "true" { print "  " $1, $2, $3 }' "$out"
