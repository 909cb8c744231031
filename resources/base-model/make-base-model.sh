#!/usr/bin/env bash
# Rebuilds the shipped base model (resources/base-model/base.nstdmodel) from scratch:
#   1. make-corpus.sh: labelled captures from real tools against local services (needs root);
#   2. nstd ingest: captures -> flows with pcap-schema features;
#   3. nstd label: every flow of CLASS--scenario.pcap gets CLASS;
#   4. nstd train: Prototypical Network meta-training (fixed seed);
#   5. nstd models --export: one .nstdmodel file.
#   sudo resources/base-model/make-base-model.sh [CORPUS_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
corpus=${1:-/tmp/nstd-corpus}
ws=${NSTD_BASE_WS:-/tmp/nstd-base-model.nstd}
nstd() { node "$root/bin/nstd.js" "$@"; }

[ -f "$corpus/corpus.csv" ] || "$here/make-corpus.sh" "$corpus"
rm -f "$ws" "$ws-wal" "$ws-shm"
nstd ingest "$corpus"/*.pcap --workspace "$ws" --json > "$corpus/ingest.json"
tail -n +2 "$corpus/corpus.csv" | while IFS=, read -r file class _rest; do
  kind=attack; [ "$class" = BENIGN ] && kind=benign
  nstd label --workspace "$ws" --filter "source == \"$file\"" --class "$class" --kind "$kind" --json > /dev/null
done
nstd classes --workspace "$ws"
nstd train --workspace "$ws" --schema pcap --algorithm protonet --episodes "${NSTD_BASE_EPISODES:-3000}" --seed 1 --name "base (pcap, project corpus)" --json > "$corpus/train.json"
id=$(node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")); console.log(r.modelId ?? r.id ?? r.model?.id)' "$corpus/train.json")
nstd models --workspace "$ws" --export "$id" --out "$here/base.nstdmodel"
cp "$corpus/corpus.csv" "$here/corpus.csv"
echo "base model: $here/base.nstdmodel ($(stat -c %s "$here/base.nstdmodel") bytes), trained on $(wc -l < "$here/corpus.csv") captures"
