package org.turboquant.core;

import java.lang.foreign.MemorySegment;

/**
 * Quantizes rows of a mixed-width matrix one at a time (the streaming counterpart of {@link RowQuantizer}):
 * each allocation unit is quantized with the codebook of the width its {@link MixedLayout} bit selects and
 * packed into that width's codes. One instance per thread.
 */
public final class MixedRowQuantizer {
    private final BlockLayout blocks;
    private final Rotation rotation;
    private final Codebook narrow;
    private final Codebook wide;
    private final QuantConfig config;
    private final BlockQuantizer quantizer;
    private final byte[] unitIdx;

    /** {@code config.bits()} is the narrow width. */
    public MixedRowQuantizer(int cols, QuantConfig config, int wideBits) {
        this.config = config;
        this.blocks = BlockLayout.of(cols, config.blockSize(), config.rotation());
        int g = blocks.blockSize();
        if (wideBits <= config.bits())
            throw new IllegalArgumentException("wide width " + wideBits + " must exceed " + config.bits());
        this.rotation = Rotation.of(config.rotation(), g, config.seed());
        this.narrow = Codebook.of(g, config.bits());
        this.wide = Codebook.of(g, wideBits);
        this.quantizer = new BlockQuantizer(config, rotation);
        this.unitIdx = new byte[MixedLayout.unitIndices(blocks)];
    }

    public BlockLayout blocks() { return blocks; }
    public Rotation rotation() { return rotation; }
    public Codebook narrowCodebook() { return narrow; }
    public Codebook wideCodebook() { return wide; }
    /** The narrow and wide centroids as stored (times the config's scale unit). */
    public float[] storedCentroids(boolean isWide) { return config.storedCentroids(isWide ? wide : narrow); }

    /**
     * Quantizes {@code src[srcOff..+cols)} as row {@code row} of {@code layout}: the row's narrow units, then its
     * wide units (each in ascending unit order) are packed from {@code codes[codesOff]}, and blocksPerRow scales
     * go to {@code scales[scalesOff]}.
     */
    public void quantizeRow(float[] src, int srcOff, MixedLayout layout, int row, MemorySegment codes, long codesOff,
                            float[] scales, int scalesOff) {
        if (!layout.blocks().equals(blocks)) throw new IllegalArgumentException("layout is for other blocks");
        BlockQuantizer.checkFinite(src, srcOff, blocks.cols());
        int g = blocks.blockSize();
        long narrowAt = codesOff;
        long wideAt = codesOff + layout.units(row, false) * BitPacking.packedBytes(unitIdx.length, narrow.bits());
        for (int u = 0; u < layout.unitsPerRow(); u++) {
            boolean isWide = layout.isWide(row, u);
            Codebook codebook = isWide ? wide : narrow;
            java.util.Arrays.fill(unitIdx, (byte) 0);
            for (int t = 0, k = layout.firstBlock(u); t < layout.blocksIn(u); t++, k++) {
                scales[scalesOff + k] = quantizer.quantize(src, srcOff + k * g, blocks.blockLength(k), codebook,
                        unitIdx, t * g, k);
            }
            long bytes = BitPacking.packedBytes(unitIdx.length, codebook.bits());
            BitPacking.pack(unitIdx, 0, unitIdx.length, codebook.bits(), codes, isWide ? wideAt : narrowAt);
            if (isWide) wideAt += bytes; else narrowAt += bytes;
        }
    }
}
