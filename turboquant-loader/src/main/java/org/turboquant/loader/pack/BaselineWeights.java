package org.turboquant.loader.pack;

import java.util.function.Supplier;
import org.turboquant.core.baseline.BaselineMatrix;
import org.turboquant.simd.BaselineRows;
import org.turboquant.simd.ParallelMatmul;
import org.turboquant.simd.RowKernel;

/**
 * A comparison format (Q4_0, Q8_0, RTN, any {@link BaselineMatrix}): its parts are found and checked when the pack
 * opens, the matrix is built over them on first use, and {@link BaselineRows} picks its product kernel.
 */
final class BaselineWeights extends StoredMatrix {
    private final Supplier<BaselineMatrix> matrix;

    BaselineWeights(Manifest.TensorEntry entry, Supplier<BaselineMatrix> matrix, ParallelMatmul pool) {
        super(entry.name(), entry.rows(), entry.cols(), pool);
        this.matrix = matrix;
    }

    @Override
    RowKernel build() {
        BaselineMatrix m = matrix.get();
        if (m.rows() != rows() || m.cols() != cols())
            throw new IllegalStateException(name() + ": " + m.rows() + " x " + m.cols() + " matrix for a " + rows() + " x " + cols() + " entry");
        return BaselineRows.of(m);
    }
}
