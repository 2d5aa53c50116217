package org.turboquant.simd.panama;

import static org.turboquant.simd.panama.PackedDot.F;
import static org.turboquant.simd.panama.PackedDot.L;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import org.turboquant.core.BitPacking;
import org.turboquant.core.QuantizedMatrix;

/**
 * GEMM for b ∈ {1, 2, 4} on the grouped codes ({@link RowGroups}) that shares the work on the codes across inputs:
 * one byte position of 16 rows is loaded and widened once, each of its 8/b fields is decoded to the 16 rows'
 * centroids with one permute (the codebook sits in one register), and that column of decoded weights is FMA-ed into
 * {@value #TILE} inputs' sums (one broadcast of the input's value each). Per 16 rows and column that is about 2
 * operations of decoding shared by the tile, then one FMA per input: no look-up tables to build per input (the table
 * kernels build one per input, block and thread) and no table loads.
 *
 * <p>Where it is used: GEMM of at least {@link #MIN_BATCH} inputs in the float and auto modes
 * ({@link PanamaKernels}); below that, and for GEMV, the table kernels are faster (one input keeps a single FMA chain
 * per block, bound by the FMA latency), and the int8 mode keeps its own kernels throughout.
 *
 * <p>Arithmetic order, per input, row and block: one accumulator takes centroid·x for the block's columns, starting
 * from zero, in the order of {@link #tile}; the row's sum is then
 * {@code fma(block value, scale, sum)} over blocks in order. Every input of a tile runs exactly this, in its own
 * lane sums, so an input's result depends neither on the other inputs of the batch nor on the row range asked for;
 * against GEMV (the table kernels' order) it differs by float rounding only, within the reference's 1e-5.
 */
final class DecodeGemm {
    /** Inputs per pass over the codes: 8 accumulators keep the FMA pipes busy and leave registers for decoding. */
    static final int TILE = 8;
    /** Batches from which this kernel beats the table kernels (measured: docs/BENCHMARKS.md, "GEMM"). */
    static final int MIN_BATCH = 4;

    /** Off with {@code -Dturboquant.decodeGemm=false}: every GEMM on the table kernels (for comparisons). */
    private static final boolean ENABLED = Boolean.parseBoolean(System.getProperty("turboquant.decodeGemm", "true"));

    private DecodeGemm() {}

    /** Where it runs: the table kernels' matrices (512 bits, whole-chunk blocks) of 1, 2 or 4 bits. */
    static boolean supports(QuantizedMatrix m) {
        return ENABLED && m.bits() != 3 && TableDot.supports(m);
    }

    /** Y[b·rows + r] = row r · rotated[b] for r in [rowStart, rowEnd); m must be {@link #supports supported}. */
    static void gemm(QuantizedMatrix m, float[][] rotated, float[] y, int rowStart, int rowEnd) {
        if (rowStart == rowEnd) return;
        RowGroups rg = RowGroups.of(m);
        int bits = m.bits(), g = m.blockSize(), batch = rotated.length;
        int first = rowStart / RowGroups.ROWS, groups = (rowEnd + RowGroups.ROWS - 1) / RowGroups.ROWS - first;
        int tiles = (batch + TILE - 1) / TILE;
        // Sums per (input slot, group, row lane); a last partial tile repeats its last input into slots nobody reads.
        float[] acc = new float[tiles * TILE * groups * L];
        float[] codebook = new float[L];
        System.arraycopy(m.centroids(), 0, codebook, 0, 1 << bits);
        for (int k = 0; k < m.blocksPerRow(); k++) {
            for (int t = 0; t < tiles; t++) {
                int b0 = t * TILE;
                float[] x0 = in(rotated, b0), x1 = in(rotated, b0 + 1), x2 = in(rotated, b0 + 2), x3 = in(rotated, b0 + 3),
                        x4 = in(rotated, b0 + 4), x5 = in(rotated, b0 + 5), x6 = in(rotated, b0 + 6), x7 = in(rotated, b0 + 7);
                for (int gi = 0; gi < groups; gi++)
                    tile(rg.codes, rg.offset(k, first + gi), rg.bytesPerBlock, bits, codebook, k * g,
                            x0, x1, x2, x3, x4, x5, x6, x7, rg.scales, rg.scaleIndex(k, first + gi), acc,
                            (b0 * groups + gi) * L, groups * L);
            }
        }
        int rows = m.rows();
        for (int b = 0; b < batch; b++)
            for (int r = rowStart; r < rowEnd; r++) y[b * rows + r] = acc[(b * groups) * L + r - first * RowGroups.ROWS];
    }

    /** Input b of the batch, or its last input for the slots of a partial tile. */
    private static float[] in(float[][] rotated, int b) {
        return rotated[Math.min(b, rotated.length - 1)];
    }

    /**
     * One block of one group (codes at off, bytes per block) times eight inputs (their block at xOff): each input's
     * block value into its sums, acc[a + i·stride ..] = fma(value_i, scales[sc ..], acc[..]).
     *
     * <p>Loop order (BitPacking's layout): per 128-column chunk, per 16-byte group q of it, per field f, the 16 bytes
     * j of the group: field f of byte j is column q·16·(8/b) + 16f + j, so the inner loop is counted and its input
     * indices linear in j (C2 hoists their bounds checks). A byte is loaded once per field (an L1 load and widening,
     * cheap beside the eight FMAs it feeds).
     */
    private static void tile(MemorySegment codes, long off, int bytes, int bits, float[] codebook, int xOff,
                             float[] x0, float[] x1, float[] x2, float[] x3, float[] x4, float[] x5,
                             float[] x6, float[] x7, float[] scales, int sc, float[] acc, int a, int stride) {
        IntVector book = FloatVector.fromArray(F, codebook, 0).reinterpretAsInts();
        int fields = 8 / bits, mask = (1 << bits) - 1, groupsPerBlock = bytes / L;
        FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
        for (int q = 0; q < groupsPerBlock; q++) {
            long groupOff = off + (long) q * L * L;
            for (int f = 0; f < fields; f++) {
                int shift = f * bits, c = xOff + column(bits, q, f, 0);
                for (int j = 0; j < L; j++) {
                    IntVector idx = TableDot.widen(codes, groupOff + (long) j * L).lanewise(VectorOperators.LSHR, shift);
                    // vpermd reads each index's low 4 bits, so at b = 4 no mask is needed
                    FloatVector w = (bits == 4 ? idx : idx.and(mask)).selectFrom(book).reinterpretAsFloats();
                    s0 = w.fma(FloatVector.broadcast(F, x0[c + j]), s0);
                    s1 = w.fma(FloatVector.broadcast(F, x1[c + j]), s1);
                    s2 = w.fma(FloatVector.broadcast(F, x2[c + j]), s2);
                    s3 = w.fma(FloatVector.broadcast(F, x3[c + j]), s3);
                    s4 = w.fma(FloatVector.broadcast(F, x4[c + j]), s4);
                    s5 = w.fma(FloatVector.broadcast(F, x5[c + j]), s5);
                    s6 = w.fma(FloatVector.broadcast(F, x6[c + j]), s6);
                    s7 = w.fma(FloatVector.broadcast(F, x7[c + j]), s7);
                }
            }
        }
        FloatVector scale = FloatVector.fromArray(F, scales, sc);
        fold(s0, scale, acc, a);
        fold(s1, scale, acc, a + stride);
        fold(s2, scale, acc, a + 2 * stride);
        fold(s3, scale, acc, a + 3 * stride);
        fold(s4, scale, acc, a + 4 * stride);
        fold(s5, scale, acc, a + 5 * stride);
        fold(s6, scale, acc, a + 6 * stride);
        fold(s7, scale, acc, a + 7 * stride);
    }

    private static void fold(FloatVector block, FloatVector scale, float[] acc, int a) {
        block.fma(scale, FloatVector.fromArray(F, acc, a)).intoArray(acc, a);
    }

    /**
     * The column (from the block's first) of field f of byte j of the block's 16-byte group q ({@link BitPacking}'s
     * layout: byte j of group q holds, field by field, the indices q·16·(8/b) + 16f + j).
     */
    static int column(int bits, int q, int f, int j) {
        return q * L * (8 / bits) + L * f + j;
    }
}
