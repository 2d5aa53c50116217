package org.turboquant.simd.panama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.turboquant.core.QuantizedMatrix;
import org.turboquant.core.RotationKind;
import org.turboquant.simd.KernelMode;
import org.turboquant.simd.TestMatrices;

/**
 * The decoded-codes GEMM ({@link DecodeGemm}) through {@link PanamaKernels#gemm} (float and auto modes, batches of
 * {@link DecodeGemm#MIN_BATCH}+): every input of every batch size (partial tiles included) against the scalar reference,
 * at 1, 2 and 4 bits (3 bits takes the table kernels), odd row and column counts, ranges that cut groups. At 256/128
 * bits or without row groups the same calls take other kernels and must give the same answers, so nothing is skipped.
 */
class DecodeGemmTest {
    static Stream<Arguments> matrices() {
        List<Arguments> cases = new ArrayList<>();
        for (int bits : new int[] {1, 2, 3, 4})
            for (RotationKind kind : RotationKind.values())
                for (int block : new int[] {128, 256})
                    for (int cols : new int[] {5, 300, 1000})
                        for (int rows : new int[] {1, 17, 47})
                            cases.add(Arguments.of(bits, kind, block, cols, rows));
        cases.add(Arguments.of(4, RotationKind.HADAMARD, 0, 3000, 20)); // one 4096 block
        return cases.stream();
    }

    @ParameterizedTest(name = "b={0} {1} block={2} cols={3} rows={4}")
    @MethodSource("matrices")
    void everyInputOfEveryBatchMatchesTheScalarReference(int bits, RotationKind kind, int block, int cols, int rows) {
        QuantizedMatrix m = TestMatrices.quantized(rows, cols, bits, kind, block);
        // batches around the tile edges: partial (half-tile and whole-tile remainders), full and one-past-full tiles
        for (int batch : new int[] {DecodeGemm.MIN_BATCH, 7, 8, 9, 12, 14, 16, 17, 33}) {
            float[] x = TestMatrices.gaussian(batch * cols, 3L * batch + rows), y = new float[batch * rows];
            PanamaKernels.create(0).withMode(KernelMode.FLOAT).gemm(m, x, batch, y, 0, rows);
            for (int b = 0; b < batch; b++)
                TestMatrices.assertMatchesReference(m, Arrays.copyOfRange(x, b * cols, (b + 1) * cols),
                        Arrays.copyOfRange(y, b * rows, (b + 1) * rows));
        }
    }

    /**
     * An input's result does not depend on the batch around it (its slot in a tile, a partial last tile, the batch
     * size) nor on the row range asked for; float and auto modes run the same GEMM.
     */
    @ParameterizedTest(name = "bits {0}")
    @ValueSource(ints = {1, 2, 4})
    void anInputsResultDependsOnNeitherItsBatchNorTheRows(int bits) {
        PanamaKernels floats = PanamaKernels.create(0).withMode(KernelMode.FLOAT);
        int rows = 50, cols = 384, batch = 13;
        QuantizedMatrix m = TestMatrices.quantized(rows, cols, bits, RotationKind.HADAMARD, 128);
        float[] x = TestMatrices.gaussian(batch * cols, 9), all = new float[batch * rows];
        floats.gemm(m, x, batch, all, 0, rows);
        float[] autos = new float[batch * rows];
        floats.withMode(KernelMode.AUTO).gemm(m, x, batch, autos, 0, rows);
        assertArrayEquals(all, autos);
        int[][] subsets = {{12, 0, 5, 7}, {3, 4, 5, 6, 7, 8, 9, 10, 11}, {1, 1, 1, 1, 2}};
        for (int[] subset : subsets) {
            float[] xs = new float[subset.length * cols];
            for (int i = 0; i < subset.length; i++) System.arraycopy(x, subset[i] * cols, xs, i * cols, cols);
            for (int[] range : new int[][] {{0, rows}, {3, 20}, {15, 17}, {17, 50}}) {
                float[] ys = new float[subset.length * rows];
                floats.gemm(m, xs, subset.length, ys, range[0], range[1]);
                for (int i = 0; i < subset.length; i++)
                    for (int r = range[0]; r < range[1]; r++)
                        assertThat(ys[i * rows + r]).as("input %d row %d of %s in %s", subset[i], r,
                                Arrays.toString(range), Arrays.toString(subset)).isEqualTo(all[subset[i] * rows + r]);
            }
        }
    }

    /** Below MIN_BATCH, and in the int8 mode at any batch, GEMM is still GEMV input by input, bit for bit. */
    @ParameterizedTest(name = "bits {0}")
    @ValueSource(ints = {1, 2, 4})
    void smallBatchesAndTheInt8ModeStillEqualGemv(int bits) {
        int rows = 40, cols = 384;
        QuantizedMatrix m = TestMatrices.quantized(rows, cols, bits, RotationKind.HADAMARD, 128);
        for (KernelMode mode : KernelMode.values()) {
            PanamaKernels k = PanamaKernels.create(0).withMode(mode);
            for (int batch : mode == KernelMode.INT8 ? new int[] {3, 9} : new int[] {DecodeGemm.MIN_BATCH - 1}) {
                float[] x = TestMatrices.gaussian(batch * cols, batch), y = new float[batch * rows];
                k.gemm(m, x, batch, y, 0, rows);
                for (int b = 0; b < batch; b++) {
                    float[] single = new float[rows];
                    k.gemv(m, Arrays.copyOfRange(x, b * cols, (b + 1) * cols), single, 0, rows);
                    assertArrayEquals(single, Arrays.copyOfRange(y, b * rows, (b + 1) * rows), mode + " input " + b);
                }
            }
        }
    }

    /** Field f of byte j of 16-byte group q of a packed block holds the index of column column(b, q, f, j). */
    @ParameterizedTest(name = "bits {0}")
    @ValueSource(ints = {1, 2, 4})
    void columnsFollowThePackedLayout(int bits) {
        int fields = 8 / bits, mask = (1 << bits) - 1, block = 2 * org.turboquant.core.BitPacking.CHUNK;
        java.util.SplittableRandom random = new java.util.SplittableRandom(bits);
        byte[] idx = new byte[block];
        for (int i = 0; i < idx.length; i++) idx[i] = (byte) random.nextInt(1 << bits);
        byte[] packed = org.turboquant.core.BitPacking.pack(idx, bits);
        boolean[] seen = new boolean[idx.length];
        for (int q = 0; q < packed.length / 16; q++)
            for (int f = 0; f < fields; f++)
                for (int j = 0; j < 16; j++) {
                    int col = DecodeGemm.column(bits, q, f, j);
                    assertThat(seen[col]).as("column %d twice", col).isFalse();
                    seen[col] = true;
                    assertThat(((packed[q * 16 + j] & 0xFF) >>> (f * bits)) & mask).isEqualTo(idx[col] & 0xFF);
                }
    }
}
