package org.turboquant.loader.pack;

import java.lang.foreign.MemorySegment;
import org.turboquant.loader.safetensors.DType;
import org.turboquant.simd.DenseMatrix;
import org.turboquant.simd.ParallelMatmul;
import org.turboquant.simd.RowKernel;

/**
 * A 2-D float tensor the pack kept as it was (F32, F16 or BF16), multiplied straight from its bytes. Packs of
 * format 1/2 record no orientation for kept tensors (rows = cols = 0): they read as the source shape [rows, cols];
 * packs that record it (an ONNX MatMul weight: transposed, rows = out) are read as recorded.
 */
final class KeptWeights extends StoredMatrix {
    private final DenseMatrix.Type type;
    private final MemorySegment data;
    private final boolean transposed;

    private KeptWeights(String name, int rows, int cols, boolean transposed, DenseMatrix.Type type, MemorySegment data,
                        ParallelMatmul pool) {
        super(name, rows, cols, pool);
        this.type = type;
        this.data = data;
        this.transposed = transposed;
    }

    /** The kept tensor as a matrix, or null when it is not a 2-D F32/F16/BF16 tensor. */
    static KeptWeights readOrNull(PartReader r, DType dtype, MemorySegment data, ParallelMatmul pool) {
        Manifest.TensorEntry e = r.entry();
        long[] shape = e.shape();
        DenseMatrix.Type type = switch (dtype) {
            case F32 -> DenseMatrix.Type.F32;
            case F16 -> DenseMatrix.Type.F16;
            case BF16 -> DenseMatrix.Type.BF16;
            default -> null;
        };
        if (type == null || shape.length != 2 || shape[0] < 1 || shape[1] < 1
                || shape[0] > Integer.MAX_VALUE || shape[1] > Integer.MAX_VALUE) return null;
        boolean recorded = e.rows() != 0 || e.cols() != 0;
        int rows = recorded ? e.rows() : (int) shape[0], cols = recorded ? e.cols() : (int) shape[1];
        long[] expected = e.transposed() ? new long[] {cols, rows} : new long[] {rows, cols};
        if (!java.util.Arrays.equals(shape, expected))
            throw r.bad("shape " + java.util.Arrays.toString(shape) + " disagrees with rows " + rows + ", cols " + cols
                    + (e.transposed() ? " (transposed)" : ""));
        return new KeptWeights(e.name(), rows, cols, e.transposed(), type, data, pool);
    }

    @Override
    RowKernel build() {
        return new DenseMatrix(data, type, rows(), cols(), transposed);
    }
}
