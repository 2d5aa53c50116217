package org.turboquant.core;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A matrix quantized with TurboQuant_mse at two widths: each allocation unit of blocks ({@link MixedLayout}) is
 * stored at the narrow or the wide width, chosen by block energy ({@link BitAllocation}). Rotation, block
 * layout and scales are those of a uniform {@link QuantizedMatrix}. The codes hold, row after row, the row's
 * narrow units (ascending) followed by its wide units (ascending), each unit packed into whole chunks: a row is
 * two runs that each decode with the same SIMD code as a uniform row, and rows can be written as a stream.
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

    public MixedQuantizedMatrix(MixedLayout layout, Rotation rotation, int narrowBits, float[] narrowCentroids,
                                int wideBits, float[] wideCentroids, MemorySegment codes, float[] scales) {
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
        if (codes.byteSize() < codeBytes())
            throw new IllegalArgumentException("codes hold " + codes.byteSize() + " bytes, need " + codeBytes());
        if (rotation.dim() != layout.blocks().blockSize())
            throw new IllegalArgumentException("rotation dim " + rotation.dim() + " != block size "
                    + layout.blocks().blockSize());
        if (scales.length != (long) layout.rows() * layout.blocks().blocksPerRow())
            throw new IllegalArgumentException("expected " + (long) layout.rows() * layout.blocks().blocksPerRow()
                    + " scales, got " + scales.length);
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
    public float scale(int row, int block) { return scales[row * blocksPerRow() + block]; }

    /** Byte offset of row r's run of units of the given width in {@link #codes()}. */
    public long rowOffset(int row, boolean wideUnits) {
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

    /** Bytes of all codes. */
    public long codeBytes() {
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
