#!/usr/bin/env bash
# Bytes allocated per request by a build of anyclaude under the fake harness's load (docs/benchmarks.md §9, "Peak:
# allocations per request"): the fast fake backend on core 0, the proxy on core 1 (--proxy-only, mlx-lm mode), 2 s of
# warm-up at C, then S seconds at C while dotnet-counters records the runtime's counters; prints requests, MB allocated
# (dotnet.gc.heap.total_allocated), KiB per request, proxy CPU ms per request, GC counts, the largest GC commit and VmHWM.
# With --trace it records a gc-verbose trace (AllocationTick events with stacks) instead, for an allocation profile.
# dotnet-counters and dotnet-trace are NuGet tools, installed into bench/.tools on first use.
# Usage: bench/alloc.sh [EXECUTABLE] [--tool] [--seconds 4] [--concurrency 16] [--trace FILE.nettrace]
#   e.g. bench/alloc.sh "$(bench/baseline.sh 6b451ec)" --tool
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
exe="$root/src/Host/bin/Release/net10.0/anyclaude"
tool=""; secs=4; conc=16; trace=""
while [ $# -gt 0 ]; do
  case "$1" in
    --tool) tool="--tool" ;;
    --seconds) secs="$2"; shift ;;
    --concurrency) conc="$2"; shift ;;
    --trace) trace="$2"; shift ;;
    *) exe="$1" ;;
  esac
  shift
done
tools="$root/bench/.tools"
[ -x "$tools/dotnet-counters" ] || dotnet tool install --tool-path "$tools" dotnet-counters >&2
[ -z "$trace" ] || [ -x "$tools/dotnet-trace" ] || dotnet tool install --tool-path "$tools" dotnet-trace >&2
lb="$root/bench/AnyClaude.LoadBench/bin/Release/net10.0/AnyClaude.LoadBench.dll"
[ -f "$lb" ] || dotnet build -c Release "$root/bench/AnyClaude.LoadBench" -v q -nologo >&2
scratch="$(mktemp -d /tmp/anyclaude-alloc-XXXXXX)"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
bport=$(free_port); pport=$(free_port)
taskset -c 0 dotnet "$lb" fake-openai --port "$bport" > "$scratch/fake.log" 2>&1 & fake=$!
HOME="$scratch" ANYCLAUDE_MODE=mlx-lm MLX_LM_URL="http://127.0.0.1:$bport/v1" MLX_LM_MODEL=bench-model ANYCLAUDE_DEBUG=0 \
  ANYCLAUDE_SCRIPTCACHEDIRECTORY="$scratch/cache" taskset -c 1 "$exe" --proxy-only --port "$pport" > "$scratch/proxy.log" 2>&1 & proxy=$!
trap 'kill $proxy $fake 2>/dev/null || true; wait $proxy $fake 2>/dev/null || true; rm -rf "$scratch"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$pport/health/live" > /dev/null && break; sleep 0.2; done
taskset -c 0 dotnet "$lb" load --url "http://127.0.0.1:$pport" --concurrency "$conc" --seconds 2 $tool > /dev/null
duration="00:00:00:$(printf %02d $((secs + 4)))"
if [ -n "$trace" ]; then
  "$tools/dotnet-trace" collect -p "$proxy" --profile gc-verbose --duration "$duration" -o "$trace" > /dev/null 2>&1 & recorder=$!
else
  "$tools/dotnet-counters" collect -p "$proxy" --counters System.Runtime --refresh-interval 1 --format csv -o "$scratch/counters.csv" --duration "$duration" > /dev/null 2>&1 & recorder=$!
fi
sleep 2
cpu0=$(awk '{print $14+$15}' "/proc/$proxy/stat")
result=$(taskset -c 0 dotnet "$lb" load --url "http://127.0.0.1:$pport" --concurrency "$conc" --seconds "$secs" $tool)
cpu1=$(awk '{print $14+$15}' "/proc/$proxy/stat")
wait $recorder || true
hwm=$(awk '/VmHWM/{print $2}' "/proc/$proxy/status")
echo "$result"
if [ -n "$trace" ]; then echo "trace: $trace"; exit 0; fi
python3 - "$scratch/counters.csv" "$(echo "$result" | awk '{print $1}')" "$((cpu1 - cpu0))" "$hwm" "$(getconf CLK_TCK)" <<'PY'
import sys
path, requests, ticks, hwm, hz = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
allocated, gcs, committed = 0, {}, 0
for line in open(path):
    fields = line.rstrip().rsplit(',', 1)
    if 'total_allocated' in line: allocated += int(fields[1])
    elif 'gc.collections' in line:
        generation = line.split('generation=')[1].split(']')[0]
        gcs[generation] = gcs.get(generation, 0) + int(fields[1])
    elif 'memory.committed_size' in line: committed = max(committed, int(fields[1]))
print(f"requests {requests}, allocated {allocated / 1e6:.1f} MB, {allocated / requests / 1024:.1f} KiB/request, "
      f"proxy CPU {ticks * 1000 / hz / requests:.2f} ms/request, GCs {' '.join(f'{g} {n}' for g, n in sorted(gcs.items()))}, "
      f"largest GC commit {committed / 1048576:.1f} MiB, VmHWM {hwm / 1024:.1f} MiB")
PY
