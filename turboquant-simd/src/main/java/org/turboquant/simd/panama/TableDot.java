package org.turboquant.simd.panama;

import static org.turboquant.simd.panama.PackedDot.F;
import static org.turboquant.simd.panama.PackedDot.I;
import static org.turboquant.simd.panama.PackedDot.L;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.turboquant.core.BitPacking;
import org.turboquant.core.QuantizedMatrix;

/**
 * Products for b ∈ {1, 2, 4} with the input folded into look-up tables, 16 rows per vector ({@link RowGroups});
 * b = 3, whose index spans two bit planes, is {@link TableDot3}.
 *
 * <p>Every nibble of a packed row covers 4/b indices of fixed columns (the same columns in every row). For one
 * input, the 16 values a nibble can take, Σ_i centroid[field_i]·x[column_i], form one 16-float register; one
 * byte position of 16 rows, widened to 16 int lanes, then selects each row's value with one permute per nibble
 * (selectFrom wraps modulo 16, so the high nibble needs only a shift). Per 16 rows and byte: one load, one shift,
 * two permutes, two adds for 32 (b = 4), 64 (b = 2) or 128 (b = 1) weights; no input load or FMA per weight. The
 * tables cost 16/(4/b) floats per column and input, built per block (L1-resident).
 *
 * <p>Arithmetic order, per row and block: the nibble values are added in byte order into four accumulators (byte
 * pair p: low nibbles of bytes 2p and 2p+1 into a0 and a2, high into a1 and a3); the block value (a0 + a1) + (a2 + a3)
 * is FMA-ed into the row's sum times the block scale, blocks in order. GEMM runs the same dot per input, so it equals
 * GEMV bit for bit, and a row's result does not depend on the row range asked for.
 */
final class TableDot {
    private static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;

    /** Off with {@code -Dturboquant.rowGroups=false}: no regrouped copy of the codes, the row kernels run instead. */
    private static final boolean ENABLED = Boolean.parseBoolean(System.getProperty("turboquant.rowGroups", "true"));

    private TableDot() {}

    /** Whether the table kernels may run at all (for {@link PanamaKernels#describe()}). */
    static boolean enabled() {
        return ENABLED;
    }

    /** True when this JVM runs 16 lanes and m is 1- to 4-bit with blocks of whole chunks. */
    static boolean supports(QuantizedMatrix m) {
        return ENABLED && Lanes.LENGTH == L && m.blockSize() % BitPacking.CHUNK == 0 && m.bits() <= 4;
    }

    /** Y[b·rows + r] = row r · rotated[b] for r in [rowStart, rowEnd); m must be {@link #supports supported}. */
    static void gemm(QuantizedMatrix m, float[][] rotated, float[] y, int rowStart, int rowEnd) {
        if (rowStart == rowEnd) return;
        RowGroups rg = RowGroups.of(m);
        int bits = m.bits(), g = m.blockSize(), chunks = g / BitPacking.CHUNK, batch = rotated.length;
        boolean three = bits == 3; // 64-entry tables over the two planes: TableDot3
        int tableFloats = three ? chunks * TableDot3.TABLES_PER_CHUNK * TableDot3.ENTRIES
                : 2 * rg.bytesPerBlock * L; // one table per nibble of a block
        int first = rowStart / RowGroups.ROWS, groups = (rowEnd + RowGroups.ROWS - 1) / RowGroups.ROWS - first;
        float[] fields = three ? TableDot3.fieldValues(m.centroids()) : fieldValues(bits, m.centroids());
        int[] columns = three ? null : nibbleColumns(bits);
        float[] tables = new float[batch * tableFloats], acc = new float[batch * groups * L];
        for (int k = 0; k < m.blocksPerRow(); k++) {
            for (int b = 0; b < batch; b++) {
                if (three) TableDot3.build(fields, rotated[b], k * g, chunks, tables, b * tableFloats);
                else build(bits, fields, columns, rotated[b], k * g, chunks, tables, b * tableFloats);
            }
            int gi = 0;
            if (!three) for (; gi + 1 < groups; gi += 2) { // two groups per table load; each group keeps blockDot's order
                long off = rg.offset(k, first + gi);
                int sc = rg.scaleIndex(k, first + gi);
                for (int b = 0; b < batch; b++)
                    blockDot2(rg.codes, off, rg.bytesPerBlock, tables, b * tableFloats, rg.scales, sc, acc,
                            (b * groups + gi) * L);
            }
            for (; gi < groups; gi++) {
                FloatVector scale = FloatVector.fromArray(F, rg.scales, rg.scaleIndex(k, first + gi));
                long off = rg.offset(k, first + gi);
                for (int b = 0; b < batch; b++) {
                    int a = (b * groups + gi) * L;
                    (three ? TableDot3.blockDot(rg.codes, off, chunks, tables, b * tableFloats)
                            : blockDot(rg.codes, off, rg.bytesPerBlock, tables, b * tableFloats))
                            .fma(scale, FloatVector.fromArray(F, acc, a)).intoArray(acc, a);
                }
            }
        }
        int rows = m.rows();
        for (int b = 0; b < batch; b++)
            for (int r = rowStart; r < rowEnd; r++) y[b * rows + r] = acc[(b * groups) * L + r - first * RowGroups.ROWS];
    }

    /** One block of 16 rows: Σ over its bytes of table[nibble], per row lane (order in the class comment). */
    static FloatVector blockDot(MemorySegment codes, long off, int bytes, float[] tables, int t) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int p = 0; p < bytes; p += 2, off += 2 * L, t += 4 * L) {
            IntVector v = widen(codes, off), w = widen(codes, off + L);
            a0 = a0.add(lookup(v, table(tables, t)));
            a1 = a1.add(lookup(v.lanewise(VectorOperators.LSHR, 4), table(tables, t + L)));
            a2 = a2.add(lookup(w, table(tables, t + 2 * L)));
            a3 = a3.add(lookup(w.lanewise(VectorOperators.LSHR, 4), table(tables, t + 3 * L)));
        }
        return a0.add(a1).add(a2.add(a3));
    }

    /**
     * {@link #blockDot} folded into its group's sums: acc[a..+16) += value · scales[sc..+16), for the grouped mixed
     * kernel (a vector returned from a call C2 does not inline is boxed; this stores).
     */
    static void blockDotInto(MemorySegment codes, long off, int bytes, float[] tables, int t, float[] scales, int sc,
                             float[] acc, int a) {
        blockDot(codes, off, bytes, tables, t).fma(FloatVector.fromArray(F, scales, sc), FloatVector.fromArray(F, acc, a))
                .intoArray(acc, a);
    }

    /**
     * Two adjacent groups (codes at off and off + 16·bytes, scales and sums at sc / a and 16 further): each table
     * register loaded feeds both, halving the table loads per weight. Each group's arithmetic is blockDot's, then
     * folded into its sums: sum + value·scale.
     */
    static void blockDot2(MemorySegment codes, long off, int bytes, float[] tables, int t, float[] scales,
                                  int sc, float[] acc, int a) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        long next = (long) bytes * L;
        for (int p = 0; p < bytes; p += 2, off += 2 * L, t += 4 * L) {
            IntVector v = widen(codes, off), w = widen(codes, off + L);
            IntVector v2 = widen(codes, off + next), w2 = widen(codes, off + next + L);
            IntVector t0 = table(tables, t), t1 = table(tables, t + L), t2 = table(tables, t + 2 * L),
                    t3 = table(tables, t + 3 * L);
            a0 = a0.add(lookup(v, t0));
            b0 = b0.add(lookup(v2, t0));
            a1 = a1.add(lookup(v.lanewise(VectorOperators.LSHR, 4), t1));
            b1 = b1.add(lookup(v2.lanewise(VectorOperators.LSHR, 4), t1));
            a2 = a2.add(lookup(w, t2));
            b2 = b2.add(lookup(w2, t2));
            a3 = a3.add(lookup(w.lanewise(VectorOperators.LSHR, 4), t3));
            b3 = b3.add(lookup(w2.lanewise(VectorOperators.LSHR, 4), t3));
        }
        a0.add(a1).add(a2.add(a3)).fma(FloatVector.fromArray(F, scales, sc), FloatVector.fromArray(F, acc, a))
                .intoArray(acc, a);
        b0.add(b1).add(b2.add(b3)).fma(FloatVector.fromArray(F, scales, sc + L), FloatVector.fromArray(F, acc, a + L))
                .intoArray(acc, a + L);
    }

    static IntVector table(float[] tables, int t) {
        return FloatVector.fromArray(F, tables, t).reinterpretAsInts();
    }

    /** table[idx mod 16] per lane. */
    private static FloatVector lookup(IntVector idx, IntVector table) {
        return idx.selectFrom(table).reinterpretAsFloats();
    }

    /** 16 bytes (one byte position of 16 rows) as 16 int lanes. */
    static IntVector widen(MemorySegment codes, long off) {
        return (IntVector) ByteVector.fromMemorySegment(B16, codes, off, ByteOrder.LITTLE_ENDIAN)
                .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
    }

    /**
     * The tables of one block for one input: table s (nibble s of the block's packed bytes, low nibble of byte t
     * being 2t) at {@code out[outOff + 16s ..]}, entry j = Σ_i fields[i][j]·x[xOff + column_i(s)].
     */
    static void build(int bits, float[] fields, int[] columns, float[] x, int xOff, int chunks, float[] out,
                              int outOff) {
        int perNibble = 4 / bits, slotsPerChunk = 32 * bits;
        for (int c = 0; c < chunks; c++, xOff += BitPacking.CHUNK) {
            for (int s = 0, col = 0; s < slotsPerChunk; s++, outOff += L) {
                FloatVector t = FloatVector.fromArray(F, fields, 0).mul(x[xOff + columns[col++]]);
                for (int i = 1; i < perNibble; i++)
                    t = FloatVector.fromArray(F, fields, i * L).fma(FloatVector.broadcast(F, x[xOff + columns[col++]]), t);
                t.intoArray(out, outOff);
            }
        }
    }

    /**
     * fields[i·16 + j] = the centroid of field i of nibble value j (bits [i·b, i·b + b) of j), for i < 4/b: a
     * nibble holds one 4-bit index, two 2-bit or four 1-bit ones.
     */
    static float[] fieldValues(int bits, float[] centroids) {
        int perNibble = 4 / bits, mask = (1 << bits) - 1;
        float[] f = new float[perNibble * L];
        for (int i = 0; i < perNibble; i++)
            for (int j = 0; j < L; j++) f[i * L + j] = centroids[(j >>> (i * bits)) & mask];
        return f;
    }

    /**
     * The chunk column of field i of nibble s (s = 2t + h: byte t, h = 0 low / 1 high) at {@code [s·4/b + i]}, from
     * {@link BitPacking}'s layout: byte j of 16-byte group q holds, field by field, the indices q·16·(8/b) + 16k + j.
     */
    static int[] nibbleColumns(int bits) {
        int perNibble = 4 / bits, perByte = 8 / bits;
        int[] cols = new int[BitPacking.CHUNK];
        for (int t = 0; t < 16 * bits; t++)
            for (int h = 0; h < 2; h++)
                for (int i = 0; i < perNibble; i++)
                    cols[(2 * t + h) * perNibble + i] = t / 16 * 16 * perByte + 16 * (h * perNibble + i) + t % 16;
        return cols;
    }
}
