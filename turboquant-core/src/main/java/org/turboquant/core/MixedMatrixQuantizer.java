package org.turboquant.core;

import java.lang.foreign.MemorySegment;

/** TurboQuant_mse at two widths on a whole row-major matrix held in memory, with energy-ordered allocation. */
public final class MixedMatrixQuantizer {
    private MixedMatrixQuantizer() {}

    /**
     * Quantizes {@code w} (rows × cols) with its {@code wideUnits} highest-energy allocation units at
     * {@code wideBits} and the rest at {@code config.bits()}.
     */
    public static MixedQuantizedMatrix quantize(float[] w, int rows, int cols, QuantConfig config, int wideBits,
                                                long wideUnits) {
        if (rows < 1 || cols < 1) throw new IllegalArgumentException("rows and cols must be >= 1");
        if (w.length < (long) rows * cols)
            throw new IllegalArgumentException("matrix holds " + w.length + " values, need " + (long) rows * cols);
        MixedRowQuantizer quantizer = new MixedRowQuantizer(cols, config, wideBits);
        BlockLayout blocks = quantizer.blocks();
        double[] energies = BitAllocation.unitEnergies(w, rows, blocks);
        MixedLayout layout = MixedLayout.of(rows, blocks, BitAllocation.widestFirst(energies, wideUnits));
        return quantize(w, layout, quantizer);
    }

    /**
     * Quantizes {@code w} in {@link CodeLayout#MIXED_ROW_GROUPS_16}: the {@code wideCells} cells (16-row group × block)
     * of largest summed energy at {@code wideBits}, the rest at {@code config.bits()}. Blocks must be whole chunks.
     */
    public static MixedQuantizedMatrix quantizeGrouped(float[] w, int rows, int cols, QuantConfig config, int wideBits,
                                                       long wideCells) {
        if (rows < 1 || cols < 1) throw new IllegalArgumentException("rows and cols must be >= 1");
        if (w.length < (long) rows * cols)
            throw new IllegalArgumentException("matrix holds " + w.length + " values, need " + (long) rows * cols);
        MixedRowQuantizer quantizer = new MixedRowQuantizer(cols, config, wideBits);
        BlockLayout blocks = quantizer.blocks();
        double[] energies = BitAllocation.unitEnergies(w, rows, blocks);
        MixedLayout layout = MixedLayout.of(rows, blocks,
                BitAllocation.widestCellsFirst(energies, rows, MixedLayout.unitsPerRow(blocks), wideCells));
        return MixedGroupCodes.regroup(quantize(w, layout, quantizer), java.lang.foreign.Arena.ofAuto());
    }

    /** Quantizes {@code w} with a given width map. */
    public static MixedQuantizedMatrix quantize(float[] w, MixedLayout layout, QuantConfig config, int wideBits) {
        return quantize(w, layout, new MixedRowQuantizer(layout.blocks().cols(), config, wideBits));
    }

    private static MixedQuantizedMatrix quantize(float[] w, MixedLayout layout, MixedRowQuantizer quantizer) {
        int rows = layout.rows(), cols = layout.blocks().cols();
        int narrowBits = quantizer.narrowCodebook().bits(), wideBits = quantizer.wideCodebook().bits();
        long narrowUnitBytes = BitPacking.packedBytes(layout.unitIndices(), narrowBits);
        long wideUnitBytes = BitPacking.packedBytes(layout.unitIndices(), wideBits);
        MemorySegment codes = heapSegment(MixedQuantizedMatrix.codeBytes(layout, narrowUnitBytes, wideUnitBytes, rows));
        int blocksPerRow = layout.blocks().blocksPerRow();
        float[] scales = new float[Math.multiplyExact(rows, blocksPerRow)];
        for (int r = 0; r < rows; r++) {
            try {
                quantizer.quantizeRow(w, r * cols, layout, r, codes,
                        MixedQuantizedMatrix.codeBytes(layout, narrowUnitBytes, wideUnitBytes, r), scales, r * blocksPerRow);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("row " + r + ": " + e.getMessage(), e);
            }
        }
        return new MixedQuantizedMatrix(layout, quantizer.rotation(), narrowBits,
                quantizer.storedCentroids(false), wideBits, quantizer.storedCentroids(true), codes, scales);
    }

    private static MemorySegment heapSegment(long bytes) {
        if (bytes > Integer.MAX_VALUE - 8)
            throw new IllegalArgumentException("quantized matrix too large for a heap array: " + bytes + " bytes");
        return MemorySegment.ofArray(new byte[(int) bytes]);
    }
}
