package org.turboquant.core;

/**
 * Lloyd–Max scalar quantizer for one coordinate of a uniformly random point on the unit sphere S^{dim−1}:
 * density f(t) ∝ (1 − t²)^{(dim−3)/2} on [−1, 1] (exact, not the Gaussian approximation). Symmetric,
 * converged to 1e-10, cached per (dim, bits). Immutable and thread-safe.
 */
public final class Codebook {
    // TODO(core): solver; fields for dim, bits, centroids (double + float), boundaries, distortion.

    /** The cached codebook for (dim ≥ 3... also 1 and 2, see docs/FORMAT.md), bits 1..8. */
    public static Codebook of(int dim, int bits) {
        throw new UnsupportedOperationException("TODO");
    }

    public int dim() { throw new UnsupportedOperationException("TODO"); }

    public int bits() { throw new UnsupportedOperationException("TODO"); }

    /** 2^bits ascending levels in t (not scaled by √dim). */
    public float[] centroids() { throw new UnsupportedOperationException("TODO"); }

    public double[] centroidsDouble() { throw new UnsupportedOperationException("TODO"); }

    /** 2^bits − 1 decision boundaries (midpoints of adjacent centroids). */
    public double[] boundaries() { throw new UnsupportedOperationException("TODO"); }

    /** E‖u − û‖² for a unit u in R^dim = dim × the per-coordinate MSE. */
    public double distortion() { throw new UnsupportedOperationException("TODO"); }

    /** Index of the nearest centroid (ties to the lower index). */
    public int quantize(double t) { throw new UnsupportedOperationException("TODO"); }
}
