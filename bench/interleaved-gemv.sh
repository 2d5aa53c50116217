#!/usr/bin/env bash
# Races the GEMV kernels in alternating single forks, three rounds, so a drift in the machine's speed (seen on the
# 2-core VM: 1.5x within ten minutes, nothing else running) hits every kernel alike. Run from the repository root.
# Output: one JMH result line per fork, prefixed with its round. WARMUP (default 4) is the warm-up iterations per fork.
set -euo pipefail
for round in 1 2 3; do
  for spec in "fp32$" "q4_0$" "q8_0$" "turboquant$ -p bits=1" "turboquant$ -p bits=2" "turboquant$ -p bits=4" \
              "turboquant$ -p bits=8"; do
    set -- $spec
    ./tq bench "kernels.GemvBenchmark.$1" -f 1 -wi "${WARMUP:-4}" -i 3 -w 1 -r 1 -p shape=4096x4096 -p threads=2 \
        -p rotation=hadamard -p block=128 ${2:-} ${3:-} 2>&1 | grep -E '^GemvBenchmark' | sed "s/^/round $round /"
  done
done
