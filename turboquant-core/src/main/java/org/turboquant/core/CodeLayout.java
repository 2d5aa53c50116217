package org.turboquant.core;

/**
 * How a {@link QuantizedMatrix}'s packed codes (and its in-memory scales) are ordered (docs/FORMAT.md §19).
 *
 * <ul>
 *   <li>{@link #ROWS}: row after row, each row's {@link BitPacking} run of blocksPerRow·g indices; scale of row r,
 *       block k at {@code r·blocksPerRow + k}.</li>
 *   <li>{@link #ROW_GROUPS_16}: the order the 16-row table kernels read. Rows are taken 16 at a time (group G holds
 *       rows 16G..16G+15; the last group is padded with rows of index 0 and scale 0); byte t of block k's packed
 *       bytes of row 16G + r sits at {@code ((k·groups + G)·bytesPerBlock + t)·16 + r}, so one 16-byte load holds
 *       the same byte of 16 rows, and all groups' bytes of one block are contiguous (block-major). The scale of
 *       row 16G + r, block k is at {@code (k·groups + G)·16 + r}. Needs blocks of whole 128-index chunks, so that
 *       a block's packed bytes ({@code bytesPerBlock = g·bits/8}) do not straddle a chunk.</li>
 * </ul>
 * A layout id names one exact order: a later change of kernel order is a new constant, not a new meaning.
 */
public enum CodeLayout {
    ROWS("rows"),
    ROW_GROUPS_16("row_groups_16"),
    /**
     * Mixed-width tensors only ({@link MixedQuantizedMatrix}): widths chosen per (16-row group × unit), so each
     * group-cell is uniformly narrow or wide; cells block-major (all groups of block k, then k + 1), cell (k, G) holds
     * byte t of row 16G + r at {@code cellOffset(k, G) + 16t + r}, its bytes packed at the cell's width.
     */
    MIXED_ROW_GROUPS_16("mixed_row_groups_16");

    /** Rows side by side in {@link #ROW_GROUPS_16}. */
    public static final int GROUP_ROWS = 16;

    private final String id;

    CodeLayout(String id) {
        this.id = id;
    }

    /** The id written in a pack's manifest ({@code code_layout}). */
    public String id() {
        return id;
    }

    public static CodeLayout parse(String id) {
        for (CodeLayout l : values()) if (l.id.equals(id)) return l;
        throw new IllegalArgumentException("unknown code layout '" + id + "' (known: rows, row_groups_16, mixed_row_groups_16)");
    }

    /** Whether {@link #ROW_GROUPS_16} can hold a matrix of this block layout (blocks of whole chunks). */
    public static boolean groupable(BlockLayout layout) {
        return layout.blockSize() % BitPacking.CHUNK == 0;
    }

    /**
     * The layout a pack stores: {@link #ROW_GROUPS_16} for 1 to 4 bits (the table kernels) with blocks of whole chunks
     * and a row count that is a multiple of 16 (so no padding row is stored and a tensor costs the same bits in either
     * layout); {@link #ROWS} otherwise (5 to 8 bits: the row-at-a-time packed-byte kernels read whole rows, and
     * interleaving 16 rows would only make them gather).
     */
    public static CodeLayout preferred(int bits, int rows, BlockLayout layout) {
        return bits <= 4 && rows % GROUP_ROWS == 0 && groupable(layout) ? ROW_GROUPS_16 : ROWS;
    }
}
