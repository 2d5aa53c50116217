package org.turboquant.simd;

import org.turboquant.core.baseline.BaselineMatrix;
import org.turboquant.core.baseline.IQ4_XSMatrix;
import org.turboquant.core.baseline.Q4_0Matrix;
import org.turboquant.core.baseline.Q4_KMatrix;
import org.turboquant.core.baseline.Q8_0Matrix;
import org.turboquant.simd.baseline.IQ4_XSGemv;
import org.turboquant.simd.baseline.Q4_0Gemv;
import org.turboquant.simd.baseline.Q4_KGemv;
import org.turboquant.simd.baseline.Q8_0Gemv;

/**
 * The comparison formats (llama.cpp block formats, RTN, ...) as {@link RowKernel}s. The one place that picks a
 * format's product kernel: a Vector API kernel where one exists and the module is present, else the format's own
 * decoded rows times x (scalar), which serves any {@link BaselineMatrix}.
 */
public final class BaselineRows {
    private BaselineRows() {}

    /** The kernel of one row range: y[r] = row r · x for r in [start, end). */
    @FunctionalInterface
    private interface RangeProduct {
        void run(float[] x, float[] y, int start, int end);
    }

    public static RowKernel of(BaselineMatrix m) {
        boolean vector = KernelProvider.vectorApi();
        return switch (m) {
            case Q4_0Matrix q when vector -> new Rows(m, "q4_0 (vector)", (x, y, s, e) -> Q4_0Gemv.gemv(q, x, y, s, e));
            case Q8_0Matrix q when vector -> new Rows(m, "q8_0 (vector)", (x, y, s, e) -> Q8_0Gemv.gemv(q, x, y, s, e));
            case Q4_KMatrix q when vector -> new Rows(m, "q4_k (vector)", (x, y, s, e) -> Q4_KGemv.gemv(q, x, y, s, e));
            case IQ4_XSMatrix q when vector -> new Rows(m, "iq4_xs (vector)", (x, y, s, e) -> IQ4_XSGemv.gemv(q, x, y, s, e));
            default -> new Rows(m, m.getClass().getSimpleName() + " (scalar)", (x, y, s, e) -> decodedRows(m, x, y, s, e));
        };
    }

    /** Each row decoded by the format itself, then a dot product. */
    private static void decodedRows(BaselineMatrix m, float[] x, float[] y, int start, int end) {
        float[] w = new float[m.cols()];
        for (int r = start; r < end; r++) {
            m.dequantizeRow(r, w, 0);
            float sum = 0f;
            for (int c = 0; c < w.length; c++) sum = Math.fma(w[c], x[c], sum);
            y[r] = sum;
        }
    }

    private record Rows(BaselineMatrix m, String describe, RangeProduct product) implements RowKernel {
        public int rows() { return m.rows(); }
        public int cols() { return m.cols(); }
        public float[] prepareInput(float[] x, int xOff) { return java.util.Arrays.copyOfRange(x, xOff, xOff + m.cols()); }
        public void gemv(float[] input, float[] out, int s, int e) { product.run(input, out, s, e); }
        public void row(int r, float[] out, int off) {
            if (r < 0 || r >= m.rows()) throw new IndexOutOfBoundsException("row " + r + " of " + m.rows());
            m.dequantizeRow(r, out, off);
        }
    }
}
