package org.turboquant.loader.pack;

import org.turboquant.loader.source.SourceTensor;
import org.turboquant.loader.source.TensorSource;

/**
 * Reads rows of a plan's quantized matrix as floats. Untransposed matrices stream straight from the mapped
 * source; a transposed one (an ONNX MatMul weight, bounded by ONNX's 2 GiB limit) is transposed once in memory.
 */
final class RowReader {
    private final TensorSource source;
    private final SourceTensor tensor;
    private final int rows, cols;
    private final float[] transposed;

    RowReader(TensorSource source, TensorPlan plan) {
        this.source = source;
        this.tensor = plan.source();
        this.rows = plan.rows();
        this.cols = plan.cols();
        this.transposed = plan.transposed() ? transpose() : null;
    }

    /** dst[0 .. n·cols) = rows [firstRow, firstRow + n). */
    void read(int firstRow, int n, float[] dst) {
        if (transposed != null) {
            System.arraycopy(transposed, firstRow * cols, dst, 0, n * cols);
        } else {
            source.readFloats(tensor, (long) firstRow * cols, dst, 0, n * cols);
        }
    }

    private float[] transpose() {
        // the source is [cols, rows] (e.g. [in, out]); its element (i, o) becomes row o, column i
        float[] src = new float[Math.multiplyExact(rows, cols)];
        source.readFloats(tensor, 0, src, 0, src.length);
        float[] out = new float[src.length];
        for (int i = 0; i < cols; i++) {
            for (int o = 0; o < rows; o++) out[o * cols + i] = src[i * rows + o];
        }
        return out;
    }
}
