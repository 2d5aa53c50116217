package org.turboquant.loader.pack;

import java.lang.foreign.MemorySegment;
import org.turboquant.core.BitPacking;
import org.turboquant.core.BlockLayout;
import org.turboquant.core.CodeLayout;
import org.turboquant.core.QuantizedMatrix;
import org.turboquant.core.RowGroupCodes;
import org.turboquant.loader.safetensors.DType;
import org.turboquant.simd.ParallelMatmul;
import org.turboquant.simd.RowKernel;
import org.turboquant.simd.TurboQuantRows;

/**
 * A uniform-width TurboQuant tensor, multiplied by the fused kernels: its codes in row order (packs of format 1/2)
 * or, from format 3, in the 16-row groups the table kernels read in place (docs/FORMAT.md §19).
 */
final class TurboQuantWeights extends StoredMatrix {
    private final TurboQuantParts parts;
    private final MemorySegment codes;
    private final CodeLayout codeLayout;
    private volatile QuantizedMatrix matrix;

    private TurboQuantWeights(String name, int cols, TurboQuantParts parts, MemorySegment codes, CodeLayout codeLayout,
                              ParallelMatmul pool) {
        super(name, parts.rows(), cols, pool);
        this.parts = parts;
        this.codes = codes;
        this.codeLayout = codeLayout;
    }

    static TurboQuantWeights read(PartReader r, ParallelMatmul pool) {
        TurboQuantParts p = TurboQuantParts.read(r);
        CodeLayout codeLayout = codeLayout(r, p.layout());
        MemorySegment codes = r.part("codes", DType.U8, codesShape(codeLayout, p.rows(), p.layout(), p.bits()));
        return new TurboQuantWeights(r.entry().name(), r.entry().cols(), p, codes, codeLayout, pool);
    }

    /** The tensor's code order: row order unless a version-3 manifest names another. */
    private static CodeLayout codeLayout(PartReader r, BlockLayout layout) {
        CodeLayout l = r.codeLayout();
        if (l == null) return CodeLayout.ROWS;
        if (l == CodeLayout.MIXED_ROW_GROUPS_16)
            throw r.bad("code_layout " + l.id() + " is for mixed-width tensors (wide_bits), this one has one width");
        if (l == CodeLayout.ROW_GROUPS_16 && !CodeLayout.groupable(layout))
            throw r.bad("code_layout " + l.id() + " needs a block size that is a multiple of " + BitPacking.CHUNK
                    + ", got " + layout.blockSize());
        return l;
    }

    /** [rows, rowStrideBytes] in row order; [blocksPerRow, groups, bytesPerBlock, 16] grouped. */
    private static long[] codesShape(CodeLayout codeLayout, int rows, BlockLayout layout, int bits) {
        long stride = BitPacking.packedBytes(layout.paddedCols(), bits);
        if (codeLayout == CodeLayout.ROWS) return new long[] {rows, stride};
        int groups = (rows + CodeLayout.GROUP_ROWS - 1) / CodeLayout.GROUP_ROWS, nb = layout.blocksPerRow();
        return new long[] {nb, groups, stride / nb, CodeLayout.GROUP_ROWS};
    }

    /** The matrix, built (its rotation regenerated) on first use. */
    QuantizedMatrix matrix() {
        QuantizedMatrix m = matrix;
        if (m == null) {
            synchronized (this) {
                m = matrix;
                if (m == null) {
                    float[] scales = codeLayout == CodeLayout.ROWS ? parts.scales()
                            : RowGroupCodes.groupScales(parts.scales(), parts.rows(), parts.layout().blocksPerRow());
                    matrix = m = new QuantizedMatrix(parts.rows(), parts.layout(), parts.bits(), parts.rotation(),
                            parts.centroids(), codes, scales, codeLayout);
                }
            }
        }
        return m;
    }

    @Override
    RowKernel build() {
        return TurboQuantRows.of(pool().kernels(), matrix()); // the pack's kernels (TqPack.Options.kernels)
    }
}
