package org.turboquant.core;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Moves a mixed-width matrix between {@link CodeLayout#ROWS} and {@link CodeLayout#MIXED_ROW_GROUPS_16}: for the
 * quantizer and the pack writer (rows are quantized one at a time, then scattered into their cells), and for kernels
 * that read whole rows (a row-order copy of a grouped matrix). The grouped bytes are exactly the row-order unit
 * bytes, interleaved 16 rows at a time.
 */
public final class MixedGroupCodes {
    private static final int ROWS = CodeLayout.GROUP_ROWS;

    private MixedGroupCodes() {}

    /**
     * Writes row r's packed runs (narrow units then wide ones, as {@link MixedRowQuantizer} packs them at
     * {@code src[srcOff]}) into their cells of a grouped matrix's codes ({@code cellOffset} gives cell (k, G)).
     */
    public static void scatterRow(MixedLayout layout, long narrowUnitBytes, long wideUnitBytes, MemorySegment src,
                                  long srcOff, int row, java.util.function.LongBinaryOperator cellOffset,
                                  MemorySegment grouped) {
        int group = row / ROWS, lane = row % ROWS;
        long narrowAt = srcOff, wideAt = srcOff + layout.units(row, false) * narrowUnitBytes;
        for (int k = 0; k < layout.unitsPerRow(); k++) {
            boolean wide = layout.isWide(row, k);
            long bytes = wide ? wideUnitBytes : narrowUnitBytes, from = wide ? wideAt : narrowAt;
            long base = cellOffset.applyAsLong(k, group) + lane;
            for (long t = 0; t < bytes; t++)
                grouped.set(ValueLayout.JAVA_BYTE, base + t * ROWS, src.get(ValueLayout.JAVA_BYTE, from + t));
            if (wide) wideAt += bytes; else narrowAt += bytes;
        }
    }

    /** m in the grouped layout (m itself if it already is); its width map must be uniform per cell. */
    public static MixedQuantizedMatrix regroup(MixedQuantizedMatrix m, Arena arena) {
        if (m.grouped()) return m;
        MixedLayout layout = m.layout();
        int narrowBits = m.narrow().bits(), wideBits = m.wide().bits();
        MemorySegment out = arena.allocate(MixedQuantizedMatrix.groupedCodeBytes(layout, narrowBits, wideBits), 64);
        float[] scales = RowGroupCodes.groupScales(m.scales(), m.rows(), m.blocksPerRow());
        MixedQuantizedMatrix g = new MixedQuantizedMatrix(layout, m.rotation(), narrowBits, m.narrow().centroids(),
                wideBits, m.wide().centroids(), out, scales, CodeLayout.MIXED_ROW_GROUPS_16);
        for (int r = 0; r < m.rows(); r++)
            scatterRow(layout, m.narrow().unitBytes(), m.wide().unitBytes(), m.codes(), m.rowOffset(r, false), r,
                    (k, group) -> g.cellOffset((int) k, (int) group), out);
        return g;
    }

    /** m in row order (m itself if it already is): codes and scales copied, codes allocated in {@code arena}. */
    public static MixedQuantizedMatrix ungroup(MixedQuantizedMatrix m, Arena arena) {
        if (!m.grouped()) return m;
        MixedLayout layout = m.layout();
        int rows = m.rows(), nb = m.blocksPerRow();
        long total = MixedQuantizedMatrix.codeBytes(layout, m.narrow().unitBytes(), m.wide().unitBytes(), rows);
        MemorySegment out = arena.allocate(Math.max(1, total), 64);
        byte[] run = new byte[Math.toIntExact(layout.unitsPerRow() * m.wide().unitBytes())];
        float[] scales = new float[Math.multiplyExact(rows, nb)];
        long at = 0;
        for (int r = 0; r < rows; r++) {
            for (boolean wide : new boolean[] {false, true}) {
                int n = m.rowRun(r, wide, run, 0);
                MemorySegment.copy(run, 0, out, ValueLayout.JAVA_BYTE, at, n);
                at += n;
            }
            for (int k = 0; k < nb; k++) scales[r * nb + k] = m.scale(r, k);
        }
        return new MixedQuantizedMatrix(layout, m.rotation(), m.narrow().bits(), m.narrow().centroids(),
                m.wide().bits(), m.wide().centroids(), out, scales);
    }
}
