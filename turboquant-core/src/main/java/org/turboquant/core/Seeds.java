package org.turboquant.core;

import java.nio.charset.StandardCharsets;

/** How per-tensor seeds are derived from the user's seed (docs/FORMAT.md, "Random stream"). */
public final class Seeds {
    private Seeds() {}

    /** Default user seed when none is given. */
    public static final long DEFAULT_SEED = 42L;

    /** FNV-1a 64-bit hash of the UTF-8 bytes of {@code s}. */
    public static long fnv1a64(String s) {
        long h = 0xCBF29CE484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= (b & 0xFF);
            h *= 0x100000001B3L;
        }
        return h;
    }

    /** Seed of one tensor's rotation: mix(userSeed XOR fnv1a64(tensorName)). */
    public static long tensorSeed(long userSeed, String tensorName) {
        return SplitMix64.mix(userSeed ^ fnv1a64(tensorName));
    }

    /** Seed of the QJL sketch matrix S of TurboQuant_prod, derived from the rotation seed. */
    public static long qjlSeed(long rotationSeed) {
        return SplitMix64.mix(rotationSeed + 0x9E3779B97F4A7C15L);
    }
}
