package org.turboquant.simd.panama;

import static org.turboquant.simd.panama.PackedDot.F;
import static org.turboquant.simd.panama.PackedDot.L;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import org.turboquant.core.BitPacking;
import org.turboquant.core.MixedQuantizedMatrix;

/**
 * Products of a grouped mixed-width matrix ({@code mixed_row_groups_16}, docs/FORMAT.md §19): every cell (16-row
 * group × block) is uniformly narrow or wide, so each is multiplied as a uniform 16-row group by the table kernel of
 * its width: {@link TableDot}'s pieces for 1, 2 and 4 bits, {@link TableDot3} for 3 and {@link TableDot5} for 5. Per
 * block, the narrow cells of the row range are visited first, then the wide ones, each pass with its width's tables
 * built for every input (amortised over the groups of the range); each cell adds its value times the block scale into
 * its 16 row sums; the cells of one width in a block are taken two at a time, wherever they lie, so that each table
 * register loaded feeds both ({@link #narrowDot2} for 1, 2 and 4 bits, {@link TableDot5#blockDot2} for 5; 3 bits one by
 * one).
 *
 * <p>Arithmetic order, per row: blocks ascending, each cell's value in its width's kernel order, FMA-ed into the
 * row's sum times the block scale. Core's scalar reference visits the row's narrow blocks, then its wide ones: the two
 * differ by float rounding only. GEMM runs the same code per input, so it equals GEMV bit for bit, and a row's value
 * does not depend on the row range asked for.
 */
final class MixedTableDot {
    private MixedTableDot() {}

    /** True when this JVM runs 16 lanes, the matrix is grouped and both widths have a 16-row table kernel. */
    static boolean supports(MixedQuantizedMatrix m) {
        return TableDot.enabled() && Lanes.LENGTH == L && m.grouped() && m.blockSize() % BitPacking.CHUNK == 0
                && m.wide().bits() <= 5;
    }

    /** The tables of one width for one block and input: how many floats, and how to build them. */
    private static final class Width {
        final int bits, chunks, floats, bytesPerBlock;
        final float[] fields, centroids;
        final int[] columns;

        Width(int bits, float[] centroids, int g) {
            this.bits = bits;
            this.chunks = g / BitPacking.CHUNK;
            this.bytesPerBlock = g * bits / 8;
            this.centroids = centroids;
            this.fields = bits == 3 ? TableDot3.fieldValues(centroids) : bits <= 4 ? TableDot.fieldValues(bits, centroids) : null;
            this.columns = bits <= 4 && bits != 3 ? TableDot.nibbleColumns(bits) : null;
            this.floats = bits == 5 ? chunks * TableDot5.CHUNK_FLOATS
                    : bits == 3 ? chunks * TableDot3.TABLES_PER_CHUNK * TableDot3.ENTRIES
                    : 2 * bytesPerBlock * L;
        }

        void build(float[] x, int xOff, float[] out, int outOff) {
            switch (bits) {
                case 5 -> TableDot5.build(centroids, x, xOff, chunks, out, outOff);
                case 3 -> TableDot3.build(fields, x, xOff, chunks, out, outOff);
                default -> TableDot.build(bits, fields, columns, x, xOff, chunks, out, outOff);
            }
        }

        /** acc[a..+16) += cell value · scales[sc..+16); the kernels store, so no vector crosses a call (C2 boxes those). */
        void dot(MemorySegment codes, long off, float[] tables, int t, float[] scales, int sc, float[] acc, int a) {
            switch (bits) {
                case 5 -> TableDot5.blockDot(codes, off, chunks, tables, t, scales, sc, acc, a);
                case 3 -> TableDot3.blockDotInto(codes, off, chunks, tables, t, scales, sc, acc, a);
                default -> TableDot.blockDotInto(codes, off, bytesPerBlock, tables, t, scales, sc, acc, a);
            }
        }

        /**
         * Whether two cells of this width share their table loads ({@link #dot2}): 1, 2, 4 and 5 bits, not 3 (its
         * tables span two planes).
         */
        boolean pairs() {
            return bits != 3;
        }

        /**
         * {@link #dot} for two cells of one block, wherever they are, each table register loaded once for both
         * ({@code lows}: 32 floats of scratch for the 5-bit pair's two passes).
         */
        void dot2(MemorySegment codes, long off, long off2, float[] tables, int t, float[] scales, int sc, int sc2,
                  float[] acc, int a, int a2, float[] lows) {
            if (bits == 5) TableDot5.blockDot2(codes, off, off2, chunks, tables, t, scales, sc, sc2, acc, a, a2, lows);
            else narrowDot2(codes, off, off2, bytesPerBlock, tables, t, scales, sc, sc2, acc, a, a2);
        }
    }

    /**
     * {@link TableDot#blockDot2} for two cells at any offsets (not only adjacent groups): each table register loaded
     * feeds both; each cell's arithmetic is {@link TableDot#blockDot}'s, so the result is the same bit for bit.
     */
    static void narrowDot2(MemorySegment codes, long off, long off2, int bytes, float[] tables, int t, float[] scales,
                           int sc, int sc2, float[] acc, int a, int a2) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2v = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        for (int p = 0; p < bytes; p += 2, off += 2 * L, off2 += 2 * L, t += 4 * L) {
            IntVector v = TableDot.widen(codes, off), w = TableDot.widen(codes, off + L);
            IntVector v2 = TableDot.widen(codes, off2), w2 = TableDot.widen(codes, off2 + L);
            IntVector t0 = TableDot.table(tables, t), t1 = TableDot.table(tables, t + L),
                    t2 = TableDot.table(tables, t + 2 * L), t3 = TableDot.table(tables, t + 3 * L);
            a0 = a0.add(v.selectFrom(t0).reinterpretAsFloats());
            b0 = b0.add(v2.selectFrom(t0).reinterpretAsFloats());
            a1 = a1.add(v.lanewise(VectorOperators.LSHR, 4).selectFrom(t1).reinterpretAsFloats());
            b1 = b1.add(v2.lanewise(VectorOperators.LSHR, 4).selectFrom(t1).reinterpretAsFloats());
            a2v = a2v.add(w.selectFrom(t2).reinterpretAsFloats());
            b2 = b2.add(w2.selectFrom(t2).reinterpretAsFloats());
            a3 = a3.add(w.lanewise(VectorOperators.LSHR, 4).selectFrom(t3).reinterpretAsFloats());
            b3 = b3.add(w2.lanewise(VectorOperators.LSHR, 4).selectFrom(t3).reinterpretAsFloats());
        }
        a0.add(a1).add(a2v.add(a3)).fma(FloatVector.fromArray(F, scales, sc), FloatVector.fromArray(F, acc, a))
                .intoArray(acc, a);
        b0.add(b1).add(b2.add(b3)).fma(FloatVector.fromArray(F, scales, sc2), FloatVector.fromArray(F, acc, a2))
                .intoArray(acc, a2);
    }

    /** Y[b·rows + r] = row r · rotated[b] for r in [rowStart, rowEnd); m must be {@link #supports supported}. */
    static void gemm(MixedQuantizedMatrix m, float[][] rotated, float[] y, int rowStart, int rowEnd) {
        if (rowStart == rowEnd) return;
        int g = m.blockSize(), batch = rotated.length, rows16 = RowGroups.ROWS;
        Width narrow = new Width(m.narrow().bits(), m.narrow().centroids(), g);
        Width wide = new Width(m.wide().bits(), m.wide().centroids(), g);
        int per = Math.max(narrow.floats, wide.floats); // one input's tables, of one width at a time
        int first = rowStart / rows16, groups = (rowEnd + rows16 - 1) / rows16 - first;
        float[] tables = new float[batch * per], acc = new float[batch * groups * L], scales = m.scales();
        MemorySegment codes = m.codes();
        int[] cells = new int[groups]; // the range's cells of one width in one block, by group index
        float[] lows = new float[2 * L];
        for (int k = 0; k < m.blocksPerRow(); k++) {
            // narrow cells, then wide ones: each pass keeps only its own width's tables in L1 (both at once, 24 KiB
            // at 4/5 bits, measured a third slower); a group's sum does not depend on the order groups are visited
            for (Width w : new Width[] {narrow, wide}) {
                boolean isWide = w == wide;
                int n = 0;
                for (int gi = 0; gi < groups; gi++) if (m.cellWide(k, first + gi) == isWide) cells[n++] = gi;
                if (n == 0) continue;
                for (int b = 0; b < batch; b++) w.build(rotated[b], k * g, tables, b * per);
                int i = 0;
                // two cells per table load, whether or not they are neighbours (a wide cell between two narrow ones
                // no longer breaks the pairing)
                if (w.pairs()) for (; i + 1 < n; i += 2) {
                    int g1 = cells[i], g2 = cells[i + 1];
                    long off = m.cellOffset(k, first + g1), off2 = m.cellOffset(k, first + g2);
                    int sc = m.scaleIndex((first + g1) * rows16, k), sc2 = m.scaleIndex((first + g2) * rows16, k);
                    for (int b = 0; b < batch; b++)
                        w.dot2(codes, off, off2, tables, b * per, scales, sc, sc2, acc, (b * groups + g1) * L,
                                (b * groups + g2) * L, lows);
                }
                for (; i < n; i++) {
                    int gi = cells[i];
                    int sc = m.scaleIndex((first + gi) * rows16, k);
                    long off = m.cellOffset(k, first + gi);
                    for (int b = 0; b < batch; b++) w.dot(codes, off, tables, b * per, scales, sc, acc, (b * groups + gi) * L);
                }
            }
        }
        int rows = m.rows();
        for (int b = 0; b < batch; b++)
            for (int r = rowStart; r < rowEnd; r++) y[b * rows + r] = acc[(b * groups) * L + r - first * rows16];
    }
}
