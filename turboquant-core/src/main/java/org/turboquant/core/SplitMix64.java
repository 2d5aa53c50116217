package org.turboquant.core;

/**
 * The project's only source of randomness: SplitMix64 (Steele, Lea, Flood 2014) with Box–Muller normals.
 * Implemented here, not taken from the JDK, so that docs/FORMAT.md can specify every bit and any language can
 * regenerate the same rotation. Transcendentals use {@link StrictMath} (fdlibm), whose results are specified.
 * Not thread-safe.
 */
public final class SplitMix64 {
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;
    private long state;
    private double spareGaussian;
    private boolean hasSpare;

    public SplitMix64(long seed) {
        this.state = seed;
    }

    public long nextLong() {
        state += GOLDEN_GAMMA;
        return mix(state);
    }

    /** The SplitMix64 output function; also used on its own to derive seeds. */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in [0, 1): the top 53 bits of the next output. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /**
     * Standard normal by Box–Muller: u1 = 1 − nextDouble() (in (0, 1]), u2 = nextDouble(),
     * r = sqrt(−2 ln u1); returns r·cos(2π u2), and on the next call r·sin(2π u2).
     */
    public double nextGaussian() {
        if (hasSpare) {
            hasSpare = false;
            return spareGaussian;
        }
        double u1 = 1.0 - nextDouble();
        double u2 = nextDouble();
        double r = StrictMath.sqrt(-2.0 * StrictMath.log(u1));
        double theta = 2.0 * StrictMath.PI * u2;
        spareGaussian = r * StrictMath.sin(theta);
        hasSpare = true;
        return r * StrictMath.cos(theta);
    }
}
