package org.turboquant.core;

/**
 * The scalar reference for decoding and for products straight from the codes: the ground truth every SIMD
 * kernel is tested against. Plain loops, double-free float arithmetic in a fixed order.
 */
public final class ScalarKernels {
    private ScalarKernels() {}

    /** dst[dstOff..+cols) = decoded row r. */
    public static void dequantizeRow(QuantizedMatrix m, int row, float[] dst, int dstOff) {
        checkRow(m, row);
        int g = m.blockSize();
        byte[] idx = unpackRow(m, row);
        float[] centroids = m.centroids();
        float[] block = new float[g];
        for (int k = 0; k < m.blocksPerRow(); k++) {
            int len = m.layout().blockLength(k);
            float scale = m.scale(row, k);
            if (scale == 0f) {
                java.util.Arrays.fill(dst, dstOff + k * g, dstOff + k * g + len, 0f);
                continue;
            }
            for (int j = 0; j < g; j++) block[j] = centroids[idx[k * g + j] & 0xFF];
            m.rotation().unrotate(block, 0, block, 0);
            for (int j = 0; j < len; j++) dst[dstOff + k * g + j] = scale * block[j];
        }
    }

    /** The whole matrix decoded, rows × cols row-major. */
    public static float[] dequantize(QuantizedMatrix m) {
        float[] out = new float[Math.multiplyExact(m.rows(), m.cols())];
        for (int r = 0; r < m.rows(); r++) dequantizeRow(m, r, out, r * m.cols());
        return out;
    }

    /**
     * Rotated input: for each block k, P · (x_k zero-padded to g), laid out as blocksPerRow·g floats.
     * Computed once per GEMV and shared by all rows.
     */
    public static float[] rotateInput(QuantizedMatrix m, float[] x, int xOff) {
        int g = m.blockSize();
        float[] padded = new float[g];
        float[] out = new float[m.layout().paddedCols()];
        for (int k = 0; k < m.blocksPerRow(); k++) {
            int len = m.layout().blockLength(k);
            System.arraycopy(x, xOff + k * g, padded, 0, len);
            java.util.Arrays.fill(padded, len, g, 0f);
            m.rotation().rotate(padded, 0, out, k * g);
        }
        return out;
    }

    /** y[r] = Σ_k scale[r,k] · Σ_j centroids[idx[r,k,j]] · (P x_k)_j for r in [0, rows). */
    public static void gemv(QuantizedMatrix m, float[] x, float[] y) {
        float[] rotated = rotateInput(m, x, 0);
        for (int r = 0; r < m.rows(); r++) y[r] = rowDot(m, r, unpackRow(m, r), rotated);
    }

    /** Y[b·rows + r] = row r · X[b·cols ..+cols) for b in [0, batch): batch row-major input vectors. */
    public static void gemm(QuantizedMatrix m, float[] x, int batch, float[] y) {
        float[][] rotated = new float[batch][];
        for (int b = 0; b < batch; b++) rotated[b] = rotateInput(m, x, b * m.cols());
        for (int r = 0; r < m.rows(); r++) {
            byte[] idx = unpackRow(m, r);
            for (int b = 0; b < batch; b++) y[b * m.rows() + r] = rowDot(m, r, idx, rotated[b]);
        }
    }

    /**
     * Row {@code row} times an input already rotated by {@link #rotateInput}: the per-row step of {@link #gemv},
     * public so that kernels restricted to row ranges can reuse the reference.
     */
    public static float rowDot(QuantizedMatrix m, int row, float[] rotated) {
        checkRow(m, row);
        return rowDot(m, row, unpackRow(m, row), rotated);
    }

    /** Σ_k scale[r,k] · (Σ_j centroids[idx_j] · rotated_j over block k), blocks and lanes in ascending order. */
    private static float rowDot(QuantizedMatrix m, int row, byte[] idx, float[] rotated) {
        int g = m.blockSize();
        float[] centroids = m.centroids();
        float sum = 0f;
        for (int k = 0; k < m.blocksPerRow(); k++) {
            float blockSum = 0f;
            for (int j = k * g; j < (k + 1) * g; j++) blockSum += centroids[idx[j] & 0xFF] * rotated[j];
            sum += m.scale(row, k) * blockSum;
        }
        return sum;
    }

    private static byte[] unpackRow(QuantizedMatrix m, int row) {
        int n = m.layout().paddedCols();
        byte[] idx = new byte[n];
        BitPacking.unpack(m.codes(), row * m.rowStrideBytes(), n, m.bits(), idx, 0);
        return idx;
    }

    private static void checkRow(QuantizedMatrix m, int row) {
        if (row < 0 || row >= m.rows()) throw new IndexOutOfBoundsException("row " + row + " of " + m.rows());
    }
}
