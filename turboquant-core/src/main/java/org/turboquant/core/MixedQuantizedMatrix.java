package org.turboquant.core;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A matrix quantized with TurboQuant_mse at two widths: each allocation unit of blocks ({@link MixedLayout}) is
 * stored at the narrow or the wide width, chosen by block energy ({@link BitAllocation}). Rotation, block
 * layout and scales are those of a uniform {@link QuantizedMatrix}; only the codes are split into two
 * {@link Part}s, each a run of whole-chunk units in row-major order, so every unit decodes with the same SIMD
 * code as a uniform row.
 *
 * <p>Immutable by contract: arrays and segments are shared, not copied, and must not be modified.
 */
public final class MixedQuantizedMatrix {

    /** The units of one width: their packed codes and the codebook they index. */
    public record Part(int bits, float[] centroids, MemorySegment codes, long unitBytes) {
        public Part {
            BitPacking.checkBits(bits);
            Objects.requireNonNull(centroids, "centroids");
            Objects.requireNonNull(codes, "codes");
            if (centroids.length != 1 << bits)
                throw new IllegalArgumentException("expected " + (1 << bits) + " centroids, got " + centroids.length);
        }
    }

    private final MixedLayout layout;
    private final Rotation rotation;
    private final Part narrow;
    private final Part wide;
    private final float[] scales;

    public MixedQuantizedMatrix(MixedLayout layout, Rotation rotation, int narrowBits, float[] narrowCentroids,
                                MemorySegment narrowCodes, int wideBits, float[] wideCentroids,
                                MemorySegment wideCodes, float[] scales) {
        this.layout = Objects.requireNonNull(layout, "layout");
        this.rotation = Objects.requireNonNull(rotation, "rotation");
        this.scales = Objects.requireNonNull(scales, "scales");
        if (narrowBits >= wideBits)
            throw new IllegalArgumentException("narrow width " + narrowBits + " must be below wide width " + wideBits);
        int n = layout.unitIndices();
        this.narrow = new Part(narrowBits, narrowCentroids, narrowCodes, BitPacking.packedBytes(n, narrowBits));
        this.wide = new Part(wideBits, wideCentroids, wideCodes, BitPacking.packedBytes(n, wideBits));
        for (Part p : new Part[] {narrow, wide}) {
            long need = p.unitBytes() * layout.totalUnits(p == wide);
            if (p.codes().byteSize() < need)
                throw new IllegalArgumentException(p.bits() + "-bit codes hold " + p.codes().byteSize()
                        + " bytes, need " + need);
        }
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
    public float[] scales() { return scales; }
    public float scale(int row, int block) { return scales[row * blocksPerRow() + block]; }

    /** Byte offset of row r's first unit in the codes of the given width. */
    public long rowOffset(int row, boolean wideUnits) {
        return layout.unitsBefore(row, wideUnits) * part(wideUnits).unitBytes();
    }

    /** Stored bits per weight: codes, scales of {@code scaleBits} each and the width map, over rows·cols. */
    public double bitsPerWeight(int scaleBits) {
        return (double) BitAllocation.mixedBits(rows(), blocks(), narrow.bits(), wide.bits(),
                layout.totalUnits(true), scaleBits) / ((double) rows() * cols());
    }
}
