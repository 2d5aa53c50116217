package org.turboquant.loader.safetensors;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.ShrinkingMode;
import org.junit.jupiter.api.Test;

class FloatCodecTest {

    /** F16 value from first principles: sign, 5-bit exponent (bias 15), 10-bit fraction, subnormals below. */
    private static double f16Reference(int bits) {
        int sign = (bits >> 15) & 1;
        int exp = (bits >> 10) & 0x1F;
        int frac = bits & 0x3FF;
        double magnitude = exp == 0 ? Math.scalb((double) frac, -24)
                : exp == 31 ? (frac == 0 ? Double.POSITIVE_INFINITY : Double.NaN)
                : Math.scalb(1024.0 + frac, exp - 25);
        return sign == 1 ? -magnitude : magnitude;
    }

    /** BF16 from first principles: 8-bit exponent (bias 127), 7-bit fraction. */
    private static double bf16Reference(int bits) {
        int sign = (bits >> 15) & 1;
        int exp = (bits >> 7) & 0xFF;
        int frac = bits & 0x7F;
        double magnitude = exp == 0 ? Math.scalb((double) frac, -133)
                : exp == 255 ? (frac == 0 ? Double.POSITIVE_INFINITY : Double.NaN)
                : Math.scalb(128.0 + frac, exp - 134);
        return sign == 1 ? -magnitude : magnitude;
    }

    @Test
    void everyF16AndBf16BitPatternWidensExactlyAndNarrowsBack() {
        for (int bits = 0; bits < 1 << 16; bits++) {
            float f16 = FloatCodec.f16ToFloat((short) bits);
            float bf16 = FloatCodec.bf16ToFloat((short) bits);
            assertThat(Double.compare(f16, f16Reference(bits))).as("F16 %04x", bits).isZero();
            assertThat(Double.compare(bf16, bf16Reference(bits))).as("BF16 %04x", bits).isZero();
            if (!Float.isNaN(f16)) assertThat(FloatCodec.floatToF16(f16) & 0xFFFF).isEqualTo(bits);
            if (!Float.isNaN(bf16)) assertThat(FloatCodec.floatToBf16(bf16) & 0xFFFF).isEqualTo(bits);
            else assertThat(Float.isNaN(FloatCodec.bf16ToFloat(FloatCodec.floatToBf16(bf16)))).isTrue();
        }
    }

    @Test
    void decodeReadsAWindowOfLittleEndianElements() {
        MemorySegment seg = MemorySegment.ofArray(new byte[2 * 6]);
        short[] halves = {0x3C00, (short) 0xC000, 0x0001, 0x7BFF, 0x3555, 0};
        for (int i = 0; i < halves.length; i++) seg.set(FloatCodec.U16, 2L * i, halves[i]);
        assertThat(seg.get(ValueLayout.JAVA_BYTE, 0)).isEqualTo((byte) 0x00); // low byte first
        float[] dst = new float[5];
        FloatCodec.decode(seg, DType.F16, 1, dst, 1, 3);
        assertThat(dst).containsExactly(0f, -2f, 0x1p-24f, 65504f, 0f);
    }

    @Property(tries = 2000, seed = "20250419", shrinking = ShrinkingMode.OFF)
    void bf16RoundingPicksTheNearestNeighbourTiesToEven(@ForAll float x) {
        if (Float.isNaN(x) || Float.isInfinite(x)) return;
        short r = FloatCodec.floatToBf16(x);
        if (Float.isInfinite(FloatCodec.bf16ToFloat(r))) {
            // overflow: only beyond the midpoint between the largest BF16 (0x7F7F) and 2^128
            double largest = FloatCodec.bf16ToFloat((short) 0x7F7F);
            assertThat(Math.abs((double) x)).isGreaterThanOrEqualTo((largest + 0x1p128) / 2);
            return;
        }
        double err = Math.abs((double) FloatCodec.bf16ToFloat(r) - x);
        for (int delta : new int[] {-1, 1}) {
            float neighbour = FloatCodec.bf16ToFloat((short) (r + delta));
            if (Float.isNaN(neighbour) || Float.isInfinite(neighbour)) continue;
            double other = Math.abs((double) neighbour - x);
            assertThat(err).isLessThanOrEqualTo(other);
            if (err == other) assertThat(r & 1).isZero();
        }
    }

    @Test
    void f64NarrowsToTheNearestFloat() {
        MemorySegment seg = MemorySegment.ofArray(new byte[16]);
        seg.set(ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, 0.1);
        seg.set(ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 8, -1e300);
        float[] dst = new float[2];
        FloatCodec.decode(seg, DType.F64, 0, dst, 0, 2);
        assertThat(dst).containsExactly(0.1f, Float.NEGATIVE_INFINITY);
    }
}
