package org.turboquant.loader.pack;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.turboquant.core.BitPacking;
import org.turboquant.core.CodeLayout;
import org.turboquant.core.MixedLayout;
import org.turboquant.core.MixedQuantizedMatrix;
import org.turboquant.core.RowGroupCodes;
import org.turboquant.loader.safetensors.DType;
import org.turboquant.simd.ParallelMatmul;
import org.turboquant.simd.RowKernel;
import org.turboquant.simd.TurboQuantRows;

/**
 * A mixed-width TurboQuant tensor (a fractional rate): units at two widths, chosen by a width map. Its codes are in
 * row order (version 2) or, with {@code code_layout} {@code mixed_row_groups_16} (version 3), in the cells the 16-row
 * table kernels read from the mapped file in place (docs/FORMAT.md §19); only the scales are converted to floats.
 */
final class MixedWeights extends StoredMatrix {
    private final TurboQuantParts parts;
    private final MixedLayout layout;
    private final CodeLayout codeLayout;
    private final int wideBits;
    private final float[] wideCentroids;
    private final MemorySegment codes;
    private volatile MixedQuantizedMatrix matrix;

    private MixedWeights(String name, int cols, TurboQuantParts parts, MixedLayout layout, CodeLayout codeLayout,
                         int wideBits, float[] wideCentroids, MemorySegment codes, ParallelMatmul pool) {
        super(name, parts.rows(), cols, pool);
        this.parts = parts;
        this.layout = layout;
        this.codeLayout = codeLayout;
        this.wideBits = wideBits;
        this.wideCentroids = wideCentroids;
        this.codes = codes;
    }

    /** Reads and checks the parts (width map against the manifest's count, code bytes against the map). */
    static MixedWeights read(PartReader r, ParallelMatmul pool) {
        Manifest.TensorEntry entry = r.entry();
        TurboQuantParts p = TurboQuantParts.read(r);
        int rows = p.rows(), bits = p.bits();
        int wideBits = entry.wideBits();
        if (wideBits <= bits || wideBits > 8) throw r.bad("wide_bits " + wideBits + " must be in " + (bits + 1) + "..8");
        long units = (long) rows * MixedLayout.unitsPerRow(p.layout());
        long wideUnits = r.require(entry.wideUnits(), "wide_units");
        if (wideUnits < 0 || wideUnits > units) throw r.bad("wide_units " + wideUnits + " not in 0.." + units);
        byte[] bitmap = r.part("widths", DType.U8, MixedLayout.bitmapBytes(units)).toArray(ValueLayout.JAVA_BYTE);
        MixedLayout mixedLayout;
        try {
            mixedLayout = MixedLayout.of(rows, p.layout(), bitmap);
        } catch (IllegalArgumentException e) {
            throw r.bad(e.getMessage());
        }
        if (mixedLayout.totalUnits(true) != wideUnits)
            throw r.bad("width map marks " + mixedLayout.totalUnits(true) + " wide units, manifest says " + wideUnits);
        CodeLayout codeLayout = codeLayout(r, mixedLayout);
        int unitIndices = mixedLayout.unitIndices();
        long codeBytes = codeLayout == CodeLayout.MIXED_ROW_GROUPS_16
                ? MixedQuantizedMatrix.groupedCodeBytes(mixedLayout, bits, wideBits)
                : MixedQuantizedMatrix.codeBytes(mixedLayout, BitPacking.packedBytes(unitIndices, bits),
                        BitPacking.packedBytes(unitIndices, wideBits), rows);
        MemorySegment codes = r.part("codes", DType.U8, codeBytes);
        float[] wideCentroids = PartBytes.toFloats(r.part("wide_centroids", DType.F32, 1L << wideBits), DType.F32);
        return new MixedWeights(entry.name(), entry.cols(), p, mixedLayout, codeLayout, wideBits, wideCentroids, codes,
                pool);
    }

    /**
     * The tensor's code order: row order unless the manifest names {@code mixed_row_groups_16}, which needs blocks of
     * whole chunks and a width map with one width per cell (16-row group × block); the first cell that a map splits
     * is named.
     */
    private static CodeLayout codeLayout(PartReader r, MixedLayout layout) {
        CodeLayout l = r.codeLayout();
        if (l == null) return CodeLayout.ROWS;
        if (l == CodeLayout.ROW_GROUPS_16)
            throw r.bad("code_layout " + l.id() + " is for one-width tensors; a mixed-width one is grouped as "
                    + CodeLayout.MIXED_ROW_GROUPS_16.id());
        if (l == CodeLayout.ROWS) return l;
        if (!CodeLayout.groupable(layout.blocks()))
            throw r.bad("code_layout " + l.id() + " needs a block size that is a multiple of " + BitPacking.CHUNK
                    + ", got " + layout.blocks().blockSize());
        for (int row = 0; row < layout.rows(); row++) {
            int first = row - row % CodeLayout.GROUP_ROWS;
            for (int u = 0; u < layout.unitsPerRow(); u++)
                if (layout.isWide(row, u) != layout.isWide(first, u))
                    throw r.bad("code_layout " + l.id() + " needs one width per 16-row group and block, but the width map"
                            + " gives row " + row + " block " + u + " another width than row " + first);
        }
        return l;
    }

    MixedQuantizedMatrix matrix() {
        MixedQuantizedMatrix m = matrix;
        if (m == null) {
            synchronized (this) {
                m = matrix;
                if (m == null) {
                    float[] scales = codeLayout == CodeLayout.ROWS ? parts.scales()
                            : RowGroupCodes.groupScales(parts.scales(), parts.rows(), parts.layout().blocksPerRow());
                    matrix = m = new MixedQuantizedMatrix(layout, parts.rotation(), parts.bits(), parts.centroids(),
                            wideBits, wideCentroids, codes, scales, codeLayout);
                }
            }
        }
        return m;
    }

    @Override
    RowKernel build() {
        return TurboQuantRows.of(matrix());
    }
}
