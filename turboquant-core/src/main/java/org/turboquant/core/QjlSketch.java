package org.turboquant.core;

import java.lang.ref.SoftReference;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The QJL matrix S of TurboQuant_prod: g×g i.i.d. N(0, 1), filled row-major from
 * {@code SplitMix64(Seeds.qjlSeed(rotationSeed)).nextGaussian()} (docs/FORMAT.md). Immutable, cached per
 * (g, rotation seed) with soft references.
 */
public final class QjlSketch {
    private record Key(int dim, long rotationSeed) {}

    private static final ConcurrentHashMap<Key, SoftReference<QjlSketch>> CACHE = new ConcurrentHashMap<>();

    private final int dim;
    private final float[] matrix;

    /** Builds S for the given dimension and rotation seed (uncached). */
    public QjlSketch(int dim, long rotationSeed) {
        if (dim < 1) throw new IllegalArgumentException("dim must be >= 1, got " + dim);
        this.dim = dim;
        this.matrix = new float[Math.multiplyExact(dim, dim)];
        SplitMix64 random = new SplitMix64(Seeds.qjlSeed(rotationSeed));
        for (int i = 0; i < matrix.length; i++) matrix[i] = (float) random.nextGaussian();
    }

    /** The cached sketch. */
    public static QjlSketch of(int dim, long rotationSeed) {
        Key key = new Key(dim, rotationSeed);
        SoftReference<QjlSketch> ref = CACHE.get(key);
        QjlSketch s = ref == null ? null : ref.get();
        if (s == null) {
            s = new QjlSketch(dim, rotationSeed);
            CACHE.put(key, new SoftReference<>(s));
        }
        return s;
    }

    public int dim() { return dim; }

    /** Row-major S (g·g floats). Shared, never modify. */
    public float[] matrix() { return matrix; }

    /** out[outOff..+g) = S · v[off..+g), each sum in ascending column order, in double. */
    public void project(float[] v, int off, double[] out, int outOff) {
        for (int i = 0; i < dim; i++) {
            int row = i * dim;
            double s = 0;
            for (int j = 0; j < dim; j++) s += (double) matrix[row + j] * v[off + j];
            out[outOff + i] = s;
        }
    }

    /** out[0..g) += factor · Sᵀ · signs, with signs[i] = +1 for bit 1 and −1 for bit 0. */
    void addTransposedSigns(byte[] signBits, double factor, double[] out) {
        for (int i = 0; i < dim; i++) {
            double w = signBits[i] != 0 ? factor : -factor;
            int row = i * dim;
            for (int j = 0; j < dim; j++) out[j] += w * matrix[row + j];
        }
    }
}
