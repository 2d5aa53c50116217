package org.turboquant.simd.panama;

import static org.turboquant.simd.panama.PackedDot.F;
import static org.turboquant.simd.panama.PackedDot.L;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import org.turboquant.core.BitPacking;
import org.turboquant.core.MixedQuantizedMatrix;

/**
 * Products of a grouped mixed-width matrix ({@code mixed_row_groups_16}, docs/FORMAT.md §19): every cell (16-row
 * group × block) is uniformly narrow or wide, so each is multiplied as a uniform 16-row group by the table kernel of
 * its width: {@link TableDot}'s pieces for 1, 2 and 4 bits, {@link TableDot3} for 3 and {@link TableDot5} for 5. Per
 * block, the narrow cells of the row range are visited first, then the wide ones, each pass with its width's tables
 * built for every input (amortised over the groups of the range); each cell adds its value times the block scale into
 * its 16 row sums; two adjacent narrow cells of 1, 2 or 4 bits share the table loads ({@link TableDot#blockDot2}).
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
    }

    /** Y[b·rows + r] = row r · rotated[b] for r in [rowStart, rowEnd); m must be {@link #supports supported}. */
    static void gemm(MixedQuantizedMatrix m, float[][] rotated, float[] y, int rowStart, int rowEnd) {
        if (rowStart == rowEnd) return;
        int g = m.blockSize(), batch = rotated.length, rows16 = RowGroups.ROWS;
        Width narrow = new Width(m.narrow().bits(), m.narrow().centroids(), g);
        Width wide = new Width(m.wide().bits(), m.wide().centroids(), g);
        int per = Math.max(narrow.floats, wide.floats); // one input's tables, of one width at a time
        int first = rowStart / rows16, groups = (rowEnd + rows16 - 1) / rows16 - first;
        boolean pairs = narrow.bits != 3;
        float[] tables = new float[batch * per], acc = new float[batch * groups * L], scales = m.scales();
        MemorySegment codes = m.codes();
        for (int k = 0; k < m.blocksPerRow(); k++) {
            // narrow cells, then wide ones: each pass keeps only its own width's tables in L1 (both at once, 24 KiB
            // at 4/5 bits, measured a third slower); a group's sum does not depend on the order groups are visited
            for (Width w : new Width[] {narrow, wide}) {
                boolean isWide = w == wide, built = false;
                for (int gi = 0; gi < groups; ) {
                    int group = first + gi;
                    if (m.cellWide(k, group) != isWide) {
                        gi++;
                        continue;
                    }
                    if (!built) {
                        for (int b = 0; b < batch; b++) w.build(rotated[b], k * g, tables, b * per);
                        built = true;
                    }
                    int sc = m.scaleIndex(group * rows16, k);
                    long off = m.cellOffset(k, group);
                    if (!isWide && pairs && gi + 1 < groups && !m.cellWide(k, group + 1)) {
                        // the next narrow cell follows this one (block-major cells): blockDot2 reads it at off + 16·bytes
                        for (int b = 0; b < batch; b++)
                            TableDot.blockDot2(codes, off, w.bytesPerBlock, tables, b * per, scales, sc, acc,
                                    (b * groups + gi) * L);
                        gi += 2;
                    } else {
                        for (int b = 0; b < batch; b++) w.dot(codes, off, tables, b * per, scales, sc, acc, (b * groups + gi) * L);
                        gi++;
                    }
                }
            }
        }
        int rows = m.rows();
        for (int b = 0; b < batch; b++)
            for (int r = rowStart; r < rowEnd; r++) y[b * rows + r] = acc[(b * groups) * L + r - first * rows16];
    }
}
