package org.turboquant.simd.panama;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.turboquant.core.CodeLayout;
import org.turboquant.core.QuantizedMatrix;
import org.turboquant.core.RowGroupCodes;

/**
 * A matrix's codes in the order {@link TableDot} reads ({@link CodeLayout#ROW_GROUPS_16}): 16 rows side by side, so
 * that one 16-byte load holds the same byte of 16 rows and widens to one index per int lane; block-major, so a row
 * range's codes for one block are contiguous; scales in the same order.
 *
 * <p>A matrix already in that layout (a version-3 pack, mapped) is read in place: no copy. A matrix in row order
 * (built in memory, or from a version-1/2 pack) is regrouped once, at its first product, into an off-heap copy of
 * the same size kept with the matrix ({@link QuantizedMatrix#derived}).
 */
final class RowGroups {
    static final int ROWS = CodeLayout.GROUP_ROWS;

    final int groups;
    final int bytesPerBlock;
    final MemorySegment codes;
    final float[] scales;
    private final QuantizedMatrix grouped;

    private RowGroups(QuantizedMatrix grouped) {
        this.grouped = grouped;
        this.groups = grouped.groups();
        this.bytesPerBlock = grouped.bytesPerBlock();
        this.codes = grouped.codes();
        this.scales = grouped.scales();
    }

    /** m's codes in grouped order: m's own when it is grouped, else a copy made once per matrix and kept with it. */
    static RowGroups of(QuantizedMatrix m) {
        if (m.codeLayout() == CodeLayout.ROW_GROUPS_16) return new RowGroups(m);
        return m.derived(RowGroups.class, RowGroups.class,
                rows -> new RowGroups(RowGroupCodes.regroup(rows, Arena.ofAuto())));
    }

    /** Offset of block k of group G in {@link #codes}. */
    long offset(int k, int group) {
        return grouped.groupOffset(k, group);
    }

    /** Index of the first of group G's 16 scales for block k in {@link #scales}. */
    int scaleIndex(int k, int group) {
        return grouped.scaleIndex(group * ROWS, k);
    }
}
