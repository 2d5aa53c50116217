package org.turboquant.simd.panama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.turboquant.core.BitPacking;
import org.turboquant.core.QuantizedMatrix;
import org.turboquant.core.RotationKind;
import org.turboquant.simd.TestMatrices;

/**
 * The row-grouped table kernels ({@link TableDot}, {@link TableDot3}: 1- to 4-bit at 512 bits) against the scalar reference, with row
 * counts around the 16-row groups and row ranges that cut groups. At 256/128 bits (or with row groups switched off)
 * the same calls take other paths and must give the same answers, so nothing here is skipped.
 */
class TableDotTest {
    static Stream<Arguments> matrices() {
        List<Arguments> cases = new ArrayList<>();
        for (int bits : new int[] {1, 2, 3, 4})
            for (RotationKind kind : RotationKind.values())
                for (int block : new int[] {128, 256})
                    for (int cols : new int[] {5, 128, 300, 1000})
                        for (int rows : new int[] {1, 15, 16, 17, 47})
                            cases.add(Arguments.of(bits, kind, block, cols, rows));
        return cases.stream();
    }

    @ParameterizedTest(name = "b={0} {1} block={2} cols={3} rows={4}")
    @MethodSource("matrices")
    void gemvMatchesTheScalarReference(int bits, RotationKind kind, int block, int cols, int rows) {
        QuantizedMatrix m = TestMatrices.quantized(rows, cols, bits, kind, block);
        float[] x = TestMatrices.gaussian(cols, 5L + rows), y = new float[rows];
        PanamaKernels.create(0).gemv(m, x, y, 0, rows);
        TestMatrices.assertMatchesReference(m, x, y);
    }

    /**
     * A row's value does not depend on which range asked for it, and GEMM equals GEMV bit for bit (batches below
     * {@link DecodeGemm#MIN_BATCH}: larger 1/2/4-bit ones run DecodeGemm, DecodeGemmTest).
     */
    @ParameterizedTest(name = "bits {0}")
    @ValueSource(ints = {1, 2, 3, 4})
    void rangesThatCutGroupsAndBatchesGiveTheSameBits(int bits) {
        PanamaKernels kernels = PanamaKernels.create(0).withMode(org.turboquant.simd.KernelMode.FLOAT);
        int rows = 50, cols = 384, batch = DecodeGemm.MIN_BATCH - 1;
        QuantizedMatrix m = TestMatrices.quantized(rows, cols, bits, RotationKind.HADAMARD, 128);
        float[] x = TestMatrices.gaussian(batch * cols, 9);
        float[] all = new float[rows];
        kernels.gemv(m, Arrays.copyOf(x, cols), all, 0, rows);
        for (int[] range : new int[][] {{0, 1}, {3, 20}, {15, 17}, {17, 50}, {49, 50}}) {
            float[] part = new float[rows];
            kernels.gemv(m, Arrays.copyOf(x, cols), part, range[0], range[1]);
            for (int r = 0; r < rows; r++)
                assertThat(part[r]).as("row %d of range %s", r, Arrays.toString(range))
                        .isEqualTo(r >= range[0] && r < range[1] ? all[r] : 0f);
        }
        float[] y = new float[batch * rows];
        kernels.gemm(m, x, batch, y, 7, 41);
        for (int b = 0; b < batch; b++) {
            float[] single = new float[rows];
            kernels.gemv(m, Arrays.copyOfRange(x, b * cols, (b + 1) * cols), single, 7, 41);
            assertArrayEquals(single, Arrays.copyOfRange(y, b * rows, (b + 1) * rows), "input " + b);
        }
    }

    /** Eight threads asking a fresh matrix at once: the regrouped codes are built once and every answer agrees. */
    @Test
    void concurrentFirstUseIsSafe() throws Exception {
        QuantizedMatrix m = TestMatrices.quantized(77, 640, 4, RotationKind.HADAMARD, 128);
        float[] x = TestMatrices.gaussian(640, 3);
        CyclicBarrier start = new CyclicBarrier(8);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<float[]>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                Callable<float[]> call = () -> {
                    start.await();
                    float[] y = new float[77];
                    PanamaKernels.create(0).gemv(m, x, y, 0, 77);
                    return y;
                };
                results.add(pool.submit(call));
            }
            float[] first = results.get(0).get();
            for (Future<float[]> f : results) assertArrayEquals(first, f.get());
            TestMatrices.assertMatchesReference(m, x, first);
        } finally {
            pool.shutdown();
        }
        if (TableDot.supports(m)) assertThat(RowGroups.of(m)).isSameAs(RowGroups.of(m));
    }

    /** prepare() builds the regrouped codes up front (where the table kernels apply) and changes no result. */
    @Test
    void prepareBuildsTheRowGroupsOnceAndChangesNoResult() {
        PanamaKernels kernels = PanamaKernels.create(0);
        for (int bits : new int[] {4, 5}) {
            QuantizedMatrix m = TestMatrices.quantized(40, 300, bits, RotationKind.HADAMARD, 128);
            float[] x = TestMatrices.gaussian(300, 2), before = new float[40], after = new float[40];
            kernels.gemv(TestMatrices.quantized(40, 300, bits, RotationKind.HADAMARD, 128), x, before, 0, 40);
            kernels.prepare(m);
            kernels.prepare(m);
            kernels.gemv(m, x, after, 0, 40);
            assertArrayEquals(before, after, "bits " + bits);
        }
    }

    /** Field i of nibble s of a packed chunk holds the index of column nibbleColumns[s·4/b + i]. */
    @ParameterizedTest(name = "bits {0}")
    @ValueSource(ints = {1, 2, 4})
    void nibbleColumnsFollowThePackedLayout(int bits) {
        int perNibble = 4 / bits, mask = (1 << bits) - 1;
        java.util.SplittableRandom random = new java.util.SplittableRandom(bits);
        byte[] idx = new byte[BitPacking.CHUNK];
        for (int i = 0; i < idx.length; i++) idx[i] = (byte) random.nextInt(1 << bits);
        byte[] packed = BitPacking.pack(idx, bits);
        int[] columns = TableDot.nibbleColumns(bits);
        boolean[] seen = new boolean[BitPacking.CHUNK];
        for (int s = 0; s < 2 * packed.length; s++) {
            int nibble = ((packed[s / 2] & 0xFF) >>> (4 * (s % 2))) & 15;
            for (int i = 0; i < perNibble; i++) {
                int col = columns[s * perNibble + i];
                assertThat(seen[col]).as("column %d twice", col).isFalse();
                seen[col] = true;
                assertThat((nibble >>> (i * bits)) & mask).as("nibble %d field %d", s, i).isEqualTo(idx[col] & 0xFF);
            }
        }
    }

    @Test
    void fieldValuesDecodeEachFieldOfANibble() {
        float[] centroids = {-3f, -1f, 1f, 3f};
        float[] f = TableDot.fieldValues(2, centroids);
        for (int j = 0; j < 16; j++) {
            assertThat(f[j]).isEqualTo(centroids[j & 3]);
            assertThat(f[16 + j]).isEqualTo(centroids[j >>> 2]);
        }
    }
}
