package org.turboquant.core;

import java.lang.foreign.MemorySegment;

/**
 * The scalar reference for decoding and for products straight from the codes: the ground truth every SIMD
 * kernel is tested against. Plain loops, double-free float arithmetic in a fixed order.
 */
public final class ScalarKernels {
    private ScalarKernels() {}

    /** dst[dstOff..+cols) = decoded row r. */
    public static void dequantizeRow(QuantizedMatrix m, int row, float[] dst, int dstOff) {
        checkRow(m.rows(), row);
        int g = m.blockSize();
        byte[] idx = unpackRow(m, row);
        float[] block = new float[g];
        for (int k = 0; k < m.blocksPerRow(); k++) {
            decodeBlock(m.centroids(), idx, k * g, m.rotation(), m.scale(row, k), m.layout().blockLength(k), block,
                    dst, dstOff + k * g);
        }
    }

    /** dst[dstOff..+len) = scale · Pᵀ · centroids[idx[idxOff..+g)], cut to len (block is scratch of length g). */
    private static void decodeBlock(float[] centroids, byte[] idx, int idxOff, Rotation rotation, float scale,
                                    int len, float[] block, float[] dst, int dstOff) {
        if (scale == 0f) {
            java.util.Arrays.fill(dst, dstOff, dstOff + len, 0f);
            return;
        }
        for (int j = 0; j < block.length; j++) block[j] = centroids[idx[idxOff + j] & 0xFF];
        rotation.unrotate(block, 0, block, 0);
        for (int j = 0; j < len; j++) dst[dstOff + j] = scale * block[j];
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
        return rotateInput(m.layout(), m.rotation(), x, xOff);
    }

    private static float[] rotateInput(BlockLayout layout, Rotation rotation, float[] x, int xOff) {
        int g = layout.blockSize();
        float[] padded = new float[g];
        float[] out = new float[layout.paddedCols()];
        for (int k = 0; k < layout.blocksPerRow(); k++) {
            int len = layout.blockLength(k);
            System.arraycopy(x, xOff + k * g, padded, 0, len);
            java.util.Arrays.fill(padded, len, g, 0f);
            rotation.rotate(padded, 0, out, k * g);
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
        checkRow(m.rows(), row);
        return rowDot(m, row, unpackRow(m, row), rotated);
    }

    /** Σ_k scale[r,k] · (Σ_j centroids[idx_j] · rotated_j over block k), blocks and lanes in ascending order. */
    private static float rowDot(QuantizedMatrix m, int row, byte[] idx, float[] rotated) {
        int g = m.blockSize();
        float sum = 0f;
        for (int k = 0; k < m.blocksPerRow(); k++) {
            sum += m.scale(row, k) * blockDot(m.centroids(), idx, k * g, rotated, k * g, g);
        }
        return sum;
    }

    private static float blockDot(float[] centroids, byte[] idx, int idxOff, float[] rotated, int rotatedOff, int g) {
        float blockSum = 0f;
        for (int j = 0; j < g; j++) blockSum += centroids[idx[idxOff + j] & 0xFF] * rotated[rotatedOff + j];
        return blockSum;
    }

    // ---- Mixed widths. Order: the narrow units of the row, ascending, then the wide ones; blocks ascending.

    /** dst[dstOff..+cols) = decoded row r of a mixed-width matrix. */
    public static void dequantizeRow(MixedQuantizedMatrix m, int row, float[] dst, int dstOff) {
        checkRow(m.rows(), row);
        float[] block = new float[m.blockSize()];
        forEachBlock(m, row, (k, centroids, idx, idxOff) -> decodeBlock(centroids, idx, idxOff, m.rotation(),
                m.scale(row, k), m.blocks().blockLength(k), block, dst, dstOff + k * m.blockSize()));
    }

    /** The whole mixed-width matrix decoded, rows × cols row-major. */
    public static float[] dequantize(MixedQuantizedMatrix m) {
        float[] out = new float[Math.multiplyExact(m.rows(), m.cols())];
        for (int r = 0; r < m.rows(); r++) dequantizeRow(m, r, out, r * m.cols());
        return out;
    }

    /** As {@link #rotateInput(QuantizedMatrix, float[], int)}: the rotation does not depend on the width. */
    public static float[] rotateInput(MixedQuantizedMatrix m, float[] x, int xOff) {
        return rotateInput(m.blocks(), m.rotation(), x, xOff);
    }

    /** Row {@code row} of a mixed-width matrix times an input rotated by {@link #rotateInput}. */
    public static float rowDot(MixedQuantizedMatrix m, int row, float[] rotated) {
        checkRow(m.rows(), row);
        int g = m.blockSize();
        float[] sum = {0f};
        forEachBlock(m, row, (k, centroids, idx, idxOff) ->
                sum[0] += m.scale(row, k) * blockDot(centroids, idx, idxOff, rotated, k * g, g));
        return sum[0];
    }

    /** y = W·x for a mixed-width matrix. */
    public static void gemv(MixedQuantizedMatrix m, float[] x, float[] y) {
        float[] rotated = rotateInput(m, x, 0);
        for (int r = 0; r < m.rows(); r++) y[r] = rowDot(m, r, rotated);
    }

    /** Y[b·rows + r] = row r · X[b·cols ..+cols) for a mixed-width matrix. */
    public static void gemm(MixedQuantizedMatrix m, float[] x, int batch, float[] y) {
        for (int b = 0; b < batch; b++) {
            float[] rotated = rotateInput(m, x, b * m.cols());
            for (int r = 0; r < m.rows(); r++) y[b * m.rows() + r] = rowDot(m, r, rotated);
        }
    }

    private interface BlockVisitor {
        void visit(int block, float[] centroids, byte[] idx, int idxOff);
    }

    /** Visits row r's blocks in the mixed order, each with its codebook and its g unpacked indices. */
    private static void forEachBlock(MixedQuantizedMatrix m, int row, BlockVisitor visitor) {
        MixedLayout layout = m.layout();
        int[] units = new int[layout.unitsPerRow()];
        int g = m.blockSize();
        for (boolean wide : new boolean[] {false, true}) {
            MixedQuantizedMatrix.Part part = m.part(wide);
            int n = layout.rowUnits(row, wide, units);
            byte[] idx = new byte[n * layout.unitIndices()];
            // the run's packed bytes gathered into row order (a copy for either layout: this is the reference)
            byte[] run = new byte[Math.toIntExact(n * part.unitBytes())];
            m.rowRun(row, wide, run, 0);
            BitPacking.unpack(java.lang.foreign.MemorySegment.ofArray(run), 0, idx.length, part.bits(), idx, 0);
            for (int s = 0; s < n; s++) {
                int u = units[s];
                for (int t = 0; t < layout.blocksIn(u); t++) {
                    visitor.visit(layout.firstBlock(u) + t, part.centroids(), idx, s * layout.unitIndices() + t * g);
                }
            }
        }
    }

    /** Row r's indices, read from either code layout ({@link QuantizedMatrix#rowCodes} finds the row's bytes). */
    private static byte[] unpackRow(QuantizedMatrix m, int row) {
        int n = m.layout().paddedCols();
        byte[] packed = new byte[Math.toIntExact(m.rowStrideBytes())], idx = new byte[n];
        m.rowCodes(row, packed, 0);
        BitPacking.unpack(MemorySegment.ofArray(packed), 0, n, m.bits(), idx, 0);
        return idx;
    }

    private static void checkRow(int rows, int row) {
        if (row < 0 || row >= rows) throw new IndexOutOfBoundsException("row " + row + " of " + rows);
    }
}
