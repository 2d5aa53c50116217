package org.turboquant.simd.panama;

import static org.turboquant.simd.panama.PackedDot.F;
import static org.turboquant.simd.panama.PackedDot.L;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import org.turboquant.core.BitPacking;

/**
 * {@link TableDot} for 5-bit codes, 16 rows per vector: the wide cells of a grouped mixed-width matrix
 * ({@link MixedTableDot}). A 5-bit chunk is {@link BitPacking}'s 4-bit plane (64 bytes: low nibble of byte 16q + j is
 * column 32q + j, high nibble column 32q + 16 + j) followed by its 1-bit plane (16 bytes: bit k of byte j is column
 * 16k + j), so the fifth bits of nibble-plane bytes j, 16 + j, 32 + j and 48 + j are bits 0–7 of plane byte j. Each
 * column gets a 32-entry table (centroid[e]·x[column]) held as two registers and read with one two-register permute
 * (selectFrom wraps modulo 32, so only bit 4 of the index must be right: the low nibble is masked, the high one is
 * clean after the shift, and the fifth bit is shifted to bit 4 and masked, which C2 folds with the OR into one
 * ternary-logic op on AVX-512). Per 16 rows and nibble-plane byte (32 weights): one load, three shifts, two
 * and-ors, two two-register permutes, two adds, plus one load per four bytes for the bit plane.
 *
 * <p>Arithmetic order, per row and block: for each chunk and plane byte j in order, the columns of nibble-plane bytes
 * j, 16 + j, 32 + j, 48 + j (low then high nibble) add into accumulators a0..a3 (low nibbles of q = 0, 1 into a0, a2;
 * high into a1, a3; q = 2, 3 likewise); the block value (a0 + a1) + (a2 + a3) is folded as in {@link TableDot}.
 */
final class TableDot5 {
    /** Floats per column table; chunk bytes per row. */
    static final int ENTRIES = 32;
    private static final int PLANE4_BYTES = 64, CHUNK_BYTES = 80;
    /** Floats of one chunk's tables (128 columns). */
    static final int CHUNK_FLOATS = BitPacking.CHUNK * ENTRIES;

    private TableDot5() {}

    /** One 5-bit block of 16 rows (codes at off: chunk c's byte t of row r at off + (80c + t)·16 + r). */
    static FloatVector blockDot(MemorySegment codes, long off, int chunks, float[] tables, int t) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int c = 0; c < chunks; c++, off += (long) CHUNK_BYTES * L) {
            for (int j = 0; j < 16; j++, t += 8 * ENTRIES) {
                IntVector h = TableDot.widen(codes, off + (long) (PLANE4_BYTES + j) * L);
                IntVector v0 = TableDot.widen(codes, off + (long) j * L);
                IntVector v1 = TableDot.widen(codes, off + (long) (16 + j) * L);
                a0 = a0.add(lookup(low(v0, h.lanewise(VectorOperators.LSHL, 4)), tables, t));
                a1 = a1.add(lookup(high(v0, h.lanewise(VectorOperators.LSHL, 3)), tables, t + ENTRIES));
                a2 = a2.add(lookup(low(v1, h.lanewise(VectorOperators.LSHL, 2)), tables, t + 2 * ENTRIES));
                a3 = a3.add(lookup(high(v1, h.lanewise(VectorOperators.LSHL, 1)), tables, t + 3 * ENTRIES));
                IntVector v2 = TableDot.widen(codes, off + (long) (32 + j) * L);
                IntVector v3 = TableDot.widen(codes, off + (long) (48 + j) * L);
                a0 = a0.add(lookup(low(v2, h), tables, t + 4 * ENTRIES));
                a1 = a1.add(lookup(high(v2, h.lanewise(VectorOperators.LSHR, 1)), tables, t + 5 * ENTRIES));
                a2 = a2.add(lookup(low(v3, h.lanewise(VectorOperators.LSHR, 2)), tables, t + 6 * ENTRIES));
                a3 = a3.add(lookup(high(v3, h.lanewise(VectorOperators.LSHR, 3)), tables, t + 7 * ENTRIES));
            }
        }
        return a0.add(a1).add(a2.add(a3));
    }

    /** Index of a byte's low-nibble column: the nibble, and bit 4 of {@code fifth}. */
    private static IntVector low(IntVector plane4, IntVector fifth) {
        return plane4.and(15).or(fifth.and(16));
    }

    /** Index of a byte's high-nibble column (bits 8 and up of a widened byte are 0). */
    private static IntVector high(IntVector plane4, IntVector fifth) {
        return plane4.lanewise(VectorOperators.LSHR, 4).or(fifth.and(16));
    }

    /** tables[t + idx] per lane, idx mod 32. */
    private static FloatVector lookup(IntVector idx, float[] tables, int t) {
        return idx.selectFrom(TableDot.table(tables, t), TableDot.table(tables, t + L)).reinterpretAsFloats();
    }

    /**
     * The tables of one block for one input: for chunk c, plane byte j, nibble-plane byte 16q + j and nibble h, the
     * table of that column at {@code out[outOff + c·CHUNK_FLOATS + ((8j + 2q + h)·32 ..]}, entry e = centroid[e]·x.
     */
    static void build(float[] centroids, float[] x, int xOff, int chunks, float[] out, int outOff) {
        FloatVector lo = FloatVector.fromArray(F, centroids, 0), hi = FloatVector.fromArray(F, centroids, L);
        for (int c = 0; c < chunks; c++, xOff += BitPacking.CHUNK) {
            for (int j = 0; j < 16; j++) {
                for (int q = 0; q < 4; q++) {
                    for (int h = 0; h < 2; h++, outOff += ENTRIES) {
                        float xv = x[xOff + 32 * q + 16 * h + j];
                        lo.mul(xv).intoArray(out, outOff);
                        hi.mul(xv).intoArray(out, outOff + L);
                    }
                }
            }
        }
    }
}
