package org.turboquant.core;

/**
 * The scalar reference for decoding and for products straight from the codes: the ground truth every SIMD
 * kernel is tested against. Plain loops, double-free float arithmetic in a fixed order.
 */
public final class ScalarKernels {
    private ScalarKernels() {}

    /** dst[dstOff..+cols) = decoded row r. */
    public static void dequantizeRow(QuantizedMatrix m, int row, float[] dst, int dstOff) {
        throw new UnsupportedOperationException("TODO");
    }

    /** The whole matrix decoded, rows × cols row-major. */
    public static float[] dequantize(QuantizedMatrix m) {
        throw new UnsupportedOperationException("TODO");
    }

    /**
     * Rotated input: for each block k, P · (x_k zero-padded to g), laid out as blocksPerRow·g floats.
     * Computed once per GEMV and shared by all rows.
     */
    public static float[] rotateInput(QuantizedMatrix m, float[] x, int xOff) {
        throw new UnsupportedOperationException("TODO");
    }

    /** y[r] = Σ_k scale[r,k] · Σ_j centroids[idx[r,k,j]] · (P x_k)_j for r in [0, rows). */
    public static void gemv(QuantizedMatrix m, float[] x, float[] y) {
        throw new UnsupportedOperationException("TODO");
    }

    /** Y[b·rows + r] = row r · X[b·cols ..+cols) for b in [0, batch): batch row-major input vectors. */
    public static void gemm(QuantizedMatrix m, float[] x, int batch, float[] y) {
        throw new UnsupportedOperationException("TODO");
    }
}
