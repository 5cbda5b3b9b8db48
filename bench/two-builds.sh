# Sourced by the scripts that compare this checkout with an older commit (same-results.sh, speed-ratio.sh): with $rev
# set, builds that commit's dha into $work/old-bin (from a detached worktree at $work/old) and this checkout's into
# $work/new-bin; $here is the checkout, $work a temporary folder removed, worktree and all, when the script exits.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=$(mktemp -d)
trap 'git -C "$here" worktree remove --force "$work/old" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

git -C "$here" worktree add --detach -q "$work/old" "$rev"
dotnet build -c Release "$work/old/src/Dha.Cli" -o "$work/old-bin" >/dev/null
dotnet build -c Release "$here/src/Dha.Cli" -o "$work/new-bin" >/dev/null
