package org.turboquant.loader.pack;

import java.nio.file.Path;
import org.turboquant.loader.BadInputException;
import org.turboquant.loader.source.SourceTensor;
import org.turboquant.loader.source.TensorSource;

/** NaN and Inf in weights: a clear error naming tensor, row and column, or a scan for --keep-non-finite. */
final class NonFinite {
    private static final int SCAN_CHUNK = 1 << 16;

    private NonFinite() {}

    /** Throws when rows [firstRow, …) held in {@code rows} (row-major, {@code cols} wide) contain NaN or Inf. */
    static void check(float[] rows, int firstRow, int cols, Path file, String tensor) {
        for (int i = 0; i < rows.length; i++) {
            if (!Float.isFinite(rows[i])) {
                throw new BadInputException(file, tensor, "row " + (firstRow + i / cols) + ", column " + (i % cols)
                        + " is " + rows[i] + " (use --keep-non-finite to copy such tensors unquantized)");
            }
        }
    }

    /** Whether any element of a float tensor is NaN or Inf. */
    static boolean any(TensorSource source, SourceTensor t) {
        float[] buf = new float[SCAN_CHUNK];
        long n = t.numel();
        for (long off = 0; off < n; off += SCAN_CHUNK) {
            int len = (int) Math.min(SCAN_CHUNK, n - off);
            source.readFloats(t, off, buf, 0, len);
            for (int i = 0; i < len; i++) if (!Float.isFinite(buf[i])) return true;
        }
        return false;
    }
}
