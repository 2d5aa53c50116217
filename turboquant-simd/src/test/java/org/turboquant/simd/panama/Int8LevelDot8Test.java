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
import org.turboquant.core.BlockLayout;
import org.turboquant.core.MatrixQuantizer;
import org.turboquant.core.NormPrecision;
import org.turboquant.core.QuantConfig;
import org.turboquant.core.QuantizedMatrix;
import org.turboquant.core.RotationKind;
import org.turboquant.core.ScalarKernels;
import org.turboquant.simd.KernelMode;
import org.turboquant.simd.TestMatrices;

/**
 * The 8-bit int8-level kernel ({@link Int8LevelDot8}). Its product is, by definition, the exact product of the same
 * matrix with each centroid replaced by its level times S: so against the scalar reference on that matrix it is held
 * to the 1e-5 every GEMV kernel is, on odd row and column counts, every rotation and block size. Against the exact
 * 8-bit product it stays within the level-rounding bound. Surefire runs this class at 256 and 128 bits too, where
 * {@code runs} must be false and the int8 mode falls back to the exact kernels.
 */
class Int8LevelDot8Test {
    static Stream<Arguments> matrices() {
        List<Arguments> cases = new ArrayList<>();
        for (RotationKind kind : RotationKind.values())
            for (int block : new int[] {128, 256, 0})
                for (int cols : new int[] {1, 100, 128, 129, 383, 640, 1000}) {
                    if (kind == RotationKind.QR && cols > 640) continue;
                    for (int rows : new int[] {1, 2, 7}) cases.add(Arguments.of(kind, block, cols, rows));
                }
        return cases.stream();
    }

    private static final PanamaKernels INT8 = PanamaKernels.create(0).withMode(KernelMode.INT8);

    @Test
    void runsWhereTheExact8BitKernelRunsAndOnlyInTheInt8Mode() {
        QuantizedMatrix m = TestMatrices.quantized(16, 256, 8, RotationKind.HADAMARD, 128);
        assertEquals(Lanes.LENGTH == 16 && CpuFlags.VBMI, Int8LevelDot8.runs(m));
        assertEquals(Int8LevelDot8.runs(m), Int8LevelDot8.supports(KernelMode.INT8, m));
        assertEquals(false, Int8LevelDot8.supports(KernelMode.AUTO, m), "lossy: never in auto");
        assertEquals(false, Int8LevelDot8.supports(KernelMode.FLOAT, m));
        assertEquals(false, Int8LevelDot8.runs(TestMatrices.quantized(16, 256, 4, RotationKind.HADAMARD, 128)));
        if (Int8LevelDot8.runs(m)) assertThat(INT8.describe()).contains("8-bit as int8 levels");
    }

    @ParameterizedTest(name = "{0} block={1} cols={2} rows={3}")
    @MethodSource("matrices")
    void equalsTheScalarReferenceOfTheLevelMatrix(RotationKind kind, int block, int cols, int rows) {
        QuantizedMatrix m = TestMatrices.quantized(rows, cols, 8, kind, block);
        float[] x = TestMatrices.gaussian(cols, 77L + cols), y = new float[rows];
        INT8.gemv(m, x, y, 0, rows);
        TestMatrices.assertMatchesReference(Int8LevelDot8.runs(m) ? withLevels(m) : m, x, y);
    }

    /**
     * Against the exact 8-bit product: every row within Σ_k |scale_k|·S/2·Σ_{i in k} |(P x)_i| (each level off by at
     * most S/2). Prints the relative RMS error of y for docs/BENCHMARKS.md.
     */
    @Test
    void errorAgainstTheExactProductIsWithinTheLevelBound() {
        int rows = 256, cols = 1024;
        QuantizedMatrix m = TestMatrices.quantized(rows, cols, 8, RotationKind.HADAMARD, 128);
        org.junit.jupiter.api.Assumptions.assumeTrue(Int8LevelDot8.runs(m), "int8 levels not available here");
        float[] x = TestMatrices.gaussian(cols, 11), exact = new float[rows], y = new float[rows];
        ScalarKernels.gemv(m, x, exact);
        INT8.gemv(m, x, y, 0, rows);
        float[] rotated = ScalarKernels.rotateInput(m, x, 0);
        float levelScale = Int8LevelDot8.Levels.of(m.centroids()).scale();
        double[] scale = TestMatrices.productScale(m, x, 0);
        double err2 = 0, ref2 = 0;
        for (int r = 0; r < rows; r++) {
            double bound = 0;
            for (int k = 0; k < m.blocksPerRow(); k++) {
                double absX = 0;
                for (int i = k * m.blockSize(); i < (k + 1) * m.blockSize(); i++) absX += Math.abs(rotated[i]);
                bound += Math.abs(m.scale(r, k)) * levelScale / 2 * absX;
            }
            double e = y[r] - exact[r];
            assertThat(Math.abs(e)).as("row %d", r).isLessThanOrEqualTo(bound + 1e-5 * scale[r]);
            err2 += e * e;
            ref2 += (double) exact[r] * exact[r];
        }
        System.out.printf("int8 levels, 8-bit %dx%d: relative RMS error of y against the exact product %.2e%n", rows,
                cols, Math.sqrt(err2 / ref2));
        assertThat(Math.sqrt(err2 / ref2)).isGreaterThan(0.0); // the levels do round (else this test tests nothing)
    }

    /**
     * The loss in weight space, on one Gaussian matrix quantized at 6, 7 and 8 bits: the 8-bit reconstruction with
     * int8 levels lies between the exact 7-bit and 8-bit ones (printed for docs/BENCHMARKS.md). Pure arithmetic on
     * the codebook, so it runs on every JVM.
     */
    @Test
    void int8LevelsCostLessThanABit() {
        int rows = 64, cols = 4096;
        float[] w = TestMatrices.gaussian(rows * cols, 2026);
        double[] exact = new double[9];
        for (int bits = 6; bits <= 8; bits++)
            exact[bits] = relativeError(w, ScalarKernels.dequantize(quantize(w, rows, cols, bits)));
        double levels = relativeError(w, ScalarKernels.dequantize(withLevels(quantize(w, rows, cols, 8))));
        System.out.printf("weight relative MSE, hadamard/128: 6-bit %.3e, 7-bit %.3e, 8-bit %.3e, 8-bit int8 levels"
                + " %.3e%n", exact[6], exact[7], exact[8], levels);
        assertThat(levels).isGreaterThan(exact[8]).isLessThan(exact[7]);
    }

    /** GEMM equals GEMV bit for bit, across the ~256 KB row groups, and a row does not depend on its range. */
    @Test
    void gemmAndRangesGiveTheSameBits() {
        int rows = 300, cols = 1024, batch = 3;
        QuantizedMatrix m = TestMatrices.quantized(rows, cols, 8, RotationKind.HADAMARD, 128);
        float[] x = TestMatrices.gaussian(batch * cols, 9), all = new float[rows];
        INT8.gemv(m, Arrays.copyOf(x, cols), all, 0, rows);
        for (int[] range : new int[][] {{0, 1}, {3, 20}, {250, 262}, {17, 300}}) {
            float[] part = new float[rows];
            INT8.gemv(m, Arrays.copyOf(x, cols), part, range[0], range[1]);
            for (int r = range[0]; r < range[1]; r++) assertThat(part[r]).as("row %d", r).isEqualTo(all[r]);
        }
        float[] y = new float[batch * rows];
        INT8.gemm(m, x, batch, y, 7, 290);
        for (int b = 0; b < batch; b++) {
            float[] single = new float[rows];
            INT8.gemv(m, Arrays.copyOfRange(x, b * cols, (b + 1) * cols), single, 7, 290);
            assertArrayEquals(single, Arrays.copyOfRange(y, b * rows, (b + 1) * rows), "input " + b);
        }
    }

    /** Rows in pairs (two code streams) give each row exactly the bits of the one-row loop, odd counts included. */
    @Test
    void rowPairsGiveTheOneRowBits() {
        for (int rows : new int[] {1, 2, 3, 7, 300}) {
            QuantizedMatrix m = TestMatrices.quantized(rows, 1000, 8, RotationKind.HADAMARD, 256);
            org.junit.jupiter.api.Assumptions.assumeTrue(Int8LevelDot8.runs(m), "int8 levels not available here");
            float[][] rotated = {ScalarKernels.rotateInput(m, TestMatrices.gaussian(1000, rows), 0)};
            float[] pairs = new float[rows], single = new float[rows];
            Int8LevelDot8.gemm(m, rotated, pairs, 0, rows, true);
            Int8LevelDot8.gemm(m, rotated, single, 0, rows, false);
            assertArrayEquals(single, pairs, rows + " rows");
            if (rows > 3) {
                float[] part = new float[rows];
                Int8LevelDot8.gemm(m, rotated, part, 1, rows - 2, true); // a range starting on an odd row
                for (int r = 1; r < rows - 2; r++) assertThat(part[r]).as("row %d", r).isEqualTo(single[r]);
            }
        }
    }

    /**
     * Not a timing: once C2 has compiled the pair loop, a call allocates its few arrays and nothing per row or code
     * load (a vector boxed across an out-of-line call would, see Int8CompiledTest). Up to 60 s for C2 to get there.
     */
    @Test
    void compiledPairLoopBoxesNothing() {
        int rows = 64, cols = 1024;
        QuantizedMatrix m = TestMatrices.quantized(rows, cols, 8, RotationKind.HADAMARD, 128);
        org.junit.jupiter.api.Assumptions.assumeTrue(Int8LevelDot8.runs(m), "int8 levels not available here");
        float[][] rotated = {ScalarKernels.rotateInput(m, TestMatrices.gaussian(cols, 5), 0)};
        float[] y = new float[rows];
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().threadId(), best = Long.MAX_VALUE, budget = 2048;
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (best > budget && System.nanoTime() < deadline) {
            long before = threads.getThreadAllocatedBytes(thread);
            Int8LevelDot8.gemm(m, rotated, y, 0, rows, true);
            best = Math.min(best, threads.getThreadAllocatedBytes(thread) - before);
        }
        assertThat(best).as("bytes allocated per compiled call").isLessThanOrEqualTo(budget);
    }

    /** m with every centroid replaced by its int8 level times S: what the kernel multiplies, exactly. */
    private static QuantizedMatrix withLevels(QuantizedMatrix m) {
        Int8LevelDot8.Levels levels = Int8LevelDot8.Levels.of(m.centroids());
        float[] c = new float[m.centroids().length];
        for (int j = 0; j < c.length; j++) c[j] = levels.bytes()[j] * levels.scale();
        return new QuantizedMatrix(m.rows(), m.layout(), m.bits(), m.rotation(), c, m.codes(), m.scales());
    }

    private static QuantizedMatrix quantize(float[] w, int rows, int cols, int bits) {
        return MatrixQuantizer.quantize(w, rows, cols, new QuantConfig(bits, 128, RotationKind.HADAMARD, 7L,
                NormPrecision.F32, false));
    }

    private static double relativeError(float[] w, float[] decoded) {
        double e = 0, n = 0;
        for (int i = 0; i < w.length; i++) {
            e += (double) (w[i] - decoded[i]) * (w[i] - decoded[i]);
            n += (double) w[i] * w[i];
        }
        return e / n;
    }
}
