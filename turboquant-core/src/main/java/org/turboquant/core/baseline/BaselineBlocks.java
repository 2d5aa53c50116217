package org.turboquant.core.baseline;

/** Reads one 32-weight block of a row-major matrix, zero-padding past the row's end. */
final class BaselineBlocks {
    private BaselineBlocks() {}

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
