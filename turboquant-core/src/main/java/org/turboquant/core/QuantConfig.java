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
 */
public record QuantConfig(int bits, int blockSize, RotationKind rotation, long seed,
                          NormPrecision normPrecision, boolean normCorrection) {

    public QuantConfig {
        BitPacking.checkBits(bits);
        if (blockSize < 0) throw new IllegalArgumentException("block size must be >= 0");
        java.util.Objects.requireNonNull(rotation, "rotation");
        java.util.Objects.requireNonNull(normPrecision, "normPrecision");
    }

    /** Paper defaults: whole-row QR, f32 norms, no norm correction. */
    public static QuantConfig paper(int bits, long seed) {
        return new QuantConfig(bits, BlockLayout.WHOLE_ROW, RotationKind.QR, seed, NormPrecision.F32, false);
    }

    public QuantConfig withBits(int b) {
        return new QuantConfig(b, blockSize, rotation, seed, normPrecision, normCorrection);
    }

    public QuantConfig withSeed(long s) {
        return new QuantConfig(bits, blockSize, rotation, s, normPrecision, normCorrection);
    }
}
