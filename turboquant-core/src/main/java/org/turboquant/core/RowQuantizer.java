package org.turboquant.core;

import java.lang.foreign.MemorySegment;

/**
 * Quantizes matrix rows one at a time with TurboQuant_mse, so that a packer can stream a tensor of any size
 * through fixed scratch memory. One instance per thread (it owns scratch buffers).
 */
public final class RowQuantizer {
    // TODO(core)

    public RowQuantizer(int cols, QuantConfig config) {
        throw new UnsupportedOperationException("TODO");
    }

    public BlockLayout layout() { throw new UnsupportedOperationException("TODO"); }

    public Rotation rotation() { throw new UnsupportedOperationException("TODO"); }

    public Codebook codebook() { throw new UnsupportedOperationException("TODO"); }

    /** Bytes one packed row takes: BitPacking.packedBytes(paddedCols, bits). */
    public long rowStrideBytes() { throw new UnsupportedOperationException("TODO"); }

    /**
     * Quantizes {@code src[srcOff..+cols)}: writes rowStrideBytes() packed bytes at {@code codes[codesOff]} and
     * blocksPerRow scales (rounded to the configured precision) at {@code scales[scalesOff]}. An all-zero block
     * gets scale 0 (it decodes to exact zeros). Non-finite input throws {@link IllegalArgumentException}
     * naming the column.
     */
    public void quantizeRow(float[] src, int srcOff, MemorySegment codes, long codesOff, float[] scales, int scalesOff) {
        throw new UnsupportedOperationException("TODO");
    }
}
