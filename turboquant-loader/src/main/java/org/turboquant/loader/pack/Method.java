package org.turboquant.loader.pack;

import java.util.Locale;

/** How a tensor is stored in a pack. */
public enum Method {
    /** TurboQuant_mse: rotated blocks, Lloyd–Max indices, one scale per block. */
    TURBOQUANT,
    /** Baseline: per-row absmax symmetric round-to-nearest. */
    RTN,
    /** Baseline: llama.cpp Q4_0 (blocks of 32, one f16 scale). */
    Q4_0,
    /** Baseline: llama.cpp Q8_0 (blocks of 32, one f16 scale). */
    Q8_0,
    /** Copied unchanged. */
    KEPT;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Method parse(String s) {
        for (Method m : values()) {
            if (m.id().equalsIgnoreCase(s.trim())) return m;
        }
        throw new IllegalArgumentException("unknown method '" + s + "' (expected turboquant, rtn, q4_0 or q8_0)");
    }
}
