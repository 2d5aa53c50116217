package org.turboquant.loader.pack;

import java.lang.foreign.MemorySegment;
import org.turboquant.core.baseline.Q4_0Matrix;
import org.turboquant.core.baseline.Q8_0Matrix;
import org.turboquant.core.baseline.RtnMatrix;
import org.turboquant.loader.safetensors.DType;
import org.turboquant.simd.ParallelMatmul;

/**
 * The one place a stored matrix is built from its manifest entry and parts: one case per method. A new baseline
 * format is one case here (its parts → a {@link org.turboquant.core.baseline.BaselineMatrix}) plus, if it has a
 * Vector API kernel, one case in {@link org.turboquant.simd.BaselineRows}.
 */
final class StoredMatrices {
    private StoredMatrices() {}

    /**
     * The entry's matrix, its parts found and checked; null for a kept tensor that is not a 2-D float matrix.
     *
     * @param keptData the data part of a kept tensor (null otherwise)
     */
    static StoredMatrix read(Method method, PartReader r, DType dtype, MemorySegment keptData, ParallelMatmul pool) {
        Manifest.TensorEntry e = r.entry();
        int rows = e.rows(), cols = e.cols();
        return switch (method) {
            case TURBOQUANT -> e.mixed() ? MixedWeights.read(r, pool) : TurboQuantWeights.read(r, pool);
            case Q8_0 -> {
                int nb = Q8_0Matrix.blocksPerRow(cols);
                MemorySegment quants = r.part("quants", DType.I8, rows, (long) nb * Q8_0Matrix.BLOCK);
                MemorySegment scales = r.part("scales", DType.F16, rows, nb);
                yield new BaselineWeights(e, () -> new Q8_0Matrix(rows, cols, quants, scales), pool);
            }
            case Q4_0 -> {
                int nb = Q4_0Matrix.blocksPerRow(cols);
                MemorySegment quants = r.part("quants", DType.U8, rows, (long) nb * Q4_0Matrix.BLOCK_BYTES);
                MemorySegment scales = r.part("scales", DType.F16, rows, nb);
                yield new BaselineWeights(e, () -> new Q4_0Matrix(rows, cols, quants, scales), pool);
            }
            case RTN -> {
                int bits = r.require(e.bits(), "bits");
                if (bits < 1 || bits > 8) throw r.bad("bits " + bits + " not in 1..8");
                MemorySegment codes = r.part("codes", DType.U8, rows, RtnMatrix.rowStrideBytes(cols, bits));
                MemorySegment scales = r.part("scales", DType.F32, rows);
                yield new BaselineWeights(e, () -> new RtnMatrix(rows, cols, bits, codes,
                        PartBytes.toFloats(scales, DType.F32)), pool);
            }
            case Q3_K, Q4_K, Q5_K, Q6_K, IQ4_NL, IQ4_XS -> {
                var f = method.blockFormat();
                MemorySegment blocks = r.part("blocks", DType.U8, f.blocks((long) rows * cols), f.bytes());
                yield new BaselineWeights(e, () -> f.matrix(rows, cols, blocks), pool);
            }
            case KEPT -> KeptWeights.readOrNull(r, dtype, keptData, pool);
        };
    }
}
