package org.turboquant.simd;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.turboquant.simd.baseline.DenseGemv;

/**
 * A matrix of plain little-endian floats (F32, F16 or BF16) in a memory segment, e.g. a tensor a pack keeps
 * unquantized, multiplied in place (no decoded copy). {@code transposed} says the segment holds Wᵀ: an ONNX MatMul
 * weight stored [in, out] = [cols, rows], whose product is then a sum of scaled source rows (axpy), which vectorizes
 * along the outputs as well as the untransposed dot products do along the inputs.
 *
 * <p>With the Vector API the products run {@link DenseGemv}; without it the scalar loops here, which are also the
 * order the transposed vector kernel follows (one fused multiply-add per source row, ascending).
 */
public final class DenseMatrix implements RowKernel {

    /** The element type; all little-endian. */
    public enum Type {
        F32(4), F16(2), BF16(2);

        private final int bytes;

        Type(int bytes) {
            this.bytes = bytes;
        }

        public int bytes() {
            return bytes;
        }
    }

    private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final MemorySegment data;
    private final Type type;
    private final int rows, cols;
    private final boolean transposed;
    private final boolean vector = KernelProvider.vectorApi();

    public DenseMatrix(MemorySegment data, Type type, int rows, int cols, boolean transposed) {
        if (rows < 1 || cols < 1) throw new IllegalArgumentException("rows and cols must be >= 1, got " + rows + " x " + cols);
        long need = (long) rows * cols * type.bytes();
        if (data.byteSize() < need)
            throw new IllegalArgumentException("data holds " + data.byteSize() + " bytes, " + rows + " x " + cols + " "
                    + type + " needs " + need);
        this.data = data;
        this.type = type;
        this.rows = rows;
        this.cols = cols;
        this.transposed = transposed;
    }

    public int rows() { return rows; }
    public int cols() { return cols; }
    public Type type() { return type; }
    public boolean transposed() { return transposed; }
    public MemorySegment data() { return data; }

    /** Element i of the segment (row-major in storage order) as a float. */
    public float element(long i) {
        return switch (type) {
            case F32 -> data.get(F32_LE, 4 * i);
            case F16 -> Float.float16ToFloat(data.get(U16_LE, 2 * i));
            case BF16 -> Float.intBitsToFloat(data.get(U16_LE, 2 * i) << 16);
        };
    }

    /** W[r][c], whichever way it is stored. */
    public float get(int r, int c) {
        return element(transposed ? (long) c * rows + r : (long) r * cols + c);
    }

    @Override
    public float[] prepareInput(float[] x, int xOff) {
        return java.util.Arrays.copyOfRange(x, xOff, xOff + cols);
    }

    @Override
    public void gemv(float[] input, float[] out, int rowStart, int rowEnd) {
        if (vector) DenseGemv.gemv(this, input, out, 0, rowStart, rowEnd);
        else gemvScalar(input, out, 0, rowStart, rowEnd);
    }

    /** Tiles of rows, each multiplied by every input while its weights are in cache. */
    @Override
    public void gemm(float[][] inputs, float[] out, int rowStart, int rowEnd) {
        for (int r0 = rowStart; r0 < rowEnd; r0 += DenseGemv.TILE_ROWS) {
            int r1 = Math.min(rowEnd, r0 + DenseGemv.TILE_ROWS);
            for (int b = 0; b < inputs.length; b++) {
                if (vector) DenseGemv.gemv(this, inputs[b], out, b * rows, r0, r1);
                else gemvScalar(inputs[b], out, b * rows, r0, r1);
            }
        }
    }

    /** out[outOff + r] = W[r]·x for r in [rowStart, rowEnd), one scalar multiply-add at a time. */
    void gemvScalar(float[] x, float[] out, int outOff, int rowStart, int rowEnd) {
        if (transposed) {
            for (int r = rowStart; r < rowEnd; r++) out[outOff + r] = 0f;
            for (int c = 0; c < cols; c++) {
                float xc = x[c];
                long base = (long) c * rows;
                for (int r = rowStart; r < rowEnd; r++) out[outOff + r] = Math.fma(element(base + r), xc, out[outOff + r]);
            }
            return;
        }
        for (int r = rowStart; r < rowEnd; r++) {
            long base = (long) r * cols;
            float sum = 0f;
            for (int c = 0; c < cols; c++) sum = Math.fma(element(base + c), x[c], sum);
            out[outOff + r] = sum;
        }
    }

    @Override
    public void row(int r, float[] out, int outOff) {
        if (r < 0 || r >= rows) throw new IndexOutOfBoundsException("row " + r + " of " + rows);
        for (int c = 0; c < cols; c++) out[outOff + c] = get(r, c);
    }

    @Override
    public String describe() {
        return "dense " + type + (transposed ? " [in, out]" : "") + (vector ? " (vector " + DenseGemv.bits() + "-bit)" : " (scalar)");
    }
}
