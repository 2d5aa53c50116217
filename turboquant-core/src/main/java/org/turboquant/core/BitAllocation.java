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

    /**
     * The width map marking the {@code wide} units of largest energy (ties go to the lower unit number), as a
     * {@link MixedLayout} bitmap. Deterministic: energies are compared as floats.
     */
    public static byte[] widestFirst(double[] energies, long wide) {
        int n = energies.length;
        if (wide < 0 || wide > n) throw new IllegalArgumentException("wide units " + wide + " not in [0, " + n + "]");
        byte[] bitmap = new byte[MixedLayout.bitmapBytes(n)];
        if (wide == 0) return bitmap;
        // One sortable long per unit: energy (a non-negative float, whose bits order like the value) above the
        // complemented unit number, so that among equal energies the lower unit sorts higher.
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            float e = (float) energies[i];
            if (!(e >= 0)) throw new IllegalArgumentException("energy of unit " + i + " is " + energies[i]);
            keys[i] = ((long) Float.floatToIntBits(e) << 32) | (0xFFFF_FFFFL - i);
        }
        Arrays.sort(keys);
        for (int k = n - 1; k >= n - wide; k--) {
            int i = (int) (0xFFFF_FFFFL - (keys[k] & 0xFFFF_FFFFL));
            bitmap[i >>> 3] |= (byte) (1 << (i & 7));
        }
        return bitmap;
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
