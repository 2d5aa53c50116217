package org.turboquant.simd.panama;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorSpecies;
import org.turboquant.core.BitPacking;
import org.turboquant.core.QuantizedMatrix;

/**
 * Row dots straight from the packed bytes at 512 bits, for b ∈ {1, 2, 4, 5, 8} and blocks of whole chunks (g a
 * multiple of 128): no staging of index bytes, a one-register 16-entry table (b = 2, 4; b = 5 looks up both halves of
 * its 32 entries and blends), mask registers (b = 1) or, for b = 8, the 256 centroids split into four byte planes
 * (16 registers) looked up with two-table byte permutes and interleaved back into floats ({@link PackedDot8}: exact,
 * and ~12× the generic path's scalar look-up; an 8-bit gather was tried first and was slower than that look-up); four
 * independent accumulator chains per block. One class per width ({@link PackedDot4}, {@link PackedDot5},
 * {@link PackedDot2}, {@link PackedDot1}, {@link PackedDot8}) holds the inner loop; this class holds what they share
 * and the row loops. Other widths, block sizes and vector widths keep {@link PanamaKernels}' generic path. b = 8
 * needs AVX-512 VBMI (vpermi2b) and runs only where {@link CpuFlags} finds it.
 *
 * <p>Uniform 1-, 2- and 4-bit matrices normally go to {@link TableDot} instead; they come here when row groups are
 * switched off ({@code -Dturboquant.rowGroups=false}), and the 2- and 4-bit dots also serve mixed-width runs.
 *
 * <p>Block order: the dots take a list of block numbers ({@code 0, 1, 2, …} for a uniform row), so one run of a
 * mixed-width row ({@link MixedRowKernels}) uses the same code (b = 8 has no mixed-row use and walks blocks in order).
 *
 * <p><b>Lane order.</b> A chunk of 128 indices is consumed as 8 steps of 16 lanes, each step obtained from the
 * loaded bytes by one shift (see each width's class). Lane i of step s multiplies index {@link #source}(b, s, i) of
 * the chunk, which is not i + 16·s: rather than reorder the indices, the rotated input is reordered once per product
 * ({@link #permute}) so both sides meet in the same lanes. b = 8 assembles its floats in natural order (index
 * 16·s + i) and takes the input as it is.
 *
 * <p><b>Arithmetic order</b> for b = 2, 4, 5, 8 (GEMM runs the same fused dots, so it equals GEMV bit for bit): per
 * block, step s of every chunk is FMA-ed into accumulator s mod 4 (chunks in ascending order); the block's value
 * (a0 + a1) + (a2 + a3) is FMA-ed into the row's vector sum times the block scale; the row sum is reduced lane 0
 * first ({@link LaneSums}). b = 1: see {@link PackedDot1}. The two-row variants keep each row's order.
 *
 * <p>C2 pitfalls met here (JDK 25): an int- or short-typed vector load from a byte[]-backed heap segment is not
 * intrinsified (bytes are loaded and reinterpreted instead); and a method whose inlined vector code exceeds the
 * inlining node budget (NodeCountInliningCutoff: e.g. 16 look-ups plus widening conversions in one loop body) calls
 * the remaining vector helpers out of line with boxed vectors, 10–100× slower — hence loops over half chunks.
 */
final class PackedDot {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_512;
    static final VectorSpecies<Integer> I = IntVector.SPECIES_512;
    static final int L = 16;
    static final int CHUNK = BitPacking.CHUNK;

    private PackedDot() {}

    /** True when this JVM runs 16 float lanes and m's width and block size have a packed-byte kernel. */
    static boolean supports(QuantizedMatrix m) {
        int b = m.bits();
        return Lanes.LENGTH == L && m.blockSize() % CHUNK == 0
                && (b == 1 || b == 2 || b == 4 || b == 5 || (b == 8 && CpuFlags.VBMI));
    }

    /** y[r] = row r · rotated for r in [rowStart, rowEnd); m must be {@link #supports supported}. */
    static void gemv(QuantizedMatrix m, float[] rotated, float[] y, int rowStart, int rowEnd) {
        gemm(m, new float[][] {rotated}, y, rowStart, rowEnd); // Y[0·rows + r] = y[r]: the same loops, one input
    }

    /**
     * Y[b·rows + r] = row r · rotated[b]: rows (in pairs for 4-bit) outer, inputs inner, each product the fused dot
     * GEMV runs, so every output equals {@link #gemv}'s bit for bit and a row's codes come from memory once, then
     * from L1 for the other inputs. Measured faster than decoding each row to floats once and dotting those with every
     * input (4096², 4-bit, 2 threads, batch 8: 1766 vs 697 inputs/s, docs/BENCHMARKS.md): re-unpacking is cheap, the
     * float loads of a decoded row are not.
     */
    static void gemm(QuantizedMatrix m, float[][] rotated, float[] y, int rowStart, int rowEnd) {
        int n = m.layout().paddedCols(), bits = m.bits(), blocks = m.blocksPerRow(), rows = m.rows();
        int chunksPerBlock = m.blockSize() / CHUNK;
        float[][] xp = new float[rotated.length][];
        for (int b = 0; b < rotated.length; b++) xp[b] = bits == 8 ? rotated[b] : permute(bits, rotated[b], n);
        float[] scales = m.scales(), sums = new float[L];
        int[] order = inOrder(blocks);
        MemorySegment codes = m.codes();
        long stride = m.rowStrideBytes();
        switch (bits) {
            case 4 -> {
                IntVector t = table(m.centroids());
                int r = rowStart;
                for (; r + 1 < rowEnd; r += 2)
                    for (int b = 0; b < xp.length; b++)
                        PackedDot4.dot2(codes, r * stride, stride, scales, r * blocks, blocks, chunksPerBlock, xp[b], t,
                                sums, y, b * rows + r);
                if (r < rowEnd)
                    for (int b = 0; b < xp.length; b++)
                        y[b * rows + r] = PackedDot4.dot(codes, r * stride, scales, r * blocks, order, 0, blocks,
                                chunksPerBlock, xp[b], t, sums);
            }
            case 2 -> {
                IntVector t = table(m.centroids());
                for (int r = rowStart; r < rowEnd; r++)
                    for (int b = 0; b < xp.length; b++)
                        y[b * rows + r] = PackedDot2.dot(codes, r * stride, scales, r * blocks, order, 0, blocks,
                                chunksPerBlock, xp[b], t, sums);
            }
            case 5 -> {
                IntVector[] t = PackedDot5.table(m.centroids());
                IntVector t0 = t[0], t1 = t[1];
                for (int r = rowStart; r < rowEnd; r++)
                    for (int b = 0; b < xp.length; b++)
                        y[b * rows + r] = PackedDot5.dot(codes, r * stride, scales, r * blocks, order, 0, blocks,
                                chunksPerBlock, xp[b], t0, t1, sums);
            }
            case 8 -> {
                byte[] t = PackedDot8.table(m.centroids());
                // rows in groups of ~256 KB of codes, each group for every input, so inputs after the first read
                // the group's codes from L2
                int group = (int) Math.max(1, Math.min(rowEnd - rowStart, (256 << 10) / stride));
                for (int r0 = rowStart; r0 < rowEnd; r0 += group)
                    for (int b = 0; b < xp.length; b++)
                        PackedDot8.rows(codes, stride, scales, blocks, chunksPerBlock, xp[b], t, sums, y, b * rows, r0,
                                Math.min(rowEnd, r0 + group));
            }
            case 1 -> {
                float c0 = m.centroids()[0], delta = m.centroids()[1] - c0;
                float[][] offsets = new float[xp.length][];
                for (int b = 0; b < xp.length; b++) offsets[b] = PackedDot1.offsets(xp[b], blocks, chunksPerBlock, c0);
                for (int r = rowStart; r < rowEnd; r++)
                    for (int b = 0; b < xp.length; b++)
                        y[b * rows + r] = PackedDot1.dot(codes, r * stride, scales, r * blocks, blocks, chunksPerBlock,
                                xp[b], offsets[b], delta, sums);
            }
            default -> throw new IllegalArgumentException("no packed-byte kernel for " + bits + " bits");
        }
    }

    /** 0, 1, 2, …: a uniform row's blocks in stored order. */
    static int[] inOrder(int blocks) {
        int[] order = new int[blocks];
        for (int k = 0; k < blocks; k++) order[k] = k;
        return order;
    }

    /** The width whose lane order b-bit codes are read in (5-bit chunks are read in the 4-bit order). */
    static int laneOrder(int bits) {
        return bits == 5 ? 4 : bits;
    }

    /** The index within its chunk that lane i of step s multiplies. */
    static int source(int bits, int s, int i) {
        return switch (laneOrder(bits)) {
            case 4 -> { // int lane i = bytes 4i..4i+3; step s = nibble s: byte 4i + s/2, low nibble when s is even
                int b = 4 * i + s / 2;
                yield b / 16 * 32 + (s % 2) * 16 + b % 16;
            }
            case 2 -> { // int lane i = bytes 2i, 2i+1; step s = field s: byte 2i + s/4, field s mod 4
                int b = 2 * i + s / 4;
                yield b / 16 * 64 + (s % 4) * 16 + b % 16;
            }
            case 1 -> 16 * (i % 8) + 2 * s + i / 8; // mask bit i of step s = bit i mod 8 of byte 2s + i/8
            default -> throw new IllegalArgumentException("no packed-byte lane order for " + bits + " bits");
        };
    }

    /** The first n (a multiple of 128) floats of x in lane order: out[c·128 + 16s + i] = x[c·128 + source(s, i)]. */
    static float[] permute(int bits, float[] x, int n) {
        float[] out = new float[n];
        int[] map = new int[CHUNK];
        for (int s = 0; s < 8; s++) for (int i = 0; i < L; i++) map[16 * s + i] = source(bits, s, i);
        for (int c = 0; c < n; c += CHUNK) for (int j = 0; j < CHUNK; j++) out[c + j] = x[c + map[j]];
        return out;
    }

    /**
     * For b ≤ 4, the codebook as one register of 16 float bit patterns with entry j = centroids[j mod 2^b]: a step
     * then needs no mask, since the look-up uses only an index lane's low 4 bits (selectFrom wraps modulo 16).
     */
    static IntVector table(float[] centroids) {
        int[] bits = new int[L];
        for (int j = 0; j < L; j++) bits[j] = Float.floatToRawIntBits(centroids[j % centroids.length]);
        return IntVector.fromArray(I, bits, 0);
    }

    /** centroid per lane from the low 4 bits of each index lane. */
    static FloatVector lookup(IntVector idx, IntVector table) {
        return idx.selectFrom(table).reinterpretAsFloats();
    }

    static FloatVector load(float[] a, int off) {
        return FloatVector.fromArray(F, a, off);
    }

    /** The block's value folded into the row sum: sum + ((a0 + a1) + (a2 + a3))·scale. */
    static FloatVector fold(FloatVector sum, FloatVector a0, FloatVector a1, FloatVector a2, FloatVector a3,
                            float scale) {
        return a0.add(a1).add(a2.add(a3)).fma(FloatVector.broadcast(F, scale), sum);
    }
}
