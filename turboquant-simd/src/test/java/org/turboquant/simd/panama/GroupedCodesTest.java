package org.turboquant.simd.panama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.turboquant.core.CodeLayout;
import org.turboquant.core.QuantizedMatrix;
import org.turboquant.core.RotationKind;
import org.turboquant.core.RowGroupCodes;
import org.turboquant.core.ScalarKernels;
import org.turboquant.simd.TestMatrices;

/**
 * Matrices stored in {@link CodeLayout#ROW_GROUPS_16} (as a version-3 pack maps them) against the scalar reference,
 * which reads that layout directly, on every width: the table kernels read them in place, every other path (other
 * widths, 256/128-bit JVMs, row groups off) through a row-order copy, and all give the row-order matrix's bits.
 */
class GroupedCodesTest {
    static Stream<Arguments> matrices() {
        List<Arguments> cases = new ArrayList<>();
        for (int bits = 1; bits <= 8; bits++)
            for (int block : new int[] {128, 256})
                for (int cols : new int[] {130, 300, 1000}) // a shorter row shrinks the block below a chunk
                    for (int rows : new int[] {1, 15, 17, 47})
                        cases.add(Arguments.of(bits, block, cols, rows));
        return cases.stream();
    }

    static QuantizedMatrix grouped(QuantizedMatrix m) {
        return RowGroupCodes.regroup(m, Arena.ofAuto());
    }

    @ParameterizedTest(name = "b={0} block={1} cols={2} rows={3}")
    @MethodSource("matrices")
    void groupedMatricesMatchTheReferenceAndTheRowOrderBits(int bits, int block, int cols, int rows) {
        PanamaKernels kernels = PanamaKernels.create(0);
        QuantizedMatrix m = TestMatrices.quantized(rows, cols, bits, RotationKind.HADAMARD, block);
        QuantizedMatrix g = grouped(m);
        int batch = 3;
        float[] x = TestMatrices.gaussian(batch * cols, 11L + rows);
        float[] x0 = Arrays.copyOf(x, cols), y = new float[rows], yRows = new float[rows];
        kernels.gemv(g, x0, y, 0, rows);
        TestMatrices.assertMatchesReference(g, x0, y);
        kernels.gemv(m, x0, yRows, 0, rows);
        assertArrayEquals(yRows, y, "grouped vs row order");
        float[] yb = new float[batch * rows], ybRows = new float[batch * rows];
        kernels.gemm(g, x, batch, yb, 0, rows);
        kernels.gemm(m, x, batch, ybRows, 0, rows);
        assertArrayEquals(ybRows, yb, "gemm, grouped vs row order");
        assertArrayEquals(Arrays.copyOf(y, rows), Arrays.copyOf(yb, rows), "gemm equals gemv");
        float[] d = new float[cols], dRows = new float[cols], dRef = new float[cols];
        for (int r : new int[] {0, rows / 2, rows - 1}) {
            kernels.dequantizeRow(g, r, d, 0);
            kernels.dequantizeRow(m, r, dRows, 0);
            ScalarKernels.dequantizeRow(g, r, dRef, 0);
            assertArrayEquals(dRows, d, "dequantized row " + r);
            for (int j = 0; j < cols; j++) assertThat(d[j]).isCloseTo(dRef[j], org.assertj.core.data.Offset.offset(1e-5f));
        }
    }

    /** Where the table kernels apply, a grouped matrix is multiplied from its own codes: nothing is copied. */
    @Test
    void theTableKernelsReadGroupedCodesInPlace() {
        QuantizedMatrix g = grouped(TestMatrices.quantized(40, 640, 4, RotationKind.HADAMARD, 128));
        PanamaKernels kernels = PanamaKernels.create(0);
        kernels.prepare(g);
        float[] x = TestMatrices.gaussian(640, 1), y = new float[40];
        kernels.gemv(g, x, y, 0, 40);
        TestMatrices.assertMatchesReference(g, x, y);
        if (TableDot.supports(g)) {
            RowGroups rg = RowGroups.of(g);
            assertThat(rg.codes).isSameAs(g.codes());
            assertThat(rg.scales).isSameAs(g.scales());
        } else { // the row kernels' copy, made once
            assertThat(RowOrder.of(g)).isSameAs(RowOrder.of(g));
            assertThat(RowOrder.of(g).codeLayout()).isEqualTo(CodeLayout.ROWS);
        }
    }

    /** Row ranges that cut 16-row groups give each row the bits of the whole product. */
    @Test
    void rangesThatCutGroupsGiveTheSameBits() {
        PanamaKernels kernels = PanamaKernels.create(0);
        int rows = 50, cols = 384;
        QuantizedMatrix g = grouped(TestMatrices.quantized(rows, cols, 2, RotationKind.QR, 128));
        float[] x = TestMatrices.gaussian(cols, 9), all = new float[rows];
        kernels.gemv(g, x, all, 0, rows);
        for (int[] range : new int[][] {{0, 1}, {3, 20}, {15, 17}, {17, 50}}) {
            float[] part = new float[rows];
            kernels.gemv(g, x, part, range[0], range[1]);
            for (int r = range[0]; r < range[1]; r++) assertThat(part[r]).as("row %d", r).isEqualTo(all[r]);
        }
    }
}
