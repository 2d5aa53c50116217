#!/usr/bin/env bash
# Issue 12's agreement target: the Java runtime on the packed codes (`tq fidelity --engine java`) against ONNX Runtime
# on the pack's dequantized weights (`--engine ort`), on the whole built-in corpus, for the three built-in encoders
# and a default 4-bit and a `--bits 4.25` pack of each: mean / min cosine and recall@10 to FP32 from both engines and
# the difference in mean cosine (target: within 2e-4). Not a speed measurement (texts/s in the raw JSON are not
# results); runs hold BENCH_LOCK shared, so no benchmark runs beside them. Run from the repository root.
#   bench/engine-agreement.sh              # MODELS="minilm bge-small e5-small" RATES="4 4.25" override the defaults
set -euo pipefail
models=${MODELS:-minilm bge-small e5-small}
rates=${RATES:-4 4.25}
lock=${BENCH_LOCK:-/work/wt/bench.lock}
corpus=turboquant-cli/src/main/resources/org/turboquant/cli/corpus/sentences.txt
work=target/engine-agreement
stamp=$(date -u +%Y%m%dT%H%M)
log=bench/results/engine-agreement-$stamp.txt
mkdir -p "$work" bench/results
field() { sed -n "s/.*\"$1\": \([0-9.eE+-]*\).*/\1/p" "$2"; }

head -n 3 "$corpus" > "$work/three.txt"
{
  echo "# bench/engine-agreement.sh, $(date -u +%FT%TZ), $(uptime)"
  echo "| model | pack | java mean / min / R@10 | ort mean / min / R@10 | |java - ort| mean |"
  echo "|---|---|---|---|---|"
} | tee "$log"
for m in $models; do
  # Untimed preparation: extract the built-in model (tq embed does it), then pack it at each rate.
  ./tq embed --model "$m" --cache "$work/$m" --texts "$work/three.txt" --out "$work/warm.npy" 2> /dev/null
  onnx=$(find "$work/$m" -maxdepth 1 -name '*.onnx' | head -n 1)
  for r in $rates; do
    pack=$work/$m-tq$r
    [ -f "$pack/quant_manifest.json" ] || ./tq pack "$onnx" -o "$pack" --bits "$r" -q
    for e in java ort; do
      flock -s "$lock" ./tq fidelity --model "$m" "$onnx" "$pack" --texts "$corpus" --engine "$e" --json \
        2> /dev/null > "$work/$m-tq$r-$e.json"
    done
    j=$work/$m-tq$r-java.json o=$work/$m-tq$r-ort.json
    jm=$(field mean_cosine "$j") om=$(field mean_cosine "$o")
    printf '| %s | %s | %.6f / %.4f / %.4f | %.6f / %.4f / %.4f | %.1e |\n' "$m" "$r" \
      "$jm" "$(field min_cosine "$j")" "$(field recall_at_10 "$j")" \
      "$om" "$(field min_cosine "$o")" "$(field recall_at_10 "$o")" \
      "$(awk -v a="$jm" -v b="$om" 'BEGIN { d = a - b; print (d < 0 ? -d : d) }')" | tee -a "$log"
  done
done
echo "# done $(date -u +%FT%TZ), $(uptime)" | tee -a "$log"
