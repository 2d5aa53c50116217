package org.turboquant.core;

import java.util.Arrays;

/**
 * Energy-ordered bit allocation (reverse water-filling over blocks): a block's expected squared error is its
 * squared norm times the codebook's distortion D(b), and one more bit divides D(b) by about four, so a fixed
 * number of extra bits removes the most error when it goes to the units with the largest energy Σx².
 */
public final class BitAllocation {
    private BitAllocation() {}

    /** Σx² of each allocation unit of a row {@code src[srcOff..+cols)}, written to dst[dstOff..+unitsPerRow). */
    public static void unitEnergies(float[] src, int srcOff, BlockLayout blocks, double[] dst, int dstOff) {
        int cols = blocks.cols();
        int unitCols = MixedLayout.blocksPerUnit(blocks) * blocks.blockSize();
        int units = MixedLayout.unitsPerRow(blocks);
        for (int u = 0; u < units; u++) {
            double sum = 0;
            for (int j = u * unitCols, end = Math.min(cols, (u + 1) * unitCols); j < end; j++) {
                sum += (double) src[srcOff + j] * src[srcOff + j];
            }
            dst[dstOff + u] = sum;
        }
    }

    /** Σx² of every allocation unit of a row-major rows × cols matrix, in row-major unit order. */
    public static double[] unitEnergies(float[] w, int rows, BlockLayout blocks) {
        int perRow = MixedLayout.unitsPerRow(blocks), cols = blocks.cols();
        double[] energies = new double[Math.multiplyExact(rows, perRow)];
        for (int r = 0; r < rows; r++) unitEnergies(w, r * cols, blocks, energies, r * perRow);
        return energies;
    }

    /**
     * Unit numbers by descending value, ties to the lower number. Deterministic: values are compared as floats
     * (non-negative, as energies and their shares are).
     */
    public static int[] rankDescending(double[] values) {
        int n = values.length;
        // One sortable long per unit: the value (a non-negative float, whose bits order like the value) above the
        // complemented unit number, so that among equal values the lower unit sorts higher.
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            float v = (float) values[i];
            if (!(v >= 0)) throw new IllegalArgumentException("value of unit " + i + " is " + values[i]);
            keys[i] = ((long) Float.floatToIntBits(v) << 32) | (0xFFFF_FFFFL - i);
        }
        Arrays.sort(keys);
        int[] order = new int[n];
        for (int k = 0; k < n; k++) order[k] = (int) (0xFFFF_FFFFL - (keys[n - 1 - k] & 0xFFFF_FFFFL));
        return order;
    }

    /** The width map marking the {@code wide} units of largest energy ({@link #rankDescending}'s first), as a bitmap. */
    public static byte[] widestFirst(double[] energies, long wide) {
        int n = energies.length;
        if (wide < 0 || wide > n) throw new IllegalArgumentException("wide units " + wide + " not in [0, " + n + "]");
        byte[] bitmap = new byte[MixedLayout.bitmapBytes(n)];
        if (wide == 0) return bitmap;
        int[] order = rankDescending(energies);
        for (int k = 0; k < wide; k++) bitmap[order[k] >>> 3] |= (byte) (1 << (order[k] & 7));
        return bitmap;
    }

    /**
     * The width map marking the {@code wideCells} cells (16-row group × unit) of largest summed energy wide, every row
     * of a chosen cell: the allocation {@link CodeLayout#MIXED_ROW_GROUPS_16} needs. Cell c = G·unitsPerRow + u; ties
     * to the lower cell ({@link #rankDescending}). The last group may hold fewer than 16 rows.
     */
    public static byte[] widestCellsFirst(double[] unitEnergies, int rows, int unitsPerRow, long wideCells) {
        int groups = (rows + CodeLayout.GROUP_ROWS - 1) / CodeLayout.GROUP_ROWS;
        long units = (long) rows * unitsPerRow;
        if (unitEnergies.length != units)
            throw new IllegalArgumentException(unitEnergies.length + " unit energies, expected " + units);
        double[] cells = new double[Math.multiplyExact(groups, unitsPerRow)];
        for (int r = 0; r < rows; r++)
            for (int u = 0; u < unitsPerRow; u++) cells[r / CodeLayout.GROUP_ROWS * unitsPerRow + u] += unitEnergies[r * unitsPerRow + u];
        if (wideCells < 0 || wideCells > cells.length)
            throw new IllegalArgumentException("wide cells " + wideCells + " not in [0, " + cells.length + "]");
        byte[] bitmap = new byte[MixedLayout.bitmapBytes(units)];
        int[] order = rankDescending(cells);
        for (int c = 0; c < wideCells; c++) {
            int group = order[c] / unitsPerRow, u = order[c] % unitsPerRow;
            for (int r = group * CodeLayout.GROUP_ROWS, end = Math.min(rows, r + CodeLayout.GROUP_ROWS); r < end; r++) {
                int i = r * unitsPerRow + u;
                bitmap[i >>> 3] |= (byte) (1 << (i & 7));
            }
        }
        return bitmap;
    }

    /**
     * The width map of a mixed matrix with {@code wideUnits} wide units: per 16-row cell ({@link #widestCellsFirst},
     * {@code wideUnits} then a multiple of 16) when it is stored in {@link CodeLayout#MIXED_ROW_GROUPS_16}, else per
     * unit ({@link #widestFirst}). The one rule the pack writer and the in-memory quantizer of {@code tq compare}
     * both apply, so that compare's figures are the pack's.
     */
    public static byte[] widthMap(double[] unitEnergies, int rows, int unitsPerRow, long wideUnits, boolean perCell) {
        if (!perCell) return widestFirst(unitEnergies, wideUnits);
        if (wideUnits % CodeLayout.GROUP_ROWS != 0)
            throw new IllegalArgumentException(wideUnits + " wide units are not whole 16-row cells");
        return widestCellsFirst(unitEnergies, rows, unitsPerRow, wideUnits / CodeLayout.GROUP_ROWS);
    }

    /**
     * Storage in bits of a {@code rows}-row matrix with this block layout when {@code wideUnits} of its units are
     * stored at {@code wideBits} and the rest at {@code narrowBits}: packed codes, one scale per block and the
     * width map. With wideUnits = 0 this is a mixed layout's cost, not the uniform one ({@link #uniformBits}).
     */
    public static long mixedBits(int rows, BlockLayout blocks, int narrowBits, int wideBits, long wideUnits,
                                 int scaleBits) {
        long units = (long) rows * MixedLayout.unitsPerRow(blocks);
        int unitIndices = MixedLayout.unitIndices(blocks);
        long codes = 8 * ((units - wideUnits) * BitPacking.packedBytes(unitIndices, narrowBits)
                + wideUnits * BitPacking.packedBytes(unitIndices, wideBits));
        return codes + scaleBits * (long) rows * blocks.blocksPerRow() + 8L * MixedLayout.bitmapBytes(units);
    }

    /** Storage in bits of the uniform layout: packed rows plus one scale per block. */
    public static long uniformBits(int rows, BlockLayout blocks, int bits, int scaleBits) {
        return 8 * rows * BitPacking.packedBytes(blocks.paddedCols(), bits)
                + scaleBits * (long) rows * blocks.blocksPerRow();
    }
}
