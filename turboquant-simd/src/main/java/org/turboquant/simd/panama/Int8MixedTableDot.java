package org.turboquant.simd.panama;

import static org.turboquant.simd.panama.PackedDot.L;

import java.lang.foreign.MemorySegment;
import org.turboquant.core.BitPacking;
import org.turboquant.core.MixedQuantizedMatrix;
import org.turboquant.simd.KernelMode;

/**
 * Integer-domain products of a grouped mixed-width matrix ({@code mixed_row_groups_16}, read in place): as
 * {@link MixedTableDot}, every cell (16-row group × block) is one width and is multiplied as a uniform cell of it, here
 * with int8 tables: 1-, 2- and 4-bit cells by {@link Int8TableDot}'s kernel (two cells of that width per table load,
 * the next one of the row range wherever it lies), 5-bit cells by {@link Int8TableDot5}. Per block the narrow cells of
 * the range are visited first, then the wide ones, each pass with its width's tables built (and quantized with one
 * scale per input and block) only if it has a cell.
 *
 * <p>Arithmetic, per row: per block, the exact integer Σ(entry − 128) of its cell, folded as
 * {@code fma((float) Σ, scale·T_width, sum)} with blocks ascending. GEMM runs the same per input, so it equals GEMV bit
 * for bit and a row does not depend on the range asked for. Against the float product a row differs by at most
 * Σ_k |scale_k|·T_k·g/2 (each of a block's g entries looked up is rounded by at most T/2).
 */
final class Int8MixedTableDot {
    private Int8MixedTableDot() {}

    /** Where the int8 path is chosen: where it {@link #runs} and {@link IntKernels} has it on for both widths. */
    static boolean supports(KernelMode mode, MixedQuantizedMatrix m) {
        return IntKernels.enabled(mode, m.narrow().bits()) && IntKernels.enabled(mode, m.wide().bits()) && runs(m);
    }

    /** Where it can run: where {@link MixedTableDot} runs, both widths in {1, 2, 4, 5}, and VBMI's byte permutes. */
    static boolean runs(MixedQuantizedMatrix m) {
        return CpuFlags.VBMI && MixedTableDot.supports(m) && width(m.narrow().bits()) && width(m.wide().bits());
    }

    private static boolean width(int bits) {
        return bits == 1 || bits == 2 || bits == 4 || bits == 5;
    }

    /** One width's int8 tables of a block: how many bytes, their bias per row, how to build them. */
    private static final class Width {
        final int bits, chunks, loads, tableBytes, bias;
        final float[] centroids, fields;
        /** The block's float tables before quantization ({@link Int8Tables#build} reads its length). */
        final float[] scratch;
        final int[] columns;

        Width(int bits, float[] centroids, int g) {
            this.bits = bits;
            this.centroids = centroids;
            this.chunks = g / BitPacking.CHUNK;
            int bytesPerBlock = g * bits / 8;
            this.loads = bytesPerBlock / 4;
            this.fields = bits == 5 ? null : TableDot.fieldValues(bits, centroids);
            this.columns = bits == 5 ? null : TableDot.nibbleColumns(bits);
            this.tableBytes = bits == 5 ? Int8TableDot5.bytesPerBlock(chunks) : Int8Tables.bytesPerBlock(bytesPerBlock);
            this.bias = 128 * (bits == 5 ? g : 2 * bytesPerBlock); // every entry looked up carries +128
            this.scratch = new float[tableBytes];
        }

        float build(float[] x, int xOff, byte[] out, int outOff) {
            return bits == 5 ? Int8TableDot5.build(centroids, x, xOff, chunks, scratch, out, outOff)
                    : Int8Tables.build(bits, fields, columns, x, xOff, chunks, scratch, out, outOff);
        }
    }

    /** Y[b·rows + r] = row r · rotated[b] for r in [rowStart, rowEnd); m must be one it {@link #runs}. */
    static void gemm(MixedQuantizedMatrix m, float[][] rotated, float[] y, int rowStart, int rowEnd) {
        if (rowStart == rowEnd) return;
        int g = m.blockSize(), batch = rotated.length, rows16 = RowGroups.ROWS;
        Width narrow = new Width(m.narrow().bits(), m.narrow().centroids(), g);
        Width wide = new Width(m.wide().bits(), m.wide().centroids(), g);
        int per = Math.max(narrow.tableBytes, wide.tableBytes); // one input's tables, of one width at a time
        int first = rowStart / rows16, groups = (rowEnd + rows16 - 1) / rows16 - first;
        Products p = new Products(m, batch, per, groups, first);
        for (int k = 0; k < m.blocksPerRow(); k++) {
            for (Width w : new Width[] {narrow, wide}) {
                boolean isWide = w == wide, built = false;
                int pending = -1; // a cell of a 1/2/4-bit width waiting for a second one to share its table loads
                for (int gi = 0; gi < groups; gi++) {
                    if (m.cellWide(k, first + gi) != isWide) continue;
                    if (!built) {
                        for (int b = 0; b < batch; b++)
                            p.tableScale[b] = w.build(rotated[b], k * g, p.tables, b * per);
                        built = true;
                    }
                    if (w.bits == 5) p.wideCell(w, k, gi);
                    else if (pending < 0) pending = gi;
                    else {
                        p.cellPair(w, k, pending, gi);
                        pending = -1;
                    }
                }
                if (pending >= 0) p.cellPair(w, k, pending, -1);
            }
        }
        int rows = m.rows();
        for (int b = 0; b < batch; b++)
            for (int r = rowStart; r < rowEnd; r++) y[b * rows + r] = p.acc[(b * groups) * L + r - first * rows16];
    }

    /** One call's tables, sums and scratch. */
    private static final class Products {
        final MixedQuantizedMatrix m;
        final MemorySegment codes;
        final float[] scales, tableScale, acc;
        final byte[] tables;
        final short[] runSums = new short[4 * 2 * L];
        final int[] rowSums = new int[2 * L];
        final int batch, per, groups, first;

        Products(MixedQuantizedMatrix m, int batch, int per, int groups, int first) {
            this.m = m;
            this.codes = m.codes();
            this.scales = m.scales();
            this.batch = batch;
            this.per = per;
            this.groups = groups;
            this.first = first;
            this.tables = new byte[batch * per];
            this.tableScale = new float[batch];
            this.acc = new float[batch * groups * L];
        }

        /** Cells (k, g0) and (k, g1) of a 1/2/4-bit width, sharing table loads; g1 < 0: g0 alone (read twice). */
        void cellPair(Width w, int k, int g0, int g1) {
            long off = m.cellOffset(k, first + g0), next = g1 < 0 ? 0 : m.cellOffset(k, first + g1) - off;
            int s0 = m.scaleIndex((first + g0) * RowGroups.ROWS, k);
            int s1 = g1 < 0 ? s0 : m.scaleIndex((first + g1) * RowGroups.ROWS, k);
            for (int b = 0; b < batch; b++) {
                Int8TableDot.pairSums(codes, off, next, w.loads, tables, b * per, runSums, rowSums);
                for (int j = 0; j < (g1 < 0 ? 1 : 2); j++) // one call site (Int8TableDot.pairSums)
                    Int8TableDot.fold(rowSums, j * L, w.bias, scales, j == 0 ? s0 : s1, tableScale[b], acc,
                            (b * groups + (j == 0 ? g0 : g1)) * L);
            }
        }

        /** The 5-bit cell (k, gi). */
        void wideCell(Width w, int k, int gi) {
            long off = m.cellOffset(k, first + gi);
            int sc = m.scaleIndex((first + gi) * RowGroups.ROWS, k);
            for (int b = 0; b < batch; b++) {
                Int8TableDot5.cellSums(codes, off, w.chunks, tables, b * per, runSums, rowSums);
                Int8TableDot.fold(rowSums, 0, w.bias, scales, sc, tableScale[b], acc, (b * groups + gi) * L);
            }
        }
    }
}
