#!/usr/bin/env bash
# The equal-budget benchmark grid of the "any dataset" issue: every mode of dha, the DARTS-V2 genotype trained from
# scratch (dha train --genotype darts-v2) and the plain hand-written CNN (bench/Dha.Bench/PlainCnn.cs), each on the
# same step budget (the small preset's 785 steps), over seeds and datasets. Runs two at a time (one intra-op thread
# each, the small preset's setting) and is resumable: a finished run is skipped, an interrupted one resumed.
#
# usage: [MODES="dha nas ..."] bench/grid.sh OUT [SEEDS] [DATASETS]
#   e.g. bench/grid.sh runs/grid "1 2 3" "fashion-mnist-small fashion-mnist"
#   MODES picks rows (default: all of dha nas nas+da nas+hpo retrain plain-cnn plain-cnn-15ep); the table is printed
#   at the end, and again at any time by: dotnet OUT/bin/bench/Dha.Bench.dll grid-table OUT
set -euo pipefail
out=$(realpath -m "${1:?usage: bench/grid.sh OUT [SEEDS] [DATASETS]}")
seeds=${2:-1 2 3}
datasets=${3:-fashion-mnist-small fashion-mnist}
repo=$(cd "$(dirname "$0")/.." && pwd)
bin="$out/bin"

# A private build, so the grid keeps running one binary while the tree changes.
if [[ ! -f "$bin/cli/Dha.Cli.dll" ]]; then
  dotnet build -c Release "$repo/src/Dha.Cli" -o "$bin/cli" -v q -nologo
  dotnet build -c Release "$repo/bench/Dha.Bench" -o "$bin/bench" -v q -nologo
fi

jobs=()
for data in $datasets; do
  for seed in $seeds; do
    for mode in ${MODES:-dha nas nas+da nas+hpo retrain plain-cnn plain-cnn-15ep}; do
      # The 15-epoch recipe of the plain CNN is the baseline script's own run length, kept for the shipped data.
      [[ $mode == plain-cnn-15ep && $data != fashion-mnist-small ]] && continue
      jobs+=("$data $seed $mode")
    done
  done
done

run() {
  local data=$1 seed=$2 mode=$3
  local dir="$out/$data/$mode-s$seed"
  [[ -f "$dir/summary.json" ]] && return 0
  mkdir -p "$out/$data"
  local cmd
  case $mode in
    plain-cnn) cmd=(dotnet "$bin/bench/Dha.Bench.dll" plain-cnn --data "$data" --seed "$seed" --steps 785 --out "$dir") ;;
    plain-cnn-15ep) cmd=(dotnet "$bin/bench/Dha.Bench.dll" plain-cnn --data "$data" --seed "$seed" --epochs 15 --out "$dir") ;;
    retrain) cmd=(dotnet "$bin/cli/Dha.Cli.dll" train --quiet) ;;
    *) cmd=(dotnet "$bin/cli/Dha.Cli.dll" search --quiet) ;;
  esac
  if [[ $mode != plain-cnn* ]]; then
    # an interrupted run continues from its checkpoint with its saved config; anything else starts afresh
    if [[ -f "$dir/checkpoint.bin" ]]; then
      cmd+=(--resume "$dir")
    else
      rm -rf "$dir"
      cmd+=(--out "$dir" --data "$data" --seed "$seed")
      if [[ $mode == retrain ]]; then cmd+=(--genotype darts-v2); else cmd+=(--mode "$mode"); fi
    fi
  fi
  echo "$(date +%T) start $data seed $seed $mode"
  /usr/bin/time -f "%U %S" -o "$out/$data/.$mode-s$seed.time" "${cmd[@]}" > "$out/$data/$mode-s$seed.log" 2>&1 \
    || { echo "$(date +%T) FAILED $data seed $seed $mode (see $out/$data/$mode-s$seed.log)"; return 0; }
  awk '{ print $1 + $2 }' "$out/$data/.$mode-s$seed.time" > "$dir/cpu-seconds"
  echo "$(date +%T) done  $data seed $seed $mode: $(grep -o '"final_test_accuracy": [0-9.]*' "$dir/summary.json")"
}
export -f run
export out bin
printf '%s\n' "${jobs[@]}" | xargs -P 2 -I{} bash -c 'run {}'
dotnet "$bin/bench/Dha.Bench.dll" grid-table "$out"
