package org.turboquant.loader.pack;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.turboquant.core.BitAllocation;
import org.turboquant.core.BitPacking;
import org.turboquant.core.BlockLayout;
import org.turboquant.core.Codebook;
import org.turboquant.core.MixedLayout;
import org.turboquant.core.MixedQuantizedMatrix;
import org.turboquant.core.MixedRowQuantizer;
import org.turboquant.core.QuantConfig;
import org.turboquant.loader.safetensors.DType;
import org.turboquant.loader.safetensors.TensorSpec;

/**
 * Parts of a mixed-width TurboQuant matrix (docs/FORMAT.md, "Mixed widths"): codes (U8, each row's narrow units
 * then its wide units), the width map (U8 bitmap), block scales, and both codebooks. {@link #prepare} reads the
 * whole matrix once to rank allocation units by energy; rows are then encoded in parallel like a uniform tensor.
 */
final class MixedTurboQuantEncoder implements TensorEncoder {
    private final String name;
    private final int rows;
    private QuantConfig config; // its log8 scale unit is fitted to the tensor by prepare
    private final int wideBits;
    private final long wideUnits;
    private final BlockLayout blocks;
    private final long narrowUnitBytes, wideUnitBytes;
    private double[] energies; // given, or measured by prepare
    private MixedLayout layout; // set by prepare
    private float[] scales;

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
        if (config.normPrecision() == org.turboquant.core.NormPrecision.LOG8)
            config = config.withScaleUnit(org.turboquant.core.NormPrecision.log8Unit(reader.maxAbs(), blocks.blockSize()));
        if (energies == null) energies = reader.unitEnergies(blocks);
        double[] ranked = Boolean.getBoolean(GROUP_WIDTHS) ? groupEnergies(energies) : energies;
        layout = MixedLayout.of(rows, blocks, BitAllocation.widestFirst(ranked, wideUnits));
        energies = null; // the width map is all the encoder needs from here
        scales = new float[Math.multiplyExact(rows, blocks.blocksPerRow())];
    }

    /**
     * EXPERIMENT, off by default ({@code -Dturboquant.pack.groupWidths=true}): widths chosen per (16-row group × unit)
     * instead of per (row × unit), the granularity a 16-row table kernel for mixed rows would need. Every unit is
     * ranked by the summed energy of its group's 16 rows, so the wide units come in whole group-cells (all but at most
     * one per tensor). The stored format is unchanged; this only measures what the coarser allocation costs in
     * quality (docs/FORMAT.md §18).
     */
    static final String GROUP_WIDTHS = "turboquant.pack.groupWidths";

    private double[] groupEnergies(double[] unitEnergies) {
        int perRow = MixedLayout.unitsPerRow(blocks), group = org.turboquant.core.CodeLayout.GROUP_ROWS;
        double[] out = new double[unitEnergies.length];
        for (int g0 = 0; g0 < rows; g0 += group) {
            int end = Math.min(rows, g0 + group);
            for (int u = 0; u < perRow; u++) {
                double sum = 0;
                for (int r = g0; r < end; r++) sum += unitEnergies[r * perRow + u];
                for (int r = g0; r < end; r++) out[r * perRow + u] = sum;
            }
        }
        return out;
    }

    @Override
    public long primaryBytes(int firstRow, int n) {
        return rowStart(firstRow + n) - rowStart(firstRow);
    }

    private long rowStart(int row) {
        return MixedQuantizedMatrix.codeBytes(layout, narrowUnitBytes, wideUnitBytes, row);
    }

    @Override
    public void encodeRows(float[] src, int firstRow, int n, MemorySegment primary) {
        MixedRowQuantizer q = new MixedRowQuantizer(blocks.cols(), config, wideBits);
        int cols = blocks.cols(), nb = blocks.blocksPerRow();
        long base = rowStart(firstRow);
        for (int i = 0; i < n; i++) {
            int row = firstRow + i;
            q.quantizeRow(src, i * cols, layout, row, primary, rowStart(row) - base, scales, row * nb);
        }
    }

    @Override
    public void writeSecondaryParts(PartSink out) throws IOException {
        out.write(MemorySegment.ofArray(layout.bitmap()));
        out.write(PartBytes.scales(scales, config.normPrecision()));
        out.write(PartBytes.floats(config.storedCentroids(Codebook.of(blocks.blockSize(), config.bits())), DType.F32));
        out.write(PartBytes.floats(config.storedCentroids(Codebook.of(blocks.blockSize(), wideBits)), DType.F32));
    }
}
