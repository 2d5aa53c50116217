package org.turboquant.simd.panama;

import static org.turboquant.simd.panama.PackedDot.F;
import static org.turboquant.simd.panama.PackedDot.L;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.turboquant.core.BitPacking;

/**
 * {@link Int8TableDot} for 5-bit cells of 16 rows (the wide cells of a grouped mixed-width matrix,
 * {@link Int8MixedTableDot}): one 32-entry int8 table per column, four columns to a 128-byte pair of registers, looked
 * up with one two-register byte permute ({@code selectFrom(v1, v2)}, {@code vpermi2b} on AVX-512 VBMI).
 *
 * <p>Layout read (as {@link TableDot5}): a chunk of a row is its 4-bit plane (64 bytes, the same nibble order as a
 * 4-bit chunk: low nibble of byte 16q + j is column 32q + j, high nibble 32q + 16 + j) then its 1-bit plane (16 bytes:
 * bits 2q and 2q + 1 of byte j are the fifth bits of byte 16q + j's low and high nibble); byte t of row r at
 * (80c + t)·16 + r. So the i-th 64-byte load of a chunk's 4-bit plane holds bytes 4i..4i+3 of 16 rows (lane 16p + r:
 * byte 4i + p of row r), exactly what {@link Int8TableDot} reads, and the 64-byte load of plane bytes 4(i mod 4) ..
 * +3 holds their fifth bits in the same lanes, at bits 2q, 2q + 1 with q = i / 4.
 *
 * <p>Per 64 code bytes (128 weights): one code load (the plane load is shared by four), the plane shifted right by 2q
 * (16-bit lanes: what crosses from the next byte lands above bit 1 and is masked off) and then left by 4 and by 3
 * (bit 0 or 1 to bit 4), two index builds {@code nibble | fifth bit · 16 | quarter · 32} and two two-register
 * permutes; the 64 biased table bytes are summed as {@link Int8TableDot} does (wrapping 16-bit sums A and H, exact per
 * run of at most {@value Int8TableDot#MAX_LOADS} loads, {@value #RUN_CHUNKS} chunks).
 *
 * <p>Tables: per block and input, entry e of column c is centroid[e]·x[c] (a float product, as {@link TableDot5}
 * rounds), quantized with one scale T = max|entry| / 127 over the block as {@link Int8Tables} does: stored as
 * round(v / T) + 128 ∈ [1, 255]. Order: chunk c, load i, half h (0 low nibbles, 1 high), quarter p: bytes
 * {@code c·CHUNK_TABLE_BYTES + (2i + h)·128 + 32p + e} = entry e of the column of byte 4i + p's nibble h.
 */
final class Int8TableDot5 {
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_512;
    private static final VectorSpecies<Short> S = ShortVector.SPECIES_512;
    /** Table bytes of one 128-byte pair: four columns of 32 entries. */
    static final int PAIR = 128;
    /** Table bytes per chunk: 16 loads × 2 halves × one pair. */
    static final int CHUNK_TABLE_BYTES = 16 * 2 * PAIR;
    /** Row bytes of a 5-bit chunk, and of its 4-bit plane. */
    private static final int CHUNK_BYTES = 80, PLANE4_BYTES = 64;
    /** Chunks per exact 16-bit run: 16 loads each. */
    static final int RUN_CHUNKS = Int8TableDot.MAX_LOADS / 16;
    /** Byte lane 16p + r → 32p: which 32-entry table of the register pair a lane's index falls in. */
    private static final ByteVector QUARTER = ByteVector.fromArray(B, quarterOffsets(), 0);

    private Int8TableDot5() {}

    /** Table bytes per block of {@code chunks} chunks. */
    static int bytesPerBlock(int chunks) {
        return chunks * CHUNK_TABLE_BYTES;
    }

    /**
     * Builds one block's tables for input x (columns from xOff) into {@code out[outOff ..]} and returns their scale T;
     * {@code scratch} holds at least {@link #bytesPerBlock} floats.
     */
    static float build(float[] centroids, float[] x, int xOff, int chunks, float[] scratch, byte[] out, int outOff) {
        FloatVector lo = FloatVector.fromArray(F, centroids, 0), hi = FloatVector.fromArray(F, centroids, L);
        FloatVector max = FloatVector.zero(F);
        int n = bytesPerBlock(chunks);
        for (int c = 0, s = 0; c < chunks; c++, xOff += BitPacking.CHUNK) {
            for (int i = 0; i < 16; i++) {
                for (int h = 0; h < 2; h++) {
                    for (int p = 0; p < 4; p++, s += 2 * L) {
                        int t = 4 * i + p; // the nibble-plane byte this quarter reads
                        float xv = x[xOff + t / 16 * 32 + 16 * h + t % 16];
                        FloatVector a = lo.mul(xv), b = hi.mul(xv);
                        a.intoArray(scratch, s);
                        b.intoArray(scratch, s + L);
                        max = max.max(a.abs()).max(b.abs());
                    }
                }
            }
        }
        float m = max.reduceLanes(VectorOperators.MAX), inv = m > 0f ? 127f / m : 0f;
        for (int s = 0; s < n; s += L)
            FloatVector.fromArray(F, scratch, s).mul(inv).add(128.5f)
                    .convertShape(VectorOperators.F2B, ByteVector.SPECIES_128, 0).reinterpretAsBytes()
                    .intoArray(out, outOff + s);
        return m / 127f;
    }

    /**
     * Σ of the biased table bytes over one 5-bit block of 16 rows (codes at off, tables at t), per row lane, into
     * rowSums[0 .. 16). Exact: the bias is 128 per weight.
     */
    static void cellSums(MemorySegment codes, long off, int chunks, byte[] tables, int t, short[] runSums,
                         int[] rowSums) {
        java.util.Arrays.fill(rowSums, 0, L, 0);
        for (int done = 0; done < chunks; done += RUN_CHUNKS) {
            run(codes, off + (long) done * CHUNK_BYTES * L, Math.min(chunks - done, RUN_CHUNKS), tables,
                    t + done * CHUNK_TABLE_BYTES, runSums);
            Int8TableDot.addRowSums(runSums, 0, rowSums, 0);
        }
    }

    /** One run of n ≤ {@value #RUN_CHUNKS} chunks: the wrapping 16-bit sums A and H into runSums[0 .. 64). */
    private static void run(MemorySegment codes, long off, int n, byte[] tables, int tt, short[] runSums) {
        ShortVector a = ShortVector.zero(S), h = a;
        for (int i = 0, loads = 16 * n; i < loads; i++, tt += 2 * PAIR) {
            long chunk = off + (long) (i >>> 4) * CHUNK_BYTES * L;
            int li = i & 15;
            ByteVector v = ByteVector.fromMemorySegment(B, codes, chunk + (long) li * B.length(), ByteOrder.LITTLE_ENDIAN);
            ShortVector plane = ByteVector.fromMemorySegment(B, codes,
                    chunk + (long) PLANE4_BYTES * L + (long) (li & 3) * B.length(), ByteOrder.LITTLE_ENDIAN)
                    .reinterpretAsShorts().lanewise(VectorOperators.LSHR, 2 * (li >>> 2));
            ByteVector lowFifth = plane.lanewise(VectorOperators.LSHL, 4).reinterpretAsBytes();
            ByteVector highFifth = plane.lanewise(VectorOperators.LSHL, 3).reinterpretAsBytes();
            ByteVector high = v.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes();
            ShortVector lo = index(v, lowFifth).selectFrom(ByteVector.fromArray(B, tables, tt),
                    ByteVector.fromArray(B, tables, tt + B.length())).reinterpretAsShorts();
            ShortVector hi = index(high, highFifth).selectFrom(ByteVector.fromArray(B, tables, tt + PAIR),
                    ByteVector.fromArray(B, tables, tt + PAIR + B.length())).reinterpretAsShorts();
            a = a.add(lo).add(hi);
            h = h.add(lo.lanewise(VectorOperators.LSHR, 8)).add(hi.lanewise(VectorOperators.LSHR, 8));
        }
        a.intoArray(runSums, 0);
        h.intoArray(runSums, S.length());
    }

    /** The pair-table index of each lane: its low nibble, bit 4 of {@code fifth}, and the lane's quarter. */
    private static ByteVector index(ByteVector nibbles, ByteVector fifth) {
        return nibbles.and((byte) 15).or(fifth.and((byte) 16)).or(QUARTER);
    }

    private static byte[] quarterOffsets() {
        byte[] q = new byte[64];
        for (int l = 0; l < 64; l++) q[l] = (byte) (2 * (l & ~15));
        return q;
    }
}
