package org.turboquant.loader.pack;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.turboquant.core.BitPacking;
import org.turboquant.core.MixedLayout;
import org.turboquant.core.MixedQuantizedMatrix;
import org.turboquant.loader.safetensors.DType;
import org.turboquant.simd.ParallelMatmul;
import org.turboquant.simd.RowKernel;
import org.turboquant.simd.TurboQuantRows;

/** A mixed-width TurboQuant tensor (a fractional rate): units at two widths, chosen by a width map. */
final class MixedWeights extends StoredMatrix {
    private final TurboQuantParts parts;
    private final MixedLayout layout;
    private final int wideBits;
    private final float[] wideCentroids;
    private final MemorySegment codes;
    private volatile MixedQuantizedMatrix matrix;

    private MixedWeights(String name, int cols, TurboQuantParts parts, MixedLayout layout, int wideBits,
                         float[] wideCentroids, MemorySegment codes, ParallelMatmul pool) {
        super(name, parts.rows(), cols, pool);
        this.parts = parts;
        this.layout = layout;
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
        int unitIndices = mixedLayout.unitIndices();
        long codeBytes = MixedQuantizedMatrix.codeBytes(mixedLayout, BitPacking.packedBytes(unitIndices, bits),
                BitPacking.packedBytes(unitIndices, wideBits), rows);
        MemorySegment codes = r.part("codes", DType.U8, codeBytes);
        float[] wideCentroids = PartBytes.toFloats(r.part("wide_centroids", DType.F32, 1L << wideBits), DType.F32);
        return new MixedWeights(entry.name(), entry.cols(), p, mixedLayout, wideBits, wideCentroids, codes, pool);
    }

    MixedQuantizedMatrix matrix() {
        MixedQuantizedMatrix m = matrix;
        if (m == null) {
            synchronized (this) {
                m = matrix;
                if (m == null) matrix = m = new MixedQuantizedMatrix(layout, parts.rotation(), parts.bits(),
                        parts.centroids(), wideBits, wideCentroids, codes, parts.scales());
            }
        }
        return m;
    }

    @Override
    RowKernel build() {
        return TurboQuantRows.of(matrix());
    }
}
