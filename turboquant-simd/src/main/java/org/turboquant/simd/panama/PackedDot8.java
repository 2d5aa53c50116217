package org.turboquant.simd.panama;

import static org.turboquant.simd.panama.PackedDot.F;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * 8-bit rows at 512 bits, exact: a 256-entry float table does not fit a permute, but its four byte planes do
 * (plane p = byte p of every centroid's bit pattern: 256 bytes, four registers). Per 64 codes (one load, natural
 * order, so the input needs no permutation): each plane is looked up with two two-table byte permutes (centroids
 * 0–127 and 128–255; the permute wraps the index modulo 128) blended by the codes' top bit; the four planes are
 * then interleaved back into float bit patterns, byte pairs first (planes 0/1 and 2/3: four permutes), then pairs of
 * pairs (four permutes), which leaves indices 16j..16j+15 in float vector j. Per 64 weights: one load, 16 permutes,
 * 4 blends, 4 FMAs; permute throughput bounds it (interleaving with shifts and bitwise merges instead, or blending by
 * the top bit with a bitwise select, measured no faster). Arithmetic order: {@link PackedDot4#dot}'s (step s of a
 * chunk into accumulator s mod 4, chunks ascending, blocks folded in order, lanes summed lane 0 first).
 */
final class PackedDot8 {
    private static final int HALF = 64;
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_512;

    /** Byte 2k ← first table's byte k, byte 2k+1 ← second's: codes 0–31 (PAIRS_LO) or 32–63 (PAIRS_HI). */
    private static final ByteVector PAIRS_LO = ByteVector.fromArray(B, interleave(0, 1), 0);
    private static final ByteVector PAIRS_HI = ByteVector.fromArray(B, interleave(32, 1), 0);
    /** Int lane i ← byte pair i of the first table, then of the second: pairs 0–15 (QUADS_LO) or 16–31 (QUADS_HI). */
    private static final ByteVector QUADS_LO = ByteVector.fromArray(B, interleave(0, 2), 0);
    private static final ByteVector QUADS_HI = ByteVector.fromArray(B, interleave(32, 2), 0);

    private PackedDot8() {}

    /** Two-table permute indices taking runs of w bytes alternately from the first and second table, from start. */
    private static byte[] interleave(int start, int w) {
        byte[] idx = new byte[HALF];
        for (int k = 0; k < HALF / (2 * w); k++)
            for (int e = 0; e < w; e++) {
                idx[2 * w * k + e] = (byte) (start + w * k + e);
                idx[2 * w * k + w + e] = (byte) (HALF + start + w * k + e);
            }
        return idx;
    }

    /**
     * The codebook as 16 byte-plane vectors of 64 bytes: vector 4p + q holds byte p (little-endian) of centroids
     * 64q..64q+63. Bytes rather than vector objects: loading 16 vectors from one array per call measured faster than
     * unboxing 16 ByteVectors.
     */
    static byte[] table(float[] centroids) {
        byte[] t = new byte[16 * HALF];
        for (int p = 0; p < 4; p++)
            for (int j = 0; j < 4 * HALF; j++)
                t[HALF * 4 * p + j] = (byte) (Float.floatToRawIntBits(centroids[j % centroids.length]) >>> (8 * p));
        return t;
    }

    /**
     * y[yOff + r] = row r · x for r in [rowStart, rowEnd); row r's codes start at r·stride and its block scales at
     * r·blocks; {@code t} from {@link #table}, {@code sums} scratch of 16 floats. One loop over the range's half chunks
     * (64 codes each), folding at each block end and summing at each row end: nested row, block and half-chunk loops,
     * or a call per row, measured 15–25% slower (the pipeline drains at every loop exit). Everything is written out
     * here rather than calling {@link PackedDot#fold} or {@link LaneSums#sum}: past C2's inlining node budget
     * (NodeCountInliningCutoff) a helper is called out of line with boxed vectors.
     */
    static void rows(MemorySegment codes, long stride, float[] scales, int blocks, int chunksPerBlock,
                     float[] x, byte[] t, float[] sums, float[] y, int yOff, int rowStart, int rowEnd) {
        ByteVector t0 = ByteVector.fromArray(B, t, 0), t1 = ByteVector.fromArray(B, t, 64);
        ByteVector t2 = ByteVector.fromArray(B, t, 128), t3 = ByteVector.fromArray(B, t, 192);
        ByteVector t4 = ByteVector.fromArray(B, t, 256), t5 = ByteVector.fromArray(B, t, 320);
        ByteVector t6 = ByteVector.fromArray(B, t, 384), t7 = ByteVector.fromArray(B, t, 448);
        ByteVector t8 = ByteVector.fromArray(B, t, 512), t9 = ByteVector.fromArray(B, t, 576);
        ByteVector t10 = ByteVector.fromArray(B, t, 640), t11 = ByteVector.fromArray(B, t, 704);
        ByteVector t12 = ByteVector.fromArray(B, t, 768), t13 = ByteVector.fromArray(B, t, 832);
        ByteVector t14 = ByteVector.fromArray(B, t, 896), t15 = ByteVector.fromArray(B, t, 960);
        int halves = 2 * chunksPerBlock, left = halves, sb = rowStart * blocks, n = blocks * halves * HALF, xi = 0;
        int r = rowStart;
        long off = r * stride;
        FloatVector sum = FloatVector.zero(F), a0 = sum, a1 = sum, a2 = sum, a3 = sum;
        while (r < rowEnd) { // half chunk h of a chunk: steps 4h..4h+3 into a0..a3
            ByteVector c = ByteVector.fromMemorySegment(B, codes, off, ByteOrder.LITTLE_ENDIAN);
            VectorMask<Byte> high = c.compare(VectorOperators.LT, (byte) 0);
            ByteVector p0 = c.selectFrom(t0, t1).blend(c.selectFrom(t2, t3), high);
            ByteVector p1 = c.selectFrom(t4, t5).blend(c.selectFrom(t6, t7), high);
            ByteVector p2 = c.selectFrom(t8, t9).blend(c.selectFrom(t10, t11), high);
            ByteVector p3 = c.selectFrom(t12, t13).blend(c.selectFrom(t14, t15), high);
            ByteVector lo01 = PAIRS_LO.selectFrom(p0, p1), lo23 = PAIRS_LO.selectFrom(p2, p3);
            ByteVector hi01 = PAIRS_HI.selectFrom(p0, p1), hi23 = PAIRS_HI.selectFrom(p2, p3);
            a0 = QUADS_LO.selectFrom(lo01, lo23).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xi), a0);
            a1 = QUADS_HI.selectFrom(lo01, lo23).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xi + 16), a1);
            a2 = QUADS_LO.selectFrom(hi01, hi23).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xi + 32), a2);
            a3 = QUADS_HI.selectFrom(hi01, hi23).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xi + 48), a3);
            off += HALF;
            xi += HALF;
            if (--left == 0) { // block end: PackedDot.fold
                sum = a0.add(a1).add(a2.add(a3)).fma(FloatVector.broadcast(F, scales[sb++]), sum);
                a0 = FloatVector.zero(F);
                a1 = a0;
                a2 = a0;
                a3 = a0;
                left = halves;
                if (xi == n) { // row end: LaneSums.sum, lane 0 first
                    sum.intoArray(sums, 0);
                    float s = 0f;
                    for (int i = 0; i < PackedDot.L; i++) s += sums[i];
                    y[yOff + r] = s;
                    sum = a0;
                    xi = 0;
                    r++;
                    off = r * stride;
                }
            }
        }
    }
}
