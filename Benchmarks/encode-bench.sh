#!/usr/bin/env bash
# galen encode end to end, HDF5 in and out: compounds/s and peak RSS for libraries of 1,000,000
# and 4,000,000 compounds (real MoleculeACE fingerprints repeated), with an encoder 2048-1024-256.
#
#   bash Benchmarks/encode-bench.sh [work folder, default /tmp/galen-encode-bench]
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-/tmp/galen-encode-bench}
mkdir -p "$work"
swift build -c release --product galen > /dev/null
galen=.build/release/galen
model="$work/encoder.h5"
[ -f "$model" ] || $galen train --library datasets/prepared/moleculeace/CHEMBL2835_Ki.h5 --hidden 1024 --latent 256 \
    --epochs 1 --out "$model" > /dev/null 2>&1
for rows in 1000000 4000000; do
    library="$work/library-$rows.h5"
    [ -f "$library" ] || python3 Benchmarks/reference/repeat_library.py datasets/prepared/moleculeace_multitask.h5 "$rows" "$library"
    start=$(date +%s.%N)
    /usr/bin/time -f "%M" -o "$work/rss" $galen encode --model "$model" --library "$library" --out "$work/embeddings.h5" \
        --overwrite 2> /dev/null > /dev/null
    end=$(date +%s.%N)
    python3 -c "import sys; s=float(sys.argv[2])-float(sys.argv[1]); print(f'encode {int(sys.argv[3]):,} compounds: {int(sys.argv[3])/s:,.0f} compounds/s ({s:.1f} s), peak RSS {int(sys.argv[4])/1024:.0f} MiB')" \
        "$start" "$end" "$rows" "$(cat "$work/rss")"
done
