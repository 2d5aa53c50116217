package org.turboquant.simd.panama;

import static org.turboquant.simd.panama.PackedDot.CHUNK;
import static org.turboquant.simd.panama.PackedDot.F;
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
 * 4-bit rows at 512 bits: a chunk (64 bytes) is one load as 16 int lanes; step s is that vector shifted right by
 * 4s, looked up in a one-register table (low 4 bits), FMA-ed against the permuted input. Per 128 weights: one
 * load, 7 shifts, 8 permutes, 8 FMAs. Lane order and arithmetic order: {@link PackedDot}.
 */
final class PackedDot4 {
    private static final int CHUNK_BYTES = 64;

    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_512;

    private PackedDot4() {}

    /**
     * The 64 bytes as 16 little-endian int lanes. Loaded as bytes and reinterpreted: an int-typed load from a
     * byte[]-backed heap segment is not intrinsified by C2 (JDK 25), a byte load is, for heap and native segments.
     */
    private static IntVector chunk(MemorySegment codes, long off) {
        return ByteVector.fromMemorySegment(B, codes, off, ByteOrder.LITTLE_ENDIAN).reinterpretAsInts();
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
                a1 = lookup(v.lanewise(VectorOperators.LSHR, 4), t).fma(load(xp, xi + 16), a1);
                a2 = lookup(v.lanewise(VectorOperators.LSHR, 8), t).fma(load(xp, xi + 32), a2);
                a3 = lookup(v.lanewise(VectorOperators.LSHR, 12), t).fma(load(xp, xi + 48), a3);
                a0 = lookup(v.lanewise(VectorOperators.LSHR, 16), t).fma(load(xp, xi + 64), a0);
                a1 = lookup(v.lanewise(VectorOperators.LSHR, 20), t).fma(load(xp, xi + 80), a1);
                a2 = lookup(v.lanewise(VectorOperators.LSHR, 24), t).fma(load(xp, xi + 96), a2);
                a3 = lookup(v.lanewise(VectorOperators.LSHR, 28), t).fma(load(xp, xi + 112), a3);
            }
            sum = fold(sum, a0, a1, a2, a3, scales[scaleBase + block]);
        }
        return LaneSums.sum(sum, sums);
    }

    /**
     * Rows r and r+1 at once ({@code off} is row r's, {@code stride} the row stride): every input vector loaded
     * feeds both rows, halving the loads per weight. Each row keeps its own accumulators in {@link #dot}'s order,
     * so the results are bit-identical to two calls of it.
     */
    static void dot2(MemorySegment codes, long off, long stride, float[] scales, int scaleBase, int blocks,
                     int chunksPerBlock, float[] xp, IntVector t, float[] sums, float[] y, int r) {
        FloatVector sum = FloatVector.zero(F), sumB = sum;
        int xi = 0;
        long offB = off + stride;
        for (int k = 0; k < blocks; k++) {
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
            for (int c = 0; c < chunksPerBlock; c++, off += CHUNK_BYTES, offB += CHUNK_BYTES) {
                IntVector v = chunk(codes, off), w = chunk(codes, offB);
                // two halves of four steps (steps 4h..4h+3 into a0..a3, as in dot); a loop rather than eight
                // unrolled steps per row, which exceeded C2's inlining node budget (NodeCountInliningCutoff) and ran
                // boxed
                for (int h = 0; h < 2; h++, xi += CHUNK / 2) {
                    FloatVector x0 = load(xp, xi), x1 = load(xp, xi + 16), x2 = load(xp, xi + 32), x3 = load(xp, xi + 48);
                    a0 = lookup(v, t).fma(x0, a0);
                    b0 = lookup(w, t).fma(x0, b0);
                    a1 = lookup(v.lanewise(VectorOperators.LSHR, 4), t).fma(x1, a1);
                    b1 = lookup(w.lanewise(VectorOperators.LSHR, 4), t).fma(x1, b1);
                    a2 = lookup(v.lanewise(VectorOperators.LSHR, 8), t).fma(x2, a2);
                    b2 = lookup(w.lanewise(VectorOperators.LSHR, 8), t).fma(x2, b2);
                    a3 = lookup(v.lanewise(VectorOperators.LSHR, 12), t).fma(x3, a3);
                    b3 = lookup(w.lanewise(VectorOperators.LSHR, 12), t).fma(x3, b3);
                    v = v.lanewise(VectorOperators.LSHR, 16);
                    w = w.lanewise(VectorOperators.LSHR, 16);
                }
            }
            sum = fold(sum, a0, a1, a2, a3, scales[scaleBase + k]);
            sumB = fold(sumB, b0, b1, b2, b3, scales[scaleBase + blocks + k]);
        }
        y[r] = LaneSums.sum(sum, sums);
        y[r + 1] = LaneSums.sum(sumB, sums);
    }
}
