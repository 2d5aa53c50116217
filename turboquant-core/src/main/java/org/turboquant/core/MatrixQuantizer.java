package org.turboquant.core;

/** TurboQuant_mse (Algorithm 1) on a whole row-major matrix held in memory. */
public final class MatrixQuantizer {
    private MatrixQuantizer() {}

    /** Quantizes {@code w} (rows × cols, row-major) into a heap-backed {@link QuantizedMatrix}. */
    public static QuantizedMatrix quantize(float[] w, int rows, int cols, QuantConfig config) {
        throw new UnsupportedOperationException("TODO");
    }
}
