package org.turboquant.simd;

import org.turboquant.core.MixedQuantizedMatrix;
import org.turboquant.core.QuantizedMatrix;

/**
 * TurboQuant matrices, uniform or mixed-width, as {@link RowKernel}s over a given kernel implementation: the one
 * place where the kernels' per-matrix-type overloads meet the shared product path.
 */
public final class TurboQuantRows {
    private TurboQuantRows() {}

    /** A uniform-width matrix on this JVM's kernels. */
    public static RowKernel of(QuantizedMatrix m) {
        return of(TurboQuantKernels.get(), m);
    }

    public static RowKernel of(TurboQuantKernels kernels, QuantizedMatrix m) {
        return new Uniform(kernels, m);
    }

    /** A mixed-width matrix on this JVM's kernels. */
    public static RowKernel of(MixedQuantizedMatrix m) {
        return of(TurboQuantKernels.get(), m);
    }

    public static RowKernel of(TurboQuantKernels kernels, MixedQuantizedMatrix m) {
        return new Mixed(kernels, m);
    }

    private record Uniform(TurboQuantKernels k, QuantizedMatrix m) implements RowKernel {
        public int rows() { return m.rows(); }
        public int cols() { return m.cols(); }
        public float[] prepareInput(float[] x, int xOff) { return k.rotateInput(m, x, xOff); }
        public void gemv(float[] input, float[] out, int s, int e) { k.gemvRotated(m, input, out, s, e); }
        public void gemm(float[][] inputs, float[] out, int s, int e) { k.gemmRotated(m, inputs, out, s, e); }
        public void row(int r, float[] out, int off) { k.dequantizeRow(m, r, out, off); }
        public void prepare() { k.prepare(m); }
        public String describe() { return "turboquant " + m.bits() + "-bit g=" + m.blockSize() + " (" + k.name()
                + (k.mode() == KernelMode.FLOAT ? "" : ", kernels " + k.mode().id()) + ")"; }
    }

    private record Mixed(TurboQuantKernels k, MixedQuantizedMatrix m) implements RowKernel {
        public int rows() { return m.rows(); }
        public int cols() { return m.cols(); }
        public float[] prepareInput(float[] x, int xOff) { return k.rotateInput(m, x, xOff); }
        public void gemv(float[] input, float[] out, int s, int e) { k.gemvRotated(m, input, out, s, e); }
        public void gemm(float[][] inputs, float[] out, int s, int e) { k.gemmRotated(m, inputs, out, s, e); }
        public void row(int r, float[] out, int off) { k.dequantizeRow(m, r, out, off); }
        public void prepare() { k.prepare(m); }
        public String describe() {
            return "turboquant mixed " + m.narrow().bits() + "/" + m.wide().bits() + "-bit g=" + m.blockSize()
                    + " (" + k.name() + ")";
        }
    }
}
