package org.turboquant.core;

import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * A row-major matrix quantized with TurboQuant_mse: everything needed to decode it or multiply by it, and
 * nothing that needs re-solving (the centroids are carried, the rotation is regenerated from kind, g and seed).
 *
 * <p>Row r's packed indices start at {@code r · rowStrideBytes()} in {@link #codes()}: blocksPerRow·g indices,
 * packed by {@link BitPacking}. Block k of row r has scale {@code scales()[r · blocksPerRow + k]}
 * (already rounded to its storage precision). Weight row r ≈ concat_k scale[r,k] · Pᵀ · centroids[idx[r,k,·]],
 * truncated to {@code cols}.
 *
 * <p>Immutable by contract: the arrays and the segment are shared, not copied, and must not be modified.
 * {@link #derived} memoizes data computed from it (a kernel's re-laid-out copy of the codes), which lives as long
 * as the matrix does.
 */
public final class QuantizedMatrix {
    private final int rows;
    private final BlockLayout layout;
    private final int bits;
    private final Rotation rotation;
    private final float[] centroids;
    private final MemorySegment codes;
    private final long rowStrideBytes;
    private final float[] scales;
    private final ConcurrentHashMap<Object, Object> derived = new ConcurrentHashMap<>(2);

    public QuantizedMatrix(int rows, BlockLayout layout, int bits, Rotation rotation, float[] centroids,
                           MemorySegment codes, float[] scales) {
        this.rows = rows;
        this.layout = Objects.requireNonNull(layout, "layout");
        this.bits = bits;
        this.rotation = Objects.requireNonNull(rotation, "rotation");
        this.centroids = Objects.requireNonNull(centroids, "centroids");
        this.codes = Objects.requireNonNull(codes, "codes");
        this.scales = Objects.requireNonNull(scales, "scales");
        BitPacking.checkBits(bits);
        if (rows < 1) throw new IllegalArgumentException("rows must be >= 1, got " + rows);
        if (rotation.dim() != layout.blockSize())
            throw new IllegalArgumentException("rotation dim " + rotation.dim() + " != block size " + layout.blockSize());
        if (centroids.length != 1 << bits)
            throw new IllegalArgumentException("expected " + (1 << bits) + " centroids, got " + centroids.length);
        this.rowStrideBytes = BitPacking.packedBytes(layout.paddedCols(), bits);
        if (codes.byteSize() < rowStrideBytes * rows)
            throw new IllegalArgumentException("codes hold " + codes.byteSize() + " bytes, need " + rowStrideBytes * rows);
        if (scales.length != (long) rows * layout.blocksPerRow())
            throw new IllegalArgumentException("expected " + (long) rows * layout.blocksPerRow() + " scales, got " + scales.length);
    }

    public int rows() { return rows; }
    public int cols() { return layout.cols(); }
    public BlockLayout layout() { return layout; }
    public int blockSize() { return layout.blockSize(); }
    public int blocksPerRow() { return layout.blocksPerRow(); }
    public int bits() { return bits; }
    public Rotation rotation() { return rotation; }
    /** Ascending centroid values for unit vectors in R^g (≈ level/√g); index i decodes to centroids[i]. */
    public float[] centroids() { return centroids; }
    public MemorySegment codes() { return codes; }
    public long rowStrideBytes() { return rowStrideBytes; }
    public float[] scales() { return scales; }
    public float scale(int row, int block) { return scales[row * layout.blocksPerRow() + block]; }

    /**
     * The value {@code make} computes from this matrix, computed once per key (concurrent callers wait for the first)
     * and kept with the matrix: how a kernel keeps its own layout of the codes without callers managing it.
     */
    public <T> T derived(Object key, Class<T> type, Function<QuantizedMatrix, T> make) {
        return type.cast(derived.computeIfAbsent(key, k -> make.apply(this)));
    }
}
