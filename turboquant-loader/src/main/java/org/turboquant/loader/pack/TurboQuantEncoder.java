package org.turboquant.loader.pack;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.turboquant.core.BitPacking;
import org.turboquant.core.BlockLayout;
import org.turboquant.core.CodeLayout;
import org.turboquant.core.Codebook;
import org.turboquant.core.NormPrecision;
import org.turboquant.core.QuantConfig;
import org.turboquant.core.RowGroupCodes;
import org.turboquant.core.RowQuantizer;
import org.turboquant.loader.safetensors.DType;
import org.turboquant.loader.safetensors.TensorSpec;

/**
 * Parts of a TurboQuant_mse matrix: packed codes (U8), block scales (F16/F32), centroids (F32). Cheap to create:
 * the rotation is built (or found in the cache) only when rows are encoded, so planning a model with hundreds of
 * whole-row QR tensors does not hold hundreds of dense matrices.
 *
 * <p>The codes are stored in the order the fastest kernel reads ({@link CodeLayout#preferred}): row order streams
 * out as rows are encoded; {@link CodeLayout#ROW_GROUPS_16} interleaves 16 rows block-major, so a row's bytes land
 * all over the part: rows are scattered into an off-heap buffer of the whole part (this tensor's codes, at most the
 * largest tensor's while packing) written out with the secondary parts, codes first, so file order is unchanged.
 */
final class TurboQuantEncoder implements TensorEncoder {
    private final String name;
    private final int rows;
    private QuantConfig config; // its log8 scale unit is fitted to the tensor by prepare
    private final BlockLayout layout;
    private final long rowStrideBytes;
    private final CodeLayout codeLayout;
    private float[] scales; // allocated by the first encodeRows: rows × blocksPerRow
    private MemorySegment grouped; // ROW_GROUPS_16 only: the whole codes part, filled by encodeRows

    TurboQuantEncoder(String name, int rows, int cols, QuantConfig config) {
        this.name = name;
        this.rows = rows;
        this.config = config;
        this.layout = BlockLayout.of(cols, config.blockSize(), config.rotation());
        this.rowStrideBytes = BitPacking.packedBytes(layout.paddedCols(), config.bits());
        this.codeLayout = Boolean.getBoolean(ROW_ORDER) ? CodeLayout.ROWS : CodeLayout.preferred(config.bits(), rows, layout);
    }

    /**
     * {@code -Dturboquant.pack.rowOrder=true}: every tensor's codes in row order, so that uniform packs stay version 1
     * (mixed ones version 2) and older releases can read them; their 1- to 4-bit tensors are then regrouped in memory
     * at first use.
     */
    static final String ROW_ORDER = "turboquant.pack.rowOrder";

    CodeLayout codeLayout() {
        return codeLayout;
    }

    private int groups() {
        return (rows + CodeLayout.GROUP_ROWS - 1) / CodeLayout.GROUP_ROWS;
    }

    /** The codes part's shape: [rows, rowStrideBytes], or [blocksPerRow, groups, bytesPerBlock, 16] when grouped. */
    private long[] codesShape() {
        if (codeLayout == CodeLayout.ROWS) return new long[] {rows, rowStrideBytes};
        return new long[] {layout.blocksPerRow(), groups(), rowStrideBytes / layout.blocksPerRow(), CodeLayout.GROUP_ROWS};
    }

    static DType scaleDType(NormPrecision p) {
        return switch (p) {
            case F16 -> DType.F16;
            case F32 -> DType.F32;
            case LOG8 -> DType.U8;
        };
    }

    @Override
    public List<TensorSpec> parts() {
        return List.of(
                TensorSpec.of(name + "#codes", DType.U8, codesShape()),
                TensorSpec.of(name + "#scales", scaleDType(config.normPrecision()), rows, layout.blocksPerRow()),
                TensorSpec.of(name + "#centroids", DType.F32, 1L << config.bits()));
    }

    @Override
    public List<String> roles() {
        return List.of("codes", "scales", "centroids");
    }

    /** Log8 scales: fits the scale unit R to the tensor's largest magnitude (one more read of the tensor). */
    @Override
    public void prepare(RowReader reader) {
        config = config.fittedTo(reader::maxAbs, layout.cols());
    }

    @Override
    public long primaryBytes(int firstRow, int n) {
        return codeLayout == CodeLayout.ROWS ? n * rowStrideBytes : 0; // grouped codes go out with the secondary parts
    }

    @Override
    public void encodeRows(float[] src, int firstRow, int n, MemorySegment primary) {
        float[] out = scales();
        // one quantizer per task: its rotation and codebook come from caches, its scratch buffers are small
        RowQuantizer q = new RowQuantizer(layout.cols(), config);
        int cols = layout.cols(), nb = layout.blocksPerRow();
        if (codeLayout == CodeLayout.ROWS) {
            for (int i = 0; i < n; i++) q.quantizeRow(src, i * cols, primary, i * rowStrideBytes, out, (firstRow + i) * nb);
            return;
        }
        MemorySegment all = grouped(), row = MemorySegment.ofArray(new byte[Math.toIntExact(rowStrideBytes)]);
        int bytesPerBlock = Math.toIntExact(rowStrideBytes / nb);
        for (int i = 0; i < n; i++) {
            q.quantizeRow(src, i * cols, row, 0, out, (firstRow + i) * nb);
            RowGroupCodes.scatterRow(row, 0, firstRow + i, groups(), nb, bytesPerBlock, all); // rows disjoint: no lock
        }
    }

    private synchronized MemorySegment grouped() {
        if (grouped == null) grouped = Arena.ofAuto().allocate(rowStrideBytes * groups() * CodeLayout.GROUP_ROWS, 64);
        return grouped; // rows are a multiple of 16 here (CodeLayout.preferred): no padding rows
    }

    private synchronized float[] scales() {
        if (scales == null) scales = new float[Math.multiplyExact(rows, layout.blocksPerRow())];
        return scales;
    }

    @Override
    public void writeSecondaryParts(PartSink out) throws IOException {
        if (codeLayout == CodeLayout.ROW_GROUPS_16) {
            out.write(grouped());
            grouped = null;
        }
        out.write(PartBytes.scales(scales(), config.normPrecision()));
        out.write(PartBytes.floats(config.storedCentroids(Codebook.of(layout.blockSize(), config.bits())), DType.F32));
    }
}
