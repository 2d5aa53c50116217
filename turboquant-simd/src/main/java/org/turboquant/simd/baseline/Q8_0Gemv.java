package org.turboquant.simd.baseline;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.turboquant.core.baseline.Q8_0Matrix;

/**
 * llama.cpp Q8_0 times float activations, as the Java llama.cpp ports run it: per block of 32, widen the int8
 * codes to float, FMA with x, and scale the block's partial sum by its f16 d.
 */
public final class Q8_0Gemv {
    private static final VectorSpecies<Float> F = org.turboquant.simd.panama.Lanes.F; // honours -Dturboquant.vectorBits
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_128;
    static final ValueLayout.OfShort F16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Q8_0Gemv() {}

    public static void gemv(Q8_0Matrix m, float[] x, float[] y, int rowStart, int rowEnd) {
        int nb = Q8_0Matrix.blocksPerRow(m.cols());
        int fullBlocks = m.cols() / Q8_0Matrix.BLOCK;
        int parts = B.length() / F.length();
        MemorySegment quants = m.quants(), scales = m.scales();
        for (int r = rowStart; r < rowEnd; r++) {
            FloatVector acc = FloatVector.zero(F);
            long block = (long) r * nb;
            for (int b = 0; b < fullBlocks; b++, block++) {
                FloatVector blockSum = FloatVector.zero(F);
                for (int half = 0; half < 2; half++) {
                    ByteVector q = ByteVector.fromMemorySegment(B, quants, block * 32 + 16L * half, ByteOrder.LITTLE_ENDIAN);
                    int xi = b * 32 + 16 * half;
                    for (int p = 0; p < parts; p++) {
                        FloatVector w = (FloatVector) q.convertShape(VectorOperators.B2F, F, p);
                        blockSum = w.fma(FloatVector.fromArray(F, x, xi + p * F.length()), blockSum);
                    }
                }
                acc = blockSum.fma(FloatVector.broadcast(F, Float.float16ToFloat(scales.get(F16, 2 * block))), acc);
            }
            float sum = acc.reduceLanes(VectorOperators.ADD);
            if (fullBlocks < nb) { // ragged last block
                float tail = 0f;
                for (int j = fullBlocks * 32; j < m.cols(); j++) tail += quants.get(ValueLayout.JAVA_BYTE, block * 32 + j % 32) * x[j];
                sum += Float.float16ToFloat(scales.get(F16, 2 * block)) * tail;
            }
            y[r] = sum;
        }
    }
}
