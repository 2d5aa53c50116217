package org.turboquant.simd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.turboquant.core.QuantizedMatrix;
import org.turboquant.core.RotationKind;

class ParallelMatmulTest {
    private static final QuantizedMatrix M = TestMatrices.quantized(301, 256, 4, RotationKind.HADAMARD, 64);

    @Test
    void resultsAreBitIdenticalWhateverTheThreadCount() {
        float[] x = TestMatrices.gaussian(256, 1);
        float[] single = new float[301];
        TurboQuantKernels.get().gemv(M, x, single, 0, 301);
        for (int threads : new int[] {1, 2, 3, 8}) {
            try (ParallelMatmul pm = new ParallelMatmul(threads)) {
                float[] y = new float[301];
                pm.gemv(M, x, y);
                assertArrayEquals(single, y, "threads " + threads);
            }
        }
    }

    @Test
    void gemmOverMoreThan64InputsEqualsPerInputGemv() {
        int batch = 70;
        float[] x = TestMatrices.gaussian(batch * 256, 2);
        float[] y = new float[batch * 301];
        try (ParallelMatmul pm = new ParallelMatmul(2)) {
            pm.gemm(M, x, batch, y);
            for (int b : new int[] {0, 63, 64, 69}) {
                float[] single = new float[301];
                pm.gemv(M, java.util.Arrays.copyOfRange(x, b * 256, (b + 1) * 256), single);
                assertArrayEquals(single, java.util.Arrays.copyOfRange(y, b * 301, (b + 1) * 301), "input " + b);
            }
        }
    }

    @Test
    void eightConcurrentCallersOnOneSharedMatrixGetIdenticalResults() throws Exception {
        float[][] inputs = new float[8][];
        float[][] expected = new float[8][];
        for (int i = 0; i < 8; i++) {
            inputs[i] = TestMatrices.gaussian(256, 100 + i);
            expected[i] = new float[301];
            TurboQuantKernels.get().gemv(M, inputs[i], expected[i], 0, 301);
        }
        ParallelMatmul shared = ParallelMatmul.shared();
        ExecutorService callers = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                int caller = i;
                futures.add(callers.submit(() -> {
                    for (int rep = 0; rep < 20; rep++) {
                        float[] y = new float[301];
                        shared.gemv(M, inputs[caller], y);
                        assertArrayEquals(expected[caller], y, "caller " + caller + " rep " + rep);
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) f.get();
        } finally {
            callers.shutdown();
        }
    }

    @Test
    void rejectsShortArraysAndBadThreadCounts() {
        assertThatThrownBy(() -> new ParallelMatmul(0)).isInstanceOf(IllegalArgumentException.class);
        try (ParallelMatmul pm = new ParallelMatmul(1)) {
            assertThatThrownBy(() -> pm.gemv(M, new float[255], new float[301])).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> pm.gemv(M, new float[256], new float[300])).isInstanceOf(IndexOutOfBoundsException.class);
        }
    }

    /** Ranges cover every row once, start on 16-row boundaries, and a failure in any range reaches the caller. */
    @Test
    void rowRangesCoverEveryRowOnceAndFailuresReachTheCaller() {
        try (ParallelMatmul pm = new ParallelMatmul(3)) {
            for (int rows : new int[] {1, 63, 200, 1001}) {
                int[] hits = new int[rows];
                java.util.List<Integer> starts = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
                pm.forRowRanges(rows, (start, end) -> {
                    starts.add(start);
                    for (int r = start; r < end; r++) hits[r]++;
                });
                assertThat(hits).containsOnly(1);
                assertThat(starts).allSatisfy(s -> assertThat(s % 16).isZero());
            }
            for (int failing = 0; failing < 3; failing++) {
                int range = failing;
                assertThatThrownBy(() -> pm.forRowRanges(999, (start, end) -> {
                    if (start == (999 * range / 3 & ~15)) throw new IllegalStateException("range " + range);
                })).isInstanceOf(IllegalStateException.class).hasMessage("range " + range);
            }
        }
    }

    @Test
    void theProviderPicksPanamaWhenTheModuleIsPresent() {
        assertThat(TurboQuantKernels.get().name()).startsWith("panama-");
        assertThat(new ScalarTurboQuantKernels().name()).isEqualTo("scalar");
    }
}
