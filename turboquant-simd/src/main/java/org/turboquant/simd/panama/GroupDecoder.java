package org.turboquant.simd.panama;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.turboquant.core.BitPacking;

/**
 * Unpacks {@link BitPacking}'s layout a chunk (128 indices) at a time. In a plane of width w, each 16-byte group
 * holds 8/w groups of 16 consecutive indices, one per bit field, so one 128-bit load followed by a constant shift
 * and a mask per field yields 16 indices in order. Planes after the first are OR-ed in at their bit offset.
 *
 * <p>Shifts run on 32-bit lanes (x86 has no byte shift) and the byte mask then discards the bits that crossed
 * from the neighbouring byte: a field [k, k+w) of a byte never reaches past bit 7. Every shift is a literal so
 * C2 emits immediate shifts, and no vector value merges across branches (C2 boxes such values).
 */
final class GroupDecoder {
    static final VectorSpecies<Byte> BYTES = ByteVector.SPECIES_128;
    static final int GROUP = 16;

    private GroupDecoder() {}

    /**
     * Unpacks the first {@code count} indices of a run starting at byte {@code base} into dst as unsigned bytes,
     * in whole chunks: dst must hold count rounded up to a multiple of 128.
     */
    static void decodeRun(MemorySegment codes, long base, int count, int bits, byte[] dst) {
        long chunkBytes = (long) BitPacking.GROUP_BYTES * bits;
        long chunk = base;
        byte[] part = Integer.bitCount(bits) > 1 && bits != 8 ? new byte[BitPacking.CHUNK] : null;
        for (int i = 0; i < count; i += BitPacking.CHUNK, chunk += chunkBytes) {
            switch (bits) {
                case 8 -> copy(codes, chunk, dst, i);
                case 4 -> quads(codes, chunk, dst, i);
                case 2 -> pairs(codes, chunk, dst, i);
                case 1 -> singles(codes, chunk, dst, i);
                default -> mixed(codes, chunk, bits, dst, i, part);
            }
        }
    }

    private static void copy(MemorySegment codes, long chunk, byte[] dst, int off) {
        for (int q = 0; q < 8; q++) load(codes, chunk + 16L * q).intoArray(dst, off + 16 * q);
    }

    /** A 4-bit plane: 4 groups of 16 bytes, low nibbles then high nibbles. */
    private static void quads(MemorySegment codes, long plane, byte[] dst, int off) {
        for (int q = 0; q < 4; q++) {
            ByteVector v = load(codes, plane + 16L * q);
            v.and((byte) 0xF).intoArray(dst, off + 32 * q);
            shifted(v, 4).and((byte) 0xF).intoArray(dst, off + 32 * q + 16);
        }
    }

    /** A 2-bit plane: 2 groups of 16 bytes, four fields each. */
    private static void pairs(MemorySegment codes, long plane, byte[] dst, int off) {
        for (int q = 0; q < 2; q++) {
            ByteVector v = load(codes, plane + 16L * q);
            int o = off + 64 * q;
            v.and((byte) 3).intoArray(dst, o);
            shifted(v, 2).and((byte) 3).intoArray(dst, o + 16);
            shifted(v, 4).and((byte) 3).intoArray(dst, o + 32);
            shifted(v, 6).and((byte) 3).intoArray(dst, o + 48);
        }
    }

    /** A 1-bit plane: one group of 16 bytes, eight fields. */
    private static void singles(MemorySegment codes, long plane, byte[] dst, int off) {
        ByteVector v = load(codes, plane);
        v.and((byte) 1).intoArray(dst, off);
        shifted(v, 1).and((byte) 1).intoArray(dst, off + 16);
        shifted(v, 2).and((byte) 1).intoArray(dst, off + 32);
        shifted(v, 3).and((byte) 1).intoArray(dst, off + 48);
        shifted(v, 4).and((byte) 1).intoArray(dst, off + 64);
        shifted(v, 5).and((byte) 1).intoArray(dst, off + 80);
        shifted(v, 6).and((byte) 1).intoArray(dst, off + 96);
        shifted(v, 7).and((byte) 1).intoArray(dst, off + 112);
    }

    /**
     * Widths 3, 5, 6, 7: the planes 4, 2, 1 present in {@code bits}, lowest bits first; each later plane is
     * unpacked into {@code part} (128 bytes of scratch) and OR-ed into dst at its bit offset. Kept flat (each plane
     * decoder called from here, shifts in their own small methods): when C2 ran out of inlining budget deeper
     * down, the vector shifts fell back to scalar code, 20–50× slower.
     */
    private static void mixed(MemorySegment codes, long chunk, int bits, byte[] dst, int off, byte[] part) {
        switch (bits) {
            case 3 -> {
                pairs(codes, chunk, dst, off);
                singles(codes, chunk + 32, part, 0);
                mergeAt2(dst, off, part);
            }
            case 5 -> {
                quads(codes, chunk, dst, off);
                singles(codes, chunk + 64, part, 0);
                mergeAt4(dst, off, part);
            }
            case 6 -> {
                quads(codes, chunk, dst, off);
                pairs(codes, chunk + 64, part, 0);
                mergeAt4(dst, off, part);
            }
            default -> { // 7
                quads(codes, chunk, dst, off);
                pairs(codes, chunk + 64, part, 0);
                mergeAt4(dst, off, part);
                singles(codes, chunk + 96, part, 0);
                mergeAt6(dst, off, part);
            }
        }
    }

    // dst[off..+128) |= part << k. The shift runs on 32-bit lanes with a literal count (x86 has no byte shift): a
    // plane's field shifted to its offset stays below 2^8, so nothing crosses into the next byte.

    private static void mergeAt2(byte[] dst, int off, byte[] part) {
        for (int j = 0; j < BitPacking.CHUNK; j += GROUP) {
            ByteVector p = ByteVector.fromArray(BYTES, part, j).reinterpretAsInts().lanewise(VectorOperators.LSHL, 2)
                    .reinterpretAsBytes();
            ByteVector.fromArray(BYTES, dst, off + j).or(p).intoArray(dst, off + j);
        }
    }

    private static void mergeAt4(byte[] dst, int off, byte[] part) {
        for (int j = 0; j < BitPacking.CHUNK; j += GROUP) {
            ByteVector p = ByteVector.fromArray(BYTES, part, j).reinterpretAsInts().lanewise(VectorOperators.LSHL, 4)
                    .reinterpretAsBytes();
            ByteVector.fromArray(BYTES, dst, off + j).or(p).intoArray(dst, off + j);
        }
    }

    private static void mergeAt6(byte[] dst, int off, byte[] part) {
        for (int j = 0; j < BitPacking.CHUNK; j += GROUP) {
            ByteVector p = ByteVector.fromArray(BYTES, part, j).reinterpretAsInts().lanewise(VectorOperators.LSHL, 6)
                    .reinterpretAsBytes();
            ByteVector.fromArray(BYTES, dst, off + j).or(p).intoArray(dst, off + j);
        }
    }

    /** v's bytes shifted right by k within 32-bit lanes; the caller's mask removes bits from the next byte. */
    private static ByteVector shifted(ByteVector v, int k) {
        return v.reinterpretAsInts().lanewise(VectorOperators.LSHR, k).reinterpretAsBytes();
    }

    private static ByteVector load(MemorySegment codes, long offset) {
        return ByteVector.fromMemorySegment(BYTES, codes, offset, ByteOrder.LITTLE_ENDIAN);
    }
}
