package org.turboquant.loader.pack;

import java.lang.foreign.MemorySegment;
import org.turboquant.core.BitPacking;
import org.turboquant.core.QuantizedMatrix;
import org.turboquant.loader.safetensors.DType;
import org.turboquant.simd.ParallelMatmul;
import org.turboquant.simd.RowKernel;
import org.turboquant.simd.TurboQuantRows;

/** A uniform-width TurboQuant tensor: one packed code run per row, multiplied by the fused kernels. */
final class TurboQuantWeights extends StoredMatrix {
    private final TurboQuantParts parts;
    private final MemorySegment codes;
    private volatile QuantizedMatrix matrix;

    private TurboQuantWeights(String name, int cols, TurboQuantParts parts, MemorySegment codes, ParallelMatmul pool) {
        super(name, parts.rows(), cols, pool);
        this.parts = parts;
        this.codes = codes;
    }

    static TurboQuantWeights read(PartReader r, ParallelMatmul pool) {
        TurboQuantParts p = TurboQuantParts.read(r);
        MemorySegment codes = r.part("codes", DType.U8, p.rows(), BitPacking.packedBytes(p.layout().paddedCols(), p.bits()));
        return new TurboQuantWeights(r.entry().name(), r.entry().cols(), p, codes, pool);
    }

    /** The matrix, built (its rotation regenerated) on first use. */
    QuantizedMatrix matrix() {
        QuantizedMatrix m = matrix;
        if (m == null) {
            synchronized (this) {
                m = matrix;
                if (m == null) matrix = m = new QuantizedMatrix(parts.rows(), parts.layout(), parts.bits(),
                        parts.rotation(), parts.centroids(), codes, parts.scales());
            }
        }
        return m;
    }

    @Override
    RowKernel build() {
        return TurboQuantRows.of(matrix());
    }
}
