package org.turboquant.core.baseline;

import java.lang.foreign.MemorySegment;
import java.util.Locale;

/**
 * The llama.cpp (ggml) block types reproduced here: how many weights one block holds, its bytes (ggml's struct,
 * byte for byte, little-endian), and the block's encoder and decoder (ggml's no-importance-matrix quantizers).
 *
 * <p>A matrix in one of these formats is a <em>block stream</em>: its rows × cols weights, row-major (the
 * reduction axis contiguous), cut into consecutive blocks of {@link #weights()} values, the last block
 * zero-padded. When cols is a multiple of the block size this is exactly ggml's row layout; otherwise a block
 * may hold the end of one row and the start of the next (ggml would refuse such a row; see docs/FORMAT.md §8).
 */
public enum BlockFormat {
    Q3_K(Q3_KMatrix.BLOCK, Q3_KMatrix.BLOCK_BYTES, Q3_KMatrix::encodeBlock, Q3_KMatrix::decodeBlock, Q3_KMatrix::new),
    Q4_K(Q4_KMatrix.BLOCK, Q4_KMatrix.BLOCK_BYTES, Q4_KMatrix::encodeBlock, Q4_KMatrix::decodeBlock, Q4_KMatrix::new),
    Q5_K(Q5_KMatrix.BLOCK, Q5_KMatrix.BLOCK_BYTES, Q5_KMatrix::encodeBlock, Q5_KMatrix::decodeBlock, Q5_KMatrix::new),
    Q6_K(Q6_KMatrix.BLOCK, Q6_KMatrix.BLOCK_BYTES, Q6_KMatrix::encodeBlock, Q6_KMatrix::decodeBlock, Q6_KMatrix::new),
    IQ4_NL(IQ4_NLMatrix.BLOCK, IQ4_NLMatrix.BLOCK_BYTES, IQ4_NLMatrix::encodeBlock, IQ4_NLMatrix::decodeBlock, IQ4_NLMatrix::new),
    IQ4_XS(IQ4_XSMatrix.BLOCK, IQ4_XSMatrix.BLOCK_BYTES, IQ4_XSMatrix::encodeBlock, IQ4_XSMatrix::decodeBlock, IQ4_XSMatrix::new);

    /** Encodes the block at x[off .. off + weights()) into out at byte {@code at}. */
    interface Encoder {
        void encode(float[] x, int off, MemorySegment out, long at);
    }

    /** Decodes the block at byte {@code at} of in into dst[off .. off + weights()). */
    interface Decoder {
        void decode(MemorySegment in, long at, float[] dst, int off);
    }

    interface Factory {
        BlockStreamMatrix create(int rows, int cols, MemorySegment blocks);
    }

    private final int weights;
    private final int bytes;
    private final Encoder encoder;
    private final Decoder decoder;
    private final Factory factory;

    BlockFormat(int weights, int bytes, Encoder encoder, Decoder decoder, Factory factory) {
        this.weights = weights;
        this.bytes = bytes;
        this.encoder = encoder;
        this.decoder = decoder;
        this.factory = factory;
    }

    /** Weights per block (256 for the K-quants and IQ4_XS, 32 for IQ4_NL). */
    public int weights() {
        return weights;
    }

    /** Bytes per block. */
    public int bytes() {
        return bytes;
    }

    /** Bits per weight as llama.cpp counts them (block bytes · 8 / block weights). */
    public double bitsPerWeight() {
        return 8.0 * bytes / weights;
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Blocks of a stream of n weights (the last one zero-padded). */
    public long blocks(long n) {
        return (n + weights - 1) / weights;
    }

    /**
     * Encodes weights src[off .. off + len) as whole blocks, the last zero-padded; returns blocks(len) · bytes().
     * Values must be finite (checked by the callers, which know rows and columns).
     */
    public byte[] encode(float[] src, int off, int len) {
        long nb = blocks(len);
        byte[] out = new byte[Math.toIntExact(nb * bytes)];
        MemorySegment seg = MemorySegment.ofArray(out);
        float[] block = new float[weights];
        for (long b = 0; b < nb; b++) {
            int start = Math.toIntExact(b * weights);
            int n = Math.min(weights, len - start);
            System.arraycopy(src, off + start, block, 0, n);
            java.util.Arrays.fill(block, n, weights, 0f);
            encoder.encode(block, 0, seg, b * bytes);
        }
        return out;
    }

    /** Decodes block {@code block} of a stream into dst[off .. off + weights()). */
    public void decode(MemorySegment blocks, long block, float[] dst, int off) {
        decoder.decode(blocks, block * bytes, dst, off);
    }

    /** Quantizes a rows × cols row-major matrix (finite values; a clear error names the first that is not). */
    public BlockStreamMatrix quantize(float[] w, int rows, int cols) {
        if (rows < 1 || cols < 1) throw new IllegalArgumentException("rows and cols must be >= 1");
        int n = Math.multiplyExact(rows, cols);
        if (w.length < n) throw new IllegalArgumentException("expected " + n + " weights, got " + w.length);
        for (int i = 0; i < n; i++) {
            if (!Float.isFinite(w[i]))
                throw new IllegalArgumentException("non-finite value " + w[i] + " at row " + i / cols + ", column " + i % cols);
        }
        return factory.create(rows, cols, MemorySegment.ofArray(encode(w, 0, n)));
    }

    /** A matrix over existing block bytes (e.g. a pack's part). */
    public BlockStreamMatrix matrix(int rows, int cols, MemorySegment blocks) {
        return factory.create(rows, cols, blocks);
    }

    /** Checks dimensions and that the segment holds every block of a rows × cols stream. */
    void check(int rows, int cols, MemorySegment blocks) {
        if (rows < 1 || cols < 1) throw new IllegalArgumentException("rows and cols must be >= 1");
        long need = blocks((long) rows * cols) * bytes;
        if (blocks.byteSize() < need)
            throw new IllegalArgumentException(id() + " blocks too small for " + rows + " x " + cols + ": "
                    + blocks.byteSize() + " bytes, need " + need);
    }

    public static BlockFormat parse(String id) {
        return valueOf(id.trim().toUpperCase(Locale.ROOT));
    }
}
