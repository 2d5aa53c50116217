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
        return tables(m.bits(), m.centroids(), m.blockSize(), rotated, block);
    }

    /** The nibble tables of block {@code block} of a b-bit (1, 2, 4) row of block size g: one per nibble, g·b/4. */
    static Tables tables(int bits, float[] centroids, int g, float[] rotated, int block) {
        int perNibble = 4 / bits, nibbles = g * bits / 4;
        float[] fields = TableDot.fieldValues(bits, centroids);
        int[] columns = TableDot.nibbleColumns(bits);
        int perChunk = 32 * bits;
        float[][] v = new float[nibbles][16];
        for (int s = 0; s < nibbles; s++) {
            int xOff = block * g + (s / perChunk) * BitPacking.CHUNK, col = (s % perChunk) * perNibble;
            for (int j = 0; j < 16; j++) {
                float t = fields[j] * rotated[xOff + columns[col]];
                for (int i = 1; i < perNibble; i++) t = Math.fma(fields[i * 16 + j], rotated[xOff + columns[col + i]], t);
                v[s][j] = t;
            }
        }
        return quantize(v);
    }

    /** Entries v[s][j] as round(v/T) + 128 with T = max|v| / 127 over all of them (ties up, as the kernels round). */
    static Tables quantize(float[][] v) {
        float max = 0f;
        for (float[] row : v) for (float t : row) max = Math.max(max, Math.abs(t));
        float inv = max > 0f ? 127f / max : 0f;
        int[][] q = new int[v.length][];
        for (int s = 0; s < v.length; s++) {
            q[s] = new int[v[s].length];
            for (int j = 0; j < v[s].length; j++) q[s][j] = (int) (v[s][j] * inv + 128.5f);
        }
        return new Tables(q, max / 127f);
    }

    /** Σ (entry − 128) over the nibbles of one block's packed bytes, nibble s = byte s/2's low (s even) or high half. */
    static long nibbleSum(Tables t, byte[] bytes) {
        long isum = 0;
        for (int s = 0; s < t.entries().length; s++)
            isum += t.entries()[s][((bytes[s / 2] & 0xFF) >>> (4 * (s % 2))) & 15] - 128;
        return isum;
    }

    /** Row r · rotated, the integer-domain way. */
    static float rowDot(QuantizedMatrix m, Tables[] perBlock, int r) {
        int bytes = (int) (m.rowStrideBytes() / m.blocksPerRow());
        float sum = 0f;
        byte[] block = new byte[bytes];
        for (int k = 0; k < m.blocksPerRow(); k++) {
            java.lang.foreign.MemorySegment.copy(m.codes(), java.lang.foreign.ValueLayout.JAVA_BYTE,
                    r * m.rowStrideBytes() + (long) k * bytes, block, 0, bytes);
            sum = Math.fma((float) nibbleSum(perBlock[k], block), m.scale(r, k) * perBlock[k].scale(), sum);
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
