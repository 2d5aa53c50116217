package org.turboquant.loader.pack;

import org.turboquant.core.BitAllocation;
import org.turboquant.core.BlockLayout;
import org.turboquant.core.MixedLayout;
import org.turboquant.loader.source.SourceTensor;
import org.turboquant.loader.source.TensorSource;

/**
 * Reads rows of a plan's quantized matrix as floats. Untransposed matrices stream straight from the mapped
 * source; a transposed one (an ONNX MatMul weight, bounded by ONNX's 2 GiB limit) is transposed once in memory,
 * on the first {@link #read} (measuring {@link #unitEnergies} does not need it). Thread-safe.
 */
final class RowReader {
    private final TensorSource source;
    private final SourceTensor tensor;
    private final int rows, cols;
    private final boolean transposedSource;
    private volatile float[] transposed;

    RowReader(TensorSource source, TensorPlan plan) {
        this.source = source;
        this.tensor = plan.source();
        this.rows = plan.rows();
        this.cols = plan.cols();
        this.transposedSource = plan.transposed();
    }

    /** dst[0 .. n·cols) = rows [firstRow, firstRow + n). */
    void read(int firstRow, int n, float[] dst) {
        if (transposedSource) {
            System.arraycopy(transposed(), firstRow * cols, dst, 0, n * cols);
        } else {
            source.readFloats(tensor, (long) firstRow * cols, dst, 0, n * cols);
        }
    }

    /**
     * Σx² of every allocation unit of the quantized matrix, in row-major unit order (as
     * {@link BitAllocation#unitEnergies}). A transposed source is read line by line as stored, each line holding
     * one column of every row: the same sums, in the same order, without the transposed copy.
     */
    double[] unitEnergies(BlockLayout blocks) {
        int perRow = MixedLayout.unitsPerRow(blocks), step = 256;
        double[] energies = new double[Math.multiplyExact(rows, perRow)];
        if (transposedSource) {
            int unitCols = MixedLayout.blocksPerUnit(blocks) * blocks.blockSize();
            float[] line = new float[rows];
            for (int i = 0; i < cols; i++) {
                source.readFloats(tensor, (long) i * rows, line, 0, rows);
                int u = i / unitCols;
                for (int o = 0; o < rows; o++) energies[o * perRow + u] += (double) line[o] * line[o];
            }
            return energies;
        }
        float[] buf = new float[Math.min(step, rows) * cols];
        for (int r0 = 0; r0 < rows; r0 += step) {
            int n = Math.min(step, rows - r0);
            read(r0, n, buf);
            for (int i = 0; i < n; i++) BitAllocation.unitEnergies(buf, i * cols, blocks, energies, (r0 + i) * perRow);
        }
        return energies;
    }

    /** The largest |x| of the tensor, read in its stored order (no transposed copy). */
    double maxAbs() {
        long n = tensor.numel();
        float[] buf = new float[(int) Math.min(n, 1 << 16)];
        double max = 0;
        for (long at = 0; at < n; at += buf.length) {
            int len = (int) Math.min(buf.length, n - at);
            source.readFloats(tensor, at, buf, 0, len);
            for (int i = 0; i < len; i++) max = Math.max(max, Math.abs((double) buf[i]));
        }
        return max;
    }

    private float[] transposed() {
        float[] t = transposed;
        if (t == null) {
            synchronized (this) {
                t = transposed;
                if (t == null) transposed = t = transpose();
            }
        }
        return t;
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
