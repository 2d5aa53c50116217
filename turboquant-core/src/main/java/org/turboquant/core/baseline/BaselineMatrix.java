package org.turboquant.core.baseline;

/** What every baseline format offers: decode a row, decode everything, multiply (scalar reference). */
public sealed interface BaselineMatrix permits Q8_0Matrix, Q4_0Matrix, RtnMatrix, BlockStreamMatrix {

    int rows();

    int cols();

    /** dst[off..+cols) = decoded row {@code row}. */
    void dequantizeRow(int row, float[] dst, int off);

    /** The whole matrix decoded, rows × cols row-major. */
    float[] dequantize();

    /** y = W·x. */
    void gemv(float[] x, float[] y);
}
