package org.turboquant.core.baseline;

import java.lang.foreign.MemorySegment;
import org.turboquant.core.BitPacking;

/**
 * Per-row symmetric round-to-nearest with one f32 scale per row. For b ≥ 2: s = absmax/(2^(b−1) − 1),
 * q = roundf(x/s) in [−(2^(b−1) − 1), 2^(b−1) − 1], code = q + 2^(b−1), decoded as (code − 2^(b−1))·s. For b = 1
 * (no symmetric level besides 0): s = mean |x| over the row, code = 1 if x ≥ 0 else 0, decoded as (2·code − 1)·s.
 * Each row's codes are packed with {@link BitPacking}, packedBytes(cols, bits) bytes per row.
 *
 * @param codes  rows × packedBytes(cols, bits) bytes
 * @param scales one scale per row
 */
public record RtnMatrix(int rows, int cols, int bits, MemorySegment codes, float[] scales) implements BaselineMatrix {

    public RtnMatrix {
        if (rows < 1 || cols < 1) throw new IllegalArgumentException("rows and cols must be >= 1");
        if (bits < 1 || bits > 8) throw new IllegalArgumentException("bits must be in 1..8, got " + bits);
        if (codes.byteSize() < rowStrideBytes(cols, bits) * rows || scales.length != rows)
            throw new IllegalArgumentException("codes or scales too small for " + rows + " x " + cols);
    }

    public static long rowStrideBytes(int cols, int bits) {
        return BitPacking.packedBytes(cols, bits);
    }

    public static RtnMatrix quantize(float[] w, int rows, int cols, int bits) {
        if (bits < 1 || bits > 8) throw new IllegalArgumentException("bits must be in 1..8, got " + bits);
        long stride = rowStrideBytes(cols, bits);
        MemorySegment codes = MemorySegment.ofArray(new byte[Math.toIntExact(stride * rows)]);
        float[] scales = new float[rows];
        byte[] rowCodes = new byte[cols];
        int offset = 1 << (bits - 1);
        for (int r = 0; r < rows; r++) {
            double amax = 0, sumAbs = 0;
            for (int j = 0; j < cols; j++) {
                float v = w[r * cols + j];
                if (!Float.isFinite(v))
                    throw new IllegalArgumentException("non-finite value " + v + " at row " + r + ", column " + j);
                amax = Math.max(amax, Math.abs(v));
                sumAbs += Math.abs(v);
            }
            if (bits == 1) {
                scales[r] = (float) (sumAbs / cols);
                for (int j = 0; j < cols; j++) rowCodes[j] = (byte) (w[r * cols + j] >= 0 ? 1 : 0);
            } else {
                int qmax = offset - 1;
                float s = (float) (amax / qmax);
                float inverse = s != 0f ? 1f / s : 0f;
                scales[r] = s;
                for (int j = 0; j < cols; j++) {
                    int q = Math.max(-qmax, Math.min(qmax, HalfFloats.roundHalfAway(w[r * cols + j] * inverse)));
                    rowCodes[j] = (byte) (q + offset);
                }
            }
            BitPacking.pack(rowCodes, 0, cols, bits, codes, r * stride);
        }
        return new RtnMatrix(rows, cols, bits, codes, scales);
    }

    /** The level a code decodes to, before the row scale. */
    private float level(int code) {
        return bits == 1 ? 2 * code - 1 : code - (1 << (bits - 1));
    }

    private byte[] rowCodes(int row) {
        byte[] out = new byte[cols];
        BitPacking.unpack(codes, row * rowStrideBytes(cols, bits), cols, bits, out, 0);
        return out;
    }

    public void dequantizeRow(int row, float[] dst, int off) {
        byte[] c = rowCodes(row);
        for (int j = 0; j < cols; j++) dst[off + j] = level(c[j] & 0xFF) * scales[row];
    }

    public float[] dequantize() {
        float[] out = new float[Math.multiplyExact(rows, cols)];
        for (int r = 0; r < rows; r++) dequantizeRow(r, out, r * cols);
        return out;
    }

    /** y[r] = s_r · Σ_j level(code_j) · x_j (scalar reference). */
    public void gemv(float[] x, float[] y) {
        for (int r = 0; r < rows; r++) {
            byte[] c = rowCodes(r);
            float sum = 0f;
            for (int j = 0; j < cols; j++) sum += level(c[j] & 0xFF) * x[j];
            y[r] = scales[r] * sum;
        }
    }
}
