package org.turboquant.simd.panama;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.turboquant.core.BitPacking;

/**
 * Reads 16 consecutive packed indices as 16 byte lanes, for any width 1..8. In {@link BitPacking}'s layout the 16
 * indices of group {@code sub} (0..7) of a chunk sit in one bit field of one 16-byte group per plane, so each plane
 * costs one 128-bit load, a shift and a mask; the planes are then OR-ed together in the byte domain.
 */
final class GroupDecoder {
    static final VectorSpecies<Byte> BYTES = ByteVector.SPECIES_128;
    static final int GROUP = 16;

    private GroupDecoder() {}

    /** Byte offset of the chunk holding 16-index group {@code group} of a run starting at {@code base}. */
    static long chunkBase(long base, int group, int bits) {
        return base + (long) (group >>> 3) * BitPacking.GROUP_BYTES * bits;
    }

    /** The 16 indices of group {@code sub} (0..7) of the chunk at {@code chunk}, as unsigned byte lanes. */
    static ByteVector decode(MemorySegment codes, long chunk, int sub, int bits) {
        if (bits == 8) return load(codes, chunk + 16L * sub);
        ByteVector acc = null;
        long plane = chunk;
        int shift = 0;
        if ((bits & 4) != 0) { // 2 indices per byte: 4 groups of 16 bytes
            acc = field(codes, plane + 16L * (sub >>> 1), (sub & 1) * 4, 0xF);
            plane += 64;
            shift = 4;
        }
        if ((bits & 2) != 0) { // 4 per byte: 2 groups
            ByteVector v = field(codes, plane + 16L * (sub >>> 2), (sub & 3) * 2, 0x3);
            acc = acc == null ? v : acc.or(v.lanewise(VectorOperators.LSHL, shift));
            plane += 32;
            shift += 2;
        }
        if ((bits & 1) != 0) { // 8 per byte: 1 group
            ByteVector v = field(codes, plane, sub, 0x1);
            acc = acc == null ? v : acc.or(v.lanewise(VectorOperators.LSHL, shift));
        }
        return acc;
    }

    private static ByteVector field(MemorySegment codes, long offset, int shift, int mask) {
        return load(codes, offset).lanewise(VectorOperators.LSHR, shift).and((byte) mask);
    }

    private static ByteVector load(MemorySegment codes, long offset) {
        return ByteVector.fromMemorySegment(BYTES, codes, offset, ByteOrder.LITTLE_ENDIAN);
    }
}
