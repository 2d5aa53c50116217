package org.turboquant.core;

/**
 * Sub-scaled TurboQuant ({@link SubScaledBlockQuantizer}) on a whole matrix in memory, quantized and decoded by the
 * scalar reference in one step: the measurement path of {@code tq compare} for a candidate that has no pack format
 * (docs/RESULTS.md, "Sub-scales inside a block of 128"). Uniform width, or two widths by a {@link MixedLayout}.
 */
public final class SubScaledMatrices {
    private SubScaledMatrices() {}

    /** Bits one block stores besides its codes: the log8 super-scale and the sub-scale codes. */
    public static int scaleBitsPerBlock(int blockSize, int subSize, int subBits) {
        return 8 + blockSize / subSize * subBits;
    }

    /**
     * {@code w} (rows × cols, log8 {@code config} fitted to the tensor) quantized with sub-scales and decoded: blocks
     * of units the layout marks wide use the {@code wideBits} codebook, the rest {@code config.bits()}'s ({@code layout}
     * null: all narrow).
     */
    public static float[] quantizeDecode(float[] w, int rows, int cols, QuantConfig config, MixedLayout layout,
                                         int wideBits, int subSize, int subBits) {
        BlockLayout blocks = BlockLayout.of(cols, config.blockSize(), config.rotation());
        if (layout != null && (!layout.blocks().equals(blocks) || layout.rows() != rows))
            throw new IllegalArgumentException("layout is for another matrix");
        int g = blocks.blockSize();
        Rotation rotation = Rotation.of(config.rotation(), g, config.seed());
        Codebook narrow = Codebook.of(g, config.bits());
        Codebook wide = layout == null ? narrow : Codebook.of(g, wideBits);
        float[] narrowLevels = config.storedCentroids(narrow), wideLevels = config.storedCentroids(wide);
        SubScaledBlockQuantizer quantizer = new SubScaledBlockQuantizer(config, rotation, subSize, subBits);
        byte[] idx = new byte[g];
        byte[] sub = new byte[g / subSize];
        float[] out = new float[Math.multiplyExact(rows, cols)];
        for (int r = 0; r < rows; r++) {
            BlockQuantizer.checkFinite(w, r * cols, cols);
            for (int k = 0; k < blocks.blocksPerRow(); k++) {
                boolean isWide = layout != null && layout.isWide(r, k / layout.blocksPerUnit());
                int off = r * cols + k * g, len = blocks.blockLength(k);
                float s = quantizer.quantize(w, off, len, isWide ? wide : narrow, idx, 0, sub, 0);
                decodeBlock(isWide ? wideLevels : narrowLevels, idx, sub, subSize, subBits, rotation, s, len, out, off);
            }
        }
        return out;
    }

    /**
     * The scalar reference decode of one block: dst[dstOff..+len) = S · Pᵀ(v) cut to len, with
     * v_j = (m_k + 1)/2^subBits · levels[idx_j] for j in sub-block k.
     */
    static void decodeBlock(float[] levels, byte[] idx, byte[] sub, int subSize, int subBits, Rotation rotation,
                            float superScale, int len, float[] dst, int dstOff) {
        int g = rotation.dim();
        if (superScale == 0f) {
            java.util.Arrays.fill(dst, dstOff, dstOff + len, 0f);
            return;
        }
        float[] v = new float[g];
        for (int j = 0; j < g; j++) v[j] = SubScaledBlockQuantizer.subScale(sub[j / subSize], subBits) * levels[idx[j] & 0xFF];
        rotation.unrotate(v, 0, v, 0);
        for (int j = 0; j < len; j++) dst[dstOff + j] = superScale * v[j];
    }
}
