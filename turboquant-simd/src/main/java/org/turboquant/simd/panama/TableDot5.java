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
 * <p>Arithmetic order, per row and block: for each chunk and nibble-plane byte in order, the low nibble's column adds
 * into a0 and the high one's into a1; the block value a0 + a1 is folded as in {@link TableDot}. Two lookups per
 * iteration: eight (one bit-plane byte's worth) exceeded C2's node budget and ran with boxed vectors.
 */
final class TableDot5 {
    /** Floats per column table; chunk bytes per row. */
    static final int ENTRIES = 32;
    private static final int PLANE4_BYTES = 64, CHUNK_BYTES = 80;
    /** Floats of one chunk's tables (128 columns). */
    static final int CHUNK_FLOATS = BitPacking.CHUNK * ENTRIES;

    private TableDot5() {}

    /**
     * One 5-bit block of 16 rows (codes at off: chunk c's byte t of row r at off + (80c + t)·16 + r), folded into the
     * rows' sums: acc[a..+16) += value · scales[sc..+16). It stores rather than returns its vector: the method is
     * too big for C2 to inline, and a vector returned from a call that is not inlined is boxed.
     */
    static void blockDot(MemorySegment codes, long off, int chunks, float[] tables, int t, float[] scales, int sc,
                         float[] acc, int a) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0;
        for (int c = 0; c < chunks; c++, off += (long) CHUNK_BYTES * L) {
            for (int q = 0; q < 4; q++) {
                for (int j = 0; j < 16; j++, t += 2 * ENTRIES) {
                    // bits 2q and 2q + 1 of plane byte j are the fifth bits of byte 16q + j's two nibbles
                    IntVector h = TableDot.widen(codes, off + (long) (PLANE4_BYTES + j) * L)
                            .lanewise(VectorOperators.LSHR, 2 * q);
                    IntVector v = TableDot.widen(codes, off + (long) (16 * q + j) * L);
                    a0 = a0.add(lookup(low(v, h.lanewise(VectorOperators.LSHL, 4)), tables, t));
                    a1 = a1.add(lookup(high(v, h.lanewise(VectorOperators.LSHL, 3)), tables, t + ENTRIES));
                }
            }
        }
        a0.add(a1).fma(FloatVector.fromArray(F, scales, sc), FloatVector.fromArray(F, acc, a)).intoArray(acc, a);
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
     * The tables of one block for one input: for chunk c, nibble-plane byte t and nibble h (0 low, 1 high), the table
     * of that column at {@code out[outOff + c·CHUNK_FLOATS + (2t + h)·32 ..]}, entry e = centroid[e]·x[column].
     */
    static void build(float[] centroids, float[] x, int xOff, int chunks, float[] out, int outOff) {
        FloatVector lo = FloatVector.fromArray(F, centroids, 0), hi = FloatVector.fromArray(F, centroids, L);
        for (int c = 0; c < chunks; c++, xOff += BitPacking.CHUNK) {
            for (int t = 0; t < PLANE4_BYTES; t++) {
                for (int h = 0; h < 2; h++, outOff += ENTRIES) {
                    float xv = x[xOff + t / 16 * 32 + 16 * h + t % 16];
                    lo.mul(xv).intoArray(out, outOff);
                    hi.mul(xv).intoArray(out, outOff + L);
                }
            }
        }
    }
}
