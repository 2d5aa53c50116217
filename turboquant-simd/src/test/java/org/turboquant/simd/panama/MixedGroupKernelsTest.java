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
import org.turboquant.core.BlockLayout;
import org.turboquant.core.CodeLayout;
import org.turboquant.core.MixedGroupCodes;
import org.turboquant.core.MixedLayout;
import org.turboquant.core.MixedMatrixQuantizer;
import org.turboquant.core.MixedQuantizedMatrix;
import org.turboquant.core.NormPrecision;
import org.turboquant.core.QuantConfig;
import org.turboquant.core.RotationKind;
import org.turboquant.core.ScalarKernels;
import org.turboquant.simd.ParallelMatmul;
import org.turboquant.simd.TestMatrices;

/**
 * Grouped mixed-width matrices ({@code mixed_row_groups_16}) against core's scalar reference: the 16-row table kernel
 * ({@link MixedTableDot}) at 512 bits, the row kernels on a row-order copy otherwise; Surefire runs this class at
 * 512, 256 and 128 bits and with the table kernels off.
 */
class MixedGroupKernelsTest {
    private static final double TOLERANCE = 1e-5;

    /** Width patterns: none wide, all wide, a third of the cells by energy, alternating cells. */
    enum Pattern { ALL_NARROW, ALL_WIDE, THIRD, CHECKER }

    static Stream<Arguments> matrices() {
        List<Arguments> cases = new ArrayList<>();
        int[][] pairs = {{4, 5}, {3, 4}, {2, 3}, {1, 2}, {2, 4}, {3, 5}, {5, 6}};
        int[] rows = {1, 15, 16, 17, 45};
        int[][] shapes = {{128, 128}, {300, 128}, {1000, 256}, {640, 128}};
        for (int[] pair : pairs)
            for (int r : rows)
                for (int[] shape : shapes)
                    for (Pattern p : Pattern.values()) {
                        if (pair[0] != 4 && (p == Pattern.CHECKER || r == 15)) continue; // keep the count moderate
                        cases.add(Arguments.of(pair[0], pair[1], r, shape[0], shape[1], p));
                    }
        return cases.stream();
    }

    static MixedQuantizedMatrix grouped(int narrow, int wide, int rows, int cols, int block, Pattern pattern) {
        QuantConfig config = new QuantConfig(narrow, block, RotationKind.HADAMARD, 42L + narrow, NormPrecision.F32, false);
        float[] w = TestMatrices.gaussian(rows * cols, 77L + narrow + rows);
        for (int i = 0; i < w.length; i += 5) w[i] *= 4; // uneven block energies
        BlockLayout blocks = BlockLayout.of(cols, block, RotationKind.HADAMARD);
        int groups = (rows + 15) / 16, units = MixedLayout.unitsPerRow(blocks);
        long cells = (long) groups * units;
        if (pattern == Pattern.CHECKER) {
            byte[] bitmap = new byte[MixedLayout.bitmapBytes((long) rows * units)];
            for (int r = 0; r < rows; r++)
                for (int u = 0; u < units; u++)
                    if ((r / 16 + u) % 2 == 1) bitmap[(r * units + u) >>> 3] |= (byte) (1 << ((r * units + u) & 7));
            MixedQuantizedMatrix m = MixedMatrixQuantizer.quantize(w, MixedLayout.of(rows, blocks, bitmap), config, wide);
            return MixedGroupCodes.regroup(m, java.lang.foreign.Arena.ofAuto());
        }
        long wideCells = switch (pattern) {
            case ALL_NARROW -> 0;
            case ALL_WIDE -> cells;
            default -> cells / 3;
        };
        return MixedMatrixQuantizer.quantizeGrouped(w, rows, cols, config, wide, wideCells);
    }

    @ParameterizedTest(name = "b={0}/{1} rows={2} cols={3} g={4} {5}")
    @MethodSource("matrices")
    void gemvAndGemmMatchTheScalarReference(int narrow, int wide, int rows, int cols, int block, Pattern pattern) {
        MixedQuantizedMatrix m = grouped(narrow, wide, rows, cols, block, pattern);
        assertThat(m.codeLayout()).isEqualTo(CodeLayout.MIXED_ROW_GROUPS_16);
        PanamaKernels kernels = PanamaKernels.create(0);
        float[] x = TestMatrices.gaussian(3 * cols, 1000L + cols);
        float[] expected = new float[3 * rows];
        ScalarKernels.gemm(m, x, 3, expected);
        float[][] rotated = new float[3][];
        for (int b = 0; b < 3; b++) rotated[b] = kernels.rotateInput(m, x, b * cols);
        float[] y = new float[3 * rows];
        kernels.gemmRotated(m, rotated, y, 0, rows);
        for (int b = 0; b < 3; b++) {
            float[] single = new float[rows];
            kernels.gemvRotated(m, rotated[b], single, 0, rows);
            assertArrayEquals(single, Arrays.copyOfRange(y, b * rows, (b + 1) * rows), "GEMM equals GEMV bit for bit");
            double[] scale = TestMatrices.productScale(m, x, b * cols);
            for (int r = 0; r < rows; r++)
                assertThat((double) Math.abs(y[b * rows + r] - expected[b * rows + r]))
                        .as("input %d row %d: %s vs %s", b, r, y[b * rows + r], expected[b * rows + r])
                        .isLessThanOrEqualTo(TOLERANCE * scale[r] + 1e-30);
        }
        // a row's value does not depend on the row range asked for (ranges cut inside a group)
        if (rows > 3) {
            float[] part = new float[rows];
            kernels.gemvRotated(m, rotated[0], part, 3, rows - 1);
            for (int r = 3; r < rows - 1; r++) assertThat(part[r]).as("row %d", r).isEqualTo(y[r]);
        }
    }

    @Test
    void groupedAndRowOrderDecodeAlikeAndTheLayoutRoundTrips() {
        MixedQuantizedMatrix g = grouped(4, 5, 37, 300, 128, Pattern.THIRD);
        MixedQuantizedMatrix rows = MixedGroupCodes.ungroup(g, java.lang.foreign.Arena.ofAuto());
        assertThat(rows.codeLayout()).isEqualTo(CodeLayout.ROWS);
        assertArrayEquals(ScalarKernels.dequantize(rows), ScalarKernels.dequantize(g));
        MixedQuantizedMatrix again = MixedGroupCodes.regroup(rows, java.lang.foreign.Arena.ofAuto());
        assertThat(again.codes().asByteBuffer()).isEqualTo(g.codes().asByteBuffer());
        PanamaKernels kernels = PanamaKernels.create(0);
        float[] expected = new float[300], row = new float[300];
        for (int r : new int[] {0, 16, 36}) {
            ScalarKernels.dequantizeRow(g, r, expected, 0);
            kernels.dequantizeRow(g, r, row, 0);
            for (int j = 0; j < 300; j++) assertThat(row[j]).isCloseTo(expected[j], org.assertj.core.data.Offset.offset(1e-5f));
        }
    }

    @Test
    void aWidthMapThatSplitsAGroupIsRefused() {
        float[] w = TestMatrices.gaussian(32 * 128, 5);
        QuantConfig config = new QuantConfig(4, 128, RotationKind.HADAMARD, 1, NormPrecision.F32, false);
        MixedQuantizedMatrix m = MixedMatrixQuantizer.quantize(w, 32, 128, config, 5, 3); // 3 wide units: not cells
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> MixedGroupCodes.regroup(m, java.lang.foreign.Arena.ofAuto()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one width per 16-row group");
    }

    @Test
    void parallelProductsOfAGroupedMatrixEqualOneThread() throws Exception {
        MixedQuantizedMatrix m = grouped(4, 5, 301, 512, 128, Pattern.THIRD);
        float[] x = TestMatrices.gaussian(3 * 512, 9), reference = new float[301], y = new float[301];
        try (ParallelMatmul one = new ParallelMatmul(1); ParallelMatmul pool = new ParallelMatmul(3)) {
            one.gemv(m, Arrays.copyOf(x, 512), reference);
            pool.gemv(m, Arrays.copyOf(x, 512), y);
            assertArrayEquals(reference, y);
            float[] yb = new float[3 * 301], y1 = new float[301];
            pool.gemm(m, x, 3, yb);
            one.gemv(m, Arrays.copyOfRange(x, 512, 1024), y1);
            assertArrayEquals(y1, Arrays.copyOfRange(yb, 301, 602));
        }
    }
}
