package org.turboquant.simd.panama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.turboquant.core.BitPacking;
import org.turboquant.core.QuantizedMatrix;
import org.turboquant.core.RotationKind;
import org.turboquant.core.ScalarKernels;
import org.turboquant.simd.TestMatrices;

class PanamaKernelsTest {
    /** The JVM's width: Surefire runs this class at 512 (or the CPU's widest), 256 and 128 (see the pom). */
    private static final int[] WIDTHS = {PanamaKernels.create(0).vectorBits()};
    private static final double TOLERANCE = 1e-5;

    /** bits × rotation × block (0 = whole row) × cols; 4097 columns with a single row to keep the suite fast. */
    static Stream<Arguments> matrices() {
        List<Arguments> cases = new ArrayList<>();
        int[] cols = {1, 7, 31, 33, 383, 1000, 4097};
        int[] blocks = {0, 32, 64, 128, 256};
        for (int bits = 1; bits <= 8; bits++) {
            for (RotationKind kind : RotationKind.values()) {
                for (int block : blocks) {
                    for (int c : cols) {
                        if (kind == RotationKind.QR && block == 0 && c > 1000) continue; // a 4097² QR takes ~30 s
                        boolean big = c > 1000;
                        if (big && bits != 4 && bits != 8 && bits != 1) continue;
                        cases.add(Arguments.of(bits, kind, block, c, big ? 1 : (c % 2 == 0 ? 3 : 5)));
                    }
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "b={0} {1} block={2} cols={3} rows={4}")
    @MethodSource("matrices")
    void gemvAndDequantizeMatchTheScalarReferenceAtEveryWidth(int bits, RotationKind kind, int block, int cols, int rows) {
        QuantizedMatrix m = TestMatrices.quantized(rows, cols, bits, kind, block);
        float[] x = TestMatrices.gaussian(cols, 1000L + cols);
        float[] expected = new float[rows];
        ScalarKernels.gemv(m, x, expected);
        double[] scale = TestMatrices.productScale(m, x, 0);
        float[] expectedRow = new float[cols], row = new float[cols];
        for (int width : WIDTHS) {
            PanamaKernels kernels = PanamaKernels.create(0);
            float[] y = new float[rows];
            kernels.gemv(m, x, y, 0, rows);
            for (int r = 0; r < rows; r++) {
                assertThat((double) Math.abs(y[r] - expected[r]))
                        .as("width %d row %d: %s vs %s", width, r, y[r], expected[r])
                        .isLessThanOrEqualTo(TOLERANCE * scale[r] + 1e-30);
            }
            for (int r = 0; r < rows; r += Math.max(1, rows - 1)) {
                ScalarKernels.dequantizeRow(m, r, expectedRow, 0);
                kernels.dequantizeRow(m, r, row, 0);
                double norm = 0;
                for (float v : expectedRow) norm += (double) v * v;
                double bound = TOLERANCE * Math.sqrt(norm) + 1e-30;
                for (int j = 0; j < cols; j++) {
                    assertThat((double) Math.abs(row[j] - expectedRow[j])).as("width %d row %d col %d", width, r, j)
                            .isLessThanOrEqualTo(bound);
                }
            }
        }
    }

    @Test
    void gemmEqualsSeparateGemvsBitForBit() {
        PanamaKernels kernels = PanamaKernels.create(0);
        for (int block : new int[] {0, 32, 100}) {
            RotationKind kind = block == 100 ? RotationKind.QR : RotationKind.HADAMARD;
            int rows = 7, cols = 383, batch = 5;
            QuantizedMatrix m = TestMatrices.quantized(rows, cols, 3, kind, block);
            float[] x = TestMatrices.gaussian(batch * cols, 5);
            float[] y = new float[batch * rows];
            kernels.gemm(m, x, batch, y, 0, rows);
            for (int b = 0; b < batch; b++) {
                float[] single = new float[rows];
                kernels.gemv(m, java.util.Arrays.copyOfRange(x, b * cols, (b + 1) * cols), single, 0, rows);
                assertArrayEquals(single, java.util.Arrays.copyOfRange(y, b * rows, (b + 1) * rows),
                        "block " + block + " input " + b);
            }
        }
    }

    @Test
    void rowRangesComputeOnlyTheirRows() {
        QuantizedMatrix m = TestMatrices.quantized(9, 64, 2, RotationKind.HADAMARD, 32);
        float[] x = TestMatrices.gaussian(64, 3);
        float[] all = new float[9], part = new float[9];
        PanamaKernels kernels = PanamaKernels.create(0);
        kernels.gemv(m, x, all, 0, 9);
        kernels.gemv(m, x, part, 2, 5);
        for (int r = 0; r < 9; r++) assertThat(part[r]).isEqualTo(r >= 2 && r < 5 ? all[r] : 0f);
    }

    @ParameterizedTest(name = "bits {0}")
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
    void unpackMatchesBitPacking(int bits) {
        SplittableRandom random = new SplittableRandom(bits);
        for (int count : new int[] {1, 7, 16, 31, 128, 129, 300}) {
            byte[] idx = new byte[count];
            for (int i = 0; i < count; i++) idx[i] = (byte) random.nextInt(1 << bits);
            MemorySegment packed = MemorySegment.ofArray(BitPacking.pack(idx, bits));
            for (int width : WIDTHS) {
                byte[] out = new byte[count + 2];
                PanamaKernels.create(0).unpack(packed, 0, count, bits, out, 1);
                assertArrayEquals(idx, java.util.Arrays.copyOfRange(out, 1, count + 1), "count " + count);
                assertThat(out[0]).isZero();
                assertThat(out[count + 1]).isZero();
            }
        }
    }

    @Test
    void runsAtTheForcedWidthCappedAtTheHardwareWidth() {
        int preferred = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize();
        int forced = Integer.getInteger("turboquant.vectorBits", 0);
        assertThat(PanamaKernels.create(0).vectorBits()).isEqualTo(forced == 0 ? preferred : Math.min(forced, preferred));
        assertThat(PanamaKernels.create(0).name()).isEqualTo("panama-" + PanamaKernels.create(0).vectorBits());
    }
}
