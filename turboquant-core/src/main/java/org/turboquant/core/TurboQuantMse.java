package org.turboquant.core;

/**
 * TurboQuant_mse (Algorithm 1) for single vectors of length dim: keep ‖x‖, rotate u = x/‖x‖ with P, replace
 * each coordinate by the index of its nearest Lloyd–Max level. Decoding looks the levels up, rotates back with
 * Pᵀ and scales by the norm. Immutable and thread-safe.
 */
public final class TurboQuantMse {
    private final int dim;
    private final int bits;
    private final Rotation rotation;
    private final Codebook codebook;

    /** A quantized vector: dim indices (one byte each, unpacked) and the norm ‖x‖. */
    public record Code(byte[] indices, float norm) {}

    public TurboQuantMse(int dim, int bits, RotationKind kind, long seed) {
        this.dim = dim;
        this.bits = bits;
        this.rotation = Rotation.of(kind, dim, seed);
        this.codebook = Codebook.of(dim, bits);
    }

    public int dim() { return dim; }
    public int bits() { return bits; }
    public Rotation rotation() { return rotation; }
    public Codebook codebook() { return codebook; }

    public Code quantize(float[] x) {
        float[] unit = new float[dim];
        float norm = normalize(x, dim, unit);
        byte[] indices = new byte[dim];
        if (norm == 0f) return new Code(indices, 0f);
        float[] rotated = new float[dim];
        rotation.rotate(unit, 0, rotated, 0);
        for (int j = 0; j < dim; j++) indices[j] = (byte) codebook.quantize(rotated[j]);
        return new Code(indices, norm);
    }

    public float[] dequantize(Code code) {
        if (code.norm() == 0f) return new float[dim]; // exact +0.0, not 0 × negative levels
        float[] out = unitReconstruction(code.indices());
        for (int j = 0; j < dim; j++) out[j] *= code.norm();
        return out;
    }

    /** Pᵀ · c[indices]: the decoded unit vector before scaling. */
    float[] unitReconstruction(byte[] indices) {
        if (indices.length != dim) throw new IllegalArgumentException("expected " + dim + " indices, got " + indices.length);
        float[] levels = codebook.centroids();
        float[] v = new float[dim];
        for (int j = 0; j < dim; j++) v[j] = levels[indices[j] & 0xFF];
        rotation.unrotate(v, 0, v, 0);
        return v;
    }

    /** Writes x/‖x‖ (or zeros) into unit and returns ‖x‖ as a float; rejects non-finite values and wrong lengths. */
    static float normalize(float[] x, int dim, float[] unit) {
        if (x.length != dim) throw new IllegalArgumentException("expected a vector of length " + dim + ", got " + x.length);
        double sumSquares = 0;
        for (int j = 0; j < dim; j++) {
            if (!Float.isFinite(x[j])) throw new IllegalArgumentException("non-finite value " + x[j] + " at index " + j);
            sumSquares += (double) x[j] * x[j];
        }
        if (sumSquares == 0) return 0f;
        double norm = Math.sqrt(sumSquares);
        for (int j = 0; j < dim; j++) unit[j] = (float) (x[j] / norm);
        return (float) norm;
    }
}
