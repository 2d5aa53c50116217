package org.turboquant.simd.baseline;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.turboquant.core.baseline.Q4_KMatrix;

/**
 * llama.cpp Q4_K times float activations. Per 32-weight sub-block: two 16-byte loads of its nibbles (low or high
 * half of the shared bytes), widen to float, FMA with x, then scale by d·sc; the −dmin·m term multiplies the
 * sub-block's Σx, computed once per product. Rows must be whole sub-blocks (cols % 32 == 0, every layer of the
 * built-in encoders and of LLMs); other shapes run the scalar reference.
 */
public final class Q4_KGemv {
    private static final VectorSpecies<Float> F = BlockLanes.F;
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_128;

    private Q4_KGemv() {}

    public static void gemv(Q4_KMatrix m, float[] x, float[] y, int rowStart, int rowEnd) {
        int cols = m.cols();
        if (cols % 32 != 0) {
            BlockLanes.scalarRows(m, x, y, rowStart, rowEnd);
            return;
        }
        int subs = cols / 32, parts = B.length() / F.length();
        float[] xSums = BlockLanes.subBlockSums(x, cols);
        MemorySegment blocks = m.blocks();
        for (int r = rowStart; r < rowEnd; r++) {
            FloatVector acc = FloatVector.zero(F);
            float minSum = 0f;
            long g = (long) r * subs;
            for (int k = 0; k < subs; k++, g++) {
                long at = (g >>> 3) * Q4_KMatrix.BLOCK_BYTES;
                int j = (int) (g & 7);
                long qs = at + Q4_KMatrix.QS + 32L * (j >> 1);
                FloatVector s = FloatVector.zero(F);
                for (int h = 0; h < 2; h++) {
                    ByteVector packed = ByteVector.fromMemorySegment(B, blocks, qs + 16 * h, ByteOrder.LITTLE_ENDIAN);
                    ByteVector q = (j & 1) == 0 ? packed.and((byte) 0xF) : packed.lanewise(VectorOperators.LSHR, 4);
                    int xi = 32 * k + 16 * h;
                    for (int p = 0; p < parts; p++)
                        s = ((FloatVector) q.convertShape(VectorOperators.B2F, F, p))
                                .fma(FloatVector.fromArray(F, x, xi + p * F.length()), s);
                }
                acc = s.fma(FloatVector.broadcast(F, Q4_KMatrix.subScale(blocks, at, j)), acc);
                minSum += Q4_KMatrix.subMin(blocks, at, j) * xSums[k];
            }
            y[r] = acc.reduceLanes(VectorOperators.ADD) - minSum;
        }
    }
}
