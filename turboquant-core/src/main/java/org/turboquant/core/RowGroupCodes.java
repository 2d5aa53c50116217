package org.turboquant.core;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Moves codes and scales between {@link CodeLayout#ROWS} and {@link CodeLayout#ROW_GROUPS_16}: for the encoder
 * (rows are quantized one at a time, then scattered into their group), for packs written before the grouped layout
 * (regrouped once for the table kernels) and for kernels that read whole rows (a row-order copy of a grouped matrix).
 */
public final class RowGroupCodes {
    private static final int ROWS = CodeLayout.GROUP_ROWS;

    private RowGroupCodes() {}

    /**
     * Writes one row's packed bytes ({@code stride = blocks·bytesPerBlock} bytes at {@code src[srcOff]}, row order) to
     * their places in a grouped code array of {@code groups} groups.
     */
    public static void scatterRow(MemorySegment src, long srcOff, int row, int groups, int blocks, int bytesPerBlock,
                                  MemorySegment grouped) {
        int group = row / ROWS, lane = row % ROWS;
        for (int k = 0; k < blocks; k++) {
            long base = ((long) k * groups + group) * bytesPerBlock * ROWS + lane;
            for (int t = 0; t < bytesPerBlock; t++)
                grouped.set(ValueLayout.JAVA_BYTE, base + (long) t * ROWS,
                        src.get(ValueLayout.JAVA_BYTE, srcOff + (long) k * bytesPerBlock + t));
        }
    }

    /** Row-major scales (rows × blocks) in grouped order, padding rows 0: groups·16·blocks values. */
    public static float[] groupScales(float[] rowMajor, int rows, int blocks) {
        int groups = (rows + ROWS - 1) / ROWS;
        float[] out = new float[Math.multiplyExact(groups * ROWS, blocks)];
        for (int r = 0; r < rows; r++)
            for (int k = 0; k < blocks; k++) out[(k * groups + r / ROWS) * ROWS + r % ROWS] = rowMajor[r * blocks + k];
        return out;
    }

    /** m in {@link CodeLayout#ROW_GROUPS_16} (m itself if it already is); new codes allocated in {@code arena}. */
    public static QuantizedMatrix regroup(QuantizedMatrix m, Arena arena) {
        if (m.codeLayout() == CodeLayout.ROW_GROUPS_16) return m;
        if (!CodeLayout.groupable(m.layout()))
            throw new IllegalArgumentException("block size " + m.blockSize() + " is not whole chunks: cannot group");
        int rows = m.rows(), blocks = m.blocksPerRow(), groups = m.groups(), bpb = m.bytesPerBlock();
        int stride = Math.toIntExact(m.rowStrideBytes());
        MemorySegment out = arena.allocate((long) groups * ROWS * stride, 64);
        byte[] rowsOfGroup = new byte[ROWS * stride], block = new byte[ROWS * bpb];
        for (int g = 0; g < groups; g++) {
            int n = Math.min(ROWS, rows - g * ROWS);
            java.util.Arrays.fill(rowsOfGroup, (byte) 0);
            MemorySegment.copy(m.codes(), ValueLayout.JAVA_BYTE, (long) g * ROWS * stride, rowsOfGroup, 0, n * stride);
            for (int k = 0; k < blocks; k++) {
                for (int r = 0; r < ROWS; r++) {
                    int src = r * stride + k * bpb;
                    for (int t = 0; t < bpb; t++) block[t * ROWS + r] = rowsOfGroup[src + t];
                }
                MemorySegment.copy(block, 0, out, ValueLayout.JAVA_BYTE, ((long) k * groups + g) * bpb * ROWS, block.length);
            }
        }
        return new QuantizedMatrix(rows, m.layout(), m.bits(), m.rotation(), m.centroids(), out,
                groupScales(m.scales(), rows, blocks), CodeLayout.ROW_GROUPS_16);
    }

    /** m in {@link CodeLayout#ROWS} (m itself if it already is); new codes allocated in {@code arena}. */
    public static QuantizedMatrix ungroup(QuantizedMatrix m, Arena arena) {
        if (m.codeLayout() == CodeLayout.ROWS) return m;
        int rows = m.rows(), blocks = m.blocksPerRow();
        int stride = Math.toIntExact(m.rowStrideBytes());
        MemorySegment out = arena.allocate((long) rows * stride, 64);
        byte[] row = new byte[stride];
        float[] scales = new float[Math.multiplyExact(rows, blocks)];
        for (int r = 0; r < rows; r++) {
            m.rowCodes(r, row, 0);
            MemorySegment.copy(row, 0, out, ValueLayout.JAVA_BYTE, (long) r * stride, stride);
            for (int k = 0; k < blocks; k++) scales[r * blocks + k] = m.scale(r, k);
        }
        return new QuantizedMatrix(rows, m.layout(), m.bits(), m.rotation(), m.centroids(), out, scales, CodeLayout.ROWS);
    }
}
