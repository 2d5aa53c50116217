package org.turboquant.simd.baseline;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.turboquant.core.baseline.IQ4_XSMatrix;

/**
 * llama.cpp IQ4_XS times float activations. Per 32-weight sub-block: one 16-byte load, the low and high nibbles
 * mapped to the non-linear grid by a 16-entry byte shuffle (selectFrom), widened to float, FMA with x, then
 * scaled by d·(ls − 32). Rows must be whole sub-blocks (cols % 32 == 0); other shapes run the scalar reference.
 */
public final class IQ4_XSGemv {
    private static final VectorSpecies<Float> F = BlockLanes.F;
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_128;
    private static final byte[] GRID = IQ4_XSMatrix.grid();

    private IQ4_XSGemv() {}

    public static void gemv(IQ4_XSMatrix m, float[] x, float[] y, int rowStart, int rowEnd) {
        int cols = m.cols();
        if (cols % 32 != 0) {
            BlockLanes.scalarRows(m, x, y, rowStart, rowEnd);
            return;
        }
        int subs = cols / 32, parts = B.length() / F.length();
        ByteVector grid = ByteVector.fromArray(B, GRID, 0);
        MemorySegment blocks = m.blocks();
        for (int r = rowStart; r < rowEnd; r++) {
            FloatVector acc = FloatVector.zero(F);
            long g = (long) r * subs;
            for (int k = 0; k < subs; k++, g++) {
                long at = (g >>> 3) * IQ4_XSMatrix.BLOCK_BYTES;
                int ib = (int) (g & 7);
                ByteVector packed = ByteVector.fromMemorySegment(B, blocks, at + IQ4_XSMatrix.QS + 16L * ib,
                        ByteOrder.LITTLE_ENDIAN);
                ByteVector lo = packed.and((byte) 0xF).selectFrom(grid);
                ByteVector hi = packed.lanewise(VectorOperators.LSHR, 4).selectFrom(grid);
                FloatVector s = FloatVector.zero(F);
                int xi = 32 * k;
                for (int p = 0; p < parts; p++) {
                    s = ((FloatVector) lo.convertShape(VectorOperators.B2F, F, p))
                            .fma(FloatVector.fromArray(F, x, xi + p * F.length()), s);
                    s = ((FloatVector) hi.convertShape(VectorOperators.B2F, F, p))
                            .fma(FloatVector.fromArray(F, x, xi + 16 + p * F.length()), s);
                }
                float dl = IQ4_XSMatrix.superScale(blocks, at) * IQ4_XSMatrix.subScale(blocks, at, ib);
                acc = s.fma(FloatVector.broadcast(F, dl), acc);
            }
            y[r] = acc.reduceLanes(VectorOperators.ADD);
        }
    }
}
