package org.turboquant.simd.panama;

import static org.turboquant.simd.panama.PackedDot.F;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.turboquant.core.QuantizedMatrix;
import org.turboquant.simd.KernelMode;

/**
 * 8-bit rows in the integer mode: the 256 centroids quantized to int8 levels (one scale per codebook, S = max|c|/127,
 * level j = round(c_j / S)), so that one code byte looks up one level byte. The exact kernel ({@link PackedDot8}) looks
 * up four byte planes of the float centroids and re-interleaves them: 16 byte permutes per 64 weights, all on the one
 * shuffle port. Here, per 64 codes (one load, natural order): two two-table byte permutes ({@code vpermi2b}, codes
 * 0–127 and 128–255) blended by the codes' top bit give 64 levels; each quarter is widened to 16 floats
 * ({@code B2F}: sign-extend and convert) and multiply-added into its accumulator; 2 permutes and 4 widenings instead of
 * 16 permutes. Measured (docs/BENCHMARKS.md, Xeon VM): one row at a time, 1.85× the exact kernel with the codes in
 * L2 but only 1.1× at 4096×14336, where one stream of codes per thread ran at ~7 GB/s even without look-ups; hence rows
 * in pairs ({@link #rowPairs}): 1.54× on one thread, 1.9× on two. Tried and dropped: int16 levels (two
 * byte planes, exact to 4e-5; no faster than the exact kernel) and widening through a byte permute into the low byte
 * of 2^23 then one subtraction instead of {@code B2F} (same bits, 0.95× in L2, 1.04× at 4096×14336).
 *
 * <p>The price is the level rounding: |y − exact| ≤ Σ_k |scale_k|·S/2·Σ_{i in block k} |x_i| per row, and, because
 * the centre of a 256-level Lloyd–Max codebook is spaced finer than S, neighbouring centre codes can share a level
 * (docs/BENCHMARKS.md gives the measured loss). So it is opt-in ({@link IntKernels}: the int8 mode only, not auto).
 *
 * <p>Arithmetic order: {@link PackedDot8}'s (quarter q of each 64 codes into accumulator q, blocks folded in order
 * with the block scale times S, lanes summed lane 0 first), with levels for centroids; GEMM runs the same loop per
 * input, so it equals GEMV bit for bit.
 */
final class Int8LevelDot8 {
    private static final int HALF = 64;
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_512;

    private Int8LevelDot8() {}

    /** Where the int8 mode multiplies m here: {@link #runs} and {@link IntKernels} has width 8 on for the mode. */
    static boolean supports(KernelMode mode, QuantizedMatrix m) {
        return IntKernels.enabled(mode, 8) && runs(m);
    }

    /** Where it can run: where the exact 8-bit kernel runs (512 bits, whole-chunk blocks, VBMI). */
    static boolean runs(QuantizedMatrix m) {
        return m.bits() == 8 && PackedDot.supports(m);
    }

    /** The codebook as int8 levels, 256 bytes in code order, and the scale S they are in units of. */
    record Levels(byte[] bytes, float scale) {
        static Levels of(float[] centroids) {
            float max = 0f;
            for (float c : centroids) max = Math.max(max, Math.abs(c));
            float inv = max > 0f ? 127f / max : 0f;
            byte[] b = new byte[4 * HALF];
            for (int j = 0; j < b.length; j++) b[j] = (byte) Math.round(centroids[j % centroids.length] * inv);
            return new Levels(b, max / 127f);
        }
    }

    /** Y[b·rows + r] = row r · rotated[b] for r in [rowStart, rowEnd); m must be in row order and one it {@link #runs}. */
    static void gemm(QuantizedMatrix m, float[][] rotated, float[] y, int rowStart, int rowEnd) {
        gemm(m, rotated, y, rowStart, rowEnd, true);
    }

    /**
     * {@link #gemm}, rows in pairs ({@link #rowPairs}, the last odd row alone) or, {@code pairs} false, one at a time;
     * a row's bits are the same either way.
     */
    static void gemm(QuantizedMatrix m, float[][] rotated, float[] y, int rowStart, int rowEnd, boolean pairs) {
        Levels levels = Levels.of(m.centroids());
        long stride = m.rowStrideBytes();
        int rows = m.rows(), blocks = m.blocksPerRow(), chunksPerBlock = m.blockSize() / PackedDot.CHUNK;
        float[] sums = new float[PackedDot.L];
        // rows in groups of ~256 KB of codes, each group for every input: inputs after the first read them from L2
        int group = (int) Math.max(1, Math.min(rowEnd - rowStart, (256 << 10) / stride));
        for (int r0 = rowStart; r0 < rowEnd; r0 += group) {
            int r1 = Math.min(rowEnd, r0 + group), single = pairs ? r1 - (r1 - r0) % 2 : r0;
            for (int b = 0; b < rotated.length; b++) {
                if (single > r0)
                    rowPairs(m.codes(), stride, m.scales(), blocks, chunksPerBlock, rotated[b], levels.bytes(),
                            levels.scale(), sums, y, b * rows, r0, single);
                if (single < r1)
                    rows(m.codes(), stride, m.scales(), blocks, chunksPerBlock, rotated[b], levels.bytes(),
                            levels.scale(), sums, y, b * rows, single, r1);
            }
        }
    }

    /**
     * y[yOff + r] = row r · x for r in [rowStart, rowEnd), as {@link PackedDot8#rows} (one loop over the range's half
     * chunks, folding at each block end and summing at each row end, everything written out: see there why), with
     * {@code t} the 256 level bytes and {@code levelScale} S.
     */
    private static void rows(MemorySegment codes, long stride, float[] scales, int blocks, int chunksPerBlock,
                             float[] x, byte[] t, float levelScale, float[] sums, float[] y, int yOff, int rowStart,
                             int rowEnd) {
        ByteVector t0 = ByteVector.fromArray(B, t, 0), t1 = ByteVector.fromArray(B, t, 64);
        ByteVector t2 = ByteVector.fromArray(B, t, 128), t3 = ByteVector.fromArray(B, t, 192);
        int halves = 2 * chunksPerBlock, left = halves, sb = rowStart * blocks, n = blocks * halves * HALF, xi = 0;
        int r = rowStart;
        long off = r * stride;
        FloatVector sum = FloatVector.zero(F), a0 = sum, a1 = sum, a2 = sum, a3 = sum;
        while (r < rowEnd) {
            ByteVector c = ByteVector.fromMemorySegment(B, codes, off, ByteOrder.LITTLE_ENDIAN);
            VectorMask<Byte> high = c.compare(VectorOperators.LT, (byte) 0);
            ByteVector v = c.selectFrom(t0, t1).blend(c.selectFrom(t2, t3), high);
            a0 = ((FloatVector) v.convertShape(VectorOperators.B2F, F, 0)).fma(FloatVector.fromArray(F, x, xi), a0);
            a1 = ((FloatVector) v.convertShape(VectorOperators.B2F, F, 1)).fma(FloatVector.fromArray(F, x, xi + 16), a1);
            a2 = ((FloatVector) v.convertShape(VectorOperators.B2F, F, 2)).fma(FloatVector.fromArray(F, x, xi + 32), a2);
            a3 = ((FloatVector) v.convertShape(VectorOperators.B2F, F, 3)).fma(FloatVector.fromArray(F, x, xi + 48), a3);
            off += HALF;
            xi += HALF;
            if (--left == 0) { // block end: fold with scale·S
                sum = a0.add(a1).add(a2.add(a3)).fma(FloatVector.broadcast(F, scales[sb++] * levelScale), sum);
                a0 = FloatVector.zero(F);
                a1 = a0;
                a2 = a0;
                a3 = a0;
                left = halves;
                if (xi == n) { // row end: lanes summed lane 0 first
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

    /**
     * {@link #rows} for an even number of rows, two at a time: each iteration loads 64 codes of row r and of row r + 1
     * (two memory streams, sharing the input loads and table registers) and runs each row's arithmetic exactly as
     * {@link #rows} does, so every row gets the same bits. Why: on the Xeon VM one stream of codes per thread ran at
     * ~7 GB/s even with no look-up at all, two streams at ~10 GB/s (docs/BENCHMARKS.md).
     */
    private static void rowPairs(MemorySegment codes, long stride, float[] scales, int blocks, int chunksPerBlock,
                                 float[] x, byte[] t, float levelScale, float[] sums, float[] y, int yOff, int rowStart,
                                 int rowEnd) {
        ByteVector t0 = ByteVector.fromArray(B, t, 0), t1 = ByteVector.fromArray(B, t, 64);
        ByteVector t2 = ByteVector.fromArray(B, t, 128), t3 = ByteVector.fromArray(B, t, 192);
        int halves = 2 * chunksPerBlock, left = halves, sb = rowStart * blocks, n = blocks * halves * HALF, xi = 0;
        int r = rowStart;
        long off = r * stride;
        FloatVector sum = FloatVector.zero(F), a0 = sum, a1 = sum, a2 = sum, a3 = sum;
        FloatVector sum2 = sum, b0 = sum, b1 = sum, b2 = sum, b3 = sum;
        while (r < rowEnd) {
            ByteVector c = ByteVector.fromMemorySegment(B, codes, off, ByteOrder.LITTLE_ENDIAN);
            ByteVector d = ByteVector.fromMemorySegment(B, codes, off + stride, ByteOrder.LITTLE_ENDIAN);
            ByteVector v = c.selectFrom(t0, t1).blend(c.selectFrom(t2, t3), c.compare(VectorOperators.LT, (byte) 0));
            ByteVector w = d.selectFrom(t0, t1).blend(d.selectFrom(t2, t3), d.compare(VectorOperators.LT, (byte) 0));
            FloatVector x0 = FloatVector.fromArray(F, x, xi), x1 = FloatVector.fromArray(F, x, xi + 16);
            FloatVector x2 = FloatVector.fromArray(F, x, xi + 32), x3 = FloatVector.fromArray(F, x, xi + 48);
            a0 = ((FloatVector) v.convertShape(VectorOperators.B2F, F, 0)).fma(x0, a0);
            a1 = ((FloatVector) v.convertShape(VectorOperators.B2F, F, 1)).fma(x1, a1);
            a2 = ((FloatVector) v.convertShape(VectorOperators.B2F, F, 2)).fma(x2, a2);
            a3 = ((FloatVector) v.convertShape(VectorOperators.B2F, F, 3)).fma(x3, a3);
            b0 = ((FloatVector) w.convertShape(VectorOperators.B2F, F, 0)).fma(x0, b0);
            b1 = ((FloatVector) w.convertShape(VectorOperators.B2F, F, 1)).fma(x1, b1);
            b2 = ((FloatVector) w.convertShape(VectorOperators.B2F, F, 2)).fma(x2, b2);
            b3 = ((FloatVector) w.convertShape(VectorOperators.B2F, F, 3)).fma(x3, b3);
            off += HALF;
            xi += HALF;
            if (--left == 0) { // block end of both rows: fold each with its own scale·S
                sum = a0.add(a1).add(a2.add(a3)).fma(FloatVector.broadcast(F, scales[sb] * levelScale), sum);
                sum2 = b0.add(b1).add(b2.add(b3)).fma(FloatVector.broadcast(F, scales[sb + blocks] * levelScale), sum2);
                sb++;
                a0 = FloatVector.zero(F);
                a1 = a0;
                a2 = a0;
                a3 = a0;
                b0 = a0;
                b1 = a0;
                b2 = a0;
                b3 = a0;
                left = halves;
                if (xi == n) { // row end of both: lanes summed lane 0 first, as rows does
                    sum.intoArray(sums, 0);
                    float s = 0f;
                    for (int i = 0; i < PackedDot.L; i++) s += sums[i];
                    y[yOff + r] = s;
                    sum2.intoArray(sums, 0);
                    s = 0f;
                    for (int i = 0; i < PackedDot.L; i++) s += sums[i];
                    y[yOff + r + 1] = s;
                    sum = a0;
                    sum2 = a0;
                    xi = 0;
                    r += 2;
                    sb += blocks; // past row r + 1's scales
                    off = r * stride;
                }
            }
        }
    }
}
