package org.turboquant.simd.panama;

import static org.turboquant.simd.panama.PackedDot.CHUNK;
import static org.turboquant.simd.panama.PackedDot.F;
import static org.turboquant.simd.panama.PackedDot.I;
import static org.turboquant.simd.panama.PackedDot.fold;
import static org.turboquant.simd.panama.PackedDot.load;
import static org.turboquant.simd.panama.PackedDot.lookup;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * 2-bit rows at 512 bits: a chunk (32 bytes) is loaded as 16 shorts and zero-extended to 16 int lanes; step s is
 * that vector shifted right by 2s, looked up in a one-register table whose entry j is centroid j mod 4. Per 128
 * weights: one load, one widen, 7 shifts, 8 permutes, 8 FMAs. Lane order and arithmetic order: {@link PackedDot}.
 * A two-row variant like {@link PackedDot4#dot2} was tried: with the widening it only compiled well split into a
 * per-block method, and then measured no faster than this one-row loop, so it was dropped.
 */
final class PackedDot2 {
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_256;
    private static final int CHUNK_BYTES = 32;

    private PackedDot2() {}

    private static IntVector chunk(MemorySegment codes, long off) {
        // bytes, then reinterpreted: a short-typed load from a byte[]-backed heap segment is not intrinsified
        return (IntVector) ByteVector.fromMemorySegment(B, codes, off, ByteOrder.LITTLE_ENDIAN).reinterpretAsShorts()
                .convertShape(VectorOperators.ZERO_EXTEND_S2I, I, 0);
    }

    /**
     * Σ scales[scaleBase + k] · (block k · xp[k·g ..]) over the blocks k = blockNo[from], …, blockNo[from + blocks − 1],
     * whose codes follow each other from {@code off}: a uniform row (blockNo = 0, 1, 2, …) or one width's run of a
     * mixed-width row (its stored block order).
     */
    static float dot(MemorySegment codes, long off, float[] scales, int scaleBase, int[] blockNo, int from, int blocks,
                     int chunksPerBlock, float[] xp, IntVector t, float[] sums) {
        FloatVector sum = FloatVector.zero(F);
        for (int k = 0; k < blocks; k++) {
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            int block = blockNo[from + k], xi = block * chunksPerBlock * CHUNK;
            for (int c = 0; c < chunksPerBlock; c++, off += CHUNK_BYTES, xi += CHUNK) {
                IntVector v = chunk(codes, off);
                a0 = lookup(v, t).fma(load(xp, xi), a0);
                a1 = lookup(v.lanewise(VectorOperators.LSHR, 2), t).fma(load(xp, xi + 16), a1);
                a2 = lookup(v.lanewise(VectorOperators.LSHR, 4), t).fma(load(xp, xi + 32), a2);
                a3 = lookup(v.lanewise(VectorOperators.LSHR, 6), t).fma(load(xp, xi + 48), a3);
                a0 = lookup(v.lanewise(VectorOperators.LSHR, 8), t).fma(load(xp, xi + 64), a0);
                a1 = lookup(v.lanewise(VectorOperators.LSHR, 10), t).fma(load(xp, xi + 80), a1);
                a2 = lookup(v.lanewise(VectorOperators.LSHR, 12), t).fma(load(xp, xi + 96), a2);
                a3 = lookup(v.lanewise(VectorOperators.LSHR, 14), t).fma(load(xp, xi + 112), a3);
            }
            sum = fold(sum, a0, a1, a2, a3, scales[scaleBase + block]);
        }
        return LaneSums.sum(sum, sums);
    }
}
