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
import org.turboquant.core.MixedQuantizedMatrix;
import org.turboquant.core.ScalarKernels;
import org.turboquant.simd.KernelMode;
import org.turboquant.simd.TestMatrices;
import org.turboquant.simd.panama.MixedGroupKernelsTest.Pattern;

/**
 * The integer-domain kernels of grouped mixed-width matrices ({@link Int8MixedTableDot}) through {@link PanamaKernels}
 * in the int8 mode: bit for bit against the scalar int8 reference ({@link Int8MixedReference}) on every width pair it
 * runs, every width pattern, odd row counts and blocks long enough for several exact 16-bit runs; within the derived
 * bound of the float product. Surefire runs it at 512, 256 and 128 bits: where it cannot run ({@code runs} false) the
 * int8 mode must answer with the float kernels, within the float reference's tolerance.
 */
class Int8MixedTableDotTest {
    static Stream<Arguments> matrices() {
        List<Arguments> cases = new ArrayList<>();
        int[][] pairs = {{4, 5}, {2, 4}, {1, 2}, {2, 5}, {3, 4}};
        int[][] shapes = {{128, 128}, {300, 128}, {1000, 256}, {2100, 0}}; // block 0: one 4096 block, several runs
        for (int[] pair : pairs)
            for (int rows : new int[] {1, 17, 45})
                for (int[] shape : shapes)
                    for (Pattern p : Pattern.values()) {
                        if (pair[0] != 4 && (p == Pattern.CHECKER || rows == 1 || shape[1] == 0)) continue;
                        cases.add(Arguments.of(pair[0], pair[1], rows, shape[0], shape[1], p));
                    }
        return cases.stream();
    }

    @ParameterizedTest(name = "b={0}/{1} rows={2} cols={3} g={4} {5}")
    @MethodSource("matrices")
    void equalsTheScalarInt8ReferenceBitForBit(int narrow, int wide, int rows, int cols, int block, Pattern pattern) {
        MixedQuantizedMatrix m = MixedGroupKernelsTest.grouped(narrow, wide, rows, cols, block, pattern);
        PanamaKernels kernels = PanamaKernels.create(0).withMode(KernelMode.INT8);
        int batch = 3;
        float[] x = TestMatrices.gaussian(batch * cols, 2000L + cols + rows);
        float[][] rotated = new float[batch][];
        for (int b = 0; b < batch; b++) rotated[b] = kernels.rotateInput(m, x, b * cols);
        float[] y = new float[batch * rows];
        kernels.gemmRotated(m, rotated, y, 0, rows);
        for (int b = 0; b < batch; b++) {
            float[] single = new float[rows];
            kernels.gemvRotated(m, rotated[b], single, 0, rows);
            assertArrayEquals(single, Arrays.copyOfRange(y, b * rows, (b + 1) * rows), "GEMM equals GEMV bit for bit");
        }
        if (!Int8MixedTableDot.runs(m)) { // 256/128 bits, no VBMI, or a 3-bit width: the float kernels answer
            float[] expected = new float[batch * rows];
            ScalarKernels.gemm(m, x, batch, expected);
            for (int b = 0; b < batch; b++) {
                double[] scale = TestMatrices.productScale(m, x, b * cols);
                for (int r = 0; r < rows; r++)
                    assertThat((double) Math.abs(y[b * rows + r] - expected[b * rows + r])).as("input %d row %d", b, r)
                            .isLessThanOrEqualTo(1e-5 * scale[r] + 1e-30);
            }
            return;
        }
        for (int b = 0; b < batch; b++) {
            Int8MixedReference reference = new Int8MixedReference(m, rotated[b]);
            for (int r = 0; r < rows; r++)
                assertEquals(reference.rowDot(r), y[b * rows + r], "input " + b + " row " + r);
        }
        if (rows > 3) { // a row's value does not depend on the range asked for (ranges cut inside a group)
            float[] part = new float[rows];
            kernels.gemvRotated(m, rotated[0], part, 3, rows - 1);
            for (int r = 3; r < rows - 1; r++) assertThat(part[r]).as("row %d", r).isEqualTo(y[r]);
        }
    }

    /**
     * Against the float product: every row within Σ|scale·T|·entries/2, and the RMS error over rows no more than 1.5×
     * what independent uniform roundings predict (a systematic error, e.g. a wrong bias or table order, fails).
     */
    @Test
    void errorAgainstTheFloatProductIsWithinTheQuantizationBound() {
        int rows = 256, cols = 1024;
        MixedQuantizedMatrix m = MixedGroupKernelsTest.grouped(4, 5, rows, cols, 128, Pattern.THIRD);
        org.junit.jupiter.api.Assumptions.assumeTrue(Int8MixedTableDot.runs(m), "int8 path not available here");
        float[] x = TestMatrices.gaussian(cols, 11), exact = new float[rows], y = new float[rows];
        ScalarKernels.gemv(m, x, exact);
        PanamaKernels kernels = PanamaKernels.create(0).withMode(KernelMode.INT8);
        float[] rotated = kernels.rotateInput(m, x, 0);
        kernels.gemvRotated(m, rotated, y, 0, rows);
        Int8MixedReference reference = new Int8MixedReference(m, rotated);
        double[] scale = TestMatrices.productScale(m, x, 0);
        double err2 = 0, ref2 = 0, predicted2 = 0;
        for (int r = 0; r < rows; r++) {
            double e = y[r] - exact[r];
            assertThat(Math.abs(e)).as("row %d", r).isLessThanOrEqualTo(reference.errorBound(r) + 1e-5 * scale[r]);
            err2 += e * e;
            ref2 += (double) exact[r] * exact[r];
            predicted2 += reference.expectedErrorVariance(r);
        }
        double relative = Math.sqrt(err2 / ref2), predicted = Math.sqrt(predicted2 / ref2);
        System.out.printf("int8 tables, mixed 4/5-bit %dx%d (a third of the cells 5-bit): relative RMS error of y %.2e "
                + "(predicted %.2e)%n", rows, cols, relative, predicted);
        assertThat(relative).isLessThanOrEqualTo(1.5 * predicted);
        assertThat(relative).isGreaterThan(0.0); // a lossy product: exactly zero would mean the float path ran
    }

    /** Which modes choose it: int8 wherever it runs, auto for the widths auto takes (IntKernels), float never. */
    @Test
    void isChosenByTheModesThatAskForIt() {
        MixedQuantizedMatrix m = MixedGroupKernelsTest.grouped(4, 5, 32, 256, 128, Pattern.THIRD);
        boolean runs = Lanes.LENGTH == 16 && CpuFlags.VBMI
                && Boolean.parseBoolean(System.getProperty("turboquant.rowGroups", "true"));
        assertEquals(runs, Int8MixedTableDot.runs(m));
        assertEquals(runs, Int8MixedTableDot.supports(KernelMode.INT8, m));
        assertEquals(runs && IntKernels.enabled(KernelMode.AUTO, 5), Int8MixedTableDot.supports(KernelMode.AUTO, m));
        assertEquals(false, Int8MixedTableDot.supports(KernelMode.FLOAT, m));
        assertEquals(false, Int8MixedTableDot.runs(MixedGroupKernelsTest.grouped(3, 4, 32, 256, 128, Pattern.THIRD)));
    }

    /** An all-zero input gives zero tables (T = 0) and a zero product, not NaN. */
    @Test
    void zeroInputGivesZero() {
        MixedQuantizedMatrix m = MixedGroupKernelsTest.grouped(4, 5, 20, 256, 128, Pattern.CHECKER);
        float[] y = new float[20];
        PanamaKernels.create(0).withMode(KernelMode.INT8).gemvRotated(m, new float[256], y, 0, 20);
        assertArrayEquals(new float[20], y);
    }
}
