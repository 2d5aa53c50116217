package org.turboquant.core;

import java.lang.foreign.MemorySegment;

/**
 * A row-major matrix quantized with TurboQuant_prod, block by block (the same {@link BlockLayout} as
 * TurboQuant_mse; whole-row by default). Per block: ‖x‖ in {@link #norms()}, the (bits − 1)-bit mse indices in
 * {@link #mseCodes()} (absent when bits = 1), the residual's norm in {@link #residualNorms()} and the QJL sign
 * bits in {@link #qjlBits()}. Codes of row r start at r·stride; both are packed by {@link BitPacking} over the
 * row's padded columns (1 bit per sign, bit 1 = +1). Every block shares P and S (seeded by the config's seed).
 * Immutable by contract: arrays and segments are shared, not copied.
 */
public final class QuantizedProdMatrix {
    private final int rows;
    private final BlockLayout layout;
    private final TurboQuantProd codec;
    private final MemorySegment mseCodes;
    private final MemorySegment qjlBits;
    private final float[] norms;
    private final float[] residualNorms;

    private QuantizedProdMatrix(int rows, BlockLayout layout, TurboQuantProd codec, MemorySegment mseCodes,
                                MemorySegment qjlBits, float[] norms, float[] residualNorms) {
        this.rows = rows;
        this.layout = layout;
        this.codec = codec;
        this.mseCodes = mseCodes;
        this.qjlBits = qjlBits;
        this.norms = norms;
        this.residualNorms = residualNorms;
    }

    /**
     * Quantizes {@code w} (rows × cols). Uses the config's bits (total, mse gets bits − 1), block size, rotation,
     * seed and norm precision (applied to both norms); norm correction is rejected, it would bias the estimate.
     */
    public static QuantizedProdMatrix quantize(float[] w, int rows, int cols, QuantConfig config) {
        if (config.normCorrection())
            throw new IllegalArgumentException("TurboQuant_prod does not support norm correction (it biases the estimate)");
        if (rows < 1 || cols < 1) throw new IllegalArgumentException("rows and cols must be >= 1");
        BlockLayout layout = BlockLayout.of(cols, config.blockSize(), config.rotation());
        int g = layout.blockSize(), nb = layout.blocksPerRow(), padded = layout.paddedCols();
        TurboQuantProd codec = new TurboQuantProd(g, config.bits(), config.rotation(), config.seed());
        int mseBits = config.bits() - 1;
        long mseStride = mseBits == 0 ? 0 : BitPacking.packedBytes(padded, mseBits);
        long qjlStride = BitPacking.packedBytes(padded, 1);
        MemorySegment mseCodes = MemorySegment.ofArray(new byte[Math.toIntExact(mseStride * rows)]);
        MemorySegment qjlBits = MemorySegment.ofArray(new byte[Math.toIntExact(qjlStride * rows)]);
        float[] norms = new float[rows * nb], residualNorms = new float[rows * nb];
        byte[] indices = new byte[padded], signs = new byte[padded], blockIdx = new byte[g], blockSigns = new byte[g];
        float[] block = new float[g];
        for (int r = 0; r < rows; r++) {
            for (int k = 0; k < nb; k++) {
                int len = layout.blockLength(k);
                System.arraycopy(w, r * cols + k * g, block, 0, len);
                java.util.Arrays.fill(block, len, g, 0f);
                TurboQuantProd.Norms n;
                try {
                    n = codec.encode(block, blockIdx, blockSigns);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("row " + r + ", block " + k + ": " + e.getMessage(), e);
                }
                norms[r * nb + k] = config.normPrecision().round(n.norm());
                residualNorms[r * nb + k] = config.normPrecision().round(n.residualNorm());
                System.arraycopy(blockIdx, 0, indices, k * g, g);
                System.arraycopy(blockSigns, 0, signs, k * g, g);
            }
            if (mseBits > 0) BitPacking.pack(indices, 0, padded, mseBits, mseCodes, r * mseStride);
            BitPacking.pack(signs, 0, padded, 1, qjlBits, r * qjlStride);
        }
        return new QuantizedProdMatrix(rows, layout, codec, mseCodes, qjlBits, norms, residualNorms);
    }

    public int rows() { return rows; }
    public int cols() { return layout.cols(); }
    public BlockLayout layout() { return layout; }
    /** Total bits per weight of the indices: mse bits + 1. */
    public int bits() { return codec.bits(); }
    public TurboQuantProd codec() { return codec; }
    /** Packed (bits − 1)-bit indices, rows × mseRowStrideBytes(); empty when bits = 1. */
    public MemorySegment mseCodes() { return mseCodes; }
    public long mseRowStrideBytes() { return bits() == 1 ? 0 : BitPacking.packedBytes(layout.paddedCols(), bits() - 1); }
    /** Packed sign bits, rows × qjlRowStrideBytes(). */
    public MemorySegment qjlBits() { return qjlBits; }
    public long qjlRowStrideBytes() { return BitPacking.packedBytes(layout.paddedCols(), 1); }
    public float[] norms() { return norms; }
    public float[] residualNorms() { return residualNorms; }

    /** y[r] = the unbiased estimate of ⟨row r, x⟩ (scalar reference; double sums). */
    public void gemv(float[] x, float[] y) {
        int g = layout.blockSize(), nb = layout.blocksPerRow(), padded = layout.paddedCols();
        double[] rotated = new double[padded], sketched = new double[padded];
        float[] block = new float[g], rotatedBlock = new float[g];
        for (int k = 0; k < nb; k++) {
            int len = layout.blockLength(k);
            System.arraycopy(x, k * g, block, 0, len);
            java.util.Arrays.fill(block, len, g, 0f);
            if (codec.mse() != null) {
                codec.mse().rotation().rotate(block, 0, rotatedBlock, 0);
                for (int j = 0; j < g; j++) rotated[k * g + j] = rotatedBlock[j];
            }
            codec.sketch().project(block, 0, sketched, k * g);
        }
        float[] levels = codec.mse() == null ? new float[0] : codec.mse().codebook().centroids();
        byte[] indices = new byte[padded], signs = new byte[padded];
        for (int r = 0; r < rows; r++) {
            if (codec.mse() != null) BitPacking.unpack(mseCodes, r * mseRowStrideBytes(), padded, bits() - 1, indices, 0);
            BitPacking.unpack(qjlBits, r * qjlRowStrideBytes(), padded, 1, signs, 0);
            double sum = 0;
            for (int k = 0; k < nb; k++) {
                double mseTerm = 0, agreement = 0;
                for (int j = k * g; j < (k + 1) * g; j++) {
                    if (levels.length > 0) mseTerm += levels[indices[j] & 0xFF] * rotated[j];
                    agreement += signs[j] != 0 ? sketched[j] : -sketched[j];
                }
                sum += norms[r * nb + k] * (mseTerm + codec.qjlFactor() * residualNorms[r * nb + k] * agreement);
            }
            y[r] = (float) sum;
        }
    }
}
