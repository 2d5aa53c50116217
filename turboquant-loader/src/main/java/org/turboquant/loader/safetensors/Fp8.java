package org.turboquant.loader.safetensors;

/**
 * The two 8-bit float formats of the OCP FP8 specification, as safetensors and PyTorch name them
 * ({@code F8_E4M3} = {@code torch.float8_e4m3fn}, {@code F8_E5M2} = {@code torch.float8_e5m2}). Decoding is exact
 * (every FP8 value is a float); each format has a 256-entry table.
 *
 * <ul>
 *   <li>E4M3: sign, 4 exponent bits (bias 7), 3 mantissa bits; no infinities; S.1111.111 is NaN, so the largest
 *       value is S.1111.110 = ±448; exponent 0 is subnormal (m/8 · 2^-6).</li>
 *   <li>E5M2: sign, 5 exponent bits (bias 15), 2 mantissa bits, IEEE-like: exponent 31 is ±∞ (m = 0) or NaN;
 *       largest finite ±57344; exponent 0 is subnormal (m/4 · 2^-14).</li>
 * </ul>
 */
public final class Fp8 {
    private static final float[] E4M3 = new float[256];
    private static final float[] E5M2 = new float[256];

    static {
        for (int b = 0; b < 256; b++) {
            E4M3[b] = decode(b, 4, 3, 7, false);
            E5M2[b] = decode(b, 5, 2, 15, true);
        }
    }

    private Fp8() {}

    public static float e4m3ToFloat(byte b) { return E4M3[b & 0xFF]; }

    public static float e5m2ToFloat(byte b) { return E5M2[b & 0xFF]; }

    /** The table of {@code dtype}, indexed by the unsigned byte. */
    static float[] table(DType dtype) {
        return switch (dtype) {
            case F8_E4M3 -> E4M3;
            case F8_E5M2 -> E5M2;
            default -> throw new IllegalArgumentException(dtype + " is not an FP8 type");
        };
    }

    private static float decode(int b, int expBits, int mantBits, int bias, boolean ieeeSpecials) {
        int sign = (b >>> 7) & 1;
        int exp = (b >>> mantBits) & ((1 << expBits) - 1);
        int mant = b & ((1 << mantBits) - 1);
        int maxExp = (1 << expBits) - 1;
        float magnitude;
        if (ieeeSpecials && exp == maxExp) {
            magnitude = mant == 0 ? Float.POSITIVE_INFINITY : Float.NaN;
        } else if (!ieeeSpecials && exp == maxExp && mant == (1 << mantBits) - 1) {
            magnitude = Float.NaN; // E4M3 ("fn"): only all-ones is NaN; the rest of the top binade is finite
        } else if (exp == 0) {
            magnitude = Math.scalb((float) mant, 1 - bias - mantBits);
        } else {
            magnitude = Math.scalb((float) ((1 << mantBits) | mant), exp - bias - mantBits);
        }
        return sign == 1 ? -magnitude : magnitude;
    }
}
