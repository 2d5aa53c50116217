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
 * GEMM for b ∈ {1, 2, 4} on the grouped codes ({@link RowGroups}) that decodes each weight once per call, whatever
 * the batch: one block of 16 rows is decoded into an L1 scratch of floats (per byte position one widening load, then
 * per field a shift and a permute with the codebook in one register), and every tile of {@value #TILE} inputs then
 * runs over that scratch: per column one weight load and {@value #TILE} FMAs with broadcast inputs (the inputs
 * interleaved column by column, so a tile's values of one column are adjacent). No look-up tables to build per input
 * (the table kernels build one per input, block and thread). Decoding in registers once per tile, as before, cost
 * MiniLM's 10–30-token texts the decoding 2–4 times over and measured 20–30% slower (docs/BENCHMARKS.md, "GEMM").
 *
 * <p>Where it is used: GEMM of at least {@link #MIN_BATCH} inputs in the float and auto modes
 * ({@link PanamaKernels}); below that, and for GEMV, the table kernels are faster (one input keeps a single FMA chain
 * per block, bound by the FMA latency), and the int8 mode keeps its own kernels throughout.
 *
 * <p>Arithmetic order, per input, row and block: one accumulator takes centroid·x for the block's columns, starting
 * from zero, in column order ({@link #tile}); the row's sum is then
 * {@code fma(block value, scale, sum)} over blocks in order. Every input of a tile runs exactly this, in its own
 * lane sums, so an input's result depends neither on the other inputs of the batch nor on the row range asked for;
 * against GEMV (the table kernels' order) it differs by float rounding only, within the reference's 1e-5.
 */
final class DecodeGemm {
    /**
     * Inputs per pass over a decoded block: 8 independent FMA chains cover the FMA latency. 16 measured no faster.
     * Row groups are taken in pairs ({@link #pairTile}): 1.2× at MiniLM's batch-1 token counts (12–13 inputs, GemmCpuTime),
     * mostly from the half tile that a 4-input remainder takes instead of a whole one.
     */
    static final int TILE = 8;
    /** A last tile of at most this many inputs runs {@link #pairHalfTile}. */
    static final int HALF_TILE = TILE / 2;
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
        float[][] inputs = interleave(rotated, m.blocksPerRow() * g);
        // Sums per (input slot, group, row lane); the slots of a partial last tile are computed and never read.
        float[] acc = new float[tiles * TILE * groups * L];
        float[] codebook = new float[L];
        System.arraycopy(m.centroids(), 0, codebook, 0, 1 << bits);
        IntVector book = FloatVector.fromArray(F, codebook, 0).reinterpretAsInts();
        // two groups' decoded blocks side by side: a pair of groups shares each broadcast input (pairTile)
        float[] decoded = new float[2 * g * L];
        int fullTiles = batch / TILE, rest = batch % TILE, stride = groups * L;
        for (int k = 0; k < m.blocksPerRow(); k++) {
            int xOff = k * g * TILE, gi = 0;
            for (; gi + 1 < groups; gi += 2) {
                decode(rg.codes, rg.offset(k, first + gi), rg.bytesPerBlock, bits, book, decoded, 0);
                decode(rg.codes, rg.offset(k, first + gi + 1), rg.bytesPerBlock, bits, book, decoded, g * L);
                FloatVector s0 = FloatVector.fromArray(F, rg.scales, rg.scaleIndex(k, first + gi));
                FloatVector s1 = FloatVector.fromArray(F, rg.scales, rg.scaleIndex(k, first + gi + 1));
                for (int t = 0; t < fullTiles; t++)
                    pairTile(decoded, g, inputs[t], xOff, s0, s1, acc, (t * TILE * groups + gi) * L, stride);
                if (rest > HALF_TILE)
                    pairTile(decoded, g, inputs[fullTiles], xOff, s0, s1, acc, (fullTiles * TILE * groups + gi) * L, stride);
                else if (rest > 0)
                    pairHalfTile(decoded, g, inputs[fullTiles], xOff, s0, s1, acc, (fullTiles * TILE * groups + gi) * L, stride);
            }
            if (gi < groups) { // an odd group out
                decode(rg.codes, rg.offset(k, first + gi), rg.bytesPerBlock, bits, book, decoded, 0);
                FloatVector scale = FloatVector.fromArray(F, rg.scales, rg.scaleIndex(k, first + gi));
                for (int t = 0; t < tiles; t++)
                    tile(decoded, g, inputs[t], xOff, scale, acc, (t * TILE * groups + gi) * L, stride);
            }
        }
        int rows = m.rows();
        for (int b = 0; b < batch; b++) // an input's sums are its rows in order
            System.arraycopy(acc, b * groups * L + rowStart - first * RowGroups.ROWS, y, b * rows + rowStart, rowEnd - rowStart);
    }

    /** The inputs by tiles of {@value #TILE}, column-interleaved: tile t's [c·TILE + s] = rotated[t·TILE + s][c]. */
    private static float[][] interleave(float[][] rotated, int cols) {
        float[][] tiles = new float[(rotated.length + TILE - 1) / TILE][cols * TILE]; // slots past the batch stay 0
        for (int b = 0; b < rotated.length; b++) {
            float[] t = tiles[b / TILE], x = rotated[b];
            for (int c = 0, s = b % TILE; c < cols; c++) t[c * TILE + s] = x[c];
        }
        return tiles;
    }

    /**
     * The centroids of one block of one group (codes at off), column by column: out[outOff + c·16 + lane] = the value of column
     * c of row lane. Loop order (BitPacking's layout): per 16-byte group q of the block, per field f, the 16 bytes j:
     * field f of byte j is column q·16·(8/b) + 16f + j, so columns come in order.
     */
    private static void decode(MemorySegment codes, long off, int bytes, int bits, IntVector book, float[] out,
                               int outOff) {
        int fields = 8 / bits, mask = (1 << bits) - 1, groupsPerBlock = bytes / L;
        if (bits == 4) {
            decode4(codes, off, groupsPerBlock, book, out, outOff);
            return;
        }
        for (int q = 0; q < groupsPerBlock; q++) {
            long groupOff = off + (long) q * L * L;
            for (int f = 0; f < fields; f++) {
                int shift = f * bits, c = outOff + column(bits, q, f, 0) * L;
                for (int j = 0; j < L; j++) {
                    IntVector idx = TableDot.widen(codes, groupOff + (long) j * L).lanewise(VectorOperators.LSHR, shift);
                    // vpermd reads each index's low 4 bits, so at b = 4 no mask is needed
                    (bits == 4 ? idx : idx.and(mask)).selectFrom(book).reinterpretAsFloats().intoArray(out, c + j * L);
                }
            }
        }
    }

    /**
     * {@link #decode} at 4 bits: each 16 rows' byte widened once for both its fields (the low nibble, then the high;
     * selectFrom wraps an index to its low 4 bits, as vpermd does, so neither needs a mask).
     */
    private static void decode4(MemorySegment codes, long off, int groupsPerBlock, IntVector book, float[] out,
                                int outOff) {
        for (int q = 0; q < groupsPerBlock; q++) {
            long groupOff = off + (long) q * L * L;
            int c = outOff + column(4, q, 0, 0) * L;
            for (int j = 0; j < L; j++) {
                IntVector b = TableDot.widen(codes, groupOff + (long) j * L);
                b.selectFrom(book).reinterpretAsFloats().intoArray(out, c + j * L);
                b.lanewise(VectorOperators.LSHR, 4).selectFrom(book).reinterpretAsFloats().intoArray(out, c + (L + j) * L);
            }
        }
    }

    /**
     * One decoded block (columns × 16 rows) times eight interleaved inputs (their block at x[xOff ..]): each input's
     * block value into its sums, acc[a + i·stride ..] = fma(value_i, scale, acc[..]). The decoded block is read from
     * L1 once per tile, so its decoding (one widening, shift and permute per 16 weights) is shared by the whole batch;
     * per column one weight load and eight FMAs with broadcast inputs.
     */
    private static void tile(float[] w, int columns, float[] x, int xOff, FloatVector scale, float[] acc, int a,
                             int stride) {
        FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
        for (int c = 0; c < columns; c++) {
            FloatVector v = FloatVector.fromArray(F, w, c * L);
            int o = xOff + c * TILE;
            s0 = v.fma(FloatVector.broadcast(F, x[o]), s0);
            s1 = v.fma(FloatVector.broadcast(F, x[o + 1]), s1);
            s2 = v.fma(FloatVector.broadcast(F, x[o + 2]), s2);
            s3 = v.fma(FloatVector.broadcast(F, x[o + 3]), s3);
            s4 = v.fma(FloatVector.broadcast(F, x[o + 4]), s4);
            s5 = v.fma(FloatVector.broadcast(F, x[o + 5]), s5);
            s6 = v.fma(FloatVector.broadcast(F, x[o + 6]), s6);
            s7 = v.fma(FloatVector.broadcast(F, x[o + 7]), s7);
        }
        fold(s0, scale, acc, a);
        fold(s1, scale, acc, a + stride);
        fold(s2, scale, acc, a + 2 * stride);
        fold(s3, scale, acc, a + 3 * stride);
        fold(s4, scale, acc, a + 4 * stride);
        fold(s5, scale, acc, a + 5 * stride);
        fold(s6, scale, acc, a + 6 * stride);
        fold(s7, scale, acc, a + 7 * stride);
    }

    /**
     * {@link #tile} for two groups at once, their decoded blocks at w[0 ..] and w[columns·16 ..] (the second group's
     * sums L after the first's in acc): each broadcast input feeds two FMAs, 16 sums in registers, so per column two
     * weight loads and eight broadcasts carry sixteen FMAs instead of eight (measured 1.3× a single group's tile).
     * Every sum is the same chain as in {@link #tile}, so the results are bit for bit the same.
     */
    private static void pairTile(float[] w, int columns, float[] x, int xOff, FloatVector scale0, FloatVector scale1,
                                 float[] acc, int a, int stride) {
        FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
        FloatVector t0 = s0, t1 = s0, t2 = s0, t3 = s0, t4 = s0, t5 = s0, t6 = s0, t7 = s0;
        int second = columns * L;
        for (int c = 0; c < columns; c++) {
            FloatVector v = FloatVector.fromArray(F, w, c * L), u = FloatVector.fromArray(F, w, second + c * L);
            int o = xOff + c * TILE;
            FloatVector b = FloatVector.broadcast(F, x[o]);
            s0 = v.fma(b, s0);
            t0 = u.fma(b, t0);
            b = FloatVector.broadcast(F, x[o + 1]);
            s1 = v.fma(b, s1);
            t1 = u.fma(b, t1);
            b = FloatVector.broadcast(F, x[o + 2]);
            s2 = v.fma(b, s2);
            t2 = u.fma(b, t2);
            b = FloatVector.broadcast(F, x[o + 3]);
            s3 = v.fma(b, s3);
            t3 = u.fma(b, t3);
            b = FloatVector.broadcast(F, x[o + 4]);
            s4 = v.fma(b, s4);
            t4 = u.fma(b, t4);
            b = FloatVector.broadcast(F, x[o + 5]);
            s5 = v.fma(b, s5);
            t5 = u.fma(b, t5);
            b = FloatVector.broadcast(F, x[o + 6]);
            s6 = v.fma(b, s6);
            t6 = u.fma(b, t6);
            b = FloatVector.broadcast(F, x[o + 7]);
            s7 = v.fma(b, s7);
            t7 = u.fma(b, t7);
        }
        fold(s0, scale0, acc, a);
        fold(s1, scale0, acc, a + stride);
        fold(s2, scale0, acc, a + 2 * stride);
        fold(s3, scale0, acc, a + 3 * stride);
        fold(s4, scale0, acc, a + 4 * stride);
        fold(s5, scale0, acc, a + 5 * stride);
        fold(s6, scale0, acc, a + 6 * stride);
        fold(s7, scale0, acc, a + 7 * stride);
        fold(t0, scale1, acc, a + L);
        fold(t1, scale1, acc, a + L + stride);
        fold(t2, scale1, acc, a + L + 2 * stride);
        fold(t3, scale1, acc, a + L + 3 * stride);
        fold(t4, scale1, acc, a + L + 4 * stride);
        fold(t5, scale1, acc, a + L + 5 * stride);
        fold(t6, scale1, acc, a + L + 6 * stride);
        fold(t7, scale1, acc, a + L + 7 * stride);
    }

    /**
     * {@link #pairTile} for a last tile of at most {@value #HALF_TILE} inputs (its first four slots): half the FMAs of a
     * whole tile for such a remainder, which a whole tile would spend on empty slots (12 tokens = 8 + 4).
     */
    private static void pairHalfTile(float[] w, int columns, float[] x, int xOff, FloatVector scale0,
                                     FloatVector scale1, float[] acc, int a, int stride) {
        FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0, t0 = s0, t1 = s0, t2 = s0, t3 = s0;
        int second = columns * L;
        for (int c = 0; c < columns; c++) {
            FloatVector v = FloatVector.fromArray(F, w, c * L), u = FloatVector.fromArray(F, w, second + c * L);
            int o = xOff + c * TILE;
            FloatVector b = FloatVector.broadcast(F, x[o]);
            s0 = v.fma(b, s0);
            t0 = u.fma(b, t0);
            b = FloatVector.broadcast(F, x[o + 1]);
            s1 = v.fma(b, s1);
            t1 = u.fma(b, t1);
            b = FloatVector.broadcast(F, x[o + 2]);
            s2 = v.fma(b, s2);
            t2 = u.fma(b, t2);
            b = FloatVector.broadcast(F, x[o + 3]);
            s3 = v.fma(b, s3);
            t3 = u.fma(b, t3);
        }
        fold(s0, scale0, acc, a);
        fold(s1, scale0, acc, a + stride);
        fold(s2, scale0, acc, a + 2 * stride);
        fold(s3, scale0, acc, a + 3 * stride);
        fold(t0, scale1, acc, a + L);
        fold(t1, scale1, acc, a + L + stride);
        fold(t2, scale1, acc, a + L + 2 * stride);
        fold(t3, scale1, acc, a + L + 3 * stride);
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
