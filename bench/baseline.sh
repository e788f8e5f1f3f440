#!/usr/bin/env bash
# Builds another commit of anyclaude (Release) outside the worktree and prints the path of its executable, for
# `--baseline PATH` (docs/benchmarks.md): git archive of COMMIT into $BASELINE_DIR/anyclaude-COMMIT (default /tmp),
# built once and reused. No git worktree is added.
# Usage: bench/baseline.sh COMMIT        e.g. bench/e2e.sh --targets direct,anyclaude,baseline --baseline "$(bench/baseline.sh 6b451ec)"
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
commit="$(git -C "$root" rev-parse --short=7 "${1:?usage: bench/baseline.sh COMMIT}")"
dir="${BASELINE_DIR:-/tmp}/anyclaude-$commit"
exe="$dir/src/Host/bin/Release/net10.0/anyclaude"
if [ ! -x "$exe" ]; then
  rm -rf "$dir" && mkdir -p "$dir"
  git -C "$root" archive "$commit" | tar -x -C "$dir"
  dotnet build -c Release "$dir/src/Host/AnyClaude.Host.csproj" -v q -nologo >&2
fi
echo "$exe"
