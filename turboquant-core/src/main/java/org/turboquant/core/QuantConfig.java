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
 */
public record QuantConfig(int bits, int blockSize, RotationKind rotation, long seed,
                          NormPrecision normPrecision, boolean normCorrection, boolean scaleSearch) {

    public QuantConfig {
        BitPacking.checkBits(bits);
        if (blockSize < 0) throw new IllegalArgumentException("block size must be >= 0");
        java.util.Objects.requireNonNull(rotation, "rotation");
        java.util.Objects.requireNonNull(normPrecision, "normPrecision");
        if (normCorrection && scaleSearch)
            throw new IllegalArgumentException("scale search and norm correction exclude each other");
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
        return new QuantConfig(b, blockSize, rotation, seed, normPrecision, normCorrection, scaleSearch);
    }

    public QuantConfig withSeed(long s) {
        return new QuantConfig(bits, blockSize, rotation, s, normPrecision, normCorrection, scaleSearch);
    }

    public QuantConfig withScaleSearch(boolean on) {
        return new QuantConfig(bits, blockSize, rotation, seed, normPrecision, normCorrection && !on, on);
    }
}
