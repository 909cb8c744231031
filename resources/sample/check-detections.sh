#!/usr/bin/env bash
# How the newest detection run of a workspace made from resources/sample (e.g. by `npm run demo`)
# agrees with the scenario each capture was made by (the class is the file name before `--`).
#   resources/sample/check-detections.sh ~/.config/nstd/demo.nstd
set -euo pipefail
ws=${1:?usage: check-detections.sh WORKSPACE}
root=$(cd "$(dirname "$0")/../.." && pwd)
nstd() { node "$root/bin/nstd.js" "$@"; }
total=0; agree=0; unknown=0
for f in "$root"/resources/sample/*.pcap.gz; do
  name=$(basename "$f"); class=${name%%--*}
  n=$(nstd flows --workspace "$ws" --filter "source == \"$name\"" --counts --json | node -pe 'JSON.parse(require("fs").readFileSync(0,"utf8")).total')
  ok=$(nstd flows --workspace "$ws" --filter "source == \"$name\" && prediction == \"$class\"" --counts --json | node -pe 'JSON.parse(require("fs").readFileSync(0,"utf8")).total')
  unk=$(nstd flows --workspace "$ws" --filter "source == \"$name\" && prediction == \"unknown\"" --counts --json | node -pe 'JSON.parse(require("fs").readFileSync(0,"utf8")).total')
  printf '%-34s %6d flows %6d as %-10s %4d unknown\n' "$name" "$n" "$ok" "$class" "$unk"
  total=$((total + n)); agree=$((agree + ok)); unknown=$((unknown + unk))
done
echo "agree: $agree of $total flows; unknown: $unknown"
