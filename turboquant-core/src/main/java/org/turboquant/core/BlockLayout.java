package org.turboquant.core;

/**
 * How a row of {@code cols} weights is cut into blocks of {@code blockSize}. The last block is zero-padded to the
 * full block size before rotation, so a row holds {@code paddedCols = blocksPerRow · blockSize} indices.
 *
 * @param cols        logical row length (the reduction dimension)
 * @param blockSize   g, the dimension each block is rotated and quantized in
 * @param blocksPerRow ceil(cols / blockSize)
 */
public record BlockLayout(int cols, int blockSize, int blocksPerRow) {

    /** Request meaning "one block per row", as in the paper. */
    public static final int WHOLE_ROW = 0;

    public BlockLayout {
        if (cols < 1) throw new IllegalArgumentException("cols must be >= 1, got " + cols);
        if (blockSize < 1) throw new IllegalArgumentException("block size must be >= 1, got " + blockSize);
        if (blocksPerRow != (cols + blockSize - 1) / blockSize)
            throw new IllegalArgumentException("blocksPerRow inconsistent with cols and blockSize");
    }

    /**
     * The layout for a row of {@code cols} with a requested block size ({@link #WHOLE_ROW} for the whole row).
     * Hadamard needs a power-of-two block: a whole row of non-power-of-two length is padded to the next power of
     * two; an explicit block size that is not a power of two is rejected. A block larger than the row shrinks to
     * the row (QR) or the row's next power of two (Hadamard).
     */
    public static BlockLayout of(int cols, int requestedBlock, RotationKind kind) {
        if (cols < 1) throw new IllegalArgumentException("cols must be >= 1, got " + cols);
        if (requestedBlock < 0) throw new IllegalArgumentException("block size must be >= 0, got " + requestedBlock);
        int g = requestedBlock == WHOLE_ROW ? cols : Math.min(requestedBlock, cols);
        if (kind == RotationKind.HADAMARD) {
            if (requestedBlock != WHOLE_ROW && Integer.bitCount(requestedBlock) != 1)
                throw new IllegalArgumentException("hadamard needs a power-of-two block size, got " + requestedBlock);
            g = nextPowerOfTwo(g);
        }
        return new BlockLayout(cols, g, (cols + g - 1) / g);
    }

    public int paddedCols() {
        return blocksPerRow * blockSize;
    }

    /** Logical (unpadded) length of block k. */
    public int blockLength(int k) {
        return Math.min(blockSize, cols - k * blockSize);
    }

    static int nextPowerOfTwo(int n) {
        return n <= 1 ? 1 : Integer.highestOneBit(n - 1) << 1;
    }
}
