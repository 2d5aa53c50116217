package org.turboquant.core;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Scalar reference for the packed index layout (docs/FORMAT.md, "Packed indices"). Every SIMD unpacker is
 * tested against this class.
 *
 * <p>Indices are packed in chunks of {@value #CHUNK} indices. A b-bit index is split into planes of widths
 * {8} (b = 8) or the set bits of b in the order 4, 2, 1 (b = 7 → 4+2+1, 3 → 2+1); the first plane holds the
 * lowest bits. A plane of width w occupies 16·w bytes of the chunk, as w·… groups of 16 bytes: group q covers
 * indices [q·16·(8/w), (q+1)·16·(8/w)) of the chunk, and byte j of the group holds, in bits [k·w, k·w + w), the
 * index q·16·(8/w) + 16·k + j. So 16 consecutive indices always come from the same bit field of one 16-byte
 * group: one 128-bit load and one shift/mask yield 16 lanes, in order. A chunk of b-bit indices takes 16·b
 * bytes; a run of n indices takes ceil(n/128)·16·b bytes, the tail padded with index 0.
 */
public final class BitPacking {
    private BitPacking() {}

    /** Indices per chunk. */
    public static final int CHUNK = 128;
    /** Bytes in one group: the unit one 128-bit load reads. */
    public static final int GROUP_BYTES = 16;

    /** Widths of the planes a b-bit index is split into, lowest bits first. */
    public static int[] planeWidths(int bits) {
        checkBits(bits);
        if (bits == 8) return new int[] {8};
        int[] tmp = new int[3];
        int n = 0;
        for (int w = 4; w >= 1; w >>= 1) {
            if ((bits & w) != 0) tmp[n++] = w;
        }
        return java.util.Arrays.copyOf(tmp, n);
    }

    /** Bytes taken by {@code count} packed b-bit indices (whole chunks). */
    public static long packedBytes(long count, int bits) {
        checkBits(bits);
        long chunks = (count + CHUNK - 1) / CHUNK;
        return chunks * GROUP_BYTES * bits;
    }

    /** Packs {@code count} indices (unsigned bytes) into {@code dst} at {@code dstOff}; writes packedBytes(count). */
    public static void pack(byte[] idx, int off, int count, int bits, MemorySegment dst, long dstOff) {
        int[] widths = planeWidths(bits);
        int mask = (1 << bits) - 1;
        long out = dstOff;
        for (int c0 = 0; c0 < count; c0 += CHUNK) {
            int shift = 0;
            for (int w : widths) {
                int perByte = 8 / w;
                int perGroup = GROUP_BYTES * perByte;
                int wmask = (1 << w) - 1;
                for (int q = 0; q < w; q++) {
                    for (int j = 0; j < GROUP_BYTES; j++) {
                        int b = 0;
                        for (int k = 0; k < perByte; k++) {
                            int i = c0 + q * perGroup + 16 * k + j;
                            int v = i < count ? (idx[off + i] & mask) : 0;
                            b |= ((v >>> shift) & wmask) << (k * w);
                        }
                        dst.set(ValueLayout.JAVA_BYTE, out++, (byte) b);
                    }
                }
                shift += w;
            }
        }
    }

    /** Convenience: packs into a new array. */
    public static byte[] pack(byte[] idx, int bits) {
        byte[] out = new byte[(int) packedBytes(idx.length, bits)];
        pack(idx, 0, idx.length, bits, MemorySegment.ofArray(out), 0);
        return out;
    }

    /** Unpacks {@code count} indices from {@code src} at {@code srcOff} into {@code dst} (unsigned bytes). */
    public static void unpack(MemorySegment src, long srcOff, int count, int bits, byte[] dst, int dstOff) {
        int[] widths = planeWidths(bits);
        long chunkBase = srcOff;
        for (int c0 = 0; c0 < count; c0 += CHUNK) {
            int n = Math.min(CHUNK, count - c0);
            for (int i = 0; i < n; i++) dst[dstOff + c0 + i] = 0;
            long planeBase = chunkBase;
            int shift = 0;
            for (int w : widths) {
                int perByte = 8 / w;
                int perGroup = GROUP_BYTES * perByte;
                int wmask = (1 << w) - 1;
                for (int i = 0; i < n; i++) {
                    int q = i / perGroup, r = i % perGroup;
                    int k = r / GROUP_BYTES, j = r % GROUP_BYTES;
                    int b = src.get(ValueLayout.JAVA_BYTE, planeBase + (long) q * GROUP_BYTES + j) & 0xFF;
                    int v = (b >>> (k * w)) & wmask;
                    dst[dstOff + c0 + i] = (byte) ((dst[dstOff + c0 + i] & 0xFF) | (v << shift));
                }
                planeBase += (long) GROUP_BYTES * w;
                shift += w;
            }
            chunkBase += (long) GROUP_BYTES * bits;
        }
    }

    /** Convenience: unpacks from an array. */
    public static byte[] unpack(byte[] packed, int count, int bits) {
        byte[] out = new byte[count];
        unpack(MemorySegment.ofArray(packed), 0, count, bits, out, 0);
        return out;
    }

    static void checkBits(int bits) {
        if (bits < 1 || bits > 8) throw new IllegalArgumentException("bits must be in 1..8, got " + bits);
    }
}
