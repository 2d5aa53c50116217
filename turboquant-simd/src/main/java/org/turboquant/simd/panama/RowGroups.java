package org.turboquant.simd.panama;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.turboquant.core.QuantizedMatrix;

/**
 * A matrix's packed codes regrouped for {@link TableDot}: 16 rows side by side, so that one 16-byte load holds the
 * same byte of 16 rows and widens to one index per int lane. Byte t of block k of row 16G + r sits at
 * {@code ((k·groups + G)·bytesPerBlock + t)·16 + r}: block-major, so a row range's codes for one block are contiguous.
 * The scales follow the same order ({@code (k·groups + G)·16 + r}). Rows past the last are padded with index 0 and
 * scale 0. Same size as the packed codes; kept off-heap, freed with the matrix ({@link QuantizedMatrix#derived}).
 */
final class RowGroups {
    static final int ROWS = 16;

    final int groups;
    final int bytesPerBlock;
    final MemorySegment codes;
    final float[] scales;

    private RowGroups(int groups, int bytesPerBlock, MemorySegment codes, float[] scales) {
        this.groups = groups;
        this.bytesPerBlock = bytesPerBlock;
        this.codes = codes;
        this.scales = scales;
    }

    /** m's codes regrouped; computed once per matrix and kept with it. */
    static RowGroups of(QuantizedMatrix m) {
        return m.derived(RowGroups.class, RowGroups.class, RowGroups::regroup);
    }

    /** Offset of block k of group G in {@link #codes}. */
    long offset(int k, int group) {
        return ((long) k * groups + group) * bytesPerBlock * ROWS;
    }

    /** Index of the first of group G's 16 scales for block k in {@link #scales}. */
    int scaleIndex(int k, int group) {
        return (k * groups + group) * ROWS;
    }

    private static RowGroups regroup(QuantizedMatrix m) {
        int rows = m.rows(), blocks = m.blocksPerRow(), groups = (rows + ROWS - 1) / ROWS;
        int bytesPerBlock = Math.toIntExact(m.rowStrideBytes() / blocks);
        int stride = Math.toIntExact(m.rowStrideBytes());
        MemorySegment out = Arena.ofAuto().allocate((long) groups * ROWS * stride, 64);
        float[] scales = new float[groups * blocks * ROWS];
        byte[] rowsOfGroup = new byte[ROWS * stride], block = new byte[ROWS * bytesPerBlock];
        RowGroups rg = new RowGroups(groups, bytesPerBlock, out, scales);
        for (int g = 0; g < groups; g++) {
            int n = Math.min(ROWS, rows - g * ROWS);
            java.util.Arrays.fill(rowsOfGroup, (byte) 0);
            MemorySegment.copy(m.codes(), ValueLayout.JAVA_BYTE, (long) g * ROWS * stride, rowsOfGroup, 0, n * stride);
            for (int k = 0; k < blocks; k++) {
                for (int r = 0; r < ROWS; r++) {
                    int src = r * stride + k * bytesPerBlock;
                    for (int t = 0; t < bytesPerBlock; t++) block[t * ROWS + r] = rowsOfGroup[src + t];
                    scales[rg.scaleIndex(k, g) + r] = r < n ? m.scale(g * ROWS + r, k) : 0f;
                }
                MemorySegment.copy(block, 0, out, ValueLayout.JAVA_BYTE, rg.offset(k, g), block.length);
            }
        }
        return rg;
    }
}
