package org.turboquant.simd;

/**
 * A matrix as the row-parallel products of {@link ParallelMatmul} see it, whatever its storage (TurboQuant codes,
 * a llama.cpp block format, plain floats): the input is prepared once per product (rotated, for TurboQuant), then
 * any range of rows is multiplied by it. Implementations are immutable and thread-safe.
 */
public interface RowKernel {

    /** Outputs. */
    int rows();

    /** The reduction axis. */
    int cols();

    /** x[xOff, xOff + cols) as this matrix's rows consume it; the rows only read the result. */
    float[] prepareInput(float[] x, int xOff);

    /** out[r] = row r · x for r in [rowStart, rowEnd), given {@code input} = prepareInput(x, ·). */
    void gemv(float[] input, float[] out, int rowStart, int rowEnd);

    /**
     * out[b·rows + r] = row r · x_b for r in [rowStart, rowEnd), given inputs[b] = prepareInput(x_b, ·); at most 64
     * inputs. The default multiplies one input at a time.
     */
    default void gemm(float[][] inputs, float[] out, int rowStart, int rowEnd) {
        float[] one = new float[rows()];
        for (int b = 0; b < inputs.length; b++) {
            gemv(inputs[b], one, rowStart, rowEnd);
            System.arraycopy(one, rowStart, out, b * rows() + rowStart, rowEnd - rowStart);
        }
    }

    /** Row r decoded into out[outOff, outOff + cols). */
    void row(int r, float[] out, int outOff);

    /** Builds now what the first product would build (e.g. regrouped codes); idempotent, a no-op by default. */
    default void prepare() {}

    /** Which kernel multiplies, e.g. "turboquant 4-bit (panama-512)" or "dense BF16 (scalar)". */
    String describe();
}
