#!/usr/bin/env bash
# The packages as a stranger gets them. Packs Dha, Dha.Onnx and the dha tool into a local feed; installs the tool from
# it and runs a tiny search on the data the tool carries; then builds and runs a fresh console app that takes the Dha
# library from the feed (no reference to this repo's build files) and whose Program.cs is the README's first C# block
# (examples/QuickStart/Program.cs, which a test keeps equal to it). Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
feed=$work/feed
# a tiny search: seconds, not minutes (the same settings for the tool and the app)
tiny=(threads=1 data.batch_size=32 train.steps=10 network.channels=4 network.layers=3)

# the default (Debug) configuration: the packs build what `dotnet test Dha.sln` builds next, so CI builds it once
dotnet pack Dha.sln -o "$feed" -v quiet

# NuGet for the tool and the app: the feed, and for TorchSharp, libtorch and the rest the packages this repo's restore
# has just put in the global folder, read as a fallback folder; a packages folder of its own, so that a Dha package
# cached by an earlier run is never taken for the one just packed, and no other source can answer for Dha.
global=$(dotnet nuget locals global-packages --list | sed 's/^global-packages: //')
cat > "$work/NuGet.config" <<CONFIG
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <config><add key="globalPackagesFolder" value="$work/packages" /></config>
  <packageSources><clear /><add key="feed" value="$feed" /></packageSources>
  <fallbackPackageFolders><clear /><add key="restored" value="$global" /></fallbackPackageFolders>
</configuration>
CONFIG

echo "consumer: the tool"
dotnet tool install Dha.Cli --tool-path "$work/tool" --configfile "$work/NuGet.config" --add-source "$feed"
sets=()
for s in "${tiny[@]}"; do sets+=(--set "$s"); done
(cd "$work" && "$work/tool/dha" search --quiet --out "$work/tool-run" "${sets[@]}")
test -s "$work/tool-run/model/model.json" || { echo "consumer: dha search wrote no model" >&2; exit 1; }

echo "consumer: an app of the library"
mkdir "$work/app"
cd "$work/app"
dotnet new console --name ConsumerApp --output . >/dev/null
dotnet add package Dha --source "$feed" >/dev/null
cp "$repo/examples/QuickStart/Program.cs" Program.cs
# the example searches the shipped data (the package carries none: run where the repo's data/ is found) and classifies
# one image
cp -r "$repo/data" data
output=$(dotnet run -- "$repo/docs/report.png" "${tiny[@]}")
echo "$output"
compgen -G "runs/*/model/model.json" >/dev/null || { echo "consumer: the README example wrote no model" >&2; exit 1; }
grep -q "report.png: " <<< "$output" || { echo "consumer: the README example printed no prediction" >&2; exit 1; }
echo "consumer: ok"
