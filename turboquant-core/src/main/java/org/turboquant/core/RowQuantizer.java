package org.turboquant.core;

import java.lang.foreign.MemorySegment;

/**
 * Quantizes matrix rows one at a time with TurboQuant_mse, so that a packer can stream a tensor of any size
 * through fixed scratch memory. One instance per thread (it owns scratch buffers).
 *
 * <p>Per block x (zero-padded to g): n = ‖x‖; u = x/n; y = P·u; idx_j = nearest level of y_j. The stored scale
 * is n, or with norm correction the least-squares scale ⟨x, x̂⟩/‖x̂‖² of the unit reconstruction
 * x̂ = Pᵀ·c[idx] restricted to the block's logical columns; either is rounded to the storage precision.
 */
public final class RowQuantizer {
    private final QuantConfig config;
    private final BlockLayout layout;
    private final Rotation rotation;
    private final Codebook codebook;
    private final long rowStrideBytes;
    private final float[] block;
    private final float[] rotated;
    private final float[] reconstruction;
    private final byte[] indices;

    public RowQuantizer(int cols, QuantConfig config) {
        this.config = java.util.Objects.requireNonNull(config, "config");
        this.layout = BlockLayout.of(cols, config.blockSize(), config.rotation());
        int g = layout.blockSize();
        this.rotation = Rotation.of(config.rotation(), g, config.seed());
        this.codebook = Codebook.of(g, config.bits());
        this.rowStrideBytes = BitPacking.packedBytes(layout.paddedCols(), config.bits());
        this.block = new float[g];
        this.rotated = new float[g];
        this.reconstruction = new float[g];
        this.indices = new byte[layout.paddedCols()];
    }

    public BlockLayout layout() { return layout; }

    public Rotation rotation() { return rotation; }

    public Codebook codebook() { return codebook; }

    /** Bytes one packed row takes: BitPacking.packedBytes(paddedCols, bits). */
    public long rowStrideBytes() { return rowStrideBytes; }

    /**
     * Quantizes {@code src[srcOff..+cols)}: writes rowStrideBytes() packed bytes at {@code codes[codesOff]} and
     * blocksPerRow scales (rounded to the configured precision) at {@code scales[scalesOff]}. An all-zero block
     * gets scale 0 (it decodes to exact zeros). Non-finite input throws {@link IllegalArgumentException}
     * naming the column.
     */
    public void quantizeRow(float[] src, int srcOff, MemorySegment codes, long codesOff, float[] scales, int scalesOff) {
        int cols = layout.cols();
        for (int j = 0; j < cols; j++) {
            if (!Float.isFinite(src[srcOff + j]))
                throw new IllegalArgumentException("non-finite value " + src[srcOff + j] + " at column " + j);
        }
        int g = layout.blockSize();
        for (int k = 0; k < layout.blocksPerRow(); k++) {
            int len = layout.blockLength(k);
            System.arraycopy(src, srcOff + k * g, block, 0, len);
            java.util.Arrays.fill(block, len, g, 0f);
            scales[scalesOff + k] = quantizeBlock(len, k * g, k);
        }
        BitPacking.pack(indices, 0, indices.length, config.bits(), codes, codesOff);
    }

    /** Quantizes {@link #block} (logical length len) into indices[base..+g); returns the stored scale. */
    private float quantizeBlock(int len, int base, int k) {
        int g = block.length;
        double sumSquares = 0;
        for (int j = 0; j < len; j++) sumSquares += (double) block[j] * block[j];
        if (sumSquares == 0) {
            java.util.Arrays.fill(indices, base, base + g, (byte) 0);
            return 0f;
        }
        double norm = Math.sqrt(sumSquares);
        float inverse = (float) (1 / norm);
        for (int j = 0; j < len; j++) block[j] *= inverse;
        rotation.rotate(block, 0, rotated, 0);
        for (int j = 0; j < g; j++) indices[base + j] = (byte) codebook.quantize(rotated[j]);
        double scale = config.normCorrection() ? correctedScale(norm, len, base) : norm;
        float stored = config.normPrecision().round((float) scale);
        if (!Float.isFinite(stored))
            throw new IllegalArgumentException("block " + k + " scale " + scale + " overflows " + config.normPrecision().id());
        return stored;
    }

    /** ⟨x, x̂⟩/‖x̂‖² with x = norm·u (u still in {@link #block}) and x̂ the decoded unit block cut to len. */
    private double correctedScale(double norm, int len, int base) {
        float[] centroids = codebook.centroids();
        int g = block.length;
        for (int j = 0; j < g; j++) reconstruction[j] = centroids[indices[base + j] & 0xFF];
        rotation.unrotate(reconstruction, 0, reconstruction, 0);
        double dot = 0, energy = 0;
        for (int j = 0; j < len; j++) {
            dot += (double) block[j] * reconstruction[j];
            energy += (double) reconstruction[j] * reconstruction[j];
        }
        return energy == 0 ? norm : norm * dot / energy;
    }
}
