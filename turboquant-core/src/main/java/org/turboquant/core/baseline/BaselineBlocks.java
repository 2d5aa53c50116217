package org.turboquant.core.baseline;

/** What the llama.cpp block-32 formats share: block counts, segment checks, loading one block of a row. */
final class BaselineBlocks {
    /** Weights per block. */
    static final int BLOCK = 32;

    private BaselineBlocks() {}

    static int blocksPerRow(int cols) {
        return (cols + BLOCK - 1) / BLOCK;
    }

    /** Checks dimensions and that quants (bytesPerBlock per block) and f16 scales cover every block. */
    static void checkSegments(int rows, int cols, java.lang.foreign.MemorySegment quants, int bytesPerBlock,
                              java.lang.foreign.MemorySegment scales) {
        if (rows < 1 || cols < 1) throw new IllegalArgumentException("rows and cols must be >= 1");
        long blocks = (long) rows * blocksPerRow(cols);
        if (quants.byteSize() < blocks * bytesPerBlock || scales.byteSize() < blocks * 2)
            throw new IllegalArgumentException("segments too small for " + rows + " x " + cols);
    }

    /** Reads block {@code block} of row {@code row} into dst (BLOCK long), zero-padding past the row's end. */
    static void load(float[] w, int row, int cols, int block, float[] dst) {
        int start = block * dst.length;
        int len = Math.min(dst.length, cols - start);
        for (int j = 0; j < len; j++) {
            float v = w[row * cols + start + j];
            if (!Float.isFinite(v))
                throw new IllegalArgumentException("non-finite value " + v + " at row " + row + ", column " + (start + j));
            dst[j] = v;
        }
        java.util.Arrays.fill(dst, Math.max(len, 0), dst.length, 0f);
    }
}
