package org.turboquant.core;

/**
 * P = H·D/√g: a random ±1 diagonal D (sign_i = −1 iff the i-th {@code SplitMix64(seed).nextLong()} is negative)
 * followed by the Sylvester Walsh–Hadamard matrix H (H_ij = (−1)^popcount(i AND j)) normalized by 1/√g.
 * g must be a power of two. Applied with the in-place fast transform in O(g log g); H is never formed.
 */
public final class HadamardRotation implements Rotation {
    private final int dim;
    private final long seed;
    private final float[] signs;
    private final float norm;

    /** Builds the rotation (uncached: use {@link Rotation#of} to share one instance). */
    public HadamardRotation(int dim, long seed) {
        if (dim < 1 || Integer.bitCount(dim) != 1)
            throw new IllegalArgumentException("hadamard needs a power-of-two dimension, got " + dim);
        this.dim = dim;
        this.seed = seed;
        this.signs = new float[dim];
        SplitMix64 random = new SplitMix64(seed);
        for (int i = 0; i < dim; i++) signs[i] = random.nextLong() < 0 ? -1f : 1f;
        this.norm = (float) (1.0 / Math.sqrt(dim));
    }

    @Override public int dim() { return dim; }
    @Override public RotationKind kind() { return RotationKind.HADAMARD; }
    @Override public long seed() { return seed; }

    /** The diagonal D as ±1 floats. Shared, never modify. */
    public float[] signs() { return signs; }

    @Override
    public void rotate(float[] src, int srcOff, float[] dst, int dstOff) {
        for (int i = 0; i < dim; i++) dst[dstOff + i] = src[srcOff + i] * signs[i];
        transform(dst, dstOff);
        for (int i = 0; i < dim; i++) dst[dstOff + i] *= norm;
    }

    @Override
    public void unrotate(float[] src, int srcOff, float[] dst, int dstOff) {
        // Pᵀ = D·H/√g, since H is symmetric.
        if (src != dst || srcOff != dstOff) System.arraycopy(src, srcOff, dst, dstOff, dim);
        transform(dst, dstOff);
        for (int i = 0; i < dim; i++) dst[dstOff + i] *= norm * signs[i];
    }

    @Override
    public void rotate(double[] src, int srcOff, double[] dst, int dstOff) {
        for (int i = 0; i < dim; i++) dst[dstOff + i] = src[srcOff + i] * signs[i];
        transform(dst, dstOff);
        double scale = 1.0 / Math.sqrt(dim);
        for (int i = 0; i < dim; i++) dst[dstOff + i] *= scale;
    }

    @Override
    public void unrotate(double[] src, int srcOff, double[] dst, int dstOff) {
        if (src != dst || srcOff != dstOff) System.arraycopy(src, srcOff, dst, dstOff, dim);
        transform(dst, dstOff);
        double scale = 1.0 / Math.sqrt(dim);
        for (int i = 0; i < dim; i++) dst[dstOff + i] *= scale * signs[i];
    }

    /** In-place unnormalized Walsh–Hadamard transform (Sylvester order) of v[off..+dim). */
    static void transform(float[] v, int off, int dim) {
        for (int h = 1; h < dim; h <<= 1) {
            for (int i = 0; i < dim; i += h << 1) {
                for (int j = off + i; j < off + i + h; j++) {
                    float a = v[j], b = v[j + h];
                    v[j] = a + b;
                    v[j + h] = a - b;
                }
            }
        }
    }

    private void transform(float[] v, int off) {
        transform(v, off, dim);
    }

    private void transform(double[] v, int off) {
        for (int h = 1; h < dim; h <<= 1) {
            for (int i = 0; i < dim; i += h << 1) {
                for (int j = off + i; j < off + i + h; j++) {
                    double a = v[j], b = v[j + h];
                    v[j] = a + b;
                    v[j + h] = a - b;
                }
            }
        }
    }
}
