package org.turboquant.core;

/**
 * TurboQuant_prod (Algorithm 2) for single vectors of length dim: u = x/‖x‖ is quantized with TurboQuant_mse at
 * bits − 1 bits (û = 0 when bits = 1), and the residual r = u − û is kept as its norm ‖r‖ and the 1-bit QJL
 * sketch sign(S·r) (sign(0) = +1). For any y,
 * ⟨y, x⟩ ≈ ‖x‖ · (⟨y, û⟩ + √(π/2)/dim · ‖r‖ · ⟨S·y, sign(S·r)⟩), an unbiased estimate. Immutable, thread-safe.
 */
public final class TurboQuantProd {
    private final int dim;
    private final int bits;
    private final TurboQuantMse mse;
    private final QjlSketch sketch;
    private final double qjlFactor;

    /**
     * A quantized vector: the mse indices (dim bytes, all 0 when bits = 1), the sign bits packed with
     * {@link BitPacking} at 1 bit (bit 1 = +1), ‖x‖ and ‖r‖ (of the unit vector's residual).
     */
    public record Code(byte[] mseIndices, byte[] signBits, float norm, float residualNorm) {}

    public TurboQuantProd(int dim, int bits, RotationKind kind, long seed) {
        this(dim, bits, kind, seed, QjlSketch.of(dim, seed));
    }

    /** With an explicit sketch (tests draw a fresh S to average over its randomness). */
    TurboQuantProd(int dim, int bits, RotationKind kind, long seed, QjlSketch sketch) {
        BitPacking.checkBits(bits);
        if (sketch.dim() != dim) throw new IllegalArgumentException("sketch dim " + sketch.dim() + " != " + dim);
        this.dim = dim;
        this.bits = bits;
        this.mse = bits >= 2 ? new TurboQuantMse(dim, bits - 1, kind, seed) : null;
        this.sketch = sketch;
        this.qjlFactor = Math.sqrt(Math.PI / 2) / dim;
    }

    public int dim() { return dim; }
    public int bits() { return bits; }
    /** The (bits − 1)-bit mse stage, or null when bits = 1. */
    public TurboQuantMse mse() { return mse; }
    public QjlSketch sketch() { return sketch; }

    public Code quantize(float[] x) {
        byte[] indices = new byte[dim];
        byte[] signs = new byte[dim];
        Norms norms = encode(x, indices, signs);
        return new Code(indices, BitPacking.pack(signs, 1), norms.norm(), norms.residualNorm());
    }

    /** ‖x‖ and ‖r‖ of one encoded vector. */
    record Norms(float norm, float residualNorm) {}

    /**
     * Encodes x into unpacked indices and sign bits (dim each) and returns its norms. A zero vector gives zero
     * norms, indices 0 and bits 0.
     */
    Norms encode(float[] x, byte[] indices, byte[] signs) {
        float[] unit = new float[dim];
        float norm = TurboQuantMse.normalize(x, dim, unit);
        java.util.Arrays.fill(indices, 0, dim, (byte) 0);
        java.util.Arrays.fill(signs, 0, dim, (byte) 0);
        if (norm == 0f) return new Norms(0f, 0f);
        float[] residual = unit.clone();
        if (mse != null) {
            byte[] idx = mse.quantize(unit).indices();
            System.arraycopy(idx, 0, indices, 0, dim);
            float[] approx = mse.unitReconstruction(idx);
            for (int j = 0; j < dim; j++) residual[j] = unit[j] - approx[j];
        }
        double sumSquares = 0;
        for (float v : residual) sumSquares += (double) v * v;
        double[] projected = new double[dim];
        sketch.project(residual, 0, projected, 0);
        for (int i = 0; i < dim; i++) signs[i] = (byte) (projected[i] >= 0 ? 1 : 0);
        return new Norms(norm, (float) Math.sqrt(sumSquares));
    }

    /** The unbiased estimate of ⟨y, x⟩ from the code. */
    public double estimateInnerProduct(Code code, float[] y) {
        if (y.length != dim) throw new IllegalArgumentException("expected a vector of length " + dim + ", got " + y.length);
        if (code.norm() == 0f) return 0;
        double mseTerm = 0;
        if (mse != null) {
            float[] approx = mse.unitReconstruction(code.mseIndices());
            for (int j = 0; j < dim; j++) mseTerm += (double) approx[j] * y[j];
        }
        double[] sy = new double[dim];
        sketch.project(y, 0, sy, 0);
        byte[] signs = BitPacking.unpack(code.signBits(), dim, 1);
        double agreement = 0;
        for (int i = 0; i < dim; i++) agreement += signs[i] != 0 ? sy[i] : -sy[i];
        return code.norm() * (mseTerm + qjlFactor * code.residualNorm() * agreement);
    }

    /** ‖x‖ · (û + √(π/2)/dim · ‖r‖ · Sᵀ·sign(S·r)): the reconstruction whose inner products are the estimates. */
    public float[] dequantize(Code code) {
        double[] v = new double[dim];
        if (code.norm() != 0f) {
            if (mse != null) {
                float[] approx = mse.unitReconstruction(code.mseIndices());
                for (int j = 0; j < dim; j++) v[j] = approx[j];
            }
            sketch.addTransposedSigns(BitPacking.unpack(code.signBits(), dim, 1), qjlFactor * code.residualNorm(), v);
        }
        float[] out = new float[dim];
        for (int j = 0; j < dim; j++) out[j] = (float) (code.norm() * v[j]);
        return out;
    }

    /** √(π/2)/dim, the QJL de-biasing factor. */
    double qjlFactor() {
        return qjlFactor;
    }
}
