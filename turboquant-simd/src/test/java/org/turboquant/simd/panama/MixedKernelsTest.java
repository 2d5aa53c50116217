package org.turboquant.simd.panama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.turboquant.core.MixedQuantizedMatrix;
import org.turboquant.core.RotationKind;
import org.turboquant.core.ScalarKernels;
import org.turboquant.simd.ParallelMatmul;
import org.turboquant.simd.TestMatrices;

/** Mixed-width kernels against core's scalar reference; Surefire runs this class at 512, 256 and 128 bits. */
class MixedKernelsTest {
    private static final double TOLERANCE = 1e-5;

    /** (narrow, wide) × rotation × block (0 = whole row) × cols; every adjacent pair plus two wider spreads. */
    static Stream<Arguments> matrices() {
        List<Arguments> cases = new ArrayList<>();
        int[][] pairs = {{1, 2}, {2, 3}, {3, 4}, {4, 5}, {5, 6}, {6, 7}, {7, 8}, {2, 4}, {4, 8}};
        int[] cols = {1, 7, 31, 33, 383, 1000, 4097};
        int[] blocks = {0, 32, 64, 128, 256};
        for (int[] pair : pairs) {
            for (RotationKind kind : RotationKind.values()) {
                for (int block : blocks) {
                    for (int c : cols) {
                        if (kind == RotationKind.QR && block == 0 && c > 1000) continue; // a 4097² QR takes ~30 s
                        boolean big = c > 1000;
                        if (big && pair[0] != 4 && pair[1] != 8) continue;
                        cases.add(Arguments.of(pair[0], pair[1], kind, block, c, big ? 1 : (c % 2 == 0 ? 3 : 5)));
                    }
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "b={0}/{1} {2} block={3} cols={4} rows={5}")
    @MethodSource("matrices")
    void gemvGemmAndDequantizeMatchTheScalarReference(int narrow, int wide, RotationKind kind, int block, int cols,
                                                      int rows) {
        MixedQuantizedMatrix m = TestMatrices.mixed(rows, cols, narrow, wide, kind, block);
        PanamaKernels kernels = PanamaKernels.create(0);
        float[] x = TestMatrices.gaussian(2 * cols, 1000L + cols);
        float[] expected = new float[2 * rows];
        ScalarKernels.gemm(m, x, 2, expected);
        float[] y = new float[2 * rows];
        float[][] rotated = {kernels.rotateInput(m, x, 0), kernels.rotateInput(m, x, cols)};
        kernels.gemmRotated(m, rotated, y, 0, rows);
        float[] single = new float[rows];
        kernels.gemvRotated(m, rotated[1], single, 0, rows);
        assertArrayEquals(single, java.util.Arrays.copyOfRange(y, rows, 2 * rows), "GEMM equals GEMV bit for bit");
        for (int b = 0; b < 2; b++) {
            double[] scale = TestMatrices.productScale(m, x, b * cols);
            for (int r = 0; r < rows; r++) {
                assertThat((double) Math.abs(y[b * rows + r] - expected[b * rows + r]))
                        .as("input %d row %d: %s vs %s", b, r, y[b * rows + r], expected[b * rows + r])
                        .isLessThanOrEqualTo(TOLERANCE * scale[r] + 1e-30);
            }
        }
        float[] expectedRow = new float[cols], row = new float[cols];
        for (int r = 0; r < rows; r += Math.max(1, rows - 1)) {
            ScalarKernels.dequantizeRow(m, r, expectedRow, 0);
            kernels.dequantizeRow(m, r, row, 0);
            double norm = 0;
            for (float v : expectedRow) norm += (double) v * v;
            for (int j = 0; j < cols; j++) {
                assertThat((double) Math.abs(row[j] - expectedRow[j])).as("row %d col %d", r, j)
                        .isLessThanOrEqualTo(TOLERANCE * Math.sqrt(norm) + 1e-30);
            }
        }
    }

    @Test
    void eightConcurrentCallersGetBitIdenticalResults() throws Exception {
        MixedQuantizedMatrix m = TestMatrices.mixed(301, 512, 4, 5, RotationKind.HADAMARD, 128);
        float[] x = TestMatrices.gaussian(512, 9);
        float[] reference = new float[301];
        try (ParallelMatmul one = new ParallelMatmul(1); ParallelMatmul pool = new ParallelMatmul(3)) {
            one.gemv(m, x, reference);
            ExecutorService callers = Executors.newFixedThreadPool(8);
            try {
                List<Future<float[]>> results = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    results.add(callers.submit(() -> {
                        float[] y = new float[301];
                        for (int rep = 0; rep < 5; rep++) pool.gemv(m, x, y);
                        return y;
                    }));
                }
                for (Future<float[]> f : results) assertArrayEquals(reference, f.get());
            } finally {
                callers.shutdown();
            }
            float[] batch = TestMatrices.gaussian(3 * 512, 10), yb = new float[3 * 301];
            pool.gemm(m, batch, 3, yb);
            float[] y1 = new float[301];
            one.gemv(m, java.util.Arrays.copyOfRange(batch, 512, 1024), y1);
            assertArrayEquals(y1, java.util.Arrays.copyOfRange(yb, 301, 602));
        }
    }
}
