package org.turboquant.simd;

import java.lang.foreign.MemorySegment;
import org.turboquant.core.BitPacking;
import org.turboquant.core.MixedQuantizedMatrix;
import org.turboquant.core.QuantizedMatrix;
import org.turboquant.core.ScalarKernels;

/** The fallback: core's scalar reference, restricted to row ranges. */
public final class ScalarTurboQuantKernels implements TurboQuantKernels {

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public String describe() {
        String why = Boolean.parseBoolean(System.getProperty("turboquant.simd", "true"))
                ? (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()
                        ? "jdk.incubator.vector is not enabled (add --add-modules jdk.incubator.vector)"
                        : "the Vector API kernels failed to load")
                : "-Dturboquant.simd=false";
        return "scalar: the reference kernels, no vectors (" + why + "); 30-40x slower than the Vector API kernels";
    }

    @Override
    public void unpack(MemorySegment src, long srcOff, int count, int bits, byte[] dst, int dstOff) {
        BitPacking.unpack(src, srcOff, count, bits, dst, dstOff);
    }

    @Override
    public void dequantizeRow(QuantizedMatrix m, int row, float[] dst, int dstOff) {
        ScalarKernels.dequantizeRow(m, row, dst, dstOff);
    }

    @Override
    public float[] rotateInput(QuantizedMatrix m, float[] x, int xOff) {
        return ScalarKernels.rotateInput(m, x, xOff);
    }

    @Override
    public void gemvRotated(QuantizedMatrix m, float[] rotated, float[] y, int rowStart, int rowEnd) {
        for (int r = rowStart; r < rowEnd; r++) y[r] = ScalarKernels.rowDot(m, r, rotated);
    }

    @Override
    public void gemmRotated(QuantizedMatrix m, float[][] rotated, float[] y, int rowStart, int rowEnd) {
        for (int r = rowStart; r < rowEnd; r++) {
            for (int b = 0; b < rotated.length; b++) y[b * m.rows() + r] = ScalarKernels.rowDot(m, r, rotated[b]);
        }
    }

    @Override
    public void dequantizeRow(MixedQuantizedMatrix m, int row, float[] dst, int dstOff) {
        ScalarKernels.dequantizeRow(m, row, dst, dstOff);
    }

    @Override
    public float[] rotateInput(MixedQuantizedMatrix m, float[] x, int xOff) {
        return ScalarKernels.rotateInput(m, x, xOff);
    }

    @Override
    public void gemvRotated(MixedQuantizedMatrix m, float[] rotated, float[] y, int rowStart, int rowEnd) {
        for (int r = rowStart; r < rowEnd; r++) y[r] = ScalarKernels.rowDot(m, r, rotated);
    }

    @Override
    public void gemmRotated(MixedQuantizedMatrix m, float[][] rotated, float[] y, int rowStart, int rowEnd) {
        for (int r = rowStart; r < rowEnd; r++) {
            for (int b = 0; b < rotated.length; b++) y[b * m.rows() + r] = ScalarKernels.rowDot(m, r, rotated[b]);
        }
    }
}
