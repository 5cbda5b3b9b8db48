#!/usr/bin/env bash
# Checks that this checkout trains the same models as an older commit: builds REV into a separate folder, runs the
# same short search with both builds in every mode, and compares the saved weights byte for byte. Prints one line per
# mode; exits 1 if any differs. A refactor that must not change results is checked with it:
#   bench/same-results.sh 747caf4
# Options after REV are passed to both searches as extra arguments (e.g. --set threads=2).
set -euo pipefail
rev=${1:?usage: bench/same-results.sh REV [extra search arguments]}
shift
# shellcheck source=bench/two-builds.sh
source "$(dirname "$0")/two-builds.sh"

# the shipped data, a tiny network, one search and one training epoch: about half a minute per run on two cores
settings=(--set threads=1 --set data.batch_size=32 --set network.channels=4 --set network.layers=3
          --set train.search_epochs=1 --set train.retrain_epochs=1 --set hpo.hyper_learning_rate=1e-4)
status=0
for mode in dha nas nas+da nas+hpo; do
  for build in old new; do
    dotnet "$work/$build-bin/Dha.Cli.dll" search --quiet --mode "$mode" --seed 5 --out "$work/$build-$mode" \
      "${settings[@]}" "$@" >/dev/null
  done
  a=$(sha256sum < "$work/old-$mode/model/weights.bin")
  b=$(sha256sum < "$work/new-$mode/model/weights.bin")
  if [ "$a" = "$b" ]; then
    echo "$mode: identical weights (${a%% *})"
  else
    echo "$mode: DIFFERENT weights ($rev ${a%% *}, this checkout ${b%% *})"
    status=1
  fi
done
exit $status
