package org.turboquant.simd.panama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
import org.turboquant.core.ScalarKernels;
import org.turboquant.simd.KernelMode;
import org.turboquant.simd.TestMatrices;

/**
 * The integer-domain kernels ({@link Int8TableDot}) called directly: bit for bit against the scalar int8 reference
 * ({@link Int8Reference}), and within the derived bound of the float reference. Where this JVM cannot run them (256/128
 * bits, no VBMI) {@code runs} must say so and the default kernels still match the float reference. The kernel
 * choice (-Dturboquant.intKernels) only decides what {@link PanamaKernels} calls; the last two tests go through it.
 */
class Int8TableDotTest {
    static Stream<Arguments> matrices() {
        List<Arguments> cases = new ArrayList<>();
        for (int bits : new int[] {1, 2, 4})
            for (RotationKind kind : RotationKind.values())
                for (int block : new int[] {128, 256})
                    for (int cols : new int[] {5, 300, 1000})
                        for (int rows : new int[] {1, 15, 17, 47})
                            cases.add(Arguments.of(bits, kind, block, cols, rows));
        cases.add(Arguments.of(4, RotationKind.HADAMARD, 0, 3000, 20)); // one 4096 block: runs of MAX_LOADS loads
        cases.add(Arguments.of(2, RotationKind.HADAMARD, 0, 5000, 18));
        return cases.stream();
    }

    /** The integer path can run wherever a 512-bit JVM has VBMI (so the exactness tests below are not vacuous there) and
     * is chosen only when -Dturboquant.intKernels asks for it. */
    @ParameterizedTest(name = "bits {0}")
    @ValueSource(ints = {1, 2, 4})
    void runsWhereTheBytePermuteIsNativeAndIsChosenOnRequest(int bits) {
        QuantizedMatrix m = TestMatrices.quantized(16, 256, bits, RotationKind.HADAMARD, 128);
        boolean runs = Lanes.LENGTH == 16 && CpuFlags.VBMI
                && Boolean.parseBoolean(System.getProperty("turboquant.rowGroups", "true"));
        String mode = System.getProperty("turboquant.intKernels", "false");
        assertEquals(runs, Int8TableDot.runs(m));
        KernelMode chosen = PanamaKernels.create(0).mode();
        assertEquals(runs && (mode.equals("true") || mode.equals("auto") && bits == 4), Int8TableDot.supports(chosen, m));
        assertEquals(runs, Int8TableDot.supports(KernelMode.INT8, m));
        assertEquals(runs && bits == 4, Int8TableDot.supports(KernelMode.AUTO, m));
        assertEquals(false, Int8TableDot.supports(KernelMode.FLOAT, m));
    }

    /**
     * The mode is per kernels instance: the same JVM multiplies with the float tables and with the int8 kernels side by
     * side, and each instance's product is the one its mode names (float: the reference within 1e-5; int8: the int8
     * reference bit for bit).
     */
    @ParameterizedTest(name = "bits {0}")
    @ValueSource(ints = {1, 2, 4})
    void eachInstanceMultipliesWithItsOwnMode(int bits) {
        int rows = 40, cols = 384;
        QuantizedMatrix m = TestMatrices.quantized(rows, cols, bits, RotationKind.HADAMARD, 128);
        float[] x = TestMatrices.gaussian(cols, 21), yFloat = new float[rows], yInt = new float[rows];
        PanamaKernels floats = PanamaKernels.create(0).withMode(KernelMode.FLOAT);
        PanamaKernels ints = floats.withMode(KernelMode.INT8);
        assertEquals(KernelMode.INT8, ints.mode());
        floats.gemv(m, x, yFloat, 0, rows);
        ints.gemv(m, x, yInt, 0, rows);
        TestMatrices.assertMatchesReference(m, x, yFloat);
        if (!Int8TableDot.runs(m)) {
            assertArrayEquals(yFloat, yInt, "no int8 path here: both instances run the float kernels");
            return;
        }
        float[] rotated = ScalarKernels.rotateInput(m, x, 0);
        Int8Reference.Tables[] tables = Int8Reference.tables(m, rotated);
        for (int r = 0; r < rows; r++) assertEquals(Int8Reference.rowDot(m, tables, r), yInt[r], "row " + r);
        assertThat(ints.describe()).contains("int8 table kernels (mode int8): 1/2/4-bit");
    }

    @ParameterizedTest(name = "b={0} {1} block={2} cols={3} rows={4}")
    @MethodSource("matrices")
    void equalsTheScalarInt8ReferenceBitForBit(int bits, RotationKind kind, int block, int cols, int rows) {
        QuantizedMatrix m = TestMatrices.quantized(rows, cols, bits, kind, block);
        float[] x = TestMatrices.gaussian(cols, 5L + rows);
        if (!Int8TableDot.runs(m)) { // 256/128 bits or no VBMI: the float kernels answer instead
            float[] y = new float[rows];
            PanamaKernels.create(0).gemv(m, x, y, 0, rows);
            TestMatrices.assertMatchesReference(m, x, y);
            return;
        }
        float[] rotated = ScalarKernels.rotateInput(m, x, 0), y = new float[rows];
        Int8TableDot.gemm(m, new float[][] {rotated}, y, 0, rows);
        Int8Reference.Tables[] tables = Int8Reference.tables(m, rotated);
        float[] expected = new float[rows];
        for (int r = 0; r < rows; r++) expected[r] = Int8Reference.rowDot(m, tables, r);
        assertArrayEquals(expected, y);
    }

    /**
     * Against the float product: every row within its hard bound Σ|scale·T|·nibbles/2, and the RMS error over rows no
     * more than 1.5× what independent uniform roundings predict (so a systematic error, e.g. a wrong bias, fails).
     */
    @ParameterizedTest(name = "bits {0}")
    @ValueSource(ints = {1, 2, 4})
    void errorAgainstTheFloatProductIsWithinTheQuantizationBound(int bits) {
        int rows = 256, cols = 1024;
        QuantizedMatrix m = TestMatrices.quantized(rows, cols, bits, RotationKind.HADAMARD, 128);
        org.junit.jupiter.api.Assumptions.assumeTrue(Int8TableDot.runs(m), "int8 path not available here");
        float[] x = TestMatrices.gaussian(cols, 11), exact = new float[rows], y = new float[rows];
        ScalarKernels.gemv(m, x, exact);
        float[] rotated = ScalarKernels.rotateInput(m, x, 0);
        Int8TableDot.gemm(m, new float[][] {rotated}, y, 0, rows);
        Int8Reference.Tables[] tables = Int8Reference.tables(m, rotated);
        double[] scale = TestMatrices.productScale(m, x, 0);
        double err2 = 0, ref2 = 0, predicted2 = 0;
        for (int r = 0; r < rows; r++) {
            double e = y[r] - exact[r];
            assertThat(Math.abs(e)).as("row %d", r)
                    .isLessThanOrEqualTo(Int8Reference.errorBound(m, tables, r) + 1e-5 * scale[r]);
            err2 += e * e;
            ref2 += (double) exact[r] * exact[r];
            predicted2 += Int8Reference.expectedErrorVariance(m, tables, r);
        }
        double relative = Math.sqrt(err2 / ref2), predicted = Math.sqrt(predicted2 / ref2);
        System.out.printf("int8 tables, %d-bit %dx%d: relative RMS error of y %.2e (predicted %.2e)%n", bits, rows,
                cols, relative, predicted);
        assertThat(relative).isLessThanOrEqualTo(1.5 * predicted);
    }

    /** GEMM equals GEMV bit for bit, and a row's value does not depend on the range that asked for it. */
    @ParameterizedTest(name = "bits {0}")
    @ValueSource(ints = {1, 2, 4})
    void gemmAndRangesGiveTheSameBits(int bits) {
        PanamaKernels kernels = PanamaKernels.create(0).withMode(KernelMode.INT8); // auto would run DecodeGemm
        int rows = 50, cols = 384, batch = 5;
        QuantizedMatrix m = TestMatrices.quantized(rows, cols, bits, RotationKind.HADAMARD, 128);
        float[] x = TestMatrices.gaussian(batch * cols, 9), all = new float[rows];
        kernels.gemv(m, Arrays.copyOf(x, cols), all, 0, rows);
        for (int[] range : new int[][] {{0, 1}, {3, 20}, {15, 17}, {17, 50}}) {
            float[] part = new float[rows];
            kernels.gemv(m, Arrays.copyOf(x, cols), part, range[0], range[1]);
            for (int r = range[0]; r < range[1]; r++) assertThat(part[r]).as("row %d", r).isEqualTo(all[r]);
        }
        float[] y = new float[batch * rows];
        kernels.gemm(m, x, batch, y, 7, 41);
        for (int b = 0; b < batch; b++) {
            float[] single = new float[rows];
            kernels.gemv(m, Arrays.copyOfRange(x, b * cols, (b + 1) * cols), single, 7, 41);
            assertArrayEquals(single, Arrays.copyOfRange(y, b * rows, (b + 1) * rows), "input " + b);
        }
    }

    /** An all-zero input gives zero tables (T = 0) and a zero product, not NaN. */
    @Test
    void zeroInputGivesZero() {
        QuantizedMatrix m = TestMatrices.quantized(20, 256, 4, RotationKind.HADAMARD, 128);
        float[] y = new float[20];
        PanamaKernels.create(0).gemv(m, new float[256], y, 0, 20);
        assertArrayEquals(new float[20], y);
    }
}
