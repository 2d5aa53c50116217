package org.turboquant.core;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Lloyd–Max scalar quantizer for one coordinate of a uniformly random point on the unit sphere S^{dim−1}:
 * density f(t) ∝ (1 − t²)^{(dim−3)/2} on [−1, 1] (exact, not the Gaussian approximation). Symmetric,
 * converged to 1e-10 in the standardized coordinate √dim·t, cached per (dim, bits). Immutable and thread-safe.
 *
 * <p>dim = 2 is the arcsine density (α = −1/2) and is solved like any other dimension. dim = 1 is degenerate:
 * a unit vector in R^1 is ±1, so every codebook containing ±1 is exact; we use 2^bits evenly spaced levels from
 * −1 to 1 (distortion 0).
 */
public final class Codebook {
    /** Convergence of the Lloyd–Max conditions, in units of the coordinate's standard deviation 1/√dim. */
    public static final double TOLERANCE = 1e-10;

    private static final ConcurrentHashMap<Long, Codebook> CACHE = new ConcurrentHashMap<>();

    private final int dim;
    private final int bits;
    private final double[] centroids;
    private final float[] centroidsFloat;
    private final double[] boundaries;
    private final double distortion;

    private Codebook(int dim, int bits, double[] centroids, double distortion) {
        this.dim = dim;
        this.bits = bits;
        this.centroids = centroids;
        this.centroidsFloat = new float[centroids.length];
        for (int i = 0; i < centroids.length; i++) centroidsFloat[i] = (float) centroids[i];
        this.boundaries = new double[centroids.length - 1];
        for (int i = 0; i < boundaries.length; i++) boundaries[i] = (centroids[i] + centroids[i + 1]) / 2;
        this.distortion = distortion;
    }

    /** The cached codebook for dim ≥ 1 (dim 1 and 2 as documented above), bits 1..8. */
    public static Codebook of(int dim, int bits) {
        checkArguments(dim, bits);
        return CACHE.computeIfAbsent(((long) dim << 8) | bits, key -> solve(dim, bits));
    }

    /** Solves the codebook without the cache (for benchmarks of the build time). */
    public static Codebook solve(int dim, int bits) {
        checkArguments(dim, bits);
        if (dim == 1) return evenlySpacedUnitCodebook(bits);
        SphereCoordinateDensity density = SphereCoordinateDensity.forDimension(dim);
        int half = 1 << (bits - 1);
        double[] upper = new LloydMaxSolver(density, half, TOLERANCE / Math.sqrt(dim)).solve();
        double[] all = new double[2 * half];
        for (int i = 0; i < half; i++) {
            all[half + i] = upper[i];
            all[half - 1 - i] = -upper[i];
        }
        return new Codebook(dim, bits, all, distortion(density, dim, upper));
    }

    /**
     * dim · E(t − q(t))² = 1 + dim · Σ_i (c_i² P_i − 2 c_i M_i) / T(0) over the upper cells, using E t² = 1/dim;
     * P_i and M_i are the cell's mass and first moment, T(0) the mass of [0, 1].
     */
    private static double distortion(SphereCoordinateDensity density, int dim, double[] upper) {
        double halfMass = density.upperMass(0);
        double lowerMass = halfMass, lowerMoment = density.upperMoment(0), sum = 0;
        for (int i = 0; i < upper.length; i++) {
            double boundary = i + 1 < upper.length ? (upper[i] + upper[i + 1]) / 2 : 1;
            double mass = density.upperMass(boundary), moment = density.upperMoment(boundary);
            double c = upper[i];
            sum += c * c * (lowerMass - mass) - 2 * c * (lowerMoment - moment);
            lowerMass = mass;
            lowerMoment = moment;
        }
        return 1 + dim * sum / halfMass;
    }

    private static Codebook evenlySpacedUnitCodebook(int bits) {
        int n = 1 << bits;
        double[] c = new double[n];
        for (int i = 0; i < n; i++) c[i] = (2.0 * i - (n - 1)) / (n - 1); // exactly symmetric
        return new Codebook(1, bits, c, 0);
    }

    private static void checkArguments(int dim, int bits) {
        if (dim < 1) throw new IllegalArgumentException("dim must be >= 1, got " + dim);
        BitPacking.checkBits(bits);
    }

    public int dim() { return dim; }

    public int bits() { return bits; }

    /** 2^bits ascending levels in t (not scaled by √dim). Shared, never modify. */
    public float[] centroids() { return centroidsFloat; }

    /** The levels in double. A copy. */
    public double[] centroidsDouble() { return centroids.clone(); }

    /** 2^bits − 1 decision boundaries (midpoints of adjacent centroids). A copy. */
    public double[] boundaries() { return boundaries.clone(); }

    /** E‖u − û‖² for a unit u in R^dim = dim × the per-coordinate MSE. */
    public double distortion() { return distortion; }

    /** Index of the nearest centroid (ties to the lower index): the number of boundaries strictly below t. */
    public int quantize(double t) {
        int lo = 0, hi = boundaries.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (boundaries[mid] < t) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    @Override
    public String toString() {
        return "Codebook[dim=" + dim + ", bits=" + bits + ", distortion=" + distortion + ", centroids="
                + Arrays.toString(centroidsFloat) + "]";
    }
}
