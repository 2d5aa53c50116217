package org.turboquant.core.baseline;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** The 12-byte fields in which K-quant super-blocks keep their 6-bit sub-block scales (ggml's packings). */
final class SixBitScales {
    static final int BYTES = 12;

    private SixBitScales() {}

    private static int u8(MemorySegment s, long at) {
        return s.get(ValueLayout.JAVA_BYTE, at) & 0xFF;
    }

    private static void or(MemorySegment s, long at, int bits) {
        s.set(ValueLayout.JAVA_BYTE, at, (byte) (u8(s, at) | bits));
    }

    /**
     * Q4_K/Q5_K: eight (scale, min) pairs. Pairs 0..3 sit in the low 6 bits of bytes 0..3 (scales) and 4..7
     * (mins); pairs 4..7 keep their low 4 bits in bytes 8..11 (scale low nibble, min high nibble) and their top
     * 2 bits in the top bits of bytes 0..3 (scales) and 4..7 (mins).
     */
    static void packScaleMin(int[] scales, int[] mins, MemorySegment out, long at) {
        out.asSlice(at, BYTES).fill((byte) 0);
        for (int j = 0; j < 8; j++) {
            int ls = scales[j], lm = mins[j];
            if (j < 4) {
                or(out, at + j, ls);
                or(out, at + j + 4, lm);
            } else {
                or(out, at + j + 4, (ls & 0xF) | (lm & 0xF) << 4);
                or(out, at + j - 4, (ls >> 4) << 6);
                or(out, at + j, (lm >> 4) << 6);
            }
        }
    }

    /** Scale j (0..7) of a Q4_K/Q5_K field, 0..63. */
    static int scale(MemorySegment in, long at, int j) {
        return j < 4 ? u8(in, at + j) & 63 : (u8(in, at + j + 4) & 0xF) | (u8(in, at + j - 4) >> 6) << 4;
    }

    /** Min j (0..7) of a Q4_K/Q5_K field, 0..63. */
    static int min(MemorySegment in, long at, int j) {
        return j < 4 ? u8(in, at + j + 4) & 63 : (u8(in, at + j + 4) >> 4) | (u8(in, at + j) >> 6) << 4;
    }

    /**
     * Q3_K: sixteen 6-bit values (a scale + 32). Low nibbles: values 0..7 in the low halves of bytes 0..7, values
     * 8..15 in their high halves; top 2 bits of value j in byte 8 + j%4 at bit 2·(j/4).
     */
    static void pack16(int[] values, MemorySegment out, long at) {
        out.asSlice(at, BYTES).fill((byte) 0);
        for (int j = 0; j < 16; j++) {
            int l = values[j];
            if (j < 8) or(out, at + j, l & 0xF);
            else or(out, at + j - 8, (l & 0xF) << 4);
            or(out, at + 8 + j % 4, (l >> 4) << 2 * (j / 4));
        }
    }

    /** Value j (0..15) of a Q3_K field, 0..63. */
    static int value16(MemorySegment in, long at, int j) {
        int low = j < 8 ? u8(in, at + j) & 0xF : u8(in, at + j - 8) >> 4;
        return low | ((u8(in, at + 8 + j % 4) >> 2 * (j / 4)) & 3) << 4;
    }
}
