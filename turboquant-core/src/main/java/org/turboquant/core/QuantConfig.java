package org.turboquant.core;

/**
 * Options of TurboQuant_mse on a matrix.
 *
 * @param bits           bits per index, 1..8
 * @param blockSize      g, or {@link BlockLayout#WHOLE_ROW}
 * @param rotation       rotation kind
 * @param seed           the tensor's rotation seed (see {@link Seeds#tensorSeed})
 * @param normPrecision  how block scales are stored
 * @param normCorrection store the least-squares scale ⟨x, x̂⟩/‖x̂‖² instead of ‖x‖
 * @param scaleSearch    store each block with the scale (and nearest indices) that minimise its error, searched
 *                       exactly ({@link ScaleSearch}); decoding is unchanged. Excludes norm correction, which it
 *                       subsumes on whole blocks
 * @param scaleUnit      R, the unit scales are stored in: {@link NormPrecision#LOG8} stores 2^((c − 255)/16)·R, so
 *                       blocks are quantized divided by R and the stored centroids carry R ({@link #storedCentroids});
 *                       1 for f16 and f32
 */
public record QuantConfig(int bits, int blockSize, RotationKind rotation, long seed,
                          NormPrecision normPrecision, boolean normCorrection, boolean scaleSearch, float scaleUnit) {

    public QuantConfig {
        BitPacking.checkBits(bits);
        if (blockSize < 0) throw new IllegalArgumentException("block size must be >= 0");
        java.util.Objects.requireNonNull(rotation, "rotation");
        java.util.Objects.requireNonNull(normPrecision, "normPrecision");
        if (normCorrection && scaleSearch)
            throw new IllegalArgumentException("scale search and norm correction exclude each other");
        if (!(scaleUnit > 0) || !Float.isFinite(scaleUnit))
            throw new IllegalArgumentException("scale unit must be positive and finite, got " + scaleUnit);
        if (scaleUnit != 1f && normPrecision != NormPrecision.LOG8)
            throw new IllegalArgumentException("a scale unit other than 1 needs log8 scales, not " + normPrecision.id());
    }

    /** Scale unit 1. */
    public QuantConfig(int bits, int blockSize, RotationKind rotation, long seed, NormPrecision normPrecision,
                       boolean normCorrection, boolean scaleSearch) {
        this(bits, blockSize, rotation, seed, normPrecision, normCorrection, scaleSearch, 1f);
    }

    /** Without scale search. */
    public QuantConfig(int bits, int blockSize, RotationKind rotation, long seed, NormPrecision normPrecision,
                       boolean normCorrection) {
        this(bits, blockSize, rotation, seed, normPrecision, normCorrection, false);
    }

    /** Paper defaults: whole-row QR, f32 norms, no norm correction. */
    public static QuantConfig paper(int bits, long seed) {
        return new QuantConfig(bits, BlockLayout.WHOLE_ROW, RotationKind.QR, seed, NormPrecision.F32, false);
    }

    public QuantConfig withBits(int b) {
        return new QuantConfig(b, blockSize, rotation, seed, normPrecision, normCorrection, scaleSearch, scaleUnit);
    }

    public QuantConfig withSeed(long s) {
        return new QuantConfig(bits, blockSize, rotation, s, normPrecision, normCorrection, scaleSearch, scaleUnit);
    }

    public QuantConfig withScaleSearch(boolean on) {
        return new QuantConfig(bits, blockSize, rotation, seed, normPrecision, normCorrection && !on, on, scaleUnit);
    }

    /** This config with scale unit R ({@link NormPrecision#LOG8} only, or 1). */
    public QuantConfig withScaleUnit(float r) {
        return new QuantConfig(bits, blockSize, rotation, seed, normPrecision, normCorrection, scaleSearch, r);
    }

    /**
     * For log8 scales, this config with R fitted to the tensor {@code w[0..n)} ({@link NormPrecision#log8Unit} of its
     * largest magnitude, for rows of {@code cols}); unchanged otherwise.
     */
    public QuantConfig fittedTo(float[] w, int n, int cols) {
        return fittedTo(() -> {
            double max = 0;
            for (int i = 0; i < n; i++) max = Math.max(max, Math.abs((double) w[i]));
            return max;
        }, cols);
    }

    /**
     * As {@link #fittedTo(float[], int, int)} for a tensor whose largest magnitude {@code maxAbs} gives, asked only for
     * log8 scales (a packer reads the tensor once more for it).
     */
    public QuantConfig fittedTo(java.util.function.DoubleSupplier maxAbs, int cols) {
        if (normPrecision != NormPrecision.LOG8) return this;
        return withScaleUnit(NormPrecision.log8Unit(maxAbs.getAsDouble(), BlockLayout.of(cols, blockSize, rotation).blockSize()));
    }

    /** The centroids as stored and decoded: the codebook's levels times R (the codebook's own array when R = 1). */
    public float[] storedCentroids(Codebook codebook) {
        float[] c = codebook.centroids();
        if (scaleUnit == 1f) return c;
        float[] out = new float[c.length];
        for (int i = 0; i < c.length; i++) out[i] = c[i] * scaleUnit;
        return out;
    }
}
