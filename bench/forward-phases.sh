#!/usr/bin/env bash
# Where the Java runtime's batch-1 time goes (docs/BENCHMARKS.md, "Where the time goes"): the built-in corpus through
# the 4-bit MiniLM pack of bench/embed-race.sh one text per call, phase by phase, on 1 and on 2 threads, with the
# pool's hand-off figures (-Dturboquant.parallelStats=true). Needs bench/embed-race.sh's target/embed-race (run it
# once). Timed runs hold BENCH_LOCK; `uptime` is printed before and after.
#   bench/forward-phases.sh        # THREADS="1 2" PASSES=3 BATCH=1 PACK=target/embed-race/minilm-tq4 override;
#   JAVA_OPTS=-Dturboquant.encoderTeam=true runs the forward as a team (BertEncoder)
set -euo pipefail
threads=${THREADS:-1 2}
passes=${PASSES:-3}
batch=${BATCH:-1}
pack=${PACK:-target/embed-race/minilm-tq4}
lock=${BENCH_LOCK:-/work/wt/bench.lock}
work=target/embed-race
onnx=$work/minilm/all-minilm-l6-v2.onnx
tokenizer=$work/minilm/all-minilm-l6-v2-tokenizer.json
[ -f "$onnx" ] && [ -f "$pack/quant_manifest.json" ] || { echo "forward-phases: run bench/embed-race.sh first ($onnx, $pack)" >&2; exit 2; }
./tq --version > /dev/null   # the CLI's jars, rebuilt if stale
./tq mvn -q -pl bench -am package -Dmaven.test.skip=true > /dev/null
jdk=$(./tq mvn -v 2> /dev/null | sed -n 's/^Java version: .*runtime: //p' | head -n 1)
cp="bench/target/classes:turboquant-cli/target/turboquant-cli.jar:turboquant-cli/target/lib/*"
if [ -n "$lock" ] && [ -d "$(dirname "$lock")" ]; then
  exec 9> "$lock"
  flock 9
fi
echo "# forward phases $(date -u +%Y-%m-%dT%H:%M) UTC; $(nproc) cores; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs)"
echo "# before: $(uptime)"
for t in $threads; do
  # shellcheck disable=SC2086
  "$jdk/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Dturboquant.parallelStats=true \
      ${JAVA_OPTS:-} -cp "$cp" org.turboquant.bench.runtime.ForwardPhaseBreakdown "$onnx" "$tokenizer" "$pack" "$t" \
      "$passes" "$batch" 2> >(grep -v 'incubator' >&2)
done
echo "# after: $(uptime)"
