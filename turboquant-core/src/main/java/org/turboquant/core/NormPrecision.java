package org.turboquant.core;

import java.util.Locale;

/**
 * How a block's scale (its norm, the corrected norm or the searched scale) is stored.
 *
 * <p>{@link #LOG8} stores one byte per block on a logarithmic grid relative to a per-tensor unit R
 * ({@link QuantConfig#scaleUnit()}): code 0 is a zero scale, code c in 1..255 the scale 2^((c − 255)/16)·R, i.e.
 * 16 steps per octave (a step of 4.4%) over almost 16 octaves below R. Quantizers work in units of R (the block is
 * divided by R before it is quantized, so stored scales are at most 1) and R moves into the stored centroids
 * ({@link QuantConfig#storedCentroids}): decoded weight = scale · (R · centroid), so readers and kernels need nothing
 * beyond decoding the byte to a float. {@link #log8Unit} picks R so that no scale of the tensor exceeds it.
 */
public enum NormPrecision {
    F16(2),
    F32(4),
    LOG8(1);

    /** {@link #LOG8} grid steps per octave. */
    public static final int LOG8_STEPS_PER_OCTAVE = 16;
    private static final float[] LOG8_SCALES = new float[256];
    static {
        for (int c = 1; c < 256; c++) LOG8_SCALES[c] = (float) Math.pow(2, (c - 255) / (double) LOG8_STEPS_PER_OCTAVE);
    }

    private final int bytes;

    NormPrecision(int bytes) {
        this.bytes = bytes;
    }

    public int bytes() {
        return bytes;
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The value as it will read back after storage (f16 rounds to nearest even; log8 to the nearest grid point in
     * log terms, in units of the tensor's R, clamped to the grid: a positive value never rounds to zero).
     */
    public float round(float v) {
        return switch (this) {
            case F16 -> Float.float16ToFloat(Float.floatToFloat16(v));
            case F32 -> v;
            case LOG8 -> LOG8_SCALES[log8Code(v)];
        };
    }

    /** The {@link #LOG8} byte (0..255) of a scale in units of R: 0 for 0, else the nearest grid point's code. */
    public static int log8Code(float v) {
        if (!(v > 0)) {
            if (v == 0) return 0;
            throw new IllegalArgumentException("log8 scale must be >= 0, got " + v);
        }
        long c = Math.round(LOG8_STEPS_PER_OCTAVE * (Math.log(v) / Math.log(2))) + 255;
        return (int) Math.max(1, Math.min(255, c));
    }

    /** The scale, in units of R, that {@link #LOG8} code {@code code & 0xFF} stands for. */
    public static float log8Scale(int code) {
        return LOG8_SCALES[code & 0xFF];
    }

    /**
     * R for {@link #LOG8} on a tensor whose largest magnitude is {@code maxAbs}, blocks of g: a block's norm is at most
     * √g·maxAbs and a searched scale at most {@link ScaleSearch#MAX_RATIO} times its norm, so no scale exceeds R. 1 for
     * an all-zero tensor.
     */
    public static float log8Unit(double maxAbs, int g) {
        if (!(maxAbs > 0) || !Double.isFinite(maxAbs)) return 1f;
        float r = (float) (ScaleSearch.MAX_RATIO * Math.sqrt(g) * maxAbs);
        return Float.isFinite(r) ? Math.nextUp(r) : Float.MAX_VALUE;
    }

    public static NormPrecision parse(String s) {
        for (NormPrecision p : values()) {
            if (p.id().equalsIgnoreCase(s.trim())) return p;
        }
        throw new IllegalArgumentException("unknown norm precision '" + s + "' (expected f16, f32 or log8)");
    }
}
