package org.turboquant.simd.panama;

import static org.turboquant.simd.panama.PackedDot.CHUNK;
import static org.turboquant.simd.panama.PackedDot.F;
import static org.turboquant.simd.panama.PackedDot.I;
import static org.turboquant.simd.panama.PackedDot.fold;
import static org.turboquant.simd.panama.PackedDot.load;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * 5-bit rows at 512 bits, in {@link PackedDot4}'s lane order (so a 4/5-bit mixed row shares one permuted input).
 * A 5-bit chunk is the 4-bit plane (64 bytes, read as in PackedDot4) followed by the 1-bit plane (16 bytes: bit k
 * of byte j is index 16k + j, §6 of docs/FORMAT.md). Lane i of step s multiplies index 32·(i/4) + 16·(s mod 2) +
 * 4·(i mod 4) + s/2, whose fifth bit is bit 2·(i/4) + (s mod 2) of byte 4·(i mod 4) + s/2 of that plane: so the
 * plane is broadcast as int (i mod 4) to lane i and shifted right by 2·(i/4) once per chunk; step s then takes bit
 * 8·(s/2) + (s mod 2) of it. Each step looks the nibble up in both halves of the 32-entry codebook (two
 * one-register permutes, which wrap modulo 16 so the nibble needs no mask) and blends by that bit: cheaper here
 * than masking, OR-ing and a two-register permute.
 * Arithmetic order: {@link PackedDot4#dot}'s.
 */
final class PackedDot5 {
    private static final int CHUNK_BYTES = 80;
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_512;
    /** Lane i ← lane 12 + i mod 4: the plane's four ints, read as the last four lanes of a 64-byte load. */
    private static final VectorShuffle<Integer> BROADCAST = VectorShuffle.fromOp(I, i -> 12 + i % 4);
    /** Lane i shifts by 2·(i/4). */
    private static final IntVector LANE_SHIFT = IntVector.fromArray(I,
            new int[] {0, 0, 0, 0, 2, 2, 2, 2, 4, 4, 4, 4, 6, 6, 6, 6}, 0);

    private PackedDot5() {}

    /** The 32 centroids as two registers of float bit patterns: entries 0–15 and 16–31. */
    static IntVector[] table(float[] centroids) {
        int[] bits = new int[32];
        for (int j = 0; j < 32; j++) bits[j] = Float.floatToRawIntBits(centroids[j]);
        return new IntVector[] {IntVector.fromArray(I, bits, 0), IntVector.fromArray(I, bits, 16)};
    }

    private static IntVector ints(MemorySegment codes, long off) {
        return ByteVector.fromMemorySegment(B, codes, off, ByteOrder.LITTLE_ENDIAN).reinterpretAsInts();
    }

    /** Chunk at off: its nibble plane, and its bit plane placed per lane (see the class comment). */
    private static IntVector fifthBits(MemorySegment codes, long off) {
        return ints(codes, off + 16).rearrange(BROADCAST).lanewise(VectorOperators.LSHR, LANE_SHIFT);
    }

    /** centroid[nibble + 16·bit] per lane: the low table, with the lanes whose {@code bit} is set in p from the high. */
    private static FloatVector lookup(IntVector nibbles, IntVector p, int bit, IntVector t0, IntVector t1) {
        return nibbles.selectFrom(t0).blend(nibbles.selectFrom(t1), p.and(bit).compare(VectorOperators.NE, 0))
                .reinterpretAsFloats();
    }

    /** As {@link PackedDot4#dot}, for 5-bit codes. */
    static float dot(MemorySegment codes, long off, float[] scales, int scaleBase, int[] blockNo, int from, int blocks,
                     int chunksPerBlock, float[] xp, IntVector t0, IntVector t1, float[] sums) {
        FloatVector sum = FloatVector.zero(F);
        for (int k = 0; k < blocks; k++) {
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            int block = blockNo[from + k], xi = block * chunksPerBlock * CHUNK;
            for (int c = 0; c < chunksPerBlock; c++, off += CHUNK_BYTES) {
                IntVector v = ints(codes, off), p = fifthBits(codes, off);
                // two halves of four steps (steps 4h..4h+3 into a0..a3); each half shifts both planes by 16
                for (int h = 0; h < 2; h++, xi += CHUNK / 2) {
                    a0 = lookup(v, p, 1, t0, t1).fma(load(xp, xi), a0);
                    a1 = lookup(v.lanewise(VectorOperators.LSHR, 4), p, 2, t0, t1).fma(load(xp, xi + 16), a1);
                    a2 = lookup(v.lanewise(VectorOperators.LSHR, 8), p, 0x100, t0, t1).fma(load(xp, xi + 32), a2);
                    a3 = lookup(v.lanewise(VectorOperators.LSHR, 12), p, 0x200, t0, t1).fma(load(xp, xi + 48), a3);
                    v = v.lanewise(VectorOperators.LSHR, 16);
                    p = p.lanewise(VectorOperators.LSHR, 16);
                }
            }
            sum = fold(sum, a0, a1, a2, a3, scales[scaleBase + block]);
        }
        return LaneSums.sum(sum, sums);
    }
}
