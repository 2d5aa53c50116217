package org.turboquant.simd.baseline;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float species of the K/IQ block kernels: the CPU's widest, or {@code -Dturboquant.vectorBits} (capped at
 * the CPU's), so that the tests can force 256 and 128 bits as for the TurboQuant kernels (panama.Lanes' rule).
 * A static final, as C2 intrinsifies only constant species.
 */
final class BlockLanes {
    private BlockLanes() {}

    static final VectorSpecies<Float> F = VectorSpecies.of(float.class, VectorShape.forBitSize(width()));

    private static int width() {
        int preferred = FloatVector.SPECIES_PREFERRED.vectorBitSize();
        int forced = Integer.getInteger("turboquant.vectorBits", 0);
        if (forced == 0) return preferred;
        if (forced != 128 && forced != 256 && forced != 512)
            throw new IllegalArgumentException("turboquant.vectorBits must be 128, 256 or 512, got " + forced);
        return Math.min(forced, preferred);
    }

    /** Σ x over each 32-column sub-block: the K-quant min term needs it once per product, not per row. */
    static float[] subBlockSums(float[] x, int cols) {
        float[] sums = new float[cols / 32];
        for (int k = 0; k < sums.length; k++) {
            float s = 0f;
            for (int j = 0; j < 32; j++) s += x[32 * k + j];
            sums[k] = s;
        }
        return sums;
    }

    /** Rows whose columns are not whole 32-weight sub-blocks: the scalar reference, row by row. */
    static void scalarRows(org.turboquant.core.baseline.BlockStreamMatrix m, float[] x, float[] y, int rowStart, int rowEnd) {
        float[] row = new float[m.cols()];
        for (int r = rowStart; r < rowEnd; r++) {
            m.dequantizeRow(r, row, 0);
            float sum = 0f;
            for (int c = 0; c < row.length; c++) sum += row[c] * x[c];
            y[r] = sum;
        }
    }
}
