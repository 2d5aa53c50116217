package org.turboquant.loader.pack;

import java.lang.foreign.MemorySegment;

/** Any stored matrix, whatever its method (uniform or mixed TurboQuant, Q4_0, Q8_0, RTN, K/IQ baselines, kept
 *  F32/F16/BF16). rows = outputs, cols = the reduction axis (for an ONNX MatMul weight stored [in, out], rows = out,
 *  cols = in, so matvec computes the MatMul's x·W). Thread-safe. */
public interface WeightMatrix {
    String name();
    int rows();
    int cols();
    /** y[yOff + r] = (accumulate ? y[yOff + r] : 0) + Σ_c W[r][c]·x[xOff + c] + (bias == null ? 0 : bias[r]). */
    void matvec(float[] x, int xOff, float[] y, int yOff, float[] bias, boolean accumulate);
    default void matvec(float[] x, float[] y) { matvec(x, 0, y, 0, null, false); }
    /** batch inputs row-major at x[xOff + b·cols + c]; outputs at y[yOff + b·rows + r]; same bias/accumulate rule. */
    void matmul(float[] x, int xOff, int batch, float[] y, int yOff, float[] bias, boolean accumulate);
    /** The same on native-order float segments; offsets in bytes. */
    void matmul(MemorySegment x, long xByteOff, int batch, MemorySegment y, long yByteOff, float[] bias, boolean accumulate);
    /** Row r of W decoded into out[outOff .. outOff + cols): an embedding-table look-up for an untransposed [vocab, hidden] tensor. */
    void row(int r, float[] out, int outOff);
    /** Does the one-time work (first-call JIT compilation of the kernels this matrix uses, any lazy set-up) now. */
    void warmUp();
}
