package org.turboquant.simd.panama;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.turboquant.core.BitPacking;
import org.turboquant.core.CodeLayout;
import org.turboquant.core.MixedQuantizedMatrix;

/**
 * Scalar reference for {@link Int8MixedTableDot}, from its definition: per block and input, each width's tables
 * quantized to int8 with one scale T over the block (1/2/4 bits: {@link Int8Reference}'s nibble tables; 5 bits: one
 * table per column, entry e = centroid[e]·x[column], indexed by the column's 5-bit index as {@link BitPacking} unpacks
 * it); per row and block, the exact Σ(entry − 128) over the row's cell bytes (read from the grouped codes: byte t of
 * row r at cellOffset + 16t + r mod 16), folded as fma((float) Σ, scale·T, sum), blocks ascending. So it must equal the
 * kernel bit for bit.
 */
final class Int8MixedReference {
    private final MixedQuantizedMatrix m;
    /** Per block: the narrow and the wide tables for the input. */
    private final Int8Reference.Tables[] narrow, wide;

    Int8MixedReference(MixedQuantizedMatrix m, float[] rotated) {
        this.m = m;
        int nb = m.blocksPerRow();
        narrow = new Int8Reference.Tables[nb];
        wide = new Int8Reference.Tables[nb];
        for (int k = 0; k < nb; k++) {
            narrow[k] = tables(m.narrow(), rotated, k);
            wide[k] = tables(m.wide(), rotated, k);
        }
    }

    private Int8Reference.Tables tables(MixedQuantizedMatrix.Part part, float[] rotated, int k) {
        int g = m.blockSize();
        if (part.bits() != 5) return Int8Reference.tables(part.bits(), part.centroids(), g, rotated, k);
        float[][] v = new float[g][32];
        for (int c = 0; c < g; c++)
            for (int e = 0; e < 32; e++) v[c][e] = part.centroids()[e] * rotated[k * g + c];
        return Int8Reference.quantize(v);
    }

    /** Row r · rotated, the integer-domain way. */
    float rowDot(int r) {
        float sum = 0f;
        for (int k = 0; k < m.blocksPerRow(); k++) {
            Int8Reference.Tables t = tablesOf(r, k);
            sum = Math.fma((float) blockSum(r, k, t), m.scale(r, k) * t.scale(), sum);
        }
        return sum;
    }

    /** Bound on |integer − float| for row r: Σ_k |scale_k|·T_k·(entries looked up)/2. */
    double errorBound(int r) {
        double b = 0;
        for (int k = 0; k < m.blocksPerRow(); k++) {
            Int8Reference.Tables t = tablesOf(r, k);
            b += Math.abs(m.scale(r, k)) * t.scale() * t.entries().length / 2.0;
        }
        return b;
    }

    /** The variance of that error if the roundings are independent and uniform: Σ_k scale²·T²·entries/12. */
    double expectedErrorVariance(int r) {
        double v = 0;
        for (int k = 0; k < m.blocksPerRow(); k++) {
            Int8Reference.Tables t = tablesOf(r, k);
            double s = m.scale(r, k) * t.scale();
            v += s * s * t.entries().length / 12.0;
        }
        return v;
    }

    private Int8Reference.Tables tablesOf(int r, int k) {
        return m.layout().isWide(r, k) ? wide[k] : narrow[k];
    }

    private long blockSum(int r, int k, Int8Reference.Tables t) {
        boolean isWide = m.layout().isWide(r, k);
        int bits = m.part(isWide).bits(), g = m.blockSize(), bytes = g * bits / 8;
        byte[] cell = new byte[bytes];
        long base = m.cellOffset(k, r / CodeLayout.GROUP_ROWS) + r % CodeLayout.GROUP_ROWS;
        for (int i = 0; i < bytes; i++) cell[i] = m.codes().get(ValueLayout.JAVA_BYTE, base + (long) i * CodeLayout.GROUP_ROWS);
        if (bits != 5) return Int8Reference.nibbleSum(t, cell);
        byte[] idx = new byte[g];
        BitPacking.unpack(MemorySegment.ofArray(cell), 0, g, 5, idx, 0);
        long isum = 0;
        for (int c = 0; c < g; c++) isum += t.entries()[c][idx[c]] - 128;
        return isum;
    }
}
