package org.turboquant.simd.baseline;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import org.turboquant.simd.DenseMatrix;
import org.turboquant.simd.panama.Lanes;

/**
 * Products of a {@link DenseMatrix} straight from its segment: F32 loaded as is, BF16 widened by a shift, F16
 * converted exactly with integer operations (the Vector API has no half-float conversion). Untransposed [rows, cols]
 * storage: four independent FMA chains per row along the inputs (like {@link Fp32Gemv}). Transposed [cols, rows]
 * storage (ONNX MatMul weights): per block of 4·L outputs, one FMA per source row into four register accumulators,
 * rows ascending, which is exactly the order of the scalar loop, so those results equal it bit for bit.
 */
public final class DenseGemv {
    /** Output rows per tile of a GEMM: the tile's weights stay in cache while every input passes over them. */
    public static final int TILE_ROWS = 64;

    private static final VectorSpecies<Float> F = Lanes.F;
    private static final VectorSpecies<Integer> I = Lanes.I;
    private static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(F.vectorBitSize() / 2));
    private static final int L = F.length();
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private DenseGemv() {}

    public static int bits() {
        return F.vectorBitSize();
    }

    /** out[outOff + r] = W[r]·x for r in [rowStart, rowEnd). */
    public static void gemv(DenseMatrix m, float[] x, float[] out, int outOff, int rowStart, int rowEnd) {
        int type = m.type().ordinal();
        if (m.transposed()) axpyRows(m, type, x, out, outOff, rowStart, rowEnd);
        else dotRows(m, type, x, out, outOff, rowStart, rowEnd);
    }

    private static void dotRows(DenseMatrix m, int type, float[] x, float[] out, int outOff, int rowStart, int rowEnd) {
        MemorySegment w = m.data();
        int cols = m.cols();
        int bound4 = cols - cols % (4 * L), bound = cols - cols % L;
        for (int r = rowStart; r < rowEnd; r++) {
            long base = (long) r * cols;
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            int j = 0;
            for (; j < bound4; j += 4 * L) {
                a0 = load(w, type, base + j).fma(FloatVector.fromArray(F, x, j), a0);
                a1 = load(w, type, base + j + L).fma(FloatVector.fromArray(F, x, j + L), a1);
                a2 = load(w, type, base + j + 2 * L).fma(FloatVector.fromArray(F, x, j + 2 * L), a2);
                a3 = load(w, type, base + j + 3 * L).fma(FloatVector.fromArray(F, x, j + 3 * L), a3);
            }
            for (; j < bound; j += L) a0 = load(w, type, base + j).fma(FloatVector.fromArray(F, x, j), a0);
            float sum = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
            for (; j < cols; j++) sum = Math.fma(m.element(base + j), x[j], sum);
            out[outOff + r] = sum;
        }
    }

    private static void axpyRows(DenseMatrix m, int type, float[] x, float[] out, int outOff, int rowStart, int rowEnd) {
        MemorySegment w = m.data();
        int rows = m.rows(), cols = m.cols();
        int r = rowStart;
        for (; r + 4 * L <= rowEnd; r += 4 * L) {
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            for (int c = 0; c < cols; c++) {
                FloatVector xc = FloatVector.broadcast(F, x[c]);
                long base = (long) c * rows + r;
                a0 = load(w, type, base).fma(xc, a0);
                a1 = load(w, type, base + L).fma(xc, a1);
                a2 = load(w, type, base + 2 * L).fma(xc, a2);
                a3 = load(w, type, base + 3 * L).fma(xc, a3);
            }
            a0.intoArray(out, outOff + r);
            a1.intoArray(out, outOff + r + L);
            a2.intoArray(out, outOff + r + 2 * L);
            a3.intoArray(out, outOff + r + 3 * L);
        }
        for (; r + L <= rowEnd; r += L) {
            FloatVector a = FloatVector.zero(F);
            for (int c = 0; c < cols; c++) a = load(w, type, (long) c * rows + r).fma(FloatVector.broadcast(F, x[c]), a);
            a.intoArray(out, outOff + r);
        }
        for (; r < rowEnd; r++) {
            float sum = 0f;
            for (int c = 0; c < cols; c++) sum = Math.fma(m.element((long) c * rows + r), x[c], sum);
            out[outOff + r] = sum;
        }
    }

    /** L weights from element i on, as floats (type = {@link DenseMatrix.Type#ordinal()}, a loop invariant). */
    private static FloatVector load(MemorySegment w, int type, long i) {
        if (type == 0) return FloatVector.fromMemorySegment(F, w, 4 * i, LE);
        IntVector h = ((IntVector) ShortVector.fromMemorySegment(S, w, 2 * i, LE).convertShape(VectorOperators.S2I, I, 0));
        return type == 2 ? h.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats() : halfToFloat(h);
    }

    /**
     * Binary16 bits (sign-extended) to float, exactly: exponent and mantissa shifted into place give the value times
     * 2^-112 (normal and subnormal alike), so one multiply by 2^112 rescales; Inf/NaN (exponent 31) are set apart.
     */
    static FloatVector halfToFloat(IntVector h) {
        IntVector magnitude = h.and(0x7FFF).lanewise(VectorOperators.LSHL, 13);
        IntVector finite = magnitude.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts();
        VectorMask<Integer> special = h.and(0x7C00).eq(0x7C00);
        IntVector bits = finite.blend(magnitude.or(0x7F800000), special);
        return bits.or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
    }
}
