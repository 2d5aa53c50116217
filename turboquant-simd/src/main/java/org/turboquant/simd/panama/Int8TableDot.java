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
import org.turboquant.simd.KernelMode;

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
    static boolean supports(KernelMode mode, QuantizedMatrix m) {
        return IntKernels.enabled(mode, m.bits()) && runs(m);
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
        short[] runSums = new short[4 * S.length()];
        int[] rowSums = new int[2 * L];
        long next = (long) rg.bytesPerBlock * RowGroups.ROWS; // from one group's block to the next group's
        for (int k = 0; k < m.blocksPerRow(); k++) {
            for (int b = 0; b < batch; b++)
                tableScale[b] = Int8Tables.build(bits, fields, columns, rotated[b], k * g, chunks, scratch, tables,
                        b * tableBytes);
            for (int gi = 0; gi < groups; gi += 2) { // two groups per table load; a lone last group pairs with itself
                boolean pair = gi + 1 < groups;
                long off = rg.offset(k, first + gi);
                int s0 = rg.scaleIndex(k, first + gi), s1 = pair ? rg.scaleIndex(k, first + gi + 1) : 0;
                for (int b = 0; b < batch; b++) {
                    int a = (b * groups + gi) * L;
                    pairSums(rg.codes, off, pair ? next : 0, loads, tables, b * tableBytes, runSums, rowSums);
                    for (int j = 0; j < (pair ? 2 : 1); j++) // one call site: see pairSums
                        fold(rowSums, j * L, bias, rg.scales, j == 0 ? s0 : s1, tableScale[b], acc, a + j * L);
                }
            }
        }
        int rows = m.rows();
        for (int b = 0; b < batch; b++)
            for (int r = rowStart; r < rowEnd; r++) y[b * rows + r] = acc[(b * groups) * L + r - first * RowGroups.ROWS];
    }

    /**
     * acc[a ..] += (sums[si ..] − bias)·(scales[scaleIndex ..]·tableScale) per row lane: one block's value times (block
     * scale · table scale).
     */
    static void fold(int[] sums, int si, int bias, float[] scales, int scaleIndex, float tableScale,
                             float[] acc, int a) {
        FloatVector scale = FloatVector.fromArray(F, scales, scaleIndex).mul(tableScale);
        IntVector.fromArray(I, sums, si).sub(bias).convert(VectorOperators.I2F, 0).reinterpretAsFloats()
                .fma(scale, FloatVector.fromArray(F, acc, a)).intoArray(acc, a);
    }

    /**
     * Σ of the biased table bytes over one block, per row lane, for the group at off (into rowSums[0 ..]) and the one
     * at off + next (rowSums[16 ..]): each table register loaded serves both, so 64 code bytes cost one table load
     * instead of two. The integer sums are exact, so each group gets exactly the bits it would get alone.
     *
     * <p>Why the sums go through arrays and each helper has one call site: a vector value passed to or returned from a
     * call C2 did not inline is boxed on the heap. In one method (commit b6cdd01) C2 ran out of its inlining node
     * budget (NodeCountInliningCutoff) on the per-block reduction and called it out of line with boxed vectors: the
     * 4-bit GEMV ran ~4× slower than the single-group kernel before it (docs/BENCHMARKS.md). Here vectors cross method
     * boundaries only as array contents (and within {@link #pairRun}, whose helpers are tiny), the reduction is written
     * out in {@link #addRowSums}, and {@code Int8CompiledTest} fails if a compiled product allocates per block.
     */
    static void pairSums(MemorySegment codes, long off, long next, int loads, byte[] tables, int t,
                                 short[] runSums, int[] rowSums) {
        java.util.Arrays.fill(rowSums, 0);
        for (int done = 0; done < loads; done += MAX_LOADS) {
            pairRun(codes, off + (long) done * B.length(), next, Math.min(loads - done, MAX_LOADS), tables,
                    t + done * 2 * Int8Tables.REGISTER, runSums);
            for (int j = 0; j < 2; j++) addRowSums(runSums, j * 2 * S.length(), rowSums, j * L); // one call site
        }
    }

    /**
     * One run of at most {@value #MAX_LOADS} loads of both groups: their wrapping 16-bit sums A and H (see the class
     * comment) into runSums as A0, H0, A1, H1.
     */
    private static void pairRun(MemorySegment codes, long o, long next, int n, byte[] tables, int tt,
                                short[] runSums) {
        ShortVector a0 = ShortVector.zero(S), h0 = a0, a1 = a0, h1 = a0;
        for (int i = 0; i < n; i++, o += B.length(), tt += 2 * Int8Tables.REGISTER) {
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
        int n16 = S.length();
        a0.intoArray(runSums, 0);
        h0.intoArray(runSums, n16);
        a1.intoArray(runSums, 2 * n16);
        h1.intoArray(runSums, 3 * n16);
    }

    /**
     * rowSums[ri ..] += the per-row sums of the run sums A = runSums[from ..], H = the next 32 shorts: per row r, the
     * sum of its bytes over the four quarters. Short lane 8p + q holds rows 2q (low byte) and 2q + 1 (high byte) of
     * quarter p; odd rows' sums are H, even rows' A − 256·H, both read as unsigned 16-bit. Written out in one method,
     * without vector-valued helpers, so that nothing here can be left as an out-of-line call with boxed vectors.
     */
    static void addRowSums(short[] runSums, int from, int[] rowSums, int ri) {
        ShortVector a = ShortVector.fromArray(S, runSums, from), h = ShortVector.fromArray(S, runSums, from + S.length());
        ShortVector even = a.sub(h.lanewise(VectorOperators.LSHL, 8));
        IntVector e = ((IntVector) even.convertShape(VectorOperators.ZERO_EXTEND_S2I, I, 0))
                .add((IntVector) even.convertShape(VectorOperators.ZERO_EXTEND_S2I, I, 1));
        IntVector o = ((IntVector) h.convertShape(VectorOperators.ZERO_EXTEND_S2I, I, 0))
                .add((IntVector) h.convertShape(VectorOperators.ZERO_EXTEND_S2I, I, 1));
        FIRST.selectFrom(e, o).add(SECOND.selectFrom(e, o)).add(IntVector.fromArray(I, rowSums, ri))
                .intoArray(rowSums, ri);
    }

    /** The bytes of {@code table} the low nibbles of {@code codes} select, as 32 short lanes (two rows' bytes each). */
    private static ShortVector select(ByteVector codes, ByteVector table) {
        return codes.and((byte) 15).or(QUARTER).selectFrom(table).reinterpretAsShorts();
    }

    /** Each byte's high nibble in its low bits (what is above them is masked off by {@link #select}). */
    private static ByteVector highNibbles(ByteVector codes) {
        return codes.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes();
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
