package org.turboquant.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class BitPackingTest {

    @Property(tries = 300, seed = "20260102")
    void unpackInvertsPack(@ForAll @IntRange(min = 1, max = 8) int bits, @ForAll @IntRange(min = 1, max = 700) int count,
                           @ForAll long seed) {
        Random random = new Random(seed);
        byte[] idx = new byte[count];
        for (int i = 0; i < count; i++) idx[i] = (byte) random.nextInt(1 << bits);
        byte[] packed = BitPacking.pack(idx, bits);
        assertThat((long) packed.length).isEqualTo(BitPacking.packedBytes(count, bits));
        assertThat(BitPacking.unpack(packed, count, bits)).containsExactly(idx);
    }

    @Property(tries = 50, seed = "20260103")
    void packsAtAnOffsetWithoutTouchingNeighbours(@ForAll @IntRange(min = 1, max = 8) int bits,
                                                  @ForAll @IntRange(min = 1, max = 300) int count) {
        byte[] idx = new byte[count + 3];
        for (int i = 0; i < idx.length; i++) idx[i] = (byte) ((i * 37 + 11) & ((1 << bits) - 1));
        int len = (int) BitPacking.packedBytes(count, bits);
        byte[] buffer = new byte[len + 10];
        java.util.Arrays.fill(buffer, (byte) 0x5A);
        BitPacking.pack(idx, 3, count, bits, MemorySegment.ofArray(buffer), 5);
        for (int i = 0; i < 5; i++) assertThat(buffer[i]).isEqualTo((byte) 0x5A);
        for (int i = 5 + len; i < buffer.length; i++) assertThat(buffer[i]).isEqualTo((byte) 0x5A);
        byte[] out = new byte[count + 2];
        BitPacking.unpack(MemorySegment.ofArray(buffer), 5, count, bits, out, 2);
        assertThat(java.util.Arrays.copyOfRange(out, 2, count + 2)).containsExactly(java.util.Arrays.copyOfRange(idx, 3, count + 3));
    }

    @Test
    void threeBitWorkedExampleFromFormatDoc() {
        // docs/FORMAT.md "Packed indices": 3 bits = plane 2 (bits 0-1) then plane 1 (bit 2); index i = i mod 8.
        byte[] idx = new byte[128];
        for (int i = 0; i < 128; i++) idx[i] = (byte) (i % 8);
        byte[] packed = BitPacking.pack(idx, 3);
        assertThat(packed).hasSize(48);
        // Plane of width 2, group 0, byte 0 holds indices 0, 16, 32, 48 in bit fields 0-1, 2-3, 4-5, 6-7: low
        // bits of 0, 0, 0, 0 → 0x00. Byte 1 holds indices 1, 17, 33, 49 → low bits 1, 1, 1, 1 → 0b01010101.
        assertThat(packed[0]).isEqualTo((byte) 0x00);
        assertThat(packed[1]).isEqualTo((byte) 0x55);
        assertThat(packed[3]).isEqualTo((byte) 0xFF);
        // Plane of width 1 starts at byte 32; byte 32 + j holds bit 2 of indices j, j+16, ..., j+112.
        assertThat(packed[32 + 4]).isEqualTo((byte) 0xFF);
        assertThat(packed[32 + 3]).isEqualTo((byte) 0x00);
    }

    @Test
    void planesFollowTheDocumentedOrder() {
        assertThat(BitPacking.planeWidths(8)).containsExactly(8);
        assertThat(BitPacking.planeWidths(7)).containsExactly(4, 2, 1);
        assertThat(BitPacking.planeWidths(5)).containsExactly(4, 1);
        assertThat(BitPacking.planeWidths(3)).containsExactly(2, 1);
        assertThat(BitPacking.planeWidths(1)).containsExactly(1);
        assertThat(BitPacking.packedBytes(129, 4)).isEqualTo(128);
    }
}
