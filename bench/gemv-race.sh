#!/usr/bin/env bash
# The issue-13 comparison for our kernels: GEMV y = W·x at the Llama-3-8B FFN shapes 4096x14336 (L3-sized at 4 bits)
# and 16384x14336 (DRAM), for each thread count of the list given (default 1,2), with the Java FP32 GEMV in the same
# JMH run as the yardstick and the Java Q4_0, Q8_0, Q4_K and IQ4_XS baselines (every row of issue 13's table). TurboQuant runs both ways: `turboquant` (the float table kernels, the default) and
# `turboquantInt` (-Dturboquant.intKernels=true: the int8 table kernels where they can run, 1/2/4 bits on AVX-512
# VBMI, and 8 bits with the centroids as int8 levels, panama.Int8LevelDot8). Gweights/s = ops/s x rows x cols / 1e9. Run from the repository root; JSON goes to bench/results/.
#   bench/gemv-race.sh 1,2          # FORKS, WARMUP, ITER, BITS, SHAPES override the defaults below
set -euo pipefail
threads=${1:-1,2}
stamp=$(date -u +%Y%m%dT%H%M)
uptime
./tq bench 'kernels.GemvBenchmark.(fp32|q4_0|q8_0|q4_k|iq4_xs|turboquant|turboquantInt)$' -f "${FORKS:-1}" -wi "${WARMUP:-5}" \
    -i "${ITER:-5}" -w 1 -r 1 -p shape="${SHAPES:-4096x14336,16384x14336}" -p threads="$threads" \
    -p rotation=hadamard -p block=128 -p bits="${BITS:-1,2,4,8}" \
    -rf json -rff "bench/results/gemv-race-$stamp.json"
uptime
