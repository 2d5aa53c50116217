package org.turboquant.core;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * A row-major matrix quantized with TurboQuant_mse: everything needed to decode it or multiply by it, and
 * nothing that needs re-solving (the centroids are carried, the rotation is regenerated from kind, g and seed).
 *
 * <p>Each row is blocksPerRow·g indices packed by {@link BitPacking} into {@link #rowStrideBytes()} bytes. Where
 * those bytes and the block scales sit in {@link #codes()} and {@link #scales()} is the matrix's {@link CodeLayout}:
 * {@link CodeLayout#ROWS} (row r's bytes at {@code r · rowStrideBytes()}, scale at {@code r · blocksPerRow + k}) or
 * {@link CodeLayout#ROW_GROUPS_16} (16 rows interleaved, block-major: the order the table kernels read, so a mapped
 * pack is multiplied in place). {@link #scale(int, int)} and {@link #rowCodes} read either. Scales are already
 * rounded to their storage precision. Weight row r ≈ concat_k scale[r,k] · Pᵀ · centroids[idx[r,k,·]], truncated to
 * {@code cols}.
 *
 * <p>Immutable by contract: the arrays and the segment are shared, not copied, and must not be modified.
 * {@link #derived} memoizes data computed from it (a kernel's re-laid-out copy of the codes, when the stored
 * layout is not the one that kernel reads), which lives as long
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
    private final CodeLayout codeLayout;
    private final int groups;
    private final ConcurrentHashMap<Object, Object> derived = new ConcurrentHashMap<>(2);

    /** A matrix in {@link CodeLayout#ROWS}. */
    public QuantizedMatrix(int rows, BlockLayout layout, int bits, Rotation rotation, float[] centroids,
                           MemorySegment codes, float[] scales) {
        this(rows, layout, bits, rotation, centroids, codes, scales, CodeLayout.ROWS);
    }

    /** A matrix whose codes and scales are in {@code codeLayout}'s order. */
    public QuantizedMatrix(int rows, BlockLayout layout, int bits, Rotation rotation, float[] centroids,
                           MemorySegment codes, float[] scales, CodeLayout codeLayout) {
        this.rows = rows;
        this.layout = Objects.requireNonNull(layout, "layout");
        this.bits = bits;
        this.rotation = Objects.requireNonNull(rotation, "rotation");
        this.centroids = Objects.requireNonNull(centroids, "centroids");
        this.codes = Objects.requireNonNull(codes, "codes");
        this.scales = Objects.requireNonNull(scales, "scales");
        this.codeLayout = Objects.requireNonNull(codeLayout, "codeLayout");
        BitPacking.checkBits(bits);
        if (rows < 1) throw new IllegalArgumentException("rows must be >= 1, got " + rows);
        if (rotation.dim() != layout.blockSize())
            throw new IllegalArgumentException("rotation dim " + rotation.dim() + " != block size " + layout.blockSize());
        if (centroids.length != 1 << bits)
            throw new IllegalArgumentException("expected " + (1 << bits) + " centroids, got " + centroids.length);
        if (codeLayout == CodeLayout.MIXED_ROW_GROUPS_16)
            throw new IllegalArgumentException(codeLayout.id() + " is a layout of mixed-width matrices only");
        if (codeLayout == CodeLayout.ROW_GROUPS_16 && !CodeLayout.groupable(layout))
            throw new IllegalArgumentException(codeLayout.id() + " needs blocks of whole " + BitPacking.CHUNK
                    + "-index chunks, got block size " + layout.blockSize());
        this.rowStrideBytes = BitPacking.packedBytes(layout.paddedCols(), bits);
        this.groups = (rows + CodeLayout.GROUP_ROWS - 1) / CodeLayout.GROUP_ROWS;
        if (codes.byteSize() < codeBytes())
            throw new IllegalArgumentException("codes hold " + codes.byteSize() + " bytes, need " + codeBytes());
        if (scales.length != storedRows() * layout.blocksPerRow())
            throw new IllegalArgumentException("expected " + storedRows() * layout.blocksPerRow() + " scales, got " + scales.length);
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
    /** The block scales, in {@link #codeLayout()}'s order ({@link #scaleIndex}). */
    public float[] scales() { return scales; }
    public float scale(int row, int block) { return scales[scaleIndex(row, block)]; }
    public CodeLayout codeLayout() { return codeLayout; }
    /** 16-row groups, the last one padded: ceil(rows / 16). */
    public int groups() { return groups; }

    /** Where the scale of row r, block k sits in {@link #scales()}. */
    public int scaleIndex(int row, int block) {
        return codeLayout == CodeLayout.ROWS ? row * layout.blocksPerRow() + block
                : (block * groups + row / CodeLayout.GROUP_ROWS) * CodeLayout.GROUP_ROWS + row % CodeLayout.GROUP_ROWS;
    }

    /** Packed bytes of one block of one row (whole chunks: {@link CodeLayout#groupable}). */
    public int bytesPerBlock() {
        return Math.toIntExact(rowStrideBytes / layout.blocksPerRow());
    }

    /** {@link CodeLayout#ROW_GROUPS_16}: offset in {@link #codes()} of block k of group G (16·bytesPerBlock bytes). */
    public long groupOffset(int block, int group) {
        return ((long) block * groups + group) * bytesPerBlock() * CodeLayout.GROUP_ROWS;
    }

    /** Bytes the codes take in this layout (the grouped layout counts its padding rows). */
    public long codeBytes() {
        return rowStrideBytes * storedRows();
    }

    /** Row r's packed bytes in row order (as {@link CodeLayout#ROWS} stores them) into dst[off..+rowStrideBytes). */
    public void rowCodes(int row, byte[] dst, int off) {
        if (codeLayout == CodeLayout.ROWS) {
            MemorySegment.copy(codes, ValueLayout.JAVA_BYTE, row * rowStrideBytes, dst, off, Math.toIntExact(rowStrideBytes));
            return;
        }
        int bpb = bytesPerBlock(), group = row / CodeLayout.GROUP_ROWS, lane = row % CodeLayout.GROUP_ROWS;
        for (int k = 0; k < layout.blocksPerRow(); k++) {
            long base = groupOffset(k, group) + lane;
            for (int t = 0; t < bpb; t++)
                dst[off + k * bpb + t] = codes.get(ValueLayout.JAVA_BYTE, base + (long) t * CodeLayout.GROUP_ROWS);
        }
    }

    private long storedRows() {
        return codeLayout == CodeLayout.ROWS ? rows : (long) groups * CodeLayout.GROUP_ROWS;
    }

    /**
     * The value {@code make} computes from this matrix, computed once per key (concurrent callers wait for the first)
     * and kept with the matrix: how a kernel keeps its own layout of the codes without callers managing it.
     */
    public <T> T derived(Object key, Class<T> type, Function<QuantizedMatrix, T> make) {
        return type.cast(derived.computeIfAbsent(key, k -> make.apply(this)));
    }
}
