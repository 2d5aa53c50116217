package org.turboquant.loader.safetensors;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/**
 * All 256 codes of both FP8 formats against formulas written independently of {@link Fp8}: E5M2 is the upper byte
 * of an IEEE binary16 (so the JDK's float16 conversion decodes it), E4M3 ("fn": no infinities, one NaN per sign)
 * from the OCP definition in double arithmetic; plus the landmark values of the specification.
 */
class Fp8Test {

    @Test
    void e5m2IsTheUpperByteOfABinary16() {
        int nan = 0, inf = 0;
        for (int b = 0; b < 256; b++) {
            float expected = Float.float16ToFloat((short) (b << 8));
            assertSame(Fp8.e5m2ToFloat((byte) b), expected, "E5M2 0x" + Integer.toHexString(b));
            if (Float.isNaN(expected)) nan++;
            if (Float.isInfinite(expected)) inf++;
        }
        assertThat(nan).isEqualTo(6);
        assertThat(inf).isEqualTo(2);
    }

    @Test
    void e4m3MatchesTheOcpDefinition() {
        int nan = 0;
        for (int b = 0; b < 256; b++) {
            int sign = b >> 7, exp = (b >> 3) & 0xF, mant = b & 7;
            double magnitude;
            if (exp == 15 && mant == 7) magnitude = Double.NaN;
            else if (exp == 0) magnitude = mant / 8.0 * Math.pow(2, -6);
            else magnitude = (1 + mant / 8.0) * Math.pow(2, exp - 7);
            float expected = (float) (sign == 1 ? -magnitude : magnitude);
            float actual = Fp8.e4m3ToFloat((byte) b);
            assertSame(actual, expected, "E4M3 0x" + Integer.toHexString(b));
            assertThat(Float.isInfinite(actual)).as("E4M3 has no infinities").isFalse();
            if (Float.isNaN(actual)) nan++;
        }
        assertThat(nan).isEqualTo(2);
    }

    @Test
    void landmarkValues() {
        assertThat(Fp8.e4m3ToFloat((byte) 0x7E)).as("largest E4M3").isEqualTo(448f);
        assertThat(Fp8.e4m3ToFloat((byte) 0xFE)).isEqualTo(-448f);
        assertThat(Fp8.e4m3ToFloat((byte) 0x08)).as("smallest normal").isEqualTo(0x1p-6f);
        assertThat(Fp8.e4m3ToFloat((byte) 0x01)).as("smallest subnormal").isEqualTo(0x1p-9f);
        assertThat(Fp8.e4m3ToFloat((byte) 0x07)).as("largest subnormal").isEqualTo(7 * 0x1p-9f);
        assertThat(Fp8.e4m3ToFloat((byte) 0x38)).isEqualTo(1f);
        assertThat(Fp8.e4m3ToFloat((byte) 0x78)).as("S.1111.000 is finite in E4M3").isEqualTo(256f);
        assertThat(Float.floatToRawIntBits(Fp8.e4m3ToFloat((byte) 0x80))).as("-0").isEqualTo(0x80000000);
        assertThat(Fp8.e4m3ToFloat((byte) 0x7F)).isNaN();
        assertThat(Fp8.e4m3ToFloat((byte) 0xFF)).isNaN();

        assertThat(Fp8.e5m2ToFloat((byte) 0x7B)).as("largest E5M2").isEqualTo(57344f);
        assertThat(Fp8.e5m2ToFloat((byte) 0x7C)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(Fp8.e5m2ToFloat((byte) 0xFC)).isEqualTo(Float.NEGATIVE_INFINITY);
        assertThat(Fp8.e5m2ToFloat((byte) 0x7D)).isNaN();
        assertThat(Fp8.e5m2ToFloat((byte) 0x04)).as("smallest normal").isEqualTo(0x1p-14f);
        assertThat(Fp8.e5m2ToFloat((byte) 0x01)).as("smallest subnormal").isEqualTo(0x1p-16f);
        assertThat(Fp8.e5m2ToFloat((byte) 0x3C)).isEqualTo(1f);
    }

    @Test
    void floatCodecDecodesEveryCodeAtAnyOffsetAndRefusesToEncode() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment all = arena.allocate(256);
            for (int b = 0; b < 256; b++) all.set(ValueLayout.JAVA_BYTE, b, (byte) b);
            for (DType d : new DType[] {DType.F8_E4M3, DType.F8_E5M2}) {
                float[] out = new float[256 + 3];
                FloatCodec.decode(all, d, 0, out, 3, 256);
                float[] tail = new float[10];
                FloatCodec.decode(all, d, 246, tail, 0, 10);
                for (int b = 0; b < 256; b++) {
                    float expected = d == DType.F8_E4M3 ? Fp8.e4m3ToFloat((byte) b) : Fp8.e5m2ToFloat((byte) b);
                    assertSame(out[3 + b], expected, d + " 0x" + Integer.toHexString(b));
                    if (b >= 246) assertSame(tail[b - 246], expected, d + " at offset 246");
                }
                org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> FloatCodec.encode(new float[1], 0, 1, d, arena.allocate(1), 0))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("read, not written");
            }
        }
    }

    /** Same float, bit for bit (so +0 and -0 differ); any NaN matches any NaN. */
    private static void assertSame(float actual, float expected, String what) {
        if (Float.isNaN(expected)) assertThat(actual).as(what).isNaN();
        else assertThat(Float.floatToRawIntBits(actual)).as(what + ": " + actual + " vs " + expected)
                .isEqualTo(Float.floatToRawIntBits(expected));
    }
}
