package org.turboquant.simd.panama;

import static org.turboquant.simd.panama.PackedDot.F;
import static org.turboquant.simd.panama.PackedDot.I;
import static org.turboquant.simd.panama.PackedDot.L;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.turboquant.core.BitPacking;
import org.turboquant.core.QuantizedMatrix;

/**
 * Integer-domain products for b ∈ {1, 2, 4}: {@link TableDot}'s nibble tables quantized to int8 ({@link Int8Tables}),
 * looked up 64 at a time with a byte permute ({@code vpermb}, AVX-512 VBMI) and summed in 16-bit lanes; one float
 * multiply-add per (16 rows × block × input) applies the row's block scale times the table's scale.
 *
 * <p>Per 64 code bytes (bytes 4i..4i+3 of a block for 16 rows, {@link RowGroups}): one load; the low nibbles (and 15,
 * or the quarter offset 16p) and the high nibbles (16-bit shift by 4, then the same) each index one 64-byte table
 * register, giving 64 biased table bytes; each result, read as 32 shorts, is added into a wrapping 16-bit sum A, and
 * its high bytes (16-bit shift by 8) into H. The odd rows' bytes sum to H exactly and the even rows' to A − 256·H
 * (mod 2^16, exact while fewer than 257 bytes are summed per lane: runs of at most {@value #MAX_LOADS} loads). That is
 * 128 (b = 4), 256 (b = 2) or 512 (b = 1) weights per load, two permutes and about nine other operations.
 *
 * <p>Arithmetic: per row and block the integer Σ(entry − 128) over the block's nibbles is exact; the row's sum is
 * then {@code fma((float) Σ, scale·T, sum)} over blocks in order. GEMM runs the same per input, so it equals GEMV bit
 * for bit and a row does not depend on the range asked for. Against the float tables the result differs by at most
 * Σ_k |scale_k|·T_k·nibbles/2 ({@link Int8Tables}).
 */
final class Int8TableDot {
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_512;
    private static final VectorSpecies<Short> S = ShortVector.SPECIES_512;
    /** Loads per 16-bit run: 2 table bytes ≤ 255 per load and lane must sum below 2^16. */
    static final int MAX_LOADS = 128;
    /** Byte lane 16p + r → 16p: which quarter (nibble table) of the register a lane's index falls in. */
    private static final ByteVector QUARTER = ByteVector.fromArray(B, quarterOffsets(), 0);
    /** Row r ← even-row sums (r even) or odd-row sums (r odd) of quarters 0+2 (FIRST) or 1+3 (SECOND). */
    private static final IntVector FIRST = IntVector.fromArray(I, rowOrder(0), 0);
    private static final IntVector SECOND = IntVector.fromArray(I, rowOrder(8), 0);

    private Int8TableDot() {}

    /** Where the int8 path is chosen: where it {@link #runs} and {@link IntKernels} has it on for m's width. */
    static boolean supports(QuantizedMatrix m) {
        return IntKernels.enabled(m.bits()) && runs(m);
    }

    /** Where the int8 path can run: where {@link TableDot} runs, b ≠ 3, and the byte permute is native (VBMI). */
    static boolean runs(QuantizedMatrix m) {
        return m.bits() != 3 && CpuFlags.VBMI && TableDot.supports(m);
    }

    /** Y[b·rows + r] = row r · rotated[b] for r in [rowStart, rowEnd); m must be one it {@link #runs}. */
    static void gemm(QuantizedMatrix m, float[][] rotated, float[] y, int rowStart, int rowEnd) {
        if (rowStart == rowEnd) return;
        RowGroups rg = RowGroups.of(m);
        int bits = m.bits(), g = m.blockSize(), chunks = g / BitPacking.CHUNK, batch = rotated.length;
        int tableBytes = Int8Tables.bytesPerBlock(rg.bytesPerBlock), loads = rg.bytesPerBlock / 4;
        int bias = 128 * 2 * rg.bytesPerBlock; // every nibble's entry carries +128
        int first = rowStart / RowGroups.ROWS, groups = (rowEnd + RowGroups.ROWS - 1) / RowGroups.ROWS - first;
        float[] fields = TableDot.fieldValues(bits, m.centroids()), scratch = new float[tableBytes];
        int[] columns = TableDot.nibbleColumns(bits);
        byte[] tables = new byte[batch * tableBytes];
        float[] tableScale = new float[batch], acc = new float[batch * groups * L];
        for (int k = 0; k < m.blocksPerRow(); k++) {
            for (int b = 0; b < batch; b++)
                tableScale[b] = Int8Tables.build(bits, fields, columns, rotated[b], k * g, chunks, scratch, tables,
                        b * tableBytes);
            int gi = 0;
            for (; gi + 1 < groups; gi += 2) { // two groups per table load, each with the arithmetic of one
                long off = rg.offset(k, first + gi);
                FloatVector scale0 = FloatVector.fromArray(F, rg.scales, rg.scaleIndex(k, first + gi));
                FloatVector scale1 = FloatVector.fromArray(F, rg.scales, rg.scaleIndex(k, first + gi + 1));
                for (int b = 0; b < batch; b++) {
                    int a = (b * groups + gi) * L;
                    blockSums2(rg.codes, off, (long) rg.bytesPerBlock * RowGroups.ROWS, loads, tables,
                            b * tableBytes, bias, scale0.mul(tableScale[b]), scale1.mul(tableScale[b]), acc, a);
                }
            }
            for (; gi < groups; gi++) {
                FloatVector scale = FloatVector.fromArray(F, rg.scales, rg.scaleIndex(k, first + gi));
                long off = rg.offset(k, first + gi);
                for (int b = 0; b < batch; b++) {
                    int a = (b * groups + gi) * L;
                    fold(blockSums(rg.codes, off, loads, tables, b * tableBytes), bias, scale.mul(tableScale[b]), acc,
                            a);
                }
            }
        }
        int rows = m.rows();
        for (int b = 0; b < batch; b++)
            for (int r = rowStart; r < rowEnd; r++) y[b * rows + r] = acc[(b * groups) * L + r - first * RowGroups.ROWS];
    }

    /** acc[a ..] += (sums − bias)·scale per row lane: one block's value times (block scale · table scale). */
    private static void fold(IntVector sums, int bias, FloatVector scale, float[] acc, int a) {
        sums.sub(bias).convert(VectorOperators.I2F, 0).reinterpretAsFloats()
                .fma(scale, FloatVector.fromArray(F, acc, a)).intoArray(acc, a);
    }

    /**
     * {@link #blockSums} of two adjacent groups (codes at off and off + next) folded into acc[a ..] and acc[a + 16 ..]:
     * each table register loaded serves both, so a load of 64 code bytes costs one table load instead of two. The
     * integer sums are exact, so each group gets exactly the bits a lone {@link #blockSums} would.
     */
    private static void blockSums2(MemorySegment codes, long off, long next, int loads, byte[] tables, int t,
                                   int bias, FloatVector scale0, FloatVector scale1, float[] acc, int a) {
        IntVector s0 = IntVector.zero(I), s1 = s0;
        for (int done = 0; done < loads; done += MAX_LOADS) {
            ShortVector a0 = ShortVector.zero(S), h0 = a0, a1 = a0, h1 = a0;
            long o = off + (long) done * B.length();
            int tt = t + done * 2 * Int8Tables.REGISTER;
            for (int i = 0, n = Math.min(loads - done, MAX_LOADS); i < n; i++, o += B.length(),
                    tt += 2 * Int8Tables.REGISTER) {
                ByteVector low = ByteVector.fromArray(B, tables, tt);
                ByteVector high = ByteVector.fromArray(B, tables, tt + Int8Tables.REGISTER);
                ByteVector v = ByteVector.fromMemorySegment(B, codes, o, ByteOrder.LITTLE_ENDIAN);
                ByteVector w = ByteVector.fromMemorySegment(B, codes, o + next, ByteOrder.LITTLE_ENDIAN);
                ShortVector lo = select(v, low), hi = select(highNibbles(v), high);
                ShortVector lo2 = select(w, low), hi2 = select(highNibbles(w), high);
                a0 = a0.add(lo).add(hi);
                h0 = h0.add(lo.lanewise(VectorOperators.LSHR, 8)).add(hi.lanewise(VectorOperators.LSHR, 8));
                a1 = a1.add(lo2).add(hi2);
                h1 = h1.add(lo2.lanewise(VectorOperators.LSHR, 8)).add(hi2.lanewise(VectorOperators.LSHR, 8));
            }
            s0 = s0.add(rowSums(a0, h0));
            s1 = s1.add(rowSums(a1, h1));
        }
        fold(s0, bias, scale0, acc, a);
        fold(s1, bias, scale1, acc, a + L);
    }

    /** Σ of the biased table bytes over one block of 16 rows, per row lane. */
    static IntVector blockSums(MemorySegment codes, long off, int loads, byte[] tables, int t) {
        IntVector sums = run(codes, off, Math.min(loads, MAX_LOADS), tables, t);
        for (int done = MAX_LOADS; done < loads; done += MAX_LOADS)
            sums = sums.add(run(codes, off + (long) done * B.length(), Math.min(loads - done, MAX_LOADS), tables,
                    t + done * 2 * Int8Tables.REGISTER));
        return sums;
    }

    private static IntVector run(MemorySegment codes, long off, int loads, byte[] tables, int t) {
        ShortVector a = ShortVector.zero(S), h = a;
        for (int i = 0; i < loads; i++, off += B.length(), t += 2 * Int8Tables.REGISTER) {
            ByteVector v = ByteVector.fromMemorySegment(B, codes, off, ByteOrder.LITTLE_ENDIAN);
            ShortVector lo = select(v, ByteVector.fromArray(B, tables, t));
            ShortVector hi = select(highNibbles(v), ByteVector.fromArray(B, tables, t + Int8Tables.REGISTER));
            a = a.add(lo).add(hi);
            h = h.add(lo.lanewise(VectorOperators.LSHR, 8)).add(hi.lanewise(VectorOperators.LSHR, 8));
        }
        return rowSums(a, h);
    }

    /** The bytes of {@code table} the low nibbles of {@code codes} select, as 32 short lanes (two rows' bytes each). */
    private static ShortVector select(ByteVector codes, ByteVector table) {
        return codes.and((byte) 15).or(QUARTER).selectFrom(table).reinterpretAsShorts();
    }

    /** Each byte's high nibble in its low bits (what is above them is masked off by {@link #select}). */
    private static ByteVector highNibbles(ByteVector codes) {
        return codes.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes();
    }

    /**
     * Per row r, the sum of its bytes over the four quarters: short lane 8p + q holds rows 2q (low byte) and 2q + 1
     * (high byte) of quarter p; odd rows' sums are H, even rows' A − 256·H, both read as unsigned 16-bit.
     */
    private static IntVector rowSums(ShortVector a, ShortVector h) {
        ShortVector even = a.sub(h.lanewise(VectorOperators.LSHL, 8));
        IntVector e = widen(even, 0).add(widen(even, 1)), o = widen(h, 0).add(widen(h, 1));
        return FIRST.selectFrom(e, o).add(SECOND.selectFrom(e, o));
    }

    private static IntVector widen(ShortVector v, int part) {
        return (IntVector) v.convertShape(VectorOperators.ZERO_EXTEND_S2I, I, part);
    }

    private static byte[] quarterOffsets() {
        byte[] q = new byte[64];
        for (int l = 0; l < 64; l++) q[l] = (byte) (l & ~15);
        return q;
    }

    /** Lane r: r/2 + from of the even sums (r even) or of the odd sums (r odd, second table: +16). */
    private static int[] rowOrder(int from) {
        int[] idx = new int[L];
        for (int r = 0; r < L; r++) idx[r] = r / 2 + from + (r % 2) * L;
        return idx;
    }
}
