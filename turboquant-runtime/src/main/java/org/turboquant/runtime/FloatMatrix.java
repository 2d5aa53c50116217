package org.turboquant.runtime;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;
import java.util.stream.IntStream;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import org.turboquant.loader.pack.WeightMatrix;

/**
 * An unquantized FP32 matrix, rows × cols row-major (rows = outputs): the original model's weights behind the same
 * interface as a pack's. Products run on the Vector API, four inputs per pass over a weight row, row ranges spread
 * over the common fork-join pool.
 */
public final class FloatMatrix implements WeightMatrix {
    /** Rows per parallel task: enough work to pay for a task. */
    private static final int ROWS_PER_TASK = 64;

    private final String name;
    private final int rows, cols;
    private final float[] w;

    /** Wraps {@code w} (rows × cols, row-major; not copied). */
    public FloatMatrix(String name, int rows, int cols, float[] w) {
        if ((long) rows * cols != w.length)
            throw new IllegalArgumentException(name + ": " + w.length + " values for " + rows + " × " + cols);
        this.name = name;
        this.rows = rows;
        this.cols = cols;
        this.w = w;
    }

    /** The transpose of a row-major [in, out] matrix (an ONNX MatMul weight) as an out × in matrix. */
    public static FloatMatrix ofTransposed(String name, int in, int out, float[] inByOut) {
        float[] t = new float[inByOut.length];
        for (int i = 0; i < in; i++)
            for (int o = 0; o < out; o++) t[o * in + i] = inByOut[i * out + o];
        return new FloatMatrix(name, out, in, t);
    }

    @Override public String name() { return name; }
    @Override public int rows() { return rows; }
    @Override public int cols() { return cols; }

    @Override
    public void matvec(float[] x, int xOff, float[] y, int yOff, float[] bias, boolean accumulate) {
        matmul(x, xOff, 1, y, yOff, bias, accumulate);
    }

    @Override
    public void matmul(float[] x, int xOff, int batch, float[] y, int yOff, float[] bias, boolean accumulate) {
        Objects.checkFromIndexSize(xOff, Math.multiplyExact(batch, cols), x.length);
        Objects.checkFromIndexSize(yOff, Math.multiplyExact(batch, rows), y.length);
        if (bias != null && bias.length != rows)
            throw new IllegalArgumentException(name + ": bias has " + bias.length + " elements, expected " + rows);
        int tasks = (rows + ROWS_PER_TASK - 1) / ROWS_PER_TASK;
        if (tasks == 1 || (long) batch * rows * cols < 1 << 16) {
            rowRange(x, xOff, batch, y, yOff, bias, accumulate, 0, rows);
        } else {
            IntStream.range(0, tasks).parallel().forEach(t -> rowRange(x, xOff, batch, y, yOff, bias, accumulate,
                    t * ROWS_PER_TASK, Math.min(rows, (t + 1) * ROWS_PER_TASK)));
        }
    }

    private void rowRange(float[] x, int xOff, int batch, float[] y, int yOff, float[] bias, boolean acc, int r0, int r1) {
        var s = VectorOps.S;
        int bound = s.loopBound(cols);
        for (int r = r0; r < r1; r++) {
            int wOff = r * cols;
            float b0 = bias == null ? 0 : bias[r];
            int b = 0;
            for (; b + 4 <= batch; b += 4) {
                int x0 = xOff + b * cols, x1 = x0 + cols, x2 = x1 + cols, x3 = x2 + cols;
                FloatVector a0 = FloatVector.zero(s), a1 = a0, a2 = a0, a3 = a0;
                int c = 0;
                for (; c < bound; c += s.length()) {
                    FloatVector wv = FloatVector.fromArray(s, w, wOff + c);
                    a0 = wv.fma(FloatVector.fromArray(s, x, x0 + c), a0);
                    a1 = wv.fma(FloatVector.fromArray(s, x, x1 + c), a1);
                    a2 = wv.fma(FloatVector.fromArray(s, x, x2 + c), a2);
                    a3 = wv.fma(FloatVector.fromArray(s, x, x3 + c), a3);
                }
                float s0 = a0.reduceLanes(VectorOperators.ADD), s1 = a1.reduceLanes(VectorOperators.ADD),
                        s2 = a2.reduceLanes(VectorOperators.ADD), s3 = a3.reduceLanes(VectorOperators.ADD);
                for (; c < cols; c++) {
                    float wc = w[wOff + c];
                    s0 += wc * x[x0 + c];
                    s1 += wc * x[x1 + c];
                    s2 += wc * x[x2 + c];
                    s3 += wc * x[x3 + c];
                }
                store(y, yOff + b * rows + r, s0 + b0, acc);
                store(y, yOff + (b + 1) * rows + r, s1 + b0, acc);
                store(y, yOff + (b + 2) * rows + r, s2 + b0, acc);
                store(y, yOff + (b + 3) * rows + r, s3 + b0, acc);
            }
            for (; b < batch; b++)
                store(y, yOff + b * rows + r, VectorOps.dot(w, wOff, x, xOff + b * cols, cols) + b0, acc);
        }
    }

    private static void store(float[] y, int i, float v, boolean accumulate) {
        y[i] = accumulate ? y[i] + v : v;
    }

    @Override
    public void matmul(MemorySegment x, long xByteOff, int batch, MemorySegment y, long yByteOff, float[] bias,
                       boolean accumulate) {
        float[] xa = new float[Math.multiplyExact(batch, cols)], ya = new float[Math.multiplyExact(batch, rows)];
        MemorySegment.copy(x, ValueLayout.JAVA_FLOAT_UNALIGNED, xByteOff, xa, 0, xa.length);
        if (accumulate) MemorySegment.copy(y, ValueLayout.JAVA_FLOAT_UNALIGNED, yByteOff, ya, 0, ya.length);
        matmul(xa, 0, batch, ya, 0, bias, accumulate);
        MemorySegment.copy(ya, 0, y, ValueLayout.JAVA_FLOAT_UNALIGNED, yByteOff, ya.length);
    }

    @Override
    public void row(int r, float[] out, int outOff) {
        Objects.checkIndex(r, rows);
        System.arraycopy(w, r * cols, out, outOff, cols);
    }

    @Override
    public void warmUp() {
        matmul(new float[4 * cols], 0, 4, new float[4 * rows], 0, null, false);
    }
}
