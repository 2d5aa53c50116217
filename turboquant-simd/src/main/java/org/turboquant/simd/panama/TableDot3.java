package org.turboquant.simd.panama;

import static org.turboquant.simd.panama.PackedDot.F;
import static org.turboquant.simd.panama.PackedDot.L;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import org.turboquant.core.BitPacking;

/**
 * {@link TableDot} for 3-bit codes, which {@link BitPacking} stores as a 2-bit plane (32 bytes per chunk) then a
 * 1-bit plane (16 bytes). A nibble of 2-bit-plane byte t (group q = t / 16, j = t mod 16) holds the low bits of two
 * columns, whose high bits are two adjacent bits (4q + 2h, 4q + 2h + 1 for nibble h) of 1-bit-plane byte j. Together:
 * a 6-bit index into a 64-entry table per column pair, looked up as two 32-entry halves (two-register permutes)
 * blended on bit 5. Per 16 rows and 2-bit-plane byte (64 weights): two loads, ten integer ops, four permutes,
 * two blends, two adds.
 *
 * <p>Arithmetic order, per row and block: for each chunk and byte t in order, nibble h adds into accumulator h; the
 * block value a0 + a1 is folded as in {@link TableDot}.
 */
final class TableDot3 {
    /** Floats per table (64 entries) and tables per chunk (two per 2-bit-plane byte). */
    static final int ENTRIES = 64, TABLES_PER_CHUNK = 64;
    private static final int PLANE2_BYTES = 32, CHUNK_BYTES = 48;

    private TableDot3() {}

    /**
     * One block of 16 rows: Σ over its columns of table[index], per row lane. One byte per iteration (two, as in
     * TableDot, exceeded C2's inlining node budget and ran with boxed vectors).
     */
    static FloatVector blockDot(MemorySegment codes, long off, int chunks, float[] tables, int t) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0;
        for (int c = 0; c < chunks; c++, off += CHUNK_BYTES * L) {
            for (int b = 0; b < PLANE2_BYTES; b++, t += 2 * ENTRIES) {
                int shift = 4 * (b / 16); // bits 4q .. 4q + 3 of 1-bit-plane byte j hold this byte's high bits
                IntVector v = TableDot.widen(codes, off + b * L), hv = TableDot.widen(codes, off + (PLANE2_BYTES + b % 16) * L);
                a0 = a0.add(lookup(low(v, hv, shift), tables, t));
                a1 = a1.add(lookup(high(v, hv, shift), tables, t + ENTRIES));
            }
        }
        return a0.add(a1);
    }

    /** {@link #blockDot} folded into its group's sums, as {@link TableDot#blockDotInto}. */
    static void blockDotInto(MemorySegment codes, long off, int chunks, float[] tables, int t, float[] scales, int sc,
                             float[] acc, int a) {
        blockDot(codes, off, chunks, tables, t).fma(FloatVector.fromArray(F, scales, sc), FloatVector.fromArray(F, acc, a))
                .intoArray(acc, a);
    }

    /** Index of the low nibble's column pair: 2-bit fields, then their two high bits. */
    private static IntVector low(IntVector plane2, IntVector plane1, int shift) {
        return plane2.and(15).or(plane1.lanewise(VectorOperators.LSHR, shift).and(3).lanewise(VectorOperators.LSHL, 4));
    }

    private static IntVector high(IntVector plane2, IntVector plane1, int shift) {
        return plane2.lanewise(VectorOperators.LSHR, 4)
                .or(plane1.lanewise(VectorOperators.LSHR, shift + 2).and(3).lanewise(VectorOperators.LSHL, 4));
    }

    /** tables[t + idx] per lane, idx in [0, 64). */
    private static FloatVector lookup(IntVector idx, float[] tables, int t) {
        IntVector lo = idx.selectFrom(TableDot.table(tables, t), TableDot.table(tables, t + L));
        IntVector hi = idx.selectFrom(TableDot.table(tables, t + 2 * L), TableDot.table(tables, t + 3 * L));
        return lo.blend(hi, idx.compare(VectorOperators.GE, 32)).reinterpretAsFloats();
    }

    /**
     * The centroid each entry e of a table gives the pair's first and second column: {@code [e]} and
     * {@code [64 + e]}, from the bits of e as {@link #build} lays them out. Computed once per product.
     */
    static float[] fieldValues(float[] centroids) {
        float[] f = new float[2 * ENTRIES];
        for (int e = 0; e < ENTRIES; e++) {
            f[e] = centroids[(e & 3) | ((e >>> 4) & 1) << 2];
            f[ENTRIES + e] = centroids[((e >>> 2) & 3) | ((e >>> 5) & 1) << 2];
        }
        return f;
    }

    /**
     * The tables of one block for one input: table s = 2·(c·32 + t) + h at {@code out[outOff + 64s ..]}, entry
     * e = Σ over the pair's two columns of centroid[index of that column in e]·x[column] ({@code fields} from
     * {@link #fieldValues}).
     */
    static void build(float[] fields, float[] x, int xOff, int chunks, float[] out, int outOff) {
        for (int c = 0; c < chunks; c++, xOff += BitPacking.CHUNK) {
            for (int t = 0; t < PLANE2_BYTES; t++) {
                for (int h = 0; h < 2; h++, outOff += ENTRIES) {
                    int col = t / 16 * 64 + 32 * h + t % 16; // fields 2h and 2h + 1 of the byte: col, col + 16
                    FloatVector xa = FloatVector.broadcast(F, x[xOff + col]), xb = FloatVector.broadcast(F, x[xOff + col + 16]);
                    for (int p = 0; p < ENTRIES; p += L)
                        FloatVector.fromArray(F, fields, p).mul(xa).add(FloatVector.fromArray(F, fields, ENTRIES + p).mul(xb))
                                .intoArray(out, outOff + p);
                }
            }
        }
    }
}
