package org.turboquant.core;

import org.ejml.EjmlParameters;
import org.ejml.data.DMatrixRBlock;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.block.MatrixOps_DDRB;
import org.ejml.dense.block.decomposition.qr.QRDecompositionHouseholder_MT_DDRB;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.QRDecomposition;

/**
 * Haar-random orthogonal P = Q, where A = Q·R is the QR decomposition of a g×g matrix A of standard normals and
 * the column signs of Q are flipped so that diag(R) &gt; 0, which makes Q unique (docs/FORMAT.md, "Rotations").
 * A is filled row-major from {@code new SplitMix64(seed).nextGaussian()}.
 *
 * <p>P is kept twice: in double (the exact construction, for the double-precision paths and tests) and as
 * row-major floats (what kernels multiply with).
 */
public final class QrRotation implements Rotation {
    /**
     * From this size on, EJML's multithreaded blocked QR is used (cache-friendly level-3 updates: 32 s instead of
     * 92 s at g = 4096 on 2 cores); below it the Householder column QR is faster. Both give the same Q up to
     * rounding (Q is unique once diag(R) &gt; 0), and both are deterministic, so a given (g, seed) always yields
     * the same matrix.
     */
    static final int BLOCKED_QR_MIN_DIM = 2048;

    private final int dim;
    private final long seed;
    private final double[] matrix;
    private final float[] matrixFloat;

    /** Builds the rotation (uncached: use {@link Rotation#of} to share one instance). */
    public QrRotation(int dim, long seed) {
        if (dim < 1) throw new IllegalArgumentException("dim must be >= 1, got " + dim);
        if ((long) dim * dim > Integer.MAX_VALUE - 8)
            throw new IllegalArgumentException("dim " + dim + " too large for a dense QR rotation (use hadamard or blocks)");
        this.dim = dim;
        this.seed = seed;
        this.matrix = orthogonalFactor(dim, seed, dim >= BLOCKED_QR_MIN_DIM);
        this.matrixFloat = new float[matrix.length];
        for (int i = 0; i < matrix.length; i++) matrixFloat[i] = (float) matrix[i];
    }

    /** Q with diag(R) &gt; 0 for the Gaussian matrix of this seed, row-major. */
    static double[] orthogonalFactor(int g, long seed, boolean blocked) {
        DMatrixRMaj a = new DMatrixRMaj(g, g);
        SplitMix64 random = new SplitMix64(seed);
        for (int i = 0; i < g * g; i++) a.data[i] = random.nextGaussian();
        double[] p;
        double[] diagR = new double[g];
        if (blocked) {
            QRDecompositionHouseholder_MT_DDRB qr = new QRDecompositionHouseholder_MT_DDRB();
            if (!qr.decompose(MatrixOps_DDRB.convert(a, EjmlParameters.BLOCK_WIDTH)))
                throw new IllegalStateException("QR decomposition failed for dim " + g);
            p = MatrixOps_DDRB.convert(qr.getQ(null, false), (DMatrixRMaj) null).data;
            DMatrixRBlock r = qr.getR(null, false);
            for (int j = 0; j < g; j++) diagR[j] = r.get(j, j);
        } else {
            QRDecomposition<DMatrixRMaj> qr = DecompositionFactory_DDRM.qr(g, g);
            if (!qr.decompose(a)) throw new IllegalStateException("QR decomposition failed for dim " + g);
            p = qr.getQ(null, false).data;
            DMatrixRMaj r = qr.getR(null, false);
            for (int j = 0; j < g; j++) diagR[j] = r.get(j, j);
        }
        for (int j = 0; j < g; j++) {
            if (diagR[j] < 0) {
                for (int i = 0; i < g; i++) p[i * g + j] = -p[i * g + j];
            }
        }
        return p;
    }

    @Override public int dim() { return dim; }
    @Override public RotationKind kind() { return RotationKind.QR; }
    @Override public long seed() { return seed; }

    /** Row-major P as floats (g·g). Shared, never modify. */
    public float[] matrix() { return matrixFloat; }

    /** Row-major P in double (g·g). Shared, never modify. */
    public double[] matrixDouble() { return matrix; }

    @Override
    public void rotate(float[] src, int srcOff, float[] dst, int dstOff) {
        float[] in = aliasSafe(src, srcOff, dst, dstOff);
        int inOff = in == src ? srcOff : 0;
        int i = 0;
        // Four rows at a time: four independent sums (each still in ascending j) instead of one latency-bound chain.
        for (; i + 4 <= dim; i += 4) {
            int r0 = i * dim, r1 = r0 + dim, r2 = r1 + dim, r3 = r2 + dim;
            float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
            for (int j = 0; j < dim; j++) {
                float v = in[inOff + j];
                s0 += matrixFloat[r0 + j] * v;
                s1 += matrixFloat[r1 + j] * v;
                s2 += matrixFloat[r2 + j] * v;
                s3 += matrixFloat[r3 + j] * v;
            }
            dst[dstOff + i] = s0;
            dst[dstOff + i + 1] = s1;
            dst[dstOff + i + 2] = s2;
            dst[dstOff + i + 3] = s3;
        }
        for (; i < dim; i++) {
            int row = i * dim;
            float s = 0f;
            for (int j = 0; j < dim; j++) s += matrixFloat[row + j] * in[inOff + j];
            dst[dstOff + i] = s;
        }
    }

    @Override
    public void unrotate(float[] src, int srcOff, float[] dst, int dstOff) {
        float[] in = aliasSafe(src, srcOff, dst, dstOff);
        int inOff = in == src ? srcOff : 0;
        java.util.Arrays.fill(dst, dstOff, dstOff + dim, 0f);
        // Pᵀ·y as a sum of P's rows scaled by y_i: contiguous reads of the row-major matrix.
        for (int i = 0; i < dim; i++) {
            int row = i * dim;
            float yi = in[inOff + i];
            for (int j = 0; j < dim; j++) dst[dstOff + j] += matrixFloat[row + j] * yi;
        }
    }

    @Override
    public void rotate(double[] src, int srcOff, double[] dst, int dstOff) {
        double[] in = src == dst ? java.util.Arrays.copyOfRange(src, srcOff, srcOff + dim) : src;
        int inOff = in == src ? srcOff : 0;
        int i = 0;
        for (; i + 4 <= dim; i += 4) {
            int r0 = i * dim, r1 = r0 + dim, r2 = r1 + dim, r3 = r2 + dim;
            double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            for (int j = 0; j < dim; j++) {
                double v = in[inOff + j];
                s0 += matrix[r0 + j] * v;
                s1 += matrix[r1 + j] * v;
                s2 += matrix[r2 + j] * v;
                s3 += matrix[r3 + j] * v;
            }
            dst[dstOff + i] = s0;
            dst[dstOff + i + 1] = s1;
            dst[dstOff + i + 2] = s2;
            dst[dstOff + i + 3] = s3;
        }
        for (; i < dim; i++) {
            int row = i * dim;
            double s = 0;
            for (int j = 0; j < dim; j++) s += matrix[row + j] * in[inOff + j];
            dst[dstOff + i] = s;
        }
    }

    @Override
    public void unrotate(double[] src, int srcOff, double[] dst, int dstOff) {
        double[] in = src == dst ? java.util.Arrays.copyOfRange(src, srcOff, srcOff + dim) : src;
        int inOff = in == src ? srcOff : 0;
        java.util.Arrays.fill(dst, dstOff, dstOff + dim, 0.0);
        for (int i = 0; i < dim; i++) {
            int row = i * dim;
            double yi = in[inOff + i];
            for (int j = 0; j < dim; j++) dst[dstOff + j] += matrix[row + j] * yi;
        }
    }

    /** A dense product cannot run in place: copy the input when it shares the output array. */
    private float[] aliasSafe(float[] src, int srcOff, float[] dst, int dstOff) {
        return src == dst ? java.util.Arrays.copyOfRange(src, srcOff, srcOff + dim) : src;
    }
}
