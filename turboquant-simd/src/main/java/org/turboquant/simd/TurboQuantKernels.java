package org.turboquant.simd;

import java.lang.foreign.MemorySegment;
import org.turboquant.core.MixedQuantizedMatrix;
import org.turboquant.core.QuantizedMatrix;

/**
 * Kernels that decode and multiply straight from TurboQuant's packed codes. {@link #get()} returns the
 * implementation chosen at start-up (see {@link KernelProvider}): the Vector API one at the widest supported
 * species, or the scalar reference when the incubator module is absent or {@code -Dturboquant.simd=false}.
 * All methods are single-threaded and thread-safe (no shared mutable state); {@link ParallelMatmul} splits rows
 * across a pool.
 */
public interface TurboQuantKernels {

    /** The implementation selected for this JVM. */
    static TurboQuantKernels get() {
        return KernelProvider.selected();
    }

    /** Human-readable name, e.g. "panama-512" or "scalar". */
    String name();

    /**
     * Which kernels run in this JVM and why, one line: the implementation, the vector width, and which specialised
     * paths (table kernels, packed-byte kernels) are on. For start-up logs and bug reports.
     */
    default String describe() {
        return name();
    }

    /**
     * Which product multiplies 1/2/4-bit matrices: {@link KernelMode#FLOAT} unless this instance came from
     * {@link #withMode} (or -Dturboquant.intKernels) with another mode and has an int8 path at all.
     */
    default KernelMode mode() {
        return KernelMode.FLOAT;
    }

    /**
     * These kernels with the 1/2/4-bit products chosen by {@code mode}; everything else is the same. An implementation
     * without integer-domain kernels (the scalar reference) returns itself, so its {@link #mode()} stays FLOAT.
     */
    default TurboQuantKernels withMode(KernelMode mode) {
        java.util.Objects.requireNonNull(mode, "mode");
        return this;
    }

    /** Unpacks {@code count} b-bit indices (layout of {@link org.turboquant.core.BitPacking}). */
    void unpack(MemorySegment src, long srcOff, int count, int bits, byte[] dst, int dstOff);

    /** dst[dstOff..+cols) = decoded row {@code row}. */
    void dequantizeRow(QuantizedMatrix m, int row, float[] dst, int dstOff);

    /**
     * The input side of every product: for each block k, P·(x_k zero-padded to g), as blocksPerRow·g floats read
     * from {@code x[xOff ..]}. Rows share it, so a multithreaded product computes it once ({@link ParallelMatmul}).
     */
    float[] rotateInput(QuantizedMatrix m, float[] x, int xOff);

    /** y[r] = row r · x for r in [rowStart, rowEnd), given {@code rotated} = rotateInput(m, x, 0). */
    void gemvRotated(QuantizedMatrix m, float[] rotated, float[] y, int rowStart, int rowEnd);

    /** Y[b·rows + r] = row r · X_b for r in [rowStart, rowEnd), given rotated[b] = rotateInput of input b; ≤ 64. */
    void gemmRotated(QuantizedMatrix m, float[][] rotated, float[] y, int rowStart, int rowEnd);

    // ---- Mixed-width matrices (fractional bit rates): the same operations, with core's mixed reference order.

    /** dst[dstOff..+cols) = decoded row {@code row} of a mixed-width matrix. */
    void dequantizeRow(MixedQuantizedMatrix m, int row, float[] dst, int dstOff);

    /** The rotated input of a mixed-width matrix (the rotation does not depend on the width). */
    float[] rotateInput(MixedQuantizedMatrix m, float[] x, int xOff);

    /** y[r] = row r · x for r in [rowStart, rowEnd), given {@code rotated} = rotateInput(m, x, 0). */
    void gemvRotated(MixedQuantizedMatrix m, float[] rotated, float[] y, int rowStart, int rowEnd);

    /** Y[b·rows + r] = row r · X_b for r in [rowStart, rowEnd), given rotated[b] = rotateInput of input b; ≤ 64. */
    void gemmRotated(MixedQuantizedMatrix m, float[][] rotated, float[] y, int rowStart, int rowEnd);

    /**
     * Builds now whatever this implementation keeps with m for its products, so that the first product does not pay
     * for it; thread-safe, idempotent, a no-op where nothing is kept. For a matrix whose codes are already in the order
     * its kernel reads (a version-3 pack's grouped codes on a 512-bit JVM) nothing is built or copied; a row-order
     * 1- to 4-bit matrix gets the table kernels' regrouped copy.
     */
    default void prepare(QuantizedMatrix m) {}

    /** As {@link #prepare(QuantizedMatrix)} for a mixed-width matrix: the one-time work and JIT warm-up of its kernel. */
    default void prepare(MixedQuantizedMatrix m) {}

    /** y[r] = row r · x for r in [rowStart, rowEnd); y is indexed by row. */
    default void gemv(QuantizedMatrix m, float[] x, float[] y, int rowStart, int rowEnd) {
        gemvRotated(m, rotateInput(m, x, 0), y, rowStart, rowEnd);
    }

    /** Y[b·rows + r] = row r · X[b·cols ..+cols) for b in [0, batch), r in [rowStart, rowEnd); batch ≤ 64. */
    default void gemm(QuantizedMatrix m, float[] x, int batch, float[] y, int rowStart, int rowEnd) {
        gemmRotated(m, rotateBatch(m, x, batch), y, rowStart, rowEnd);
    }

    /** rotateInput of each of {@code batch} row-major input vectors. */
    default float[][] rotateBatch(QuantizedMatrix m, float[] x, int batch) {
        float[][] rotated = new float[batch][];
        for (int b = 0; b < batch; b++) rotated[b] = rotateInput(m, x, b * m.cols());
        return rotated;
    }

    /** Decoded row {@code row} as cols native-order floats at byte offset {@code dstOff} of {@code dst}. */
    default void dequantizeRow(QuantizedMatrix m, int row, MemorySegment dst, long dstOff) {
        float[] tmp = new float[m.cols()];
        dequantizeRow(m, row, tmp, 0);
        MemorySegment.copy(tmp, 0, dst, java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, dstOff, tmp.length);
    }

    /** As {@link #gemv(QuantizedMatrix, float[], float[], int, int)} with x and y as native-order float segments. */
    default void gemv(QuantizedMatrix m, MemorySegment x, MemorySegment y, int rowStart, int rowEnd) {
        float[] xs = x.asSlice(0, 4L * m.cols()).toArray(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED);
        float[] ys = new float[m.rows()];
        gemv(m, xs, ys, rowStart, rowEnd);
        MemorySegment.copy(ys, rowStart, y, java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, 4L * rowStart,
                rowEnd - rowStart);
    }
}
