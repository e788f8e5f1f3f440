#!/usr/bin/env bash
# End-to-end benchmark (docs/benchmarks.md): direct vs AnyClaude vs claude-code-router, same fake backend.
# The harness (fakes + load generator) runs on core 0, each proxy on core 1 (taskset). Loopback only.
# Usage: bench/e2e.sh [run options, e.g. --reps 3 --seconds 5 --targets direct,anyclaude,ccr --env DOTNET_gcServer=1]
#        bench/e2e.sh --baseline-commit 6b451ec [run options]   also builds that commit (bench/baseline.sh), measures it
#          as target `baseline` in the same run, then runs `memory` (what the RSS is made of) against it
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
args=()
baseline=""
while [ $# -gt 0 ]; do
  case "$1" in
    --baseline-commit) baseline="$(bench/baseline.sh "$2")"; shift 2 ;;
    --baseline) baseline="$2"; args+=("$1" "$2"); shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
if [ -n "$baseline" ] && [[ " ${args[*]:-} " != *" --baseline "* ]]; then
  args+=(--baseline "$baseline")
  [[ " ${args[*]} " == *" --targets "* ]] || args+=(--targets direct,anyclaude,baseline)
fi
if [[ " ${args[*]:-} " != *" --targets "* || " ${args[*]:-} " == *ccr* ]] && [ ! -f bench/.ccr/node_modules/@musistudio/claude-code-router/dist/cli.js ]; then
  mkdir -p bench/.ccr
  [ -f bench/.ccr/package.json ] || echo '{"name":"ccr-bench","private":true}' > bench/.ccr/package.json
  (cd bench/.ccr && npm install --no-audit --no-fund @musistudio/claude-code-router@1.0.73)
fi
dotnet build -c Release src/Host/AnyClaude.Host.csproj -v q -nologo
dotnet build -c Release bench/AnyClaude.LoadBench -v q -nologo
mkdir -p bench/results
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
out="bench/results/e2e-$stamp.md"
taskset -c 0 dotnet bench/AnyClaude.LoadBench/bin/Release/net10.0/AnyClaude.LoadBench.dll run --out "$out" ${args[@]+"${args[@]}"}
echo "report: $out"
if [ -n "$baseline" ]; then
  taskset -c 0 dotnet bench/AnyClaude.LoadBench/bin/Release/net10.0/AnyClaude.LoadBench.dll memory --baseline "$baseline" --out "bench/results/memory-$stamp.md"
  echo "memory report: bench/results/memory-$stamp.md"
fi
