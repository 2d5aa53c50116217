package org.turboquant.simd.panama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.turboquant.core.QuantizedMatrix;
import org.turboquant.core.RotationKind;
import org.turboquant.simd.TestMatrices;

/**
 * The packed-byte kernels ({@link PackedDot}: b = 1, 2, 4, 5, 8, blocks that are multiples of 128, 512-bit JVMs) against
 * the scalar reference, with odd row counts (the two-row loops' tail) and odd column counts (padded blocks). Surefire
 * also runs this class at 256 and 128 bits, where the same matrices take the generic path.
 */
class PackedDotTest {
    static Stream<Arguments> matrices() {
        List<Arguments> cases = new ArrayList<>();
        for (int bits = 1; bits <= 8; bits++) {
            for (RotationKind kind : RotationKind.values()) {
                for (int block : new int[] {128, 256, 0}) {
                    for (int cols : new int[] {1, 100, 128, 129, 383, 640, 1000}) {
                        if (kind == RotationKind.QR && cols > 640) continue;
                        for (int rows : new int[] {1, 2, 7}) cases.add(Arguments.of(bits, kind, block, cols, rows));
                    }
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "b={0} {1} block={2} cols={3} rows={4}")
    @MethodSource("matrices")
    void gemvMatchesTheScalarReference(int bits, RotationKind kind, int block, int cols, int rows) {
        QuantizedMatrix m = TestMatrices.quantized(rows, cols, bits, kind, block);
        float[] x = TestMatrices.gaussian(cols, 77L + cols), y = new float[rows];
        PanamaKernels.create(0).gemv(m, x, y, 0, rows);
        TestMatrices.assertMatchesReference(m, x, y);
    }

    /** GEMM reruns GEMV's fused dot per input: bit-identical to GEMV. */
    @ParameterizedTest(name = "bits {0}")
    @ValueSource(ints = {1, 2, 4, 5, 8})
    void gemmEqualsGemvBitForBit(int bits) {
        PanamaKernels kernels = PanamaKernels.create(0);
        for (int block : new int[] {128, 256, 0}) {
            int rows = 9, cols = 600, batch = 3;
            QuantizedMatrix m = TestMatrices.quantized(rows, cols, bits, RotationKind.HADAMARD, block);
            float[] x = TestMatrices.gaussian(batch * cols, 11);
            float[] y = new float[batch * rows];
            kernels.gemm(m, x, batch, y, 0, rows);
            for (int b = 0; b < batch; b++) {
                float[] single = new float[rows];
                kernels.gemv(m, Arrays.copyOfRange(x, b * cols, (b + 1) * cols), single, 0, rows);
                assertArrayEquals(single, Arrays.copyOfRange(y, b * rows, (b + 1) * rows), "block " + block + " input " + b);
            }
            // row ranges that start or end on an odd row give the same values as the whole range
            float[] all = new float[rows], part = new float[rows];
            kernels.gemv(m, Arrays.copyOf(x, cols), all, 0, rows);
            kernels.gemv(m, Arrays.copyOf(x, cols), part, 1, 6);
            for (int r = 1; r < 6; r++) assertThat(part[r]).isEqualTo(all[r]);
        }
    }

    /**
     * 8-bit GEMV/GEMM walk rows in groups of ~256 KB of codes (300 rows of 1024 codes: groups of 256 rows): results
     * across a group boundary match the reference, GEMM equals GEMV bit for bit, and a sub-range that straddles the
     * boundary gives the whole range's values.
     */
    @Test
    void eightBitRowGroups() {
        PanamaKernels kernels = PanamaKernels.create(0);
        int rows = 300, cols = 1024, batch = 2;
        QuantizedMatrix m = TestMatrices.quantized(rows, cols, 8, RotationKind.HADAMARD, 128);
        float[] x = TestMatrices.gaussian(batch * cols, 5);
        float[] y = new float[batch * rows];
        kernels.gemm(m, x, batch, y, 0, rows);
        for (int b = 0; b < batch; b++) {
            float[] xb = Arrays.copyOfRange(x, b * cols, (b + 1) * cols);
            float[] single = new float[rows];
            kernels.gemv(m, xb, single, 0, rows);
            assertArrayEquals(single, Arrays.copyOfRange(y, b * rows, (b + 1) * rows), "input " + b);
            TestMatrices.assertMatchesReference(m, xb, single);
            float[] part = new float[rows];
            kernels.gemv(m, xb, part, 250, 290);
            for (int r = 250; r < 290; r++) assertThat(part[r]).isEqualTo(single[r]);
        }
    }

    @Test
    void theLaneOrderIsAPermutationOfEachChunk() {
        for (int bits : new int[] {1, 2, 4}) {
            boolean[] seen = new boolean[PackedDot.CHUNK];
            for (int s = 0; s < 8; s++) {
                for (int i = 0; i < PackedDot.L; i++) {
                    int j = PackedDot.source(bits, s, i);
                    assertThat(seen[j]).as("bits %d index %d twice", bits, j).isFalse();
                    seen[j] = true;
                }
            }
        }
    }

    @Test
    void runsOnlyWhereItApplies() {
        if (System.getProperty("turboquant.vbmi") == null && java.nio.file.Files.isReadable(java.nio.file.Path.of("/proc/cpuinfo")))
            assertThat(CpuFlags.VBMI).as("VBMI as /proc/cpuinfo lists it").isEqualTo(cpuinfoListsVbmi());
        boolean wide = PanamaKernels.create(0).vectorBits() == 512;
        assertThat(PackedDot.supports(TestMatrices.quantized(1, 256, 4, RotationKind.HADAMARD, 128))).isEqualTo(wide);
        assertThat(PackedDot.supports(TestMatrices.quantized(1, 256, 4, RotationKind.HADAMARD, 64))).isFalse();
        assertThat(PackedDot.supports(TestMatrices.quantized(1, 256, 3, RotationKind.HADAMARD, 128))).isFalse();
        assertThat(PackedDot.supports(TestMatrices.quantized(1, 256, 8, RotationKind.HADAMARD, 128))).isEqualTo(wide && CpuFlags.VBMI);
        assertThat(PackedDot.supports(TestMatrices.quantized(1, 256, 8, RotationKind.HADAMARD, 64))).isFalse();
    }

    private static boolean cpuinfoListsVbmi() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/cpuinfo")).contains("avx512_vbmi");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
