package org.turboquant.simd.baseline;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.turboquant.core.baseline.Q4_0Matrix;

/**
 * llama.cpp Q4_0 times float activations, the kernel llama3.java and Jlama run: per block one 16-byte load, low
 * nibbles are weights 0..15 and high nibbles 16..31, subtract 8, widen to float, FMA with x, scale by the f16 d.
 */
public final class Q4_0Gemv {
    private static final VectorSpecies<Float> F = org.turboquant.simd.panama.Lanes.F; // honours -Dturboquant.vectorBits
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_128;

    private Q4_0Gemv() {}

    public static void gemv(Q4_0Matrix m, float[] x, float[] y, int rowStart, int rowEnd) {
        int nb = Q4_0Matrix.blocksPerRow(m.cols());
        int fullBlocks = m.cols() / Q4_0Matrix.BLOCK;
        int parts = B.length() / F.length();
        MemorySegment quants = m.quants(), scales = m.scales();
        for (int r = rowStart; r < rowEnd; r++) {
            FloatVector acc = FloatVector.zero(F);
            long block = (long) r * nb;
            for (int b = 0; b < fullBlocks; b++, block++) {
                ByteVector packed = ByteVector.fromMemorySegment(B, quants, block * 16, ByteOrder.LITTLE_ENDIAN);
                ByteVector lo = packed.and((byte) 0xF).sub((byte) 8);
                ByteVector hi = packed.lanewise(VectorOperators.LSHR, 4).sub((byte) 8);
                int xi = b * 32;
                FloatVector blockSum = FloatVector.zero(F);
                for (int p = 0; p < parts; p++) {
                    blockSum = ((FloatVector) lo.convertShape(VectorOperators.B2F, F, p))
                            .fma(FloatVector.fromArray(F, x, xi + p * F.length()), blockSum);
                    blockSum = ((FloatVector) hi.convertShape(VectorOperators.B2F, F, p))
                            .fma(FloatVector.fromArray(F, x, xi + 16 + p * F.length()), blockSum);
                }
                acc = blockSum.fma(FloatVector.broadcast(F, Float.float16ToFloat(scales.get(Q8_0Gemv.F16, 2 * block))), acc);
            }
            float sum = acc.reduceLanes(VectorOperators.ADD);
            if (fullBlocks < nb) { // ragged last block
                float tail = 0f;
                for (int j = fullBlocks * 32; j < m.cols(); j++) {
                    int packed = quants.get(ValueLayout.JAVA_BYTE, block * 16 + j % 16) & 0xFF;
                    int q = j % 32 < 16 ? packed & 0xF : packed >>> 4;
                    tail += (q - 8) * x[j];
                }
                sum += Float.float16ToFloat(scales.get(Q8_0Gemv.F16, 2 * block)) * tail;
            }
            y[r] = sum;
        }
    }
}
