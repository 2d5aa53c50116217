package org.turboquant.core;

/**
 * A seeded random orthogonal map P on R^dim. Quantization rotates a block u to P·u; dequantization maps the
 * looked-up centroids back with Pᵀ. Implementations are immutable and thread-safe.
 */
public sealed interface Rotation permits QrRotation, HadamardRotation {

    int dim();

    RotationKind kind();

    long seed();

    /** dst[dstOff..+dim) = P · src[srcOff..+dim). src and dst may be the same array only if the ranges coincide. */
    void rotate(float[] src, int srcOff, float[] dst, int dstOff);

    /** dst[dstOff..+dim) = Pᵀ · src[srcOff..+dim). */
    void unrotate(float[] src, int srcOff, float[] dst, int dstOff);

    /** Double-precision {@link #rotate}, for tests and codebook experiments. */
    void rotate(double[] src, int srcOff, double[] dst, int dstOff);

    /** Double-precision {@link #unrotate}. */
    void unrotate(double[] src, int srcOff, double[] dst, int dstOff);

    /** The rotation of the given kind, dimension and seed; cached, so repeated calls are cheap. */
    static Rotation of(RotationKind kind, int dim, long seed) {
        return Rotations.get(kind, dim, seed);
    }
}
