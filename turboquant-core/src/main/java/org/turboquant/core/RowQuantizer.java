package org.turboquant.core;

import java.lang.foreign.MemorySegment;

/**
 * Quantizes matrix rows one at a time with TurboQuant_mse, so that a packer can stream a tensor of any size
 * through fixed scratch memory. One instance per thread (it owns scratch buffers). The per-block arithmetic is
 * {@link BlockQuantizer}'s.
 */
public final class RowQuantizer {
    private final QuantConfig config;
    private final BlockLayout layout;
    private final Rotation rotation;
    private final Codebook codebook;
    private final long rowStrideBytes;
    private final BlockQuantizer blocks;
    private final byte[] indices;

    public RowQuantizer(int cols, QuantConfig config) {
        this.config = java.util.Objects.requireNonNull(config, "config");
        this.layout = BlockLayout.of(cols, config.blockSize(), config.rotation());
        int g = layout.blockSize();
        this.rotation = Rotation.of(config.rotation(), g, config.seed());
        this.codebook = Codebook.of(g, config.bits());
        this.rowStrideBytes = BitPacking.packedBytes(layout.paddedCols(), config.bits());
        this.blocks = new BlockQuantizer(config, rotation);
        this.indices = new byte[layout.paddedCols()];
    }

    public BlockLayout layout() { return layout; }

    public Rotation rotation() { return rotation; }

    public Codebook codebook() { return codebook; }

    /** The centroids as stored (the codebook times the config's scale unit). */
    public float[] storedCentroids() { return config.storedCentroids(codebook); }

    /** Bytes one packed row takes: BitPacking.packedBytes(paddedCols, bits). */
    public long rowStrideBytes() { return rowStrideBytes; }

    /**
     * Quantizes {@code src[srcOff..+cols)}: writes rowStrideBytes() packed bytes at {@code codes[codesOff]} and
     * blocksPerRow scales (rounded to the configured precision) at {@code scales[scalesOff]}. An all-zero block
     * gets scale 0 (it decodes to exact zeros). Non-finite input throws {@link IllegalArgumentException}
     * naming the column.
     */
    public void quantizeRow(float[] src, int srcOff, MemorySegment codes, long codesOff, float[] scales, int scalesOff) {
        BlockQuantizer.checkFinite(src, srcOff, layout.cols());
        int g = layout.blockSize();
        for (int k = 0; k < layout.blocksPerRow(); k++) {
            scales[scalesOff + k] = blocks.quantize(src, srcOff + k * g, layout.blockLength(k), codebook, indices, k * g, k);
        }
        BitPacking.pack(indices, 0, indices.length, config.bits(), codes, codesOff);
    }
}
