package org.turboquant.simd.panama;

import static org.turboquant.simd.panama.PackedDot.CHUNK;
import static org.turboquant.simd.panama.PackedDot.F;
import static org.turboquant.simd.panama.PackedDot.L;
import static org.turboquant.simd.panama.PackedDot.load;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * 1-bit rows at 512 bits, without a look-up: with two levels c0, c1, a block's dot is
 * c0·Σx + (c1 − c0)·Σ_{bit=1} x. Σx per block is computed once per product ({@link #offsets}); per row, each 16
 * bits of the packed chunk become an AVX-512 mask register and select the input lanes to add (a merge-masked add).
 * Per 16 weights: a shift of a scalar, a mask move and one masked add, against a widen, a shift, a permute and an
 * FMA for the look-up path.
 *
 * <p>Lane order: the 16 bytes of a chunk are read as two little-endian longs; step s (0..7) is bits [16s', 16s'+16)
 * of long s/4 (s' = s mod 4), i.e. bytes 2s and 2s+1, so lane t of step s is bit t mod 8 of byte 2s + t/8: chunk
 * index 16·(t mod 8) + 2s + t/8 ({@link PackedDot#source}).
 *
 * <p>Arithmetic order: per block, step s of every chunk is added (masked) into accumulator s mod 4; the block's
 * vector is ((a0 + a1) + (a2 + a3))·(c1 − c0) + c0·Σx (lane-wise, Σx over the block's chunks in the same lane
 * order), FMA-ed into the row sum times the block scale; lanes summed lane 0 first. GEMM runs this same dot per
 * input, so it equals GEMV bit for bit.
 */
final class PackedDot1 {
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int CHUNK_BYTES = 16;

    private PackedDot1() {}

    /** Per block k, lanes [16k, 16k+16): c0 · (lane-wise sum of the block's permuted input, chunks in order). */
    static float[] offsets(float[] xp, int blocks, int chunksPerBlock, float c0) {
        float[] out = new float[blocks * L];
        int xi = 0;
        for (int k = 0; k < blocks; k++) {
            FloatVector s = FloatVector.zero(F);
            for (int j = 0; j < chunksPerBlock * CHUNK; j += L, xi += L) s = s.add(load(xp, xi));
            s.mul(c0).intoArray(out, k * L);
        }
        return out;
    }

    static float dot(MemorySegment codes, long off, float[] scales, int scaleBase, int blocks, int chunksPerBlock,
                     float[] xp, float[] offsets, float delta, float[] sums) {
        FloatVector sum = FloatVector.zero(F), d = FloatVector.broadcast(F, delta);
        int xi = 0;
        for (int k = 0; k < blocks; k++) {
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            for (int c = 0; c < chunksPerBlock; c++, off += CHUNK_BYTES, xi += CHUNK) {
                long w0 = codes.get(LONG, off), w1 = codes.get(LONG, off + 8);
                a0 = a0.add(load(xp, xi), VectorMask.fromLong(F, w0));
                a1 = a1.add(load(xp, xi + 16), VectorMask.fromLong(F, w0 >>> 16));
                a2 = a2.add(load(xp, xi + 32), VectorMask.fromLong(F, w0 >>> 32));
                a3 = a3.add(load(xp, xi + 48), VectorMask.fromLong(F, w0 >>> 48));
                a0 = a0.add(load(xp, xi + 64), VectorMask.fromLong(F, w1));
                a1 = a1.add(load(xp, xi + 80), VectorMask.fromLong(F, w1 >>> 16));
                a2 = a2.add(load(xp, xi + 96), VectorMask.fromLong(F, w1 >>> 32));
                a3 = a3.add(load(xp, xi + 112), VectorMask.fromLong(F, w1 >>> 48));
            }
            FloatVector block = a0.add(a1).add(a2.add(a3)).fma(d, load(offsets, k * L));
            sum = block.fma(FloatVector.broadcast(F, scales[scaleBase + k]), sum);
        }
        return LaneSums.sum(sum, sums);
    }

    /** Rows r and r+1 at once, bit-identical to two calls of {@link #dot} (see {@link PackedDot4#dot2}). */
    static void dot2(MemorySegment codes, long off, long stride, float[] scales, int scaleBase, int blocks,
                     int chunksPerBlock, float[] xp, float[] offsets, float delta, float[] sums, float[] y, int r) {
        FloatVector sum = FloatVector.zero(F), sumB = sum, d = FloatVector.broadcast(F, delta);
        int xi = 0;
        long offB = off + stride;
        for (int k = 0; k < blocks; k++) {
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
            for (int h = 0, end = 2 * chunksPerBlock; h < end; h++, off += 8, offB += 8, xi += CHUNK / 2) {
                long v = codes.get(LONG, off), w = codes.get(LONG, offB); // steps 4h'..4h'+3 into a0..a3, as in dot
                FloatVector x0 = load(xp, xi), x1 = load(xp, xi + 16), x2 = load(xp, xi + 32), x3 = load(xp, xi + 48);
                a0 = a0.add(x0, VectorMask.fromLong(F, v));
                b0 = b0.add(x0, VectorMask.fromLong(F, w));
                a1 = a1.add(x1, VectorMask.fromLong(F, v >>> 16));
                b1 = b1.add(x1, VectorMask.fromLong(F, w >>> 16));
                a2 = a2.add(x2, VectorMask.fromLong(F, v >>> 32));
                b2 = b2.add(x2, VectorMask.fromLong(F, w >>> 32));
                a3 = a3.add(x3, VectorMask.fromLong(F, v >>> 48));
                b3 = b3.add(x3, VectorMask.fromLong(F, w >>> 48));
            }
            FloatVector off0 = load(offsets, k * L);
            sum = a0.add(a1).add(a2.add(a3)).fma(d, off0).fma(FloatVector.broadcast(F, scales[scaleBase + k]), sum);
            sumB = b0.add(b1).add(b2.add(b3)).fma(d, off0)
                    .fma(FloatVector.broadcast(F, scales[scaleBase + blocks + k]), sumB);
        }
        y[r] = LaneSums.sum(sum, sums);
        y[r + 1] = LaneSums.sum(sumB, sums);
    }
}
