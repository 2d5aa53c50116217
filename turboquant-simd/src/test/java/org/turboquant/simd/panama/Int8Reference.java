package org.turboquant.simd.panama;

import org.turboquant.core.BitPacking;
import org.turboquant.core.QuantizedMatrix;

/**
 * Scalar reference for {@link Int8TableDot}, written from its definition rather than its code: per block and input the
 * nibble tables (entry j of nibble s = Σ_i fields[i][j]·x[column_i(s)], a product then fused multiply-adds, as
 * {@link TableDot#build} rounds), quantized to round(v/T) + 128 with T = max|v|/127; per row, each nibble of its
 * packed bytes (row-major {@link QuantizedMatrix#codes}, not the regrouped copy) looks up its own table; the integer
 * sum of (entry − 128) is exact and folded as fma(Σ, scale·T, sum). So it must equal the kernel bit for bit.
 */
final class Int8Reference {
    private Int8Reference() {}

    /** What one block's tables are: entry [s][j] (biased bytes 1..255) and the scale T. */
    record Tables(int[][] entries, float scale) {}

    static Tables tables(QuantizedMatrix m, float[] rotated, int block) {
        int bits = m.bits(), perNibble = 4 / bits, g = m.blockSize();
        int nibbles = (int) (2 * m.rowStrideBytes() / m.blocksPerRow());
        float[] fields = TableDot.fieldValues(bits, m.centroids());
        int[] columns = TableDot.nibbleColumns(bits);
        int perChunk = 32 * bits;
        float[][] v = new float[nibbles][16];
        float max = 0f;
        for (int s = 0; s < nibbles; s++) {
            int xOff = block * g + (s / perChunk) * BitPacking.CHUNK, col = (s % perChunk) * perNibble;
            for (int j = 0; j < 16; j++) {
                float t = fields[j] * rotated[xOff + columns[col]];
                for (int i = 1; i < perNibble; i++) t = Math.fma(fields[i * 16 + j], rotated[xOff + columns[col + i]], t);
                v[s][j] = t;
                max = Math.max(max, Math.abs(t));
            }
        }
        float inv = max > 0f ? 127f / max : 0f;
        int[][] q = new int[nibbles][16];
        for (int s = 0; s < nibbles; s++)
            for (int j = 0; j < 16; j++) q[s][j] = (int) (v[s][j] * inv + 128.5f);
        return new Tables(q, max / 127f);
    }

    /** Row r · rotated, the integer-domain way. */
    static float rowDot(QuantizedMatrix m, Tables[] perBlock, int r) {
        int bytes = (int) (m.rowStrideBytes() / m.blocksPerRow());
        float sum = 0f;
        for (int k = 0; k < m.blocksPerRow(); k++) {
            long isum = 0;
            for (int s = 0; s < 2 * bytes; s++) {
                int b = m.codes().get(java.lang.foreign.ValueLayout.JAVA_BYTE, r * m.rowStrideBytes() + (long) k * bytes + s / 2);
                isum += perBlock[k].entries()[s][((b & 0xFF) >>> (4 * (s % 2))) & 15] - 128;
            }
            sum = Math.fma((float) isum, m.scale(r, k) * perBlock[k].scale(), sum);
        }
        return sum;
    }

    static Tables[] tables(QuantizedMatrix m, float[] rotated) {
        Tables[] t = new Tables[m.blocksPerRow()];
        for (int k = 0; k < t.length; k++) t[k] = tables(m, rotated, k);
        return t;
    }

    /** The bound on |integer − float| per row: Σ_k |scale_k|·T_k·nibbles/2 (each entry rounded by ≤ T/2). */
    static double errorBound(QuantizedMatrix m, Tables[] perBlock, int r) {
        int nibbles = (int) (2 * m.rowStrideBytes() / m.blocksPerRow());
        double b = 0;
        for (int k = 0; k < m.blocksPerRow(); k++) b += Math.abs(m.scale(r, k)) * perBlock[k].scale() * nibbles / 2.0;
        return b;
    }

    /** The expected RMS of that error if the roundings are independent and uniform: Σ_k scale²·T²·nibbles/12. */
    static double expectedErrorVariance(QuantizedMatrix m, Tables[] perBlock, int r) {
        int nibbles = (int) (2 * m.rowStrideBytes() / m.blocksPerRow());
        double v = 0;
        for (int k = 0; k < m.blocksPerRow(); k++) {
            double s = m.scale(r, k) * perBlock[k].scale();
            v += s * s * nibbles / 12.0;
        }
        return v;
    }
}
