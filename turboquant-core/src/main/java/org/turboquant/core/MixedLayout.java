package org.turboquant.core;

import java.util.Arrays;
import java.util.Objects;

/**
 * Which blocks of a mixed-width matrix are wide, and where each width's codes for a row start.
 *
 * <p>Widths are chosen per <em>allocation unit</em>: one block, or for blocks shorter than a 128-index chunk
 * that divide it, the 128/g consecutive blocks that fill one chunk (so every unit packs into whole chunks and
 * starts on a chunk boundary). A unit holds {@link #unitIndices()} indices: its blocks' g·blocksPerUnit indices
 * rounded up to whole chunks; the last unit of a row may hold fewer blocks and is padded the same way.
 *
 * <p>The width map is a bitmap over units in row-major order (unit u of row r is bit r·unitsPerRow + u,
 * least significant bit first within each byte); a set bit means wide. Each width's codes are the packed units
 * of that width in the same row-major order, so row r's narrow codes start after the narrow units of rows
 * before it: the per-row prefix counts are derived from the bitmap when the layout is built, never stored.
 */
public final class MixedLayout {
    private final int rows;
    private final BlockLayout blocks;
    private final int blocksPerUnit;
    private final int unitsPerRow;
    private final int unitIndices;
    private final byte[] bitmap;
    private final int[] wideBefore;
    /** Per row, its blocks in stored order (narrow units' blocks, then wide units'), rows × blocksPerRow. */
    private final int[] storedBlocks;

    private MixedLayout(int rows, BlockLayout blocks, byte[] bitmap) {
        if (rows < 1) throw new IllegalArgumentException("rows must be >= 1, got " + rows);
        this.rows = rows;
        this.blocks = Objects.requireNonNull(blocks, "blocks");
        this.blocksPerUnit = blocksPerUnit(blocks);
        this.unitsPerRow = (blocks.blocksPerRow() + blocksPerUnit - 1) / blocksPerUnit;
        this.unitIndices = unitIndices(blocks);
        long units = (long) rows * unitsPerRow;
        if (units > Integer.MAX_VALUE) throw new IllegalArgumentException("too many allocation units: " + units);
        if (bitmap.length != bitmapBytes(units))
            throw new IllegalArgumentException("width map holds " + bitmap.length + " bytes, expected "
                    + bitmapBytes(units) + " for " + units + " units");
        int spare = (int) (units % 8);
        if (spare != 0 && (bitmap[bitmap.length - 1] & 0xFF) >>> spare != 0)
            throw new IllegalArgumentException("width map has bits set past its last unit");
        this.bitmap = bitmap;
        this.wideBefore = new int[rows + 1];
        for (int r = 0; r < rows; r++) {
            int count = 0;
            for (int u = 0; u < unitsPerRow; u++) if (isWide(r, u)) count++;
            wideBefore[r + 1] = wideBefore[r] + count;
        }
        int nb = blocks.blocksPerRow();
        this.storedBlocks = new int[Math.multiplyExact(rows, nb)];
        for (int r = 0; r < rows; r++) {
            int i = r * nb;
            for (boolean wide : new boolean[] {false, true}) {
                for (int u = 0; u < unitsPerRow; u++) {
                    if (isWide(r, u) != wide) continue;
                    for (int t = 0; t < blocksIn(u); t++) storedBlocks[i++] = firstBlock(u) + t;
                }
            }
        }
    }

    /** The layout for a width map (bitmap bytes as documented above; not copied, must not be modified). */
    public static MixedLayout of(int rows, BlockLayout blocks, byte[] bitmap) {
        return new MixedLayout(rows, blocks, bitmap);
    }

    /** Blocks per allocation unit for this block layout: 128/g for g dividing 128, else 1 (capped at the row). */
    public static int blocksPerUnit(BlockLayout blocks) {
        int g = blocks.blockSize();
        int perChunk = g < BitPacking.CHUNK && BitPacking.CHUNK % g == 0 ? BitPacking.CHUNK / g : 1;
        return Math.min(perChunk, blocks.blocksPerRow());
    }

    /** Allocation units in each row of this block layout. */
    public static int unitsPerRow(BlockLayout blocks) {
        int perUnit = blocksPerUnit(blocks);
        return (blocks.blocksPerRow() + perUnit - 1) / perUnit;
    }

    /** Indices one packed unit holds for this block layout (whole chunks). */
    public static int unitIndices(BlockLayout blocks) {
        return roundUpToChunk(blocksPerUnit(blocks) * blocks.blockSize());
    }

    /** Bytes of a width map over {@code units} units. */
    public static int bitmapBytes(long units) {
        return Math.toIntExact((units + 7) / 8);
    }

    public int rows() { return rows; }
    public BlockLayout blocks() { return blocks; }
    public int blocksPerUnit() { return blocksPerUnit; }
    public int unitsPerRow() { return unitsPerRow; }
    /** Indices one packed unit holds (whole chunks). */
    public int unitIndices() { return unitIndices; }
    /** The width map (shared, must not be modified). */
    public byte[] bitmap() { return bitmap; }

    /** First block of unit u. */
    public int firstBlock(int unit) {
        return unit * blocksPerUnit;
    }

    /** Blocks in unit u (the last unit of a row may hold fewer). */
    public int blocksIn(int unit) {
        return Math.min(blocksPerUnit, blocks.blocksPerRow() - unit * blocksPerUnit);
    }

    public boolean isWide(int row, int unit) {
        int i = row * unitsPerRow + unit;
        return (bitmap[i >>> 3] >>> (i & 7) & 1) != 0;
    }

    /** Whether every 16-row group has one width per unit (what {@link CodeLayout#MIXED_ROW_GROUPS_16} needs). */
    public boolean groupUniform() {
        for (int r = 0; r < rows; r++) {
            int first = r - r % CodeLayout.GROUP_ROWS;
            if (r == first) continue;
            for (int u = 0; u < unitsPerRow; u++) if (isWide(r, u) != isWide(first, u)) return false;
        }
        return true;
    }

    /** Units of the given width in row r. */
    public int units(int row, boolean wide) {
        int w = wideBefore[row + 1] - wideBefore[row];
        return wide ? w : unitsPerRow - w;
    }

    /** Units of the given width in rows [0, row): where row r's codes of that width start, in units. */
    public long unitsBefore(int row, boolean wide) {
        return wide ? wideBefore[row] : (long) row * unitsPerRow - wideBefore[row];
    }

    /** Units of the given width in the whole matrix. */
    public long totalUnits(boolean wide) {
        return unitsBefore(rows, wide);
    }

    /**
     * Block numbers in stored order, row after row (blocksPerRow per row): row r's narrow blocks then its wide
     * blocks, each ascending. Row r's first {@link #blocks(int, boolean) blocks(r, false)} entries are narrow.
     * Shared, must not be modified.
     */
    public int[] storedBlocks() { return storedBlocks; }

    /** Blocks of the given width in row r (the last unit of a row may hold fewer than blocksPerUnit). */
    public int blocks(int row, boolean wide) {
        int n = 0;
        for (int u = 0; u < unitsPerRow; u++) if (isWide(row, u) == wide) n += blocksIn(u);
        return n;
    }

    /** Writes row r's units of the given width, ascending, into dst; returns how many. */
    public int rowUnits(int row, boolean wide, int[] dst) {
        int n = 0;
        for (int u = 0; u < unitsPerRow; u++) if (isWide(row, u) == wide) dst[n++] = u;
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MixedLayout l && rows == l.rows && blocks.equals(l.blocks) && Arrays.equals(bitmap, l.bitmap);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * rows + blocks.hashCode()) + Arrays.hashCode(bitmap);
    }

    static int roundUpToChunk(int n) {
        return (n + BitPacking.CHUNK - 1) / BitPacking.CHUNK * BitPacking.CHUNK;
    }
}
