package org.turboquant.simd.panama;

import static org.turboquant.simd.panama.PackedDot.F;
import static org.turboquant.simd.panama.PackedDot.L;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The int8 look-up tables of {@link Int8TableDot}: {@link TableDot}'s float nibble tables of one block and one input
 * (entry j of nibble s = Σ centroid·x over the nibble's 4/b columns), quantized with one scale per (input, block) and
 * laid out for 64-byte byte permutes.
 *
 * <p>Quantization: T = max|entry| / 127 over the block's tables; entry v is stored as the unsigned byte
 * {@code (int) (v / T + 128.5)} ∈ [1, 255], i.e. round(v / T) + 128 (ties up): the bias keeps every entry
 * non-negative, which is what lets the kernel sum bytes in 16-bit lanes without sign fix-ups. The rounding error is at
 * most T/2 per nibble looked up, so a row's block value is off by at most nibbles·T/2 (times the row's block scale).
 *
 * <p>Order: the kernel reads 64 code bytes at a time, bytes 4i..4i+3 of a block for 16 rows (byte 16p + r = byte
 * 4i + p of row r, {@link RowGroups}). Its low nibbles index table register 2i, its high nibbles register 2i + 1, whose
 * 16-byte quarter p is the table of nibble 2·(4i + p) + h: {@code out[(2i + h)·64 + 16p + j]} = entry j of that nibble.
 */
final class Int8Tables {
    private static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;
    /** Bytes per table register (one 64-byte permute table: four nibble tables of 16 entries). */
    static final int REGISTER = 64;

    private Int8Tables() {}

    /** Table bytes per block: one 16-entry table per nibble. */
    static int bytesPerBlock(int codeBytesPerBlock) {
        return 2 * codeBytesPerBlock * L;
    }

    /**
     * Builds one block's tables for input x (columns from xOff) into {@code out[outOff ..]} and returns their scale T;
     * {@code scratch} holds {@link #bytesPerBlock} floats. fields/columns as for {@link TableDot#build}.
     */
    static float build(int bits, float[] fields, int[] columns, float[] x, int xOff, int chunks, float[] scratch,
                       byte[] out, int outOff) {
        TableDot.build(bits, fields, columns, x, xOff, chunks, scratch, 0);
        int nibbles = scratch.length / L;
        FloatVector max = FloatVector.zero(F);
        for (int s = 0; s < nibbles; s++) max = max.max(FloatVector.fromArray(F, scratch, s * L).abs());
        float m = max.reduceLanes(VectorOperators.MAX), inv = m > 0f ? 127f / m : 0f;
        for (int s = 0; s < nibbles; s++) {
            int t = s >>> 1, h = s & 1;
            FloatVector.fromArray(F, scratch, s * L).mul(inv).add(128.5f)
                    .convertShape(VectorOperators.F2B, B16, 0).reinterpretAsBytes()
                    .intoArray(out, outOff + ((t >>> 2) * 2 + h) * REGISTER + (t & 3) * L);
        }
        return m / 127f;
    }
}
