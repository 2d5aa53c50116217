package org.turboquant.core;

import java.util.Locale;

/** How a block's scale (its norm, or the corrected norm) is stored. */
public enum NormPrecision {
    F16(2),
    F32(4);

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

    /** The value as it will read back after storage (f16 rounds to nearest even). */
    public float round(float v) {
        return this == F16 ? Float.float16ToFloat(Float.floatToFloat16(v)) : v;
    }

    public static NormPrecision parse(String s) {
        for (NormPrecision p : values()) {
            if (p.id().equalsIgnoreCase(s.trim())) return p;
        }
        throw new IllegalArgumentException("unknown norm precision '" + s + "' (expected f16 or f32)");
    }
}
