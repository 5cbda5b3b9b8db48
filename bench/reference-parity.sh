#!/usr/bin/env bash
# Runs `dha search --preset reference` (every reference behaviour, the authors' configuration: README "Where we
# depart from the authors' code") and prints its per-epoch figures beside the authors' run of seed 5
# (bench/reference-run-s5.tsv). Extra --set options go to the run, so one departure at a time can be switched back
# to this project's choice, e.g. --set network.pool_extra_bn=false (Presets.ReferenceSwitches lists them).
#
# usage: bench/reference-parity.sh [--out DIR] [--set KEY=VALUE ...]
#   DIR (default runs/reference-parity-<time>) receives the run folder; an existing run folder is only tabulated.
#   A run takes 6-15 minutes on two cores (3 + 2 epochs of 157 steps).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
out="runs/reference-parity-$(date +%Y%m%d-%H%M%S)"
sets=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --out) out=${2:?--out needs a folder}; shift 2 ;;
    --set) sets+=(--set "${2:?--set needs KEY=VALUE}"); shift 2 ;;
    *) echo "usage: bench/reference-parity.sh [--out DIR] [--set KEY=VALUE ...]" >&2; exit 2 ;;
  esac
done
out=$(realpath -m "$out")

if [[ ! -f "$out/metrics.jsonl" ]]; then
  # a private build, so the run keeps one binary while the tree changes
  bin=$(mktemp -d)
  trap 'rm -rf "$bin"' EXIT
  dotnet build -c Release "$repo/src/Dha.Cli" -o "$bin" -v q -nologo > /dev/null
  dotnet "$bin/Dha.Cli.dll" search --quiet --preset reference --out "$out" "${sets[@]}"
fi

# ours: one row per epoch, numbered within its phase as the authors' log numbers them
jq -r '[.phase, .test_accuracy, .learning_rate, .weight_decay, .policy_entropy, .frozen_nodes] | @tsv' "$out/metrics.jsonl" |
  awk -F'\t' -v authors="$repo/bench/reference-run-s5.tsv" '
    BEGIN {
      while ((getline line < authors) > 0) {
        if (line ~ /^#/) continue
        split(line, f, "\t"); ref[f[1]] = line
      }
      printf "%-9s | %8s %8s | %10s %10s | %10s %10s | %10s %10s | %6s %6s\n", "epoch", "test %", "authors", "eta", "authors",
        "lambda", "authors", "entropy", "authors", "frozen", "authors"
    }
    {
      phase = ($1 == "search") ? "search" : "fixed"; label = phase " " count[phase]++
      delete f; f[2] = f[4] = f[5] = f[6] = f[7] = "-"
      if (label in ref) split(ref[label], f, "\t")
      frozen = (phase == "search") ? $6 "/8" : "-"
      printf "%-9s | %8.2f %8s | %10.8f %10s | %10.8f %10s | %10.6f %10s | %6s %6s\n", label, 100 * $2, f[2], $3, f[4], $4, f[5],
        $5, f[6], frozen, f[7]
    }'
echo "run folder: $out"
