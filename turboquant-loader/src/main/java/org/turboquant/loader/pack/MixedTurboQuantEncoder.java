package org.turboquant.loader.pack;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.turboquant.core.BitAllocation;
import org.turboquant.core.BitPacking;
import org.turboquant.core.BlockLayout;
import org.turboquant.core.CodeLayout;
import org.turboquant.core.Codebook;
import org.turboquant.core.MixedGroupCodes;
import org.turboquant.core.MixedLayout;
import org.turboquant.core.MixedQuantizedMatrix;
import org.turboquant.core.MixedRowQuantizer;
import org.turboquant.core.QuantConfig;
import org.turboquant.loader.safetensors.DType;
import org.turboquant.loader.safetensors.TensorSpec;

/**
 * Parts of a mixed-width TurboQuant matrix (docs/FORMAT.md, "Mixed widths"): codes (U8), the width map (U8 bitmap),
 * block scales, and both codebooks. {@link #prepare} reads the whole matrix once to rank allocation units by energy;
 * rows are then encoded in parallel like a uniform tensor.
 *
 * <p>Codes are stored in one of two orders (docs/FORMAT.md §18–19): {@link CodeLayout#MIXED_ROW_GROUPS_16} when the
 * tensor is {@link #groupable} and its wide width has a 16-row table kernel — widths then chosen per cell (16-row
 * group × block, {@link BitAllocation#widestCellsFirst}), rows scattered into an off-heap buffer of the whole codes
 * part written out with the secondary parts (as {@link TurboQuantEncoder} does for uniform groups); otherwise row
 * order (each row's narrow units then its wide units, widths per row × unit), streamed as rows are encoded.
 */
final class MixedTurboQuantEncoder implements TensorEncoder {
    private final String name;
    private final int rows;
    private QuantConfig config; // its log8 scale unit is fitted to the tensor by prepare
    private final int wideBits;
    private final long wideUnits;
    private final BlockLayout blocks;
    private final long narrowUnitBytes, wideUnitBytes;
    private final CodeLayout codeLayout;
    private double[] energies; // given, or measured by prepare
    private MixedLayout layout; // set by prepare
    private float[] scales;
    private long[] cellStart; // grouped only, set by prepare: where each cell's bytes start
    private MemorySegment grouped; // grouped only: the whole codes part, filled by encodeRows

    /** {@code energies}: the unit energies if already measured (see {@link RowReader#unitEnergies}), else null. */
    MixedTurboQuantEncoder(String name, int rows, int cols, QuantConfig config, int wideBits, long wideUnits,
                           double[] energies) {
        this.name = name;
        this.rows = rows;
        this.config = config;
        this.wideBits = wideBits;
        this.wideUnits = wideUnits;
        this.blocks = BlockLayout.of(cols, config.blockSize(), config.rotation());
        int unitIndices = MixedLayout.unitIndices(blocks);
        this.narrowUnitBytes = BitPacking.packedBytes(unitIndices, config.bits());
        this.wideUnitBytes = BitPacking.packedBytes(unitIndices, wideBits);
        this.energies = energies;
        this.codeLayout = BitBudget.groupable(rows, blocks) && wideBits <= BitBudget.GROUPED_MAX_WIDE_BITS
                ? CodeLayout.MIXED_ROW_GROUPS_16 : CodeLayout.ROWS;
        if (grouped() && wideUnits % CodeLayout.GROUP_ROWS != 0)
            throw new IllegalStateException(name + ": " + wideUnits + " wide units are not whole 16-row cells");
    }

    CodeLayout codeLayout() {
        return codeLayout;
    }

    private boolean grouped() {
        return codeLayout == CodeLayout.MIXED_ROW_GROUPS_16;
    }

    private long units() {
        return (long) rows * MixedLayout.unitsPerRow(blocks);
    }

    @Override
    public List<TensorSpec> parts() {
        long codeBytes = (units() - wideUnits) * narrowUnitBytes + wideUnits * wideUnitBytes;
        return List.of(
                TensorSpec.of(name + "#codes", DType.U8, codeBytes),
                TensorSpec.of(name + "#widths", DType.U8, MixedLayout.bitmapBytes(units())),
                TensorSpec.of(name + "#scales", TurboQuantEncoder.scaleDType(config.normPrecision()), rows,
                        blocks.blocksPerRow()),
                TensorSpec.of(name + "#centroids", DType.F32, 1L << config.bits()),
                TensorSpec.of(name + "#wide_centroids", DType.F32, 1L << wideBits));
    }

    @Override
    public List<String> roles() {
        return List.of("codes", "widths", "scales", "centroids", "wide_centroids");
    }

    @Override
    public void prepare(RowReader reader) {
        config = config.fittedTo(reader::maxAbs, blocks.cols());
        if (energies == null) energies = reader.unitEnergies(blocks);
        layout = MixedLayout.of(rows, blocks,
                BitAllocation.widthMap(energies, rows, MixedLayout.unitsPerRow(blocks), wideUnits, grouped()));
        energies = null; // the width map is all the encoder needs from here
        scales = new float[Math.multiplyExact(rows, blocks.blocksPerRow())];
        if (grouped()) {
            cellStart = MixedQuantizedMatrix.cellStarts(layout, config.bits(), wideBits);
            grouped = Arena.ofAuto().allocate(cellStart[cellStart.length - 1], 64);
        }
    }

    @Override
    public long primaryBytes(int firstRow, int n) {
        if (grouped()) return 0; // grouped codes go out with the secondary parts
        return rowStart(firstRow + n) - rowStart(firstRow);
    }

    private long rowStart(int row) {
        return MixedQuantizedMatrix.codeBytes(layout, narrowUnitBytes, wideUnitBytes, row);
    }

    @Override
    public void encodeRows(float[] src, int firstRow, int n, MemorySegment primary) {
        MixedRowQuantizer q = new MixedRowQuantizer(blocks.cols(), config, wideBits);
        int cols = blocks.cols(), nb = blocks.blocksPerRow();
        if (grouped()) {
            MemorySegment row = MemorySegment.ofArray(new byte[Math.toIntExact(layout.unitsPerRow() * wideUnitBytes)]);
            int groups = rows / CodeLayout.GROUP_ROWS;
            for (int i = 0; i < n; i++) {
                int r = firstRow + i;
                q.quantizeRow(src, i * cols, layout, r, row, 0, scales, r * nb);
                // rows are disjoint lanes of the cells: no lock
                MixedGroupCodes.scatterRow(layout, narrowUnitBytes, wideUnitBytes, row, 0, r,
                        (k, g) -> cellStart[(int) k * groups + (int) g], grouped);
            }
            return;
        }
        long base = rowStart(firstRow);
        for (int i = 0; i < n; i++) {
            int row = firstRow + i;
            q.quantizeRow(src, i * cols, layout, row, primary, rowStart(row) - base, scales, row * nb);
        }
    }

    @Override
    public void writeSecondaryParts(PartSink out) throws IOException {
        if (grouped()) {
            out.write(grouped);
            grouped = null;
        }
        out.write(MemorySegment.ofArray(layout.bitmap()));
        out.write(PartBytes.scales(scales, config.normPrecision()));
        out.write(PartBytes.floats(config.storedCentroids(Codebook.of(blocks.blockSize(), config.bits())), DType.F32));
        out.write(PartBytes.floats(config.storedCentroids(Codebook.of(blocks.blockSize(), wideBits)), DType.F32));
    }
}
