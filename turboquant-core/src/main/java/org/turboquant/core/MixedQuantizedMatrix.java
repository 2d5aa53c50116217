package org.turboquant.core;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/**
 * A matrix quantized with TurboQuant_mse at two widths: each allocation unit of blocks ({@link MixedLayout}) is
 * stored at the narrow or the wide width, chosen by block energy ({@link BitAllocation}). Rotation, block
 * layout and scales are those of a uniform {@link QuantizedMatrix}. The codes hold, row after row, the row's
 * narrow units (ascending) followed by its wide units (ascending), each unit packed into whole chunks: a row is
 * two runs that each decode with the same SIMD code as a uniform row, and rows can be written as a stream.
 *
 * <p>In {@link CodeLayout#MIXED_ROW_GROUPS_16} (docs/FORMAT.md §19) the width map is uniform over each 16-row group
 * and block (a <em>cell</em>), units are single blocks of whole chunks, and the codes are the cells in block-major
 * order, each holding its 16 rows' packed bytes interleaved ({@link #cellOffset}); scales are then in
 * {@link CodeLayout#ROW_GROUPS_16}'s order, so a 16-row table kernel reads every cell as a uniform group.
 *
 * <p>Immutable by contract: arrays and segments are shared, not copied, and must not be modified.
 */
public final class MixedQuantizedMatrix {

    /** The units of one width: their bits, the codebook they index and the bytes one packed unit takes. */
    public record Part(int bits, float[] centroids, long unitBytes) {
        public Part {
            BitPacking.checkBits(bits);
            Objects.requireNonNull(centroids, "centroids");
            if (centroids.length != 1 << bits)
                throw new IllegalArgumentException("expected " + (1 << bits) + " centroids, got " + centroids.length);
        }
    }

    private final MixedLayout layout;
    private final Rotation rotation;
    private final Part narrow;
    private final Part wide;
    private final MemorySegment codes;
    private final float[] scales;
    /** Where each row's codes start, rows + 1 entries (the last is the total). */
    private final long[] rowStart;
    /** Narrow blocks per row: row r's first narrowBlocks[r] stored blocks are narrow. */
    private final int[] narrowBlocks;
    private final CodeLayout codeLayout;
    private final int groups;
    /** {@link CodeLayout#MIXED_ROW_GROUPS_16}: where cell (k, G) starts, index k·groups + G; one more = total. */
    private final long[] cellStart;
    private final java.util.concurrent.ConcurrentHashMap<Object, Object> derived =
            new java.util.concurrent.ConcurrentHashMap<>(2);

    /** A matrix in {@link CodeLayout#ROWS} (row-major unit runs, row-major scales). */
    public MixedQuantizedMatrix(MixedLayout layout, Rotation rotation, int narrowBits, float[] narrowCentroids,
                                int wideBits, float[] wideCentroids, MemorySegment codes, float[] scales) {
        this(layout, rotation, narrowBits, narrowCentroids, wideBits, wideCentroids, codes, scales, CodeLayout.ROWS);
    }

    /** A matrix whose codes and scales are in {@code codeLayout}'s order: ROWS or MIXED_ROW_GROUPS_16. */
    public MixedQuantizedMatrix(MixedLayout layout, Rotation rotation, int narrowBits, float[] narrowCentroids,
                                int wideBits, float[] wideCentroids, MemorySegment codes, float[] scales,
                                CodeLayout codeLayout) {
        this.codeLayout = Objects.requireNonNull(codeLayout, "codeLayout");
        if (codeLayout == CodeLayout.ROW_GROUPS_16)
            throw new IllegalArgumentException("mixed-width matrices are grouped as " + CodeLayout.MIXED_ROW_GROUPS_16.id());
        this.layout = Objects.requireNonNull(layout, "layout");
        this.rotation = Objects.requireNonNull(rotation, "rotation");
        this.scales = Objects.requireNonNull(scales, "scales");
        if (narrowBits >= wideBits)
            throw new IllegalArgumentException("narrow width " + narrowBits + " must be below wide width " + wideBits);
        int n = layout.unitIndices();
        this.narrow = new Part(narrowBits, narrowCentroids, BitPacking.packedBytes(n, narrowBits));
        this.wide = new Part(wideBits, wideCentroids, BitPacking.packedBytes(n, wideBits));
        this.codes = Objects.requireNonNull(codes, "codes");
        this.rowStart = new long[layout.rows() + 1];
        this.narrowBlocks = new int[layout.rows()];
        for (int r = 0; r <= layout.rows(); r++) rowStart[r] = codeBytes(layout, narrow.unitBytes(), wide.unitBytes(), r);
        for (int r = 0; r < layout.rows(); r++) narrowBlocks[r] = layout.blocks(r, false);
        this.groups = (layout.rows() + CodeLayout.GROUP_ROWS - 1) / CodeLayout.GROUP_ROWS;
        this.cellStart = grouped() ? cellStarts(layout, narrowBits, wideBits) : null;
        if (codes.byteSize() < codeBytes())
            throw new IllegalArgumentException("codes hold " + codes.byteSize() + " bytes, need " + codeBytes());
        if (rotation.dim() != layout.blocks().blockSize())
            throw new IllegalArgumentException("rotation dim " + rotation.dim() + " != block size "
                    + layout.blocks().blockSize());
        long storedRows = grouped() ? (long) groups * CodeLayout.GROUP_ROWS : layout.rows();
        if (scales.length != storedRows * layout.blocks().blocksPerRow())
            throw new IllegalArgumentException("expected " + storedRows * layout.blocks().blocksPerRow()
                    + " scales, got " + scales.length);
    }

    /**
     * Cell starts of the grouped layout, index k·groups + G, one more entry = the total (checks that the width map is
     * uniform per cell and units are blocks): where a writer scatters rows, and where {@link #cellOffset} reads.
     */
    public static long[] cellStarts(MixedLayout layout, int narrowBits, int wideBits) {
        BlockLayout blocks = layout.blocks();
        if (!CodeLayout.groupable(blocks))
            throw new IllegalArgumentException(CodeLayout.MIXED_ROW_GROUPS_16.id() + " needs blocks of whole "
                    + BitPacking.CHUNK + "-index chunks, got block size " + blocks.blockSize());
        if (!layout.groupUniform())
            throw new IllegalArgumentException(CodeLayout.MIXED_ROW_GROUPS_16.id()
                    + " needs one width per 16-row group and unit");
        int nb = blocks.blocksPerRow(), groups = (layout.rows() + CodeLayout.GROUP_ROWS - 1) / CodeLayout.GROUP_ROWS;
        long narrowCell = BitPacking.packedBytes(blocks.blockSize(), narrowBits) * CodeLayout.GROUP_ROWS;
        long wideCell = BitPacking.packedBytes(blocks.blockSize(), wideBits) * CodeLayout.GROUP_ROWS;
        long[] start = new long[Math.multiplyExact(nb, groups) + 1];
        for (int k = 0, i = 0; k < nb; k++)
            for (int g = 0; g < groups; g++, i++)
                start[i + 1] = start[i] + (layout.isWide(g * CodeLayout.GROUP_ROWS, k) ? wideCell : narrowCell);
        return start;
    }

    /** Bytes of the codes of the grouped layout (cells block-major, the last group padded to 16 rows). */
    public static long groupedCodeBytes(MixedLayout layout, int narrowBits, int wideBits) {
        long[] start = cellStarts(layout, narrowBits, wideBits);
        return start[start.length - 1];
    }

    public CodeLayout codeLayout() { return codeLayout; }
    /** Whether the codes are in {@link CodeLayout#MIXED_ROW_GROUPS_16}. */
    public boolean grouped() { return codeLayout == CodeLayout.MIXED_ROW_GROUPS_16; }
    /** 16-row groups, the last one padded: ceil(rows / 16). */
    public int groups() { return groups; }

    /** Grouped layout: offset in {@link #codes()} of cell (block k, group G). */
    public long cellOffset(int block, int group) {
        return cellStart[block * groups + group];
    }

    /** Grouped layout: whether cell (block k, group G) is wide. */
    public boolean cellWide(int block, int group) {
        return layout.isWide(group * CodeLayout.GROUP_ROWS, block);
    }

    /** Where the scale of row r, block k sits in {@link #scales()}. */
    public int scaleIndex(int row, int block) {
        return !grouped() ? row * blocksPerRow() + block
                : (block * groups + row / CodeLayout.GROUP_ROWS) * CodeLayout.GROUP_ROWS + row % CodeLayout.GROUP_ROWS;
    }

    /**
     * Row r's run of units of the given width, as {@link CodeLayout#ROWS} stores it (its units ascending, each
     * packed), into dst[off..); returns the bytes written. Reads either layout: the grouped one is gathered.
     */
    public int rowRun(int row, boolean wideUnits, byte[] dst, int off) {
        Part part = part(wideUnits);
        int n = Math.toIntExact(layout.units(row, wideUnits) * part.unitBytes());
        if (!grouped()) {
            MemorySegment.copy(codes, ValueLayout.JAVA_BYTE, rowOffset(row, wideUnits), dst, off, n);
            return n;
        }
        int bytes = Math.toIntExact(part.unitBytes()), group = row / CodeLayout.GROUP_ROWS;
        int lane = row % CodeLayout.GROUP_ROWS, at = off;
        for (int k = 0; k < blocksPerRow(); k++) {
            if (layout.isWide(row, k) != wideUnits) continue;
            long base = cellOffset(k, group) + lane;
            for (int t = 0; t < bytes; t++)
                dst[at++] = codes.get(ValueLayout.JAVA_BYTE, base + (long) t * CodeLayout.GROUP_ROWS);
        }
        return n;
    }

    public int rows() { return layout.rows(); }
    public int cols() { return layout.blocks().cols(); }
    public MixedLayout layout() { return layout; }
    public BlockLayout blocks() { return layout.blocks(); }
    public int blockSize() { return layout.blocks().blockSize(); }
    public int blocksPerRow() { return layout.blocks().blocksPerRow(); }
    public Rotation rotation() { return rotation; }
    public Part narrow() { return narrow; }
    public Part wide() { return wide; }
    public Part part(boolean wideUnits) { return wideUnits ? wide : narrow; }
    public MemorySegment codes() { return codes; }
    public float[] scales() { return scales; }
    public float scale(int row, int block) { return scales[scaleIndex(row, block)]; }

    /** {@link CodeLayout#ROWS} only: byte offset of row r's run of units of the given width in {@link #codes()}. */
    public long rowOffset(int row, boolean wideUnits) {
        if (grouped()) throw new IllegalStateException("grouped codes have no row runs; see rowRun");
        return rowStart[row] + (wideUnits ? layout.units(row, false) * narrow.unitBytes() : 0);
    }

    /** Row r's blocks of the given width: its stored blocks [from, from + count) in {@link MixedLayout#storedBlocks()}. */
    public int blocksFrom(int row, boolean wideUnits) {
        return row * blocksPerRow() + (wideUnits ? narrowBlocks[row] : 0);
    }

    /** How many of row r's blocks have the given width. */
    public int blockCount(int row, boolean wideUnits) {
        return wideUnits ? blocksPerRow() - narrowBlocks[row] : narrowBlocks[row];
    }

    /**
     * The value {@code make} computes from this matrix, computed once per key and kept with it (as
     * {@link QuantizedMatrix#derived}): e.g. a row-order copy for kernels that cannot read the grouped layout.
     */
    public <T> T derived(Object key, Class<T> type, java.util.function.Function<MixedQuantizedMatrix, T> make) {
        return type.cast(derived.computeIfAbsent(key, k -> make.apply(this)));
    }

    /** Bytes of all codes (the grouped layout counts its padding rows). */
    public long codeBytes() {
        if (grouped()) return cellStart[cellStart.length - 1];
        return codeBytes(layout, narrow.unitBytes(), wide.unitBytes(), rows());
    }

    /** Bytes of the codes of rows [0, row): where row r starts. */
    public static long codeBytes(MixedLayout layout, long narrowUnitBytes, long wideUnitBytes, int row) {
        return layout.unitsBefore(row, false) * narrowUnitBytes + layout.unitsBefore(row, true) * wideUnitBytes;
    }

    /** Stored bits per weight: codes, scales of {@code scaleBits} each and the width map, over rows·cols. */
    public double bitsPerWeight(int scaleBits) {
        return (double) BitAllocation.mixedBits(rows(), blocks(), narrow.bits(), wide.bits(),
                layout.totalUnits(true), scaleBits) / ((double) rows() * cols());
    }
}
