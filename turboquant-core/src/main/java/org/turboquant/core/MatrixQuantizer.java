package org.turboquant.core;

import java.lang.foreign.MemorySegment;

/** TurboQuant_mse (Algorithm 1) on a whole row-major matrix held in memory. */
public final class MatrixQuantizer {
    private MatrixQuantizer() {}

    /**
     * Quantizes {@code w} (rows × cols, row-major) into a heap-backed {@link QuantizedMatrix}. Log8 scales use the
     * config's unit as given (see {@link QuantConfig#fittedTo}).
     */
    public static QuantizedMatrix quantize(float[] w, int rows, int cols, QuantConfig config) {
        if (rows < 1 || cols < 1) throw new IllegalArgumentException("rows and cols must be >= 1");
        if (w.length < (long) rows * cols)
            throw new IllegalArgumentException("matrix holds " + w.length + " values, need " + (long) rows * cols);
        RowQuantizer quantizer = new RowQuantizer(cols, config);
        BlockLayout layout = quantizer.layout();
        long stride = quantizer.rowStrideBytes();
        long totalBytes = stride * rows;
        if (totalBytes > Integer.MAX_VALUE - 8)
            throw new IllegalArgumentException("quantized matrix too large for a heap array: " + totalBytes + " bytes");
        MemorySegment codes = MemorySegment.ofArray(new byte[(int) totalBytes]);
        float[] scales = new float[Math.multiplyExact(rows, layout.blocksPerRow())];
        for (int r = 0; r < rows; r++) {
            try {
                quantizer.quantizeRow(w, r * cols, codes, r * stride, scales, r * layout.blocksPerRow());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("row " + r + ": " + e.getMessage(), e);
            }
        }
        return new QuantizedMatrix(rows, layout, config.bits(), quantizer.rotation(), config.storedCentroids(quantizer.codebook()),
                codes, scales);
    }
}
