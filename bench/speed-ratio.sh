#!/usr/bin/env bash
# The speed of this checkout against an older commit, the only speed figure that survives this machine's 10-25 %
# drift: builds REV into a separate folder, then runs the same short search with the two builds alternately, ROUNDS
# times per mode, and prints images/s of each phase (from metrics.jsonl's epoch seconds) and the ratio of the medians.
# The configuration is the speed issue's, on the shipped 28x28 data: 5 cells x 8 channels, batch 64, validation batch
# 64, 2 intra-op threads, seed 5, one search and one training epoch on the first 2,560 training images (40 steps).
#   bench/speed-ratio.sh 747caf4 [ROUNDS] [MODES]      e.g. bench/speed-ratio.sh 747caf4 3 "dha nas"
# NEW_SET adds settings to this checkout's runs only, e.g. its thread setup on the same two cores:
#   NEW_SET="--set threads=1 --set replicas=2" bench/speed-ratio.sh 747caf4 2 "dha nas"
set -euo pipefail
rev=${1:?usage: bench/speed-ratio.sh REV [ROUNDS] [MODES]}
rounds=${2:-3}
modes=${3:-dha nas}
# shellcheck source=bench/two-builds.sh
source "$(dirname "$0")/two-builds.sh"

# the first 2,560 training images and 500 test images of the shipped data, as idx files
python3 - "$here/data/fashion-mnist-small" "$work/data" <<'PY'
import gzip, os, struct, sys
src, dst = sys.argv[1], sys.argv[2]
os.makedirs(dst)
for name, n in [("train-images-idx3-ubyte.gz", 2560), ("train-labels-idx1-ubyte.gz", 2560), ("t10k-images-idx3-ubyte.gz", 500), ("t10k-labels-idx1-ubyte.gz", 500)]:
    b = gzip.open(os.path.join(src, name)).read()
    header = 16 if "images" in name else 8
    size = 784 if "images" in name else 1
    out = b[:4] + struct.pack(">I", n) + b[8:header] + b[header:header + n * size]
    gzip.open(os.path.join(dst, name), "wb").write(out)
PY

settings=(--set threads=2 --set data.batch_size=64 --set network.channels=8 --set network.layers=5
          --set hpo.validation_batch_size=64 --set train.search_epochs=1 --set train.retrain_epochs=1
          --set data.cutout_size=0 --set network.drop_path=0)
for build in old new; do
  src=$([ $build = old ] && echo "$work/old" || echo "$here")
  extra=()
  # builds with a step budget size runs by steps unless it is switched off
  grep -q "public long Steps" "$src/src/Dha/Search/SearchOptions.cs" && extra=(--set train.steps=0)
  # shellcheck disable=SC2206 # NEW_SET is a list of words by design
  [[ $build = new ]] && extra+=(${NEW_SET:-})
  declare -n args=${build}_args
  args=("${settings[@]}" "${extra[@]}")
done

# images/s of each phase of a finished run: 64 images x steps of the epoch / its seconds
rate() { python3 -c '
import json, sys
for line in open(sys.argv[1] + "/metrics.jsonl"):
    m = json.loads(line); print(m["phase"], 64 * 40 / m["seconds"])' "$1"; }

for mode in $modes; do
  : > "$work/$mode.rates"
  for round in $(seq "$rounds"); do
    for build in old new; do
      declare -n args=${build}_args
      dir="$work/$build-$mode-$round"
      dotnet "$work/$build-bin/Dha.Cli.dll" search --quiet --mode "$mode" --seed 5 --data "$work/data" --out "$dir" "${args[@]}" >/dev/null
      rate "$dir" | sed "s/^/$build /" >> "$work/$mode.rates"
    done
  done
  python3 - "$work/$mode.rates" "$mode" "$rev" <<'PY'
import statistics, sys
rates = {}
for line in open(sys.argv[1]):
    build, phase, r = line.split(); rates.setdefault((build, phase), []).append(float(r))
for phase in ("search", "train"):
    old, new = statistics.median(rates[("old", phase)]), statistics.median(rates[("new", phase)])
    print(f"{sys.argv[2]:4s} {phase:6s}  {sys.argv[3]}: {old:6.1f} images/s   this checkout: {new:6.1f} images/s   ratio {new / old:.2f}x   (medians of {len(rates[('old', phase)])} alternating runs)")
PY
done
