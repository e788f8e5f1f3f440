#!/usr/bin/env bash
# End-to-end benchmark (docs/benchmarks.md): direct vs AnyClaude vs claude-code-router, same fake backend.
# The harness (fakes + load generator) runs on core 0, each proxy on core 1 (taskset). Loopback only.
# Usage: bench/e2e.sh [run options, e.g. --reps 3 --seconds 5 --targets direct,anyclaude,ccr --env DOTNET_gcServer=1]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
if [ ! -f bench/.ccr/node_modules/@musistudio/claude-code-router/dist/cli.js ]; then
  mkdir -p bench/.ccr
  [ -f bench/.ccr/package.json ] || echo '{"name":"ccr-bench","private":true}' > bench/.ccr/package.json
  (cd bench/.ccr && npm install --no-audit --no-fund @musistudio/claude-code-router@1.0.73)
fi
dotnet build -c Release src/Host/AnyClaude.Host.csproj -v q -nologo
dotnet build -c Release bench/AnyClaude.LoadBench -v q -nologo
mkdir -p bench/results
out="bench/results/e2e-$(date -u +%Y%m%dT%H%M%SZ).md"
taskset -c 0 dotnet bench/AnyClaude.LoadBench/bin/Release/net10.0/AnyClaude.LoadBench.dll run --out "$out" "$@"
echo "report: $out"
